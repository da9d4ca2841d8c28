import { Agent, request, type Dispatcher } from 'undici';
import type { ClusterConnection } from './connection.js';
import type { ClientCertificate } from './credentials.js';
import { isRecord, KubeApiError, toStatus, type KubeObject } from './types.js';
import {
  MAX_EVENT_BYTES,
  parseWatchLine,
  splitLines,
  WatchLineError,
  type WatchEvent,
} from './watch-lines.js';

export interface KubeClientOptions {
  /** Non-watch requests: no headers, or no body bytes, for this long fails the request (default 30 s). */
  requestTimeoutMs?: number;
  /** Bound on one response body (a `get`, or one page of a `list`); default 64 MiB. */
  maxResponseBytes?: number;
  /** Bound on all pages of one `list` together (default 512 MiB): a server that never stops paginating. */
  maxListBytes?: number;
  userAgent?: string;
  /**
   * A watch is abandoned this long after its timeoutSeconds when the server has not ended it (a server
   * that ignores the timeout, or a connection that died without a FIN). Default 30 s.
   */
  watchGraceMs?: number;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size (default 500, as kubectl and client-go use). */
  limit?: number;
  signal?: AbortSignal;
}

export interface ObjectList<T extends KubeObject = KubeObject> {
  /** The List kind the server named, e.g. `NamespaceList`. */
  kind: string | undefined;
  items: T[];
  /** Collection version the list is consistent at; a watch started from it misses nothing. */
  resourceVersion: string;
}

export interface WatchOptions {
  /** Ask for BOOKMARK progress events (default true). */
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this (default 300). The client gives up 30 s later if it does not. */
  timeoutSeconds?: number;
  labelSelector?: string;
  fieldSelector?: string;
  /** Bound on one event line (default 16 MiB). */
  maxEventBytes?: number;
  signal?: AbortSignal;
  /**
   * Called for a line that is oversized, not JSON or not a watch event; the watch continues. Without it
   * such a line ends the watch with a WatchLineError.
   */
  onMalformed?: (err: WatchLineError) => void;
}

/** Raised when a watch stream stops in the middle of an event (connection cut cleanly mid-line). */
export class WatchStreamError extends Error {
  override readonly name = 'WatchStreamError';
}

/** Error bodies are read only this far: a Status is small, a hostile error page need not be read. */
const MAX_ERROR_BYTES = 64 * 1024;
/** Pagination bound, so a server that always answers with a `continue` token cannot loop us forever. */
const MAX_PAGES = 100_000;
/** A continuation token that expired mid-list (410) restarts the list from the top this many times. */
const MAX_LIST_RESTARTS = 3;

/**
 * A small Kubernetes API client: JSON GET, paginated LIST and streaming WATCH over undici, with the TLS
 * settings and credentials of a `ClusterConnection`. A 401 makes rotating credentials (token files, exec
 * plugins) refresh, and the request is retried once.
 */
export class KubeClient {
  private agent: Agent | undefined;
  private agentCert: ClientCertificate | undefined;
  private readonly retired: Agent[] = [];
  private closed = false;

  constructor(
    readonly connection: ClusterConnection,
    private readonly opts: KubeClientOptions = {},
  ) {}

  /** GET one path (an object, or anything else under the server) and return its decoded JSON. */
  async get(path: string, opts: { signal?: AbortSignal } = {}): Promise<unknown> {
    const res = await this.send(path, undefined, opts.signal, false);
    return (await this.readJson(res, path)).json;
  }

  /** LIST a collection, following `continue` tokens until the last page. */
  async list<T extends KubeObject = KubeObject>(
    path: string,
    opts: ListOptions = {},
  ): Promise<ObjectList<T>> {
    for (let restart = 0; ; restart++) {
      try {
        return await this.listOnce<T>(path, opts);
      } catch (e) {
        // The continuation token of a long pagination can expire; client-go then lists again from the top.
        if (!(e instanceof ContinueExpired) || restart >= MAX_LIST_RESTARTS)
          throw e instanceof ContinueExpired ? e.cause : e;
      }
    }
  }

  private async listOnce<T extends KubeObject>(path: string, opts: ListOptions): Promise<ObjectList<T>> {
    const items: T[] = [];
    let kind: string | undefined;
    let resourceVersion = '';
    let cont: string | undefined;
    let total = 0;
    const maxTotal = this.opts.maxListBytes ?? 512 * 1024 * 1024;
    for (let page = 0; page < MAX_PAGES; page++) {
      const q = new URLSearchParams();
      if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
      if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
      q.set('limit', String(opts.limit ?? 500));
      if (cont) q.set('continue', cont);
      let body: unknown;
      try {
        const read = await this.readJson(await this.send(path, q, opts.signal, false), path);
        body = read.json;
        total += read.bytes;
      } catch (e) {
        if (cont && e instanceof KubeApiError && e.status === 410) throw new ContinueExpired(e);
        throw e;
      }
      if (total > maxTotal) throw new KubeApiError(`GET ${path}: list larger than ${maxTotal} bytes`, 200);
      if (!isRecord(body) || !Array.isArray(body.items) || !isRecord(body.metadata)) {
        throw new KubeApiError(`GET ${path}: response is not a List`, 200);
      }
      for (const item of body.items) {
        if (!isRecord(item)) throw new KubeApiError(`GET ${path}: list item is not an object`, 200);
        items.push(item as T);
      }
      if (typeof body.kind === 'string') kind = body.kind;
      const meta = body.metadata;
      if (typeof meta.resourceVersion === 'string') resourceVersion = meta.resourceVersion;
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      if (!cont) {
        if (!resourceVersion)
          throw new KubeApiError(`GET ${path}: list has no metadata.resourceVersion`, 200);
        return { kind, items, resourceVersion };
      }
    }
    throw new KubeApiError(`GET ${path}: more than ${MAX_PAGES} pages`, 200);
  }

  /**
   * WATCH a collection from `resourceVersion`. Yields events until the server ends the stream (its
   * timeoutSeconds), the client-side deadline passes or `signal` aborts; network failures throw.
   */
  async *watch<T extends KubeObject = KubeObject>(
    path: string,
    resourceVersion: string,
    opts: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    const timeoutSeconds = opts.timeoutSeconds ?? 300;
    const q = new URLSearchParams({ watch: '1' });
    if (resourceVersion) q.set('resourceVersion', resourceVersion);
    if (opts.allowWatchBookmarks ?? true) q.set('allowWatchBookmarks', 'true');
    q.set('timeoutSeconds', String(timeoutSeconds));
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);

    // A server that ignores timeoutSeconds, or a connection that died silently, must not hold us forever.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(),
      timeoutSeconds * 1000 + (this.opts.watchGraceMs ?? 30_000),
    );
    timer.unref();
    // The caller's signal aborts our controller (rather than AbortSignal.any, whose combined signals pile
    // up on a long-lived informer's signal, one per watch); the listener is removed when this watch ends.
    const onAbort = (): void => deadline.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) deadline.abort();
    const signal = deadline.signal;
    let res: Dispatcher.ResponseData | undefined;
    try {
      res = await this.send(path, q, signal, true);
      const max = opts.maxEventBytes ?? MAX_EVENT_BYTES;
      for await (const item of splitLines(res.body as AsyncIterable<Buffer>, max)) {
        let event: WatchEvent<T>;
        try {
          if ('oversized' in item) {
            throw new WatchLineError(`watch event larger than ${max} bytes skipped`, item.oversized);
          }
          if (item.line.every((b) => b === 0x20 || b === 0x0d || b === 0x09)) continue;
          // The API server ends every event with a newline: a tail without one is a cut connection, and
          // the caller resumes from its last resourceVersion rather than trusting half an event.
          if (item.partial)
            throw new WatchStreamError(`watch ${path}: stream ended in the middle of an event`);
          event = parseWatchLine<T>(item.line);
        } catch (e) {
          if (e instanceof WatchLineError && opts.onMalformed) {
            opts.onMalformed(e);
            continue;
          }
          throw e;
        }
        yield event;
      }
    } catch (e) {
      if (signal.aborted) return; // stopped by the caller or the deadline: a normal end of this watch
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Leaving early (break, stop) must not leave the stream open.
      if (res && !res.body.destroyed) res.body.destroy();
    }
  }

  /** Closes the connection pools; open watches end. */
  async close(): Promise<void> {
    this.closed = true;
    const agents = [...this.retired, ...(this.agent ? [this.agent] : [])];
    this.agent = undefined;
    await Promise.all(agents.map((a) => a.destroy()));
  }

  private async send(
    path: string,
    query: URLSearchParams | undefined,
    signal: AbortSignal | undefined,
    watch: boolean,
  ): Promise<Dispatcher.ResponseData> {
    if (!path.startsWith('/')) throw new Error(`API path must start with "/": ${path}`);
    const url = this.connection.server + path + (query ? `?${query.toString()}` : '');
    const timeout = this.opts.requestTimeoutMs ?? 30_000;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new Error('KubeClient is closed');
      const creds = await this.connection.credentials.get();
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': this.opts.userAgent ?? 'kubeward',
      };
      if (creds.authorization) headers.authorization = creds.authorization;
      const res = await request(url, {
        method: 'GET',
        headers,
        dispatcher: this.agentFor(creds.clientCertificate),
        signal,
        headersTimeout: timeout,
        // Watches idle legitimately between events; their bound is the deadline in watch().
        bodyTimeout: watch ? 0 : timeout,
      });
      if (res.statusCode === 401 && attempt === 0 && this.connection.credentials.invalidate()) {
        await res.body.dump();
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) throw await this.apiError(res, path);
      return res;
    }
  }

  /** One pool per client certificate: exec plugins can hand out a new one, and TLS needs it at connect. */
  private agentFor(cert: ClientCertificate | undefined): Agent {
    if (this.agent && sameCert(this.agentCert, cert)) return this.agent;
    if (this.agent) this.retired.push(this.agent);
    const c = this.connection;
    this.agent = new Agent({
      connect: {
        ...(c.ca ? { ca: c.ca } : {}),
        ...(cert ? { cert: cert.cert, key: cert.key } : {}),
        ...(c.tlsServerName ? { servername: c.tlsServerName } : {}),
        rejectUnauthorized: !c.insecureSkipTlsVerify,
        minVersion: 'TLSv1.2',
        timeout: this.opts.requestTimeoutMs ?? 30_000,
      },
    });
    this.agentCert = cert;
    return this.agent;
  }

  private async readJson(
    res: Dispatcher.ResponseData,
    path: string,
  ): Promise<{ json: unknown; bytes: number }> {
    const max = this.opts.maxResponseBytes ?? 64 * 1024 * 1024;
    const bytes = await readLimited(res.body as AsyncIterable<Buffer> & { destroy(): void }, max);
    if (bytes === undefined) {
      throw new KubeApiError(`GET ${path}: response larger than ${max} bytes`, res.statusCode);
    }
    try {
      return { json: JSON.parse(bytes.toString('utf8')), bytes: bytes.length };
    } catch {
      throw new KubeApiError(`GET ${path}: response is not JSON`, res.statusCode);
    }
  }

  private async apiError(res: Dispatcher.ResponseData, path: string): Promise<KubeApiError> {
    const bytes = await readLimited(res.body as AsyncIterable<Buffer> & { destroy(): void }, MAX_ERROR_BYTES);
    let status;
    try {
      status = bytes ? toStatus(JSON.parse(bytes.toString('utf8'))) : undefined;
    } catch {
      status = undefined;
    }
    const detail = status?.message ?? `HTTP ${res.statusCode}`;
    return new KubeApiError(`GET ${path}: ${detail.slice(0, 500)}`, res.statusCode, status?.reason, status);
  }
}

class ContinueExpired extends Error {
  constructor(override readonly cause: KubeApiError) {
    super(cause.message);
  }
}

function sameCert(a: ClientCertificate | undefined, b: ClientCertificate | undefined): boolean {
  if (!a || !b) return a === b;
  return a === b || (a.cert.equals(b.cert) && a.key.equals(b.key));
}

/** Reads a body up to `max` bytes; undefined (and the stream destroyed) when it is longer. */
async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(): void },
  max: number,
): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      return undefined;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}
