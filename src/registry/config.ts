// Turns `registries.scan` entries (or the `--registry URL` flag) into resolved RegistrySources: the URL reduced
// to the host the RegistryClient speaks to, defaults applied, and the checks the JSON schema cannot express.
import { UserError } from '../core/errors.js';
import type {
  KubewardConfig,
  RateLimitConfig,
  RegistryCredentialsConfig,
  RegistryScanEntry,
} from '../core/config-schema.js';

export const DEFAULT_CONCURRENCY = 4;

export interface RegistrySource {
  /** Normalised URL, e.g. `https://ghcr.io`, `http://127.0.0.1:5000`. */
  url: string;
  /** Host as used by RegistryClient (`ghcr.io`, `127.0.0.1:5000`; Docker Hub is `docker.io`). */
  host: string;
  /** Plain HTTP / unverified TLS allowed for this host (only when the user said `insecure: true`). */
  insecure: boolean;
  /** Explicit repositories (used when the registry has no catalog); Docker Hub names get `library/`. */
  repositories: string[];
  include: string[];
  exclude: string[];
  tags: { include: string[]; exclude: string[]; maxTags?: number };
  credentials?: RegistryCredentialsConfig;
  concurrency: number;
  rateLimit?: Required<RateLimitConfig>;
  /** Where the source was defined, for messages: `file:line` or the flag. */
  origin: string;
  /** File the source came from; relative credential paths resolve against its directory. */
  file?: string;
  /** Line of the entry in `file`. */
  line?: number;
}

export interface RegistryFlagOptions {
  insecure?: boolean;
  repositories?: string[];
  include?: string[];
  exclude?: string[];
  tags?: string[];
  concurrency?: number;
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
/** Repository names per the distribution spec (path components of lowercase alphanumerics and separators). */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** All `registries.scan` entries of a loaded config, resolved; a duplicate host is an error. */
export function registrySourcesFromConfig(config: KubewardConfig): RegistrySource[] {
  const entries = config.registries?.scan ?? [];
  const sources = entries.map((e, i) =>
    resolveEntry(e, e.source ? `${e.source.file}:${e.source.line}` : `registries.scan[${i}]`, e.source),
  );
  const seen = new Map<string, string>();
  sources.forEach((s, i) => {
    const first = seen.get(s.host);
    if (first)
      throw fail(s.origin, `registry ${s.host} is configured twice (first at ${first})`, entries[i]?.source);
    seen.set(s.host, s.origin);
  });
  return sources;
}

/** The flag form: `--registry URL` with optional repository list, globs and `--insecure`. */
export function registrySourceFromFlag(url: string, opts: RegistryFlagOptions = {}): RegistrySource {
  return resolveEntry(
    {
      url,
      ...(opts.insecure !== undefined ? { insecure: opts.insecure } : {}),
      ...(opts.repositories ? { repositories: opts.repositories } : {}),
      ...(opts.include ? { include: opts.include } : {}),
      ...(opts.exclude ? { exclude: opts.exclude } : {}),
      ...(opts.tags ? { tags: { include: opts.tags } } : {}),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    },
    '--registry',
  );
}

function resolveEntry(
  e: RegistryScanEntry,
  origin: string,
  where?: { file: string; line: number },
): RegistrySource {
  const { url, host } = parseRegistryUrl(e.url, e.insecure === true, origin, where);
  const hub = host === 'docker.io';
  const repositories = (e.repositories ?? []).map((r) => {
    const name = hub && !r.includes('/') ? `library/${r}` : r;
    if (!REPOSITORY_NAME.test(name))
      throw fail(origin, `invalid repository name "${r.slice(0, 100)}"`, where);
    return name;
  });
  const concurrency = e.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw fail(origin, 'concurrency must be an integer from 1 to 64', where);
  const source: RegistrySource = {
    url,
    host,
    insecure: e.insecure === true,
    repositories: [...new Set(repositories)],
    include: e.include ?? [],
    exclude: e.exclude ?? [],
    tags: {
      include: e.tags?.include ?? [],
      exclude: e.tags?.exclude ?? [],
      ...(e.tags?.maxTags !== undefined ? { maxTags: e.tags.maxTags } : {}),
    },
    concurrency,
    origin,
    ...(where ? { file: where.file, line: where.line } : {}),
  };
  if (e.credentials) {
    checkCredentials(e.credentials, origin, where);
    source.credentials = e.credentials;
  }
  if (e.rateLimit) {
    const rps = e.rateLimit.requestsPerSecond;
    source.rateLimit = { requestsPerSecond: rps, burst: e.rateLimit.burst ?? Math.max(1, Math.ceil(rps)) };
  }
  return source;
}

/** `https://host[:port]` (a trailing `/` or `/v2/` is tolerated); `http://` only with `insecure: true`. */
function parseRegistryUrl(
  raw: string,
  insecure: boolean,
  origin: string,
  where?: { file: string; line: number },
): { url: string; host: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw fail(
      origin,
      `registry url "${raw.slice(0, 100)}" is not a URL (expected https://host[:port])`,
      where,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw fail(origin, `registry url must start with https:// (got ${u.protocol})`, where);
  if (u.protocol === 'http:' && !insecure)
    throw fail(origin, `registry url ${u.host} uses plain http://; set insecure: true to allow it`, where);
  if (u.username || u.password)
    throw fail(origin, 'registry url must not contain credentials; use the credentials setting', where);
  if (!['', '/', '/v2', '/v2/'].includes(u.pathname) || u.search || u.hash)
    throw fail(origin, `registry url must be only scheme and host[:port] (got ${raw.slice(0, 100)})`, where);
  const host = DOCKER_HUB_HOSTS.has(u.host) ? 'docker.io' : u.host;
  return { url: `${u.protocol}//${u.host}`, host };
}

function checkCredentials(
  c: RegistryCredentialsConfig,
  origin: string,
  where?: { file: string; line: number },
): void {
  if (c.static && (c.static.password === undefined) === (c.static.passwordEnv === undefined))
    throw fail(origin, 'credentials.static needs exactly one of password or passwordEnv', where);
  if (c.acr && !c.acr.aadTokenEnv && !(c.acr.clientId && c.acr.clientSecretEnv))
    throw fail(origin, 'credentials.acr needs aadTokenEnv, or clientId and clientSecretEnv', where);
  if (c.acr?.aadTokenEnv && c.acr.clientId)
    throw fail(origin, 'credentials.acr takes aadTokenEnv or clientId/clientSecretEnv, not both', where);
}

function fail(origin: string, message: string, where?: { file: string; line: number }): UserError {
  return where
    ? new UserError(`invalid config: registries.scan: ${message}`, where)
    : new UserError(`${origin}: ${message}`);
}
