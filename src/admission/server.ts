import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { AdmissionMetrics, METRICS_CONTENT_TYPE } from './metrics.js';
import { buildResponse, parseReview, ReviewError, type ParsedReview } from './review.js';
import { CertWatcher, loadKeyPair, TLS_BASE_OPTIONS, type KeyPair } from './tls.js';
import type {
  AdmissionDecision,
  AdmissionLogEntry,
  AdmissionLogger,
  EvaluateFn,
  PolicyResult,
  WebhookKind,
} from './types.js';

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
export const INTERNAL_ERROR_MESSAGE = 'kubeward: internal error evaluating policies';
const INTERNAL_POLICY = 'kubeward:internal';

export interface AdmissionServerOptions {
  tlsCertFile: string;
  tlsKeyFile: string;
  evaluate: EvaluateFn;
  logger?: AdmissionLogger;
  /** Larger bodies get 413. Default 3 MiB. */
  maxBodyBytes?: number;
  /** What to answer when `evaluate` throws, times out or returns garbage. Default 'deny' (fail closed, code 500). */
  onError?: 'deny' | 'allow';
  /** `GET /readyz` answers 200 only when this says so (and the server is not closing). Default: always ready. */
  ready?: () => boolean | Promise<boolean>;
  /**
   * Longest `evaluate` may run before it counts as an error. Default 9 s, below the API server's default
   * 10 s webhook timeout, so the user sees our message rather than a timeout.
   */
  evaluateTimeoutMs?: number;
  /** Slow-client limits (Node http server settings). */
  timeouts?: {
    /** Whole header block must arrive within this. Default 10 s. */
    headersMs?: number;
    /** Whole request (headers and body) must arrive within this. Default 30 s. */
    requestMs?: number;
    /** Idle keep-alive connections close after this. Default 5 s. */
    keepAliveMs?: number;
    /** TLS handshake must finish within this. Default 10 s. */
    handshakeMs?: number;
    /** How often Node checks header/request timeouts. Default 1 s. */
    checkIntervalMs?: number;
  };
  /** Refuse connections beyond this many at once. Default 1024. */
  maxConnections?: number;
  /** Debounce for certificate reloads. Default 500 ms. */
  certReloadDebounceMs?: number;
  /** Backstop re-read of the certificate files. Default 60 s; 0 disables. */
  certReloadPollMs?: number;
}

export interface ListenAddress {
  host?: string;
  port: number;
}

export interface AdmissionServer {
  /** Starts serving; resolves with the bound address (useful with port 0). Accepts `{host, port}` or "host:port". */
  listen(addr: ListenAddress | string): Promise<{ host: string; port: number }>;
  /** Stops accepting, lets in-flight reviews finish (up to `graceMs`, default 5 s), then drops the rest. */
  close(graceMs?: number): Promise<void>;
  readonly metrics: AdmissionMetrics;
}

/** Default logger: one JSON object per line on stderr. */
export function stderrLogger(entry: AdmissionLogEntry): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}

function parseListenAddress(addr: ListenAddress | string): ListenAddress {
  if (typeof addr !== 'string') return addr;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr.trim());
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(addr)} (want host:port)`);
  const host = m[1] ?? m[2];
  return { host: host || undefined, port: Number(m[3]) };
}

class BodyTooLarge extends Error {}

function isDecision(v: unknown): v is AdmissionDecision {
  return typeof v === 'object' && v !== null && typeof (v as { allowed?: unknown }).allowed === 'boolean';
}

export function createAdmissionServer(options: AdmissionServerOptions): AdmissionServer {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onError = options.onError ?? 'deny';
  const evaluateTimeoutMs = options.evaluateTimeoutMs ?? 9_000;
  const userLogger = options.logger ?? stderrLogger;
  const log = (entry: AdmissionLogEntry): void => {
    try {
      userLogger(entry);
    } catch {
      // A broken logger must not take the webhook down.
    }
  };
  const metrics = new AdmissionMetrics();
  const t = options.timeouts ?? {};

  // Fails fast (throws) when the initial pair is unusable: there is nothing to serve with.
  const initial: KeyPair = loadKeyPair(options.tlsCertFile, options.tlsKeyFile);
  const server: Server = createServer({
    ...TLS_BASE_OPTIONS,
    ...initial,
    handshakeTimeout: t.handshakeMs ?? 10_000,
    headersTimeout: t.headersMs ?? 10_000,
    requestTimeout: t.requestMs ?? 30_000,
    keepAliveTimeout: t.keepAliveMs ?? 5_000,
    connectionsCheckingInterval: t.checkIntervalMs ?? 1_000,
    maxHeaderSize: 16 * 1024,
  });
  server.maxConnections = options.maxConnections ?? 1024;
  server.maxHeadersCount = 100;
  // Node only checks headersTimeout/requestTimeout once a request starts; also bound idle sockets.
  server.setTimeout((t.requestMs ?? 30_000) + 5_000);

  let watcher: CertWatcher | undefined;
  let listening = false;
  let closing = false;

  server.on('tlsClientError', () => {
    // Handshake failures (TLS 1.1 clients, scanners, untrusted CA) are the client's problem; never fatal.
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status =
        err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  function sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    extraHeaders: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extraHeaders,
    });
    res.end(text);
  }

  function sendText(
    res: ServerResponse,
    status: number,
    text: string,
    contentType = 'text/plain; charset=utf-8',
  ): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
    });
    res.end(text);
  }

  /** Reads the body up to the limit. Past it, keeps discarding (bounded) so the 413 reaches the client. */
  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length']);
      const chunks: Buffer[] = [];
      let size = 0;
      let over = Number.isFinite(declared) && declared > maxBodyBytes;
      let settled = false;
      const fail = (e: Error): void => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      };
      if (over) fail(new BodyTooLarge());
      let discarded = 0;
      req.on('data', (chunk: Buffer) => {
        if (over) {
          // Drain so the client reads our 413 instead of a reset; give up on absurd senders.
          discarded += chunk.length;
          if (discarded > 4 * maxBodyBytes + 16 * 1024 * 1024) req.socket.destroy();
          return;
        }
        size += chunk.length;
        if (size > maxBodyBytes) {
          over = true;
          chunks.length = 0;
          fail(new BodyTooLarge());
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!settled) {
          settled = true;
          resolve(Buffer.concat(chunks).toString('utf8'));
        }
      });
      req.on('error', (e) => fail(e));
      req.on('aborted', () => fail(new Error('request aborted')));
    });
  }

  async function evaluateSafely(
    parsed: ParsedReview,
  ): Promise<{ decision: AdmissionDecision; error?: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => options.evaluate(parsed.request)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`evaluate timed out after ${evaluateTimeoutMs} ms`)),
            evaluateTimeoutMs,
          );
        }),
      ]);
      if (!isDecision(result))
        throw new Error('evaluate returned something other than {allowed: boolean, ...}');
      return { decision: result };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const decision: AdmissionDecision =
        onError === 'allow'
          ? {
              allowed: true,
              warnings: ['kubeward could not evaluate policies; request allowed (onError: allow)'],
              policyResults: [{ policy: INTERNAL_POLICY, result: 'error', message: error }],
            }
          : {
              allowed: false,
              code: 500,
              message: INTERNAL_ERROR_MESSAGE,
              policyResults: [{ policy: INTERNAL_POLICY, result: 'error', message: error }],
            };
      return { decision, error };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async function handleReview(
    req: IncomingMessage,
    res: ServerResponse,
    webhook: WebhookKind,
  ): Promise<void> {
    const started = performance.now();
    const observe = (): number => {
      const seconds = (performance.now() - started) / 1000;
      metrics.requestDuration.observe({ webhook }, seconds);
      return Math.round(seconds * 1e6) / 1e3;
    };
    const refuse = (status: number, message: string): void => {
      observe();
      log({ level: 'warn', msg: 'admission request refused', webhook, status, error: message });
      sendJson(res, status, { error: message, code: status });
    };
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') {
      req.resume();
      refuse(
        415,
        `Content-Type must be application/json (got ${JSON.stringify(req.headers['content-type'] ?? '')})`,
      );
      return;
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) refuse(413, `request body exceeds ${maxBodyBytes} bytes`);
      else req.socket.destroy();
      return;
    }
    let parsed: ParsedReview;
    try {
      parsed = parseReview(body);
    } catch (e) {
      if (e instanceof ReviewError) refuse(e.httpStatus, e.message);
      else refuse(400, 'malformed AdmissionReview');
      return;
    }
    const { decision, error } = await evaluateSafely(parsed);
    const { review, notes } = buildResponse(parsed, decision, webhook);
    const policies: PolicyResult[] = Array.isArray(decision.policyResults) ? decision.policyResults : [];
    for (const p of policies) {
      if (p && typeof p.policy === 'string' && typeof p.result === 'string')
        metrics.decisions.inc({ policy: p.policy, result: p.result });
    }
    const r = parsed.request;
    const durationMs = observe();
    if (error !== undefined)
      log({ level: 'error', msg: 'policy evaluation failed', webhook, uid: r.uid, error, onError });
    const entry: AdmissionLogEntry = {
      level: 'info',
      msg: 'admission decision',
      webhook,
      uid: r.uid,
      kind: r.kind.kind,
      namespace: r.namespace ?? '',
      name: r.name ?? '',
      operation: r.operation,
      dryRun: r.dryRun,
      allowed: review.response.allowed,
      duration_ms: durationMs,
      policies: policies.map((p) => ({ policy: p.policy, result: p.result })),
    };
    if (r.subResource) entry.subResource = r.subResource;
    if (review.response.status) entry.code = review.response.status.code;
    if (review.response.patch) entry.patched = true;
    if (notes.length) entry.notes = notes;
    log(entry);
    sendJson(res, 200, review);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      // The API server appends `?timeout=10s`; only the path routes.
      path = new URL(req.url ?? '/', 'https://webhook.invalid').pathname;
    } catch {
      sendJson(res, 400, { error: 'invalid request URL', code: 400 });
      return;
    }
    const method = req.method ?? '';
    switch (path) {
      case '/validate':
      case '/mutate':
        if (method !== 'POST') {
          req.resume();
          sendJson(
            res,
            405,
            { error: `method ${method} not allowed; use POST`, code: 405 },
            { Allow: 'POST' },
          );
          return;
        }
        await handleReview(req, res, path === '/validate' ? 'validate' : 'mutate');
        return;
      case '/healthz':
      case '/readyz':
      case '/metrics': {
        req.resume();
        if (method !== 'GET' && method !== 'HEAD') {
          sendJson(
            res,
            405,
            { error: `method ${method} not allowed; use GET`, code: 405 },
            { Allow: 'GET, HEAD' },
          );
          return;
        }
        if (path === '/healthz') sendText(res, listening ? 200 : 503, listening ? 'ok\n' : 'not listening\n');
        else if (path === '/metrics') sendText(res, 200, metrics.render(), METRICS_CONTENT_TYPE);
        else {
          let ok = false;
          try {
            ok = listening && !closing && (options.ready ? (await options.ready()) === true : true);
          } catch {
            ok = false;
          }
          sendText(res, ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n');
        }
        return;
      }
      default:
        req.resume();
        sendJson(res, 404, { error: `no handler for ${path.slice(0, 200)}`, code: 404 });
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((e: unknown) => {
      log({
        level: 'error',
        msg: 'unexpected error handling request',
        error: e instanceof Error ? e.message : String(e),
      });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal server error', code: 500 });
      else res.destroy();
    });
  });

  return {
    metrics,
    listen(addr) {
      const { host, port } = parseListenAddress(addr);
      return new Promise((resolve, reject) => {
        const onErr = (e: Error): void => reject(e);
        server.once('error', onErr);
        server.listen({ host, port }, () => {
          server.off('error', onErr);
          server.on('error', (e) => log({ level: 'error', msg: 'server error', error: e.message }));
          listening = true;
          watcher = new CertWatcher({
            certFile: options.tlsCertFile,
            keyFile: options.tlsKeyFile,
            current: initial,
            debounceMs: options.certReloadDebounceMs,
            pollMs: options.certReloadPollMs,
            apply: (pair) => {
              server.setSecureContext({ ...TLS_BASE_OPTIONS, ...pair });
              metrics.tlsReloads.inc({ result: 'success' });
              log({ level: 'info', msg: 'TLS certificate reloaded', certFile: options.tlsCertFile });
            },
            onError: (err) => {
              metrics.tlsReloads.inc({ result: 'error' });
              log({
                level: 'error',
                msg: 'TLS certificate reload failed; keeping the previous certificate',
                certFile: options.tlsCertFile,
                keyFile: options.tlsKeyFile,
                error: err.message,
              });
            },
          });
          const a = server.address() as AddressInfo;
          log({ level: 'info', msg: 'admission webhook listening', address: a.address, port: a.port });
          resolve({ host: a.address, port: a.port });
        });
      });
    },
    close(graceMs = 5_000) {
      closing = true;
      watcher?.close();
      return new Promise((resolve) => {
        if (!listening) {
          resolve();
          return;
        }
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          listening = false;
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
