import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { ENVELOPE_MEDIA_TYPE, parseEnvelope, type PushedManifest } from './envelope.js';

/** Envelopes are small (a few events of a few hundred bytes); anything bigger is refused unread. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const NOTIFICATIONS_PATH = '/notifications';

export interface ReceiverOptions {
  /** `host:port` or `:port` (binds 127.0.0.1 when the host is left out; exposing it is an explicit choice). */
  listen: string;
  /**
   * Expected `Authorization: Bearer <token>` (configure the same header in the registry's
   * `notifications.endpoints[].headers`). Without it any sender that reaches the port can trigger scans.
   */
  token?: string;
  maxBodyBytes?: number;
  /** Called with the manifest pushes of each accepted envelope; must not throw (errors are swallowed). */
  onPush: (pushes: PushedManifest[]) => void;
  /** Told about rejected requests (status and reason), for logs. */
  onReject?: (status: number, reason: string) => void;
}

export interface RunningReceiver {
  /** Bound address as `host:port`. */
  address: string;
  /** Envelopes accepted and manifest pushes seen, for tests and status. */
  stats: { envelopes: number; pushes: number; rejected: number };
  close(): Promise<void>;
}

/** Splits `host:port`, `[v6]:port` or `:port`. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`listen address must be host:port or :port (got "${listen.slice(0, 100)}")`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/**
 * HTTP receiver for CNCF distribution registry notifications (`notifications.endpoints[].url` pointing at
 * `http://<listen>/notifications`). Answers 202 as soon as the envelope is parsed; the scan happens later,
 * so the registry's notification queue never waits on a pull.
 */
export async function startNotificationReceiver(opts: ReceiverOptions): Promise<RunningReceiver> {
  const { host, port } = parseListen(opts.listen);
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const stats = { envelopes: 0, pushes: 0, rejected: 0 };
  const expected = opts.token !== undefined ? hash(`Bearer ${opts.token}`) : undefined;

  const reject = (res: ServerResponse, status: number, reason: string): void => {
    stats.rejected++;
    opts.onReject?.(status, reason);
    res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
    res.end(`${reason}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    if (path !== NOTIFICATIONS_PATH) return reject(res, 404, 'not found');
    if (req.method !== 'POST') return reject(res, 405, 'method not allowed');
    // Constant-time comparison of hashes: the token's length and content do not leak through timing.
    if (expected && !timingSafeEqual(hash(req.headers.authorization ?? ''), expected))
      return reject(res, 401, 'unauthorized');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== ENVELOPE_MEDIA_TYPE && type !== 'application/json')
      return reject(res, 415, 'unsupported media type');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(res, 413, 'body too large');
    const body = await readBody(req, limit);
    if (body === undefined) return reject(res, 413, 'body too large');
    let pushes: PushedManifest[];
    try {
      pushes = parseEnvelope(JSON.parse(body.toString('utf8')));
    } catch (e) {
      return reject(res, 400, `bad envelope: ${(e as Error).message}`);
    }
    stats.envelopes++;
    stats.pushes += pushes.length;
    res.writeHead(202, { 'content-type': 'text/plain' });
    res.end('accepted\n');
    if (pushes.length > 0) {
      try {
        opts.onPush(pushes);
      } catch {
        // the scanner's problem, reported through its own events; the registry got its 202
      }
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reject(res, 500, 'internal error');
      else res.destroy();
    });
  });
  // A sender that trickles headers or body cannot hold a connection open for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    address: addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function hash(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Reads at most `limit` bytes; undefined when over (the rest is discarded, the answer closes the socket). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume();
      resolve(undefined);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}
