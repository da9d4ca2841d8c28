import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Agent, fetch, Headers, type Dispatcher, type Response } from 'undici';
import { digestOf, DigestMismatchError, isDigest, verifyingStream } from './digest.js';
import { parseWwwAuthenticate } from './www-authenticate.js';
import { TokenCache } from './token-cache.js';
import type { CredentialProvider, RegistryCredentials } from './credentials.js';
import { MANIFEST_ACCEPT, type Descriptor } from './media-types.js';

/** Manifests and indexes larger than this are refused (the distribution spec suggests 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;
/** Token responses: real tokens are a few KiB; a JWT with many scopes stays far below this. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
/** Pagination bounds for tag lists and the catalog (all pages together). */
const MAX_PAGES = 10_000;
const MAX_LIST_BYTES = 64 * 1024 * 1024;

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    readonly status?: number,
    /** OCI error codes from the response body, e.g. MANIFEST_UNKNOWN. */
    readonly codes: string[] = [],
  ) {
    super(message);
  }
}

export interface RegistryClientOptions {
  credentials?: CredentialProvider;
  /** Hosts for which plain HTTP and unverified TLS are allowed (only when the user asked: --insecure). */
  insecure?: (host: string) => boolean;
  /** Attempts for 429/5xx/network errors (default 4). */
  retries?: number;
  /** Base backoff in ms (default 250), doubled per attempt with jitter; Retry-After wins when present. */
  backoffMs?: number;
  userAgent?: string;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
  /** Awaited before every HTTP request to a registry host (rate limits, src/registry/limits). */
  beforeRequest?: (host: string) => Promise<void>;
}

export interface RepoRef {
  /** Registry host as used in URLs, e.g. `ghcr.io`, `127.0.0.1:5000`; docker.io maps to registry-1. */
  registry: string;
  repository: string;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  json: unknown;
}

/**
 * A client for the OCI Distribution API: manifests, blobs, tags, catalog and pushes, with the Docker token
 * flow, Basic auth, retries with backoff, and Authorization dropped on redirects that leave the registry.
 */
export class RegistryClient {
  private readonly tokens = new TokenCache();
  /** Hosts found to speak plain HTTP (only ever set for insecure hosts). */
  private readonly plainHttp = new Set<string>();
  private readonly basicHosts = new Set<string>();
  private readonly credCache = new Map<string, Promise<RegistryCredentials | undefined>>();
  private readonly insecureAgent: Agent;
  private readonly secureAgent: Agent;
  /** Bytes of blob content fetched, for benchmarks and tests. */
  blobBytesFetched = 0;

  constructor(private readonly opts: RegistryClientOptions = {}) {
    // Idle bounds: no headers, or no body bytes, for timeoutMs ends the request (a registry that stops
    // answering cannot hang a scan), while a large layer that keeps flowing is never cut off.
    const t = this.timeoutMs;
    const timeouts = { headersTimeout: t, bodyTimeout: t, connect: { timeout: t } };
    this.insecureAgent = new Agent({
      ...timeouts,
      connect: { ...timeouts.connect, rejectUnauthorized: false },
    });
    this.secureAgent = new Agent(timeouts);
  }

  private get timeoutMs(): number {
    return this.opts.timeoutMs ?? 60_000;
  }

  async close(): Promise<void> {
    await Promise.all([this.insecureAgent.close(), this.secureAgent.close()]);
  }

  /** GET a manifest or index by tag or digest; verifies the digest when pulled by digest. */
  async getManifest(
    ref: RepoRef,
    reference: string,
    accept: readonly string[] = MANIFEST_ACCEPT,
  ): Promise<FetchedManifest> {
    const res = await this.request(ref, 'pull', 'GET', `/v2/${ref.repository}/manifests/${reference}`, {
      accept: accept.join(', '),
    });
    const bytes = await readLimited(res, MAX_MANIFEST_BYTES, 'manifest', this.timeoutMs);
    const digest = digestOf(bytes);
    if (isDigest(reference) && reference.startsWith('sha256:') && digest !== reference) {
      throw new DigestMismatchError(reference, digest);
    }
    const header = res.headers.get('docker-content-digest');
    if (header && header.startsWith('sha256:') && header !== digest && !isDigest(reference)) {
      throw new DigestMismatchError(header, digest);
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new RegistryError(`manifest ${ref.repository}:${reference} is not valid JSON`);
    }
    const mediaType =
      (typeof json === 'object' && json && 'mediaType' in json && typeof json.mediaType === 'string'
        ? json.mediaType
        : undefined) ??
      res.headers.get('content-type')?.split(';')[0] ??
      '';
    return { digest, mediaType, bytes, json };
  }

  /** HEAD a manifest: digest and media type without downloading it (cheap tag-movement detection). */
  async headManifest(
    ref: RepoRef,
    reference: string,
  ): Promise<{ digest?: string; mediaType?: string; size?: number }> {
    const res = await this.request(ref, 'pull', 'HEAD', `/v2/${ref.repository}/manifests/${reference}`, {
      accept: MANIFEST_ACCEPT.join(', '),
    });
    const len = res.headers.get('content-length');
    const out: { digest?: string; mediaType?: string; size?: number } = {};
    const d = res.headers.get('docker-content-digest');
    if (d) out.digest = d;
    const mt = res.headers.get('content-type')?.split(';')[0];
    if (mt) out.mediaType = mt;
    if (len) out.size = Number(len);
    return out;
  }

  /** Streams a blob, verifying its digest (and declared size) as it flows. */
  async fetchBlob(ref: RepoRef, desc: Pick<Descriptor, 'digest'> & { size?: number }): Promise<Readable> {
    if (!isDigest(desc.digest)) throw new RegistryError(`invalid digest "${desc.digest}"`);
    const res = await this.request(
      ref,
      'pull',
      'GET',
      `/v2/${ref.repository}/blobs/${desc.digest}`,
      {},
      undefined,
      [],
      true,
    );
    if (!res.body) throw new RegistryError(`empty body for blob ${desc.digest}`);
    const body = res.stream ?? Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    body.on('data', (c: Buffer) => (this.blobBytesFetched += c.length));
    const verifier = verifyingStream(desc.digest, desc.size);
    body.on('error', (e) =>
      verifier.destroy(bodyError(e, `blob ${desc.digest.slice(0, 19)}`, this.timeoutMs)),
    );
    return body.pipe(verifier);
  }

  /** Fetches a small blob (config, signature payload) into memory, verified. */
  async fetchBlobBytes(
    ref: RepoRef,
    desc: Pick<Descriptor, 'digest'> & { size?: number },
    limit = MAX_MANIFEST_BYTES,
  ): Promise<Buffer> {
    if (desc.size !== undefined && desc.size > limit)
      throw new RegistryError(`blob ${desc.digest} is larger than ${limit} bytes`);
    const stream = await this.fetchBlob(ref, desc);
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const c of stream) {
        total += (c as Buffer).length;
        if (total > limit) throw new RegistryError(`blob ${desc.digest} is larger than ${limit} bytes`);
        chunks.push(c as Buffer);
      }
    } catch (e) {
      stream.destroy();
      if (e instanceof RegistryError || e instanceof DigestMismatchError) throw e;
      throw new RegistryError(`blob ${desc.digest}: ${(e as Error).message}`);
    }
    return Buffer.concat(chunks);
  }

  /** Lists tags, following `Link` pagination. */
  async listTags(ref: RepoRef, pageSize = 1000, maxPages = MAX_PAGES): Promise<string[]> {
    const tags: string[] = [];
    await this.paginate(
      ref,
      'pull',
      `/v2/${ref.repository}/tags/list?n=${pageSize}`,
      'tag list',
      maxPages,
      (b) => {
        if (Array.isArray(b.tags)) tags.push(...b.tags.filter((t): t is string => typeof t === 'string'));
      },
    );
    return tags;
  }

  /** Lists repositories with `/v2/_catalog`, following `Link` pagination. */
  async catalog(registry: string, pageSize = 1000, maxPages = MAX_PAGES): Promise<string[]> {
    const repos: string[] = [];
    const ref: RepoRef = { registry, repository: '' };
    await this.paginate(ref, 'catalog', `/v2/_catalog?n=${pageSize}`, 'catalog', maxPages, (b) => {
      if (Array.isArray(b.repositories))
        repos.push(...b.repositories.filter((r): r is string => typeof r === 'string'));
    });
    return repos;
  }

  /**
   * Follows `Link: rel="next"` pages. A next link seen before (a loop), more than MAX_PAGES pages, more
   * than MAX_LIST_ITEMS bytes in all, or a page that is not a JSON object ends with a RegistryError.
   */
  private async paginate(
    ref: RepoRef,
    action: 'pull' | 'catalog',
    first: string,
    what: string,
    maxPages: number,
    onPage: (body: Record<string, unknown>) => void,
  ): Promise<void> {
    const seen = new Set<string>();
    let total = 0;
    for (let path: string | undefined = first; path;) {
      if (seen.has(path))
        throw new RegistryError(`${what} pagination loops (next page ${path.slice(0, 100)})`);
      if (seen.size >= maxPages) throw new RegistryError(`${what} has more than ${maxPages} pages`);
      seen.add(path);
      const res = await this.request(ref, action, 'GET', path, { accept: 'application/json' });
      const bytes = await readLimited(res, MAX_LIST_BYTES - total, what);
      total += bytes.length;
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new RegistryError(`${what} page is not valid JSON`);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new RegistryError(`${what} page is not a JSON object`);
      onPage(body as Record<string, unknown>);
      path = nextLink(res.headers.get('link'));
    }
  }

  /** Uploads a blob monolithically (POST then PUT ?digest=), skipping it when it already exists. */
  async pushBlob(ref: RepoRef, data: Buffer): Promise<Descriptor & { mediaType: string }> {
    const digest = digestOf(data);
    const head = await this.request(
      ref,
      'push',
      'HEAD',
      `/v2/${ref.repository}/blobs/${digest}`,
      {},
      undefined,
      [404],
    );
    if (head.status !== 200) {
      const start = await this.request(ref, 'push', 'POST', `/v2/${ref.repository}/blobs/uploads/`, {});
      const location = start.headers.get('location');
      if (!location) throw new RegistryError('registry returned no upload location');
      const url = new URL(location, this.baseUrl(ref.registry));
      url.searchParams.set('digest', digest);
      await this.request(
        ref,
        'push',
        'PUT',
        url.pathname + url.search,
        { 'content-type': 'application/octet-stream' },
        data,
      );
    }
    return { mediaType: 'application/octet-stream', digest, size: data.length };
  }

  /** PUTs a manifest under a tag or digest; returns its digest. */
  async pushManifest(ref: RepoRef, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    await this.request(
      ref,
      'push',
      'PUT',
      `/v2/${ref.repository}/manifests/${reference}`,
      { 'content-type': mediaType },
      bytes,
    );
    return digestOf(bytes);
  }

  /** Deletes a manifest by digest. */
  async deleteManifest(ref: RepoRef, digest: string): Promise<void> {
    await this.request(ref, 'delete', 'DELETE', `/v2/${ref.repository}/manifests/${digest}`, {});
  }

  // ---------------------------------------------------------------------------------------------------

  private baseUrl(registry: string): string {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    return `${this.plainHttp.has(registry) ? 'http' : 'https'}://${host}`;
  }

  private isInsecure(registry: string): boolean {
    return this.opts.insecure?.(registry) ?? false;
  }

  private scopeFor(ref: RepoRef, action: 'pull' | 'push' | 'delete' | 'catalog'): string {
    if (action === 'catalog') return 'registry:catalog:*';
    if (action === 'push') return `repository:${ref.repository}:pull,push`;
    if (action === 'delete') return `repository:${ref.repository}:delete`;
    return `repository:${ref.repository}:pull`;
  }

  /**
   * One API request with auth, retries, and manual redirects. Throws RegistryError for non-2xx answers
   * (except statuses listed in `allow`).
   */
  private async request(
    ref: RepoRef,
    action: 'pull' | 'push' | 'delete' | 'catalog',
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
    allow: number[] = [],
    /** A streamed body (a blob): only the idle timeouts apply, no overall deadline. */
    stream = false,
  ): Promise<Answer> {
    const scope = this.scopeFor(ref, action);
    let authTried = false;
    // Credentials rejected (401 after authenticating, or the token server refusing them): ask the provider
    // for fresh ones once (expired cloud tokens), then give up.
    let refreshed = false;
    const refresh = async (): Promise<boolean> => {
      if (refreshed || !this.opts.credentials) return false;
      refreshed = true;
      this.tokens.invalidate(ref.registry, scope);
      await this.credentialsFor(ref.registry, true);
      return true;
    };
    for (;;) {
      const auth = await this.authorizationFor(ref.registry, scope);
      const res = await this.withRetries(() =>
        this.send(
          ref.registry,
          method,
          path,
          { ...headers, ...(auth ? { authorization: auth } : {}) },
          body,
          stream,
        ),
      );
      if (res.status === 401 && !authTried) {
        authTried = true;
        await drain(res);
        const challenge = res.headers.get('www-authenticate');
        if (!challenge) throw new RegistryError(`${ref.registry}: 401 Unauthorized without a challenge`, 401);
        try {
          await this.authenticate(ref.registry, scope, challenge);
        } catch (e) {
          if (!(e instanceof RegistryError && (e.status === 401 || e.status === 403) && (await refresh())))
            throw e;
          await this.authenticate(ref.registry, scope, challenge);
        }
        continue;
      }
      if (res.status === 401 && (await refresh())) {
        await drain(res);
        authTried = false;
        continue;
      }
      if (res.ok || allow.includes(res.status)) return res;
      const text = await readLimited(res, 64 * 1024, 'error body').catch(() => Buffer.alloc(0));
      throw registryErrorFrom(res.status, text, `${method} ${ref.registry}${path.split('?')[0]}`);
    }
  }

  private async authorizationFor(host: string, scope: string): Promise<string | undefined> {
    const token = this.tokens.get(host, scope);
    if (token) return `Bearer ${token}`;
    if (this.basicHosts.has(host)) {
      const c = await this.credentialsFor(host);
      if (c?.username !== undefined) return basic(c.username, c.password ?? '');
    }
    return undefined;
  }

  private async credentialsFor(host: string, refresh = false): Promise<RegistryCredentials | undefined> {
    const cached = this.credCache.get(host);
    if (cached && !refresh) {
      const c = await cached;
      if (c?.expiresAt === undefined || c.expiresAt > Date.now()) return c;
    }
    const p = this.opts.credentials
      ? this.opts.credentials(host, refresh ? { refresh: true } : undefined)
      : Promise.resolve(undefined);
    this.credCache.set(host, p);
    return p;
  }

  /** Answers a challenge: Basic marks the host for Basic auth; Bearer fetches a token for the scope. */
  private async authenticate(host: string, scope: string, header: string): Promise<void> {
    const challenges = parseWwwAuthenticate(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const creds = await this.credentialsFor(host);
    if (!bearer) {
      if (challenges.some((c) => c.scheme === 'basic')) {
        if (!creds?.username)
          throw new RegistryError(`${host}: authentication required and no credentials configured`, 401);
        this.basicHosts.add(host);
        return;
      }
      throw new RegistryError(`${host}: unsupported authentication challenge "${header.slice(0, 80)}"`, 401);
    }
    const realm = bearer.params.realm;
    if (!realm) throw new RegistryError(`${host}: Bearer challenge without realm`, 401);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new RegistryError(`${host}: invalid token realm ${JSON.stringify(realm.slice(0, 200))}`, 401);
    }
    if (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:') {
      throw new RegistryError(
        `${host}: refusing token realm with scheme ${JSON.stringify(realmUrl.protocol.slice(0, 20))} (only https is allowed)`,
        401,
      );
    }
    if (realmUrl.protocol === 'http:' && !this.isInsecure(host)) {
      throw new RegistryError(`${host}: refusing token realm over plain HTTP: ${realm.slice(0, 200)}`, 401);
    }
    const wantScope = bearer.params.scope ?? scope;
    let res: Answer;
    const dispatcher = this.dispatcherFor(host);
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant (docker login with an identity token).
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'kubeward',
      });
      if (bearer.params.service) form.set('service', bearer.params.service);
      form.set('scope', wantScope);
      res = await this.withRetries(async () =>
        fromFetch(
          await fetch(realmUrl, {
            method: 'POST',
            body: form,
            dispatcher,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            signal: AbortSignal.timeout(this.timeoutMs),
          }),
        ),
      );
    } else {
      if (bearer.params.service) realmUrl.searchParams.set('service', bearer.params.service);
      realmUrl.searchParams.set('scope', wantScope);
      const headers: Record<string, string> = {};
      if (creds?.username) headers.authorization = basic(creds.username, creds.password ?? '');
      res = await this.withRetries(async () =>
        fromFetch(
          await fetch(realmUrl, { headers, dispatcher, signal: AbortSignal.timeout(this.timeoutMs) }),
        ),
      );
    }
    if (!res.ok) {
      await drain(res);
      throw new RegistryError(
        `${host}: token request failed with ${res.status}${creds ? '' : ' (no credentials configured)'}`,
        res.status,
      );
    }
    const raw = await readLimited(res, MAX_TOKEN_RESPONSE_BYTES, 'token response', this.timeoutMs);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RegistryError(`${host}: token response is not valid JSON`, 401);
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const token = typeof b.token === 'string' && b.token ? b.token : b.access_token;
    // A token goes into an Authorization header: printable ASCII only (no CR/LF header injection).
    if (typeof token !== 'string' || !token || !/^[\x21-\x7e]+$/.test(token))
      throw new RegistryError(`${host}: token response without a usable token`, 401);
    const expiresIn =
      typeof b.expires_in === 'number' && Number.isFinite(b.expires_in) ? b.expires_in : undefined;
    const issuedAt = typeof b.issued_at === 'string' ? b.issued_at : undefined;
    this.tokens.set(host, scope, token, expiresIn, issuedAt);
  }

  private dispatcherFor(host: string): Dispatcher {
    return this.isInsecure(host) ? this.insecureAgent : this.secureAgent;
  }

  /** Sends one request, following redirects by hand so Authorization never leaves the registry host. */
  private async send(
    registry: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
    stream = false,
  ): Promise<Answer> {
    let url = new URL(path, this.baseUrl(registry));
    const origin = url.origin;
    const h: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'kubeward', ...headers };
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let res: Answer;
      try {
        await this.opts.beforeRequest?.(registry);
        const dispatcher = this.dispatcherFor(registry);
        const payload = body && hop === 0 ? body : undefined;
        res = stream
          ? // Blob bodies: undici's request() hands over the socket's chunks as a Node stream (see Answer).
            fromRequest(
              await dispatcher.request({
                origin: url.origin,
                path: url.pathname + url.search,
                method: method as Dispatcher.HttpMethod,
                headers: h,
                body: payload ?? null,
              }),
            )
          : fromFetch(
              await fetch(url, {
                method,
                headers: h,
                body: payload,
                redirect: 'manual',
                dispatcher,
                // Small answers (manifests, errors) also get an overall deadline against a trickling server.
                signal: AbortSignal.timeout(this.timeoutMs),
              }),
            );
      } catch (e) {
        // An insecure registry that does not speak TLS: retry the same request over plain HTTP.
        if (
          hop === 0 &&
          url.protocol === 'https:' &&
          this.isInsecure(registry) &&
          !this.plainHttp.has(registry) &&
          isTlsMismatch(e)
        ) {
          this.plainHttp.add(registry);
          url = new URL(path, this.baseUrl(registry));
          hop--;
          continue;
        }
        throw e;
      }
      if (![301, 302, 303, 307, 308].includes(res.status)) return res;
      const loc = res.headers.get('location');
      await drain(res);
      if (!loc) throw new RegistryError(`redirect without Location from ${url.host}`, res.status);
      url = new URL(loc, url);
      if (url.origin !== origin) delete h.authorization; // e.g. a blob redirected to a CDN / object store
      if (url.protocol === 'http:' && !this.isInsecure(registry)) {
        throw new RegistryError(`refusing redirect to plain HTTP: ${url.host}`, res.status);
      }
    }
    throw new RegistryError(`too many redirects for ${path}`);
  }

  /** Retries 429/5xx and network errors with exponential backoff; honours Retry-After (capped). */
  private async withRetries(fn: () => Promise<Answer>): Promise<Answer> {
    const attempts = Math.max(1, this.opts.retries ?? 4);
    const base = this.opts.backoffMs ?? 250;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        const res = await fn();
        if ((res.status === 429 || res.status >= 500) && i < attempts - 1) {
          const retryAfter = Number(res.headers.get('retry-after'));
          await drain(res);
          await sleep(
            Number.isFinite(retryAfter) && retryAfter > 0
              ? Math.min(retryAfter, 30) * 1000
              : backoff(base, i),
          );
          continue;
        }
        return res;
      } catch (e) {
        lastError = e;
        if (e instanceof RegistryError || isTlsMismatch(e) || i === attempts - 1) break;
        await sleep(backoff(base, i));
      }
    }
    const msg =
      lastError instanceof Error
        ? lastError.cause instanceof Error
          ? lastError.cause.message
          : lastError.message
        : String(lastError);
    throw lastError instanceof RegistryError
      ? lastError
      : Object.assign(new RegistryError(`network error: ${msg}`), { cause: lastError });
  }
}

function backoff(base: number, attempt: number): number {
  return base * 2 ** attempt * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** A TLS handshake with a server that speaks plain HTTP (fetch wraps the error in `cause`; request() does not). */
function isTlsMismatch(e: unknown): boolean {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  const text = `${err?.cause?.code ?? ''} ${err?.cause?.message ?? ''} ${err?.code ?? ''} ${err?.message ?? ''}`;
  return /EPROTO|wrong version number|ERR_SSL|packet length too long/i.test(text);
}

/**
 * An HTTP answer as the client uses it. API calls go through fetch; blob bodies through undici's request(),
 * whose body is a Node stream of the socket's chunks. fetch reads its own body with an async iterator that
 * concatenates whatever is buffered whenever the consumer applies backpressure (a fresh allocation and copy
 * of most of a layer: bench/image-scan.bench.ts saw 216 MB of copies for a 248 MB image, and the garbage
 * collections they caused), and hands the result over as a web stream that has to be converted back.
 */
interface Answer {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  /** Web stream (fetch) or Node stream (request()); both are async-iterable. */
  body: AsyncIterable<Uint8Array> | null;
  /** The body as a Node stream, for answers that came through request(). */
  stream?: Readable;
  /** Discards what is left of the body, releasing the connection. */
  discard(): Promise<void>;
}

function fromFetch(res: Response): Answer {
  return {
    status: res.status,
    ok: res.ok,
    headers: res.headers,
    body: res.body,
    discard: async () => {
      await res.body?.cancel();
    },
  };
}

function fromRequest(r: Dispatcher.ResponseData): Answer {
  const headers = new Headers();
  for (const [name, value] of Object.entries(r.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return {
    status: r.statusCode,
    ok: r.statusCode >= 200 && r.statusCode < 300,
    headers,
    body: r.body,
    stream: r.body,
    discard: async () => {
      await r.body.dump();
    },
  };
}

/** What {@link readLimited} reads: an {@link Answer}, or a fetch Response (credential endpoints). */
type BodySource = Pick<Answer, 'headers' | 'body'> & { discard?: () => Promise<void> };

async function drain(res: BodySource): Promise<void> {
  try {
    if (res.discard) await res.discard();
    else await (res.body as { cancel?: () => Promise<void> } | null)?.cancel?.();
  } catch {
    // already consumed
  }
}

/**
 * Reads a response body, refusing more than `limit` bytes (a hostile registry cannot exhaust memory). A body
 * that stops (timeout) or breaks off is a RegistryError too.
 */
export async function readLimited(
  res: BodySource | Response,
  limit: number,
  what: string,
  timeoutMs?: number,
): Promise<Buffer> {
  const len = Number(res.headers.get('content-length'));
  if (Number.isFinite(len) && len > limit) {
    await drain(res);
    throw new RegistryError(`${what} is larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  try {
    for await (const chunk of res.body) {
      total += chunk.length;
      if (total > limit) throw new RegistryError(`${what} is larger than ${limit} bytes`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (e) {
    await drain(res);
    throw bodyError(e, what, timeoutMs);
  }
  return Buffer.concat(chunks);
}

/** A failure while reading a response body, as a one-line RegistryError ("timed out", "connection lost"). */
function bodyError(e: unknown, what: string, timeoutMs?: number): Error {
  if (e instanceof RegistryError || e instanceof DigestMismatchError) return e;
  const err = e as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; name?: string };
  };
  const codes = `${err.name ?? ''} ${err.code ?? ''} ${err.cause?.code ?? ''} ${err.cause?.name ?? ''}`;
  if (/Timeout|UND_ERR_BODY_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|AbortError/.test(codes))
    return new RegistryError(
      `timed out reading ${what}${timeoutMs ? ` (no data for ${timeoutMs} ms)` : ''} from the registry`,
    );
  return new RegistryError(`reading ${what} failed: ${String(err.message ?? e).split('\n')[0]}`);
}

function registryErrorFrom(status: number, body: Buffer, what: string): RegistryError {
  let codes: string[] = [];
  let detail = '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      errors?: Array<{ code?: string; message?: string }>;
    };
    codes = (parsed.errors ?? []).map((e) => e.code ?? '').filter(Boolean);
    detail = (parsed.errors ?? [])
      .map((e) => e.message ?? e.code)
      .filter(Boolean)
      .join('; ');
  } catch {
    // not an OCI error body
  }
  return new RegistryError(`${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`, status, codes);
}

/** Parses an RFC 5988 `Link: </v2/...?last=x&n=100>; rel="next"` header into the next path. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m?.[1]) {
      const u = new URL(m[1], 'http://placeholder');
      return u.pathname + u.search;
    }
  }
  return undefined;
}
