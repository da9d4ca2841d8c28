// Discovery of one registry: which repositories exist, which tags they carry, and the manifest digest each tag
// points to now. Only the catalog, tag lists and manifest HEADs are requested: nothing is pulled.
import { RegistryError, type RegistryClient } from '../../image/registry/client.js';
import { UserError } from '../../core/errors.js';
import { TokenEndpointError } from '../credentials/http.js';
import type { RegistrySource } from '../config.js';
import { RegistryLimits } from '../limits/registry-limits.js';
import { filterRepositories, filterTags, REPOSITORY_NAME, TAG_NAME } from './filters.js';

export interface DiscoverOptions {
  /** Concurrency for tag listings and HEADs (default: a fresh RegistryLimits from the source). */
  limits?: RegistryLimits;
  /** Page size asked for with `?n=` (default 100). */
  pageSize?: number;
  /** More catalog or tag-list pages than this ends that listing with an error (default 1000). */
  maxPages?: number;
  /** Repositories considered after filtering; the rest is reported as an error (default 10,000). */
  maxRepositories?: number;
  /** Tags considered per repository when `tags.maxTags` is not set (default 5,000, newest first). */
  maxTagsPerRepository?: number;
}

export interface DiscoveredTag {
  tag: string;
  /** Digest of the manifest or index the tag points to now. */
  digest: string;
  mediaType?: string;
}

export interface DiscoveredRepository {
  name: string;
  /** The registry no longer knows the repository (NAME_UNKNOWN) or it has no tags left. */
  deleted: boolean;
  tags: DiscoveredTag[];
}

export interface DiscoveryError {
  repository?: string;
  tag?: string;
  message: string;
  status?: number;
}

export interface DiscoveryResult {
  registry: string;
  /** `catalog` when `/v2/_catalog` answered, `explicit` when the configured list was used. */
  listing: 'catalog' | 'explicit' | 'none';
  repositories: DiscoveredRepository[];
  errors: DiscoveryError[];
}

/** Catalog answers that mean "this registry has no (public) catalog": use the explicit list instead. */
function catalogUnsupported(e: unknown): boolean {
  return (
    e instanceof RegistryError &&
    !(e instanceof TokenEndpointError) &&
    (e.status === 401 ||
      e.status === 403 ||
      e.status === 404 ||
      e.status === 405 ||
      e.codes.includes('UNSUPPORTED'))
  );
}

/** No HTTP answer at all (refused, reset, DNS, timeout): the registry is unreachable. */
function unreachable(e: unknown): boolean {
  if (!(e instanceof RegistryError)) return true;
  // The client wraps connection failures as "network error: ..." (with the cause) and idle bodies as
  // "timed out ..."; other status-less RegistryErrors (pagination loops, oversized lists) are answers.
  return e.status === undefined && (e.cause !== undefined || /^network error|^timed out/.test(e.message));
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function errorOf(e: unknown, repository?: string, tag?: string): DiscoveryError {
  return {
    ...(repository !== undefined ? { repository } : {}),
    ...(tag !== undefined ? { tag } : {}),
    message: message(e),
    ...(e instanceof RegistryError && e.status !== undefined ? { status: e.status } : {}),
  };
}

/**
 * Lists and resolves one registry. Throws only UserErrors (configuration); never for registry trouble: a registry that is down yields one
 * error and no repositories; a failing repository or tag is recorded and the rest continues.
 */
export async function discover(
  source: RegistrySource,
  client: RegistryClient,
  opts: DiscoverOptions = {},
): Promise<DiscoveryResult> {
  const limits = opts.limits ?? new RegistryLimits(source);
  const pageSize = opts.pageSize ?? 100;
  const maxPages = opts.maxPages ?? 1000;
  const result: DiscoveryResult = { registry: source.host, listing: 'none', repositories: [], errors: [] };

  let names: string[];
  try {
    names = await limits.run(() => client.catalog(source.host, pageSize, maxPages));
    result.listing = 'catalog';
    names = [...names, ...source.repositories];
  } catch (e) {
    // A configuration mistake (an unset credentials variable) is the user's to fix: it is not registry trouble.
    if (e instanceof UserError) throw e;
    if (unreachable(e)) {
      result.errors.push({ message: `registry ${source.host} unreachable: ${message(e)}` });
      return result;
    }
    if (e instanceof TokenEndpointError) {
      // No usable credentials: every further request would fail the same way.
      result.errors.push({ message: `credentials for ${source.host}: ${message(e)}` });
      return result;
    }
    if (!catalogUnsupported(e)) result.errors.push(errorOf(e));
    if (!source.repositories.length) {
      if (catalogUnsupported(e))
        result.errors.push({
          message: `${source.host} has no usable catalog (${message(e)}); list repositories in the config`,
        });
      return result;
    }
    result.listing = 'explicit';
    names = source.repositories;
  }

  const valid: string[] = [];
  for (const n of new Set(names)) {
    if (REPOSITORY_NAME.test(n) && n.length <= 255) valid.push(n);
    else
      result.errors.push({
        repository: n.slice(0, 200),
        message: 'invalid repository name from the registry, skipped',
      });
  }
  let selected = filterRepositories(valid, source).sort();
  const maxRepos = opts.maxRepositories ?? 10_000;
  if (selected.length > maxRepos) {
    result.errors.push({
      message: `${selected.length} repositories match; only the first ${maxRepos} are scanned (narrow include)`,
    });
    selected = selected.slice(0, maxRepos);
  }

  // Repositories are walked by `concurrency` workers; every request inside runs under the same limiter, so
  // the registry never sees more than `concurrency` requests from this pass at once.
  let next = 0;
  let down: DiscoveryError | undefined;
  const worker = async (): Promise<void> => {
    while (next < selected.length) {
      const name = selected[next++] ?? '';
      if (down) {
        result.errors.push({ repository: name, message: `skipped: ${down.message}` });
        continue;
      }
      const repo = await discoverRepository(source, client, limits, name, opts, result.errors);
      if (repo === 'unreachable') {
        down ??= { message: `registry ${source.host} became unreachable` };
        continue;
      }
      if (repo) result.repositories.push(repo);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limits.concurrency.max, selected.length) }, worker));
  result.repositories.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return result;
}

async function discoverRepository(
  source: RegistrySource,
  client: RegistryClient,
  limits: RegistryLimits,
  name: string,
  opts: DiscoverOptions,
  errors: DiscoveryError[],
): Promise<DiscoveredRepository | 'unreachable' | undefined> {
  const ref = { registry: source.host, repository: name };
  let listed: string[];
  try {
    listed = await limits.run(() => client.listTags(ref, opts.pageSize ?? 100, opts.maxPages ?? 1000));
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (e instanceof RegistryError && e.codes.includes('NAME_UNKNOWN'))
      return { name, deleted: true, tags: [] };
    errors.push(errorOf(e, name));
    return unreachable(e) ? 'unreachable' : undefined;
  }
  const tags: string[] = [];
  for (const t of listed) {
    if (TAG_NAME.test(t)) tags.push(t);
    else
      errors.push({
        repository: name,
        tag: t.slice(0, 200),
        message: 'invalid tag name from the registry, skipped',
      });
  }
  const cap = source.tags.maxTags ?? opts.maxTagsPerRepository ?? 5000;
  const wanted = filterTags(tags, { ...source.tags, maxTags: cap });
  if (source.tags.maxTags === undefined && filterTags(tags, { ...source.tags }).length > cap)
    errors.push({
      repository: name,
      message: `more than ${cap} tags; only the newest ${cap} are scanned (set tags.maxTags)`,
    });
  if (!tags.length) return { name, deleted: true, tags: [] };

  let gone = false;
  const resolved = await Promise.all(
    wanted.map((tag) =>
      limits.run(async (): Promise<DiscoveredTag | undefined> => {
        if (gone) return undefined;
        try {
          return await resolveTag(client, ref, tag);
        } catch (e) {
          if (e instanceof UserError) throw e;
          if (e instanceof RegistryError && e.codes.includes('NAME_UNKNOWN')) gone = true;
          // A tag removed between the listing and the HEAD is simply no longer there.
          else if (!(
            e instanceof RegistryError &&
            (e.codes.includes('MANIFEST_UNKNOWN') || e.status === 404)
          ))
            errors.push(errorOf(e, name, tag));
          return undefined;
        }
      }),
    ),
  );
  if (gone) return { name, deleted: true, tags: [] };
  return { name, deleted: false, tags: resolved.filter((t): t is DiscoveredTag => t !== undefined) };
}

/** HEAD gives the digest without the body; registries that omit Docker-Content-Digest need a GET. */
async function resolveTag(
  client: RegistryClient,
  ref: { registry: string; repository: string },
  tag: string,
): Promise<DiscoveredTag> {
  const head = await client.headManifest(ref, tag);
  if (head.digest && /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/.test(head.digest))
    return { tag, digest: head.digest, ...(head.mediaType ? { mediaType: head.mediaType } : {}) };
  const m = await client.getManifest(ref, tag);
  return { tag, digest: m.digest, ...(m.mediaType ? { mediaType: m.mediaType } : {}) };
}
