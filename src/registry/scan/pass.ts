import type { Cataloger } from '../../image/catalog/cataloger.js';
import { ALL_CATALOGERS } from '../../image/catalog/index.js';
import type { RegistryClient } from '../../image/registry/client.js';
import { parsePlatform, type Platform } from '../../image/source/image-source.js';
import type { VulnDb } from '../../vuln/db/store.js';
import type { Store } from '../../store/index.js';
import type { RegistrySource } from '../config.js';
import type { RegistryLimits } from '../limits/registry-limits.js';
import { discover, type DiscoveryResult } from '../discovery/discover.js';
import { filterRepositories } from '../discovery/filters.js';
import type { RegistryEvent, ScanErrorEvent } from '../events/event.js';
import { DEFAULT_EVENT_POLICY, findingEvents, type EventPolicy } from './event-policy.js';
import { PassLayerCache } from './layer-cache.js';
import { RetryBook } from './retry.js';
import { scanImageDigest, type ImageJob } from './scan-image.js';
import { rematchIfDbChanged } from './db-change.js';

/** What every pass (and push-triggered scan) works with; built once by the CLI and kept by `watch`. */
export interface ScanDeps {
  store: Store;
  vulnDb: VulnDb;
  client: RegistryClient;
  /** Per-registry limits: `run` bounds parallel image pulls, the client's hook throttles requests. */
  limitsFor: (host: string) => RegistryLimits;
  catalogers?: readonly Cataloger[];
  /** Platform picked from multi-platform images (default linux/amd64). */
  platform?: Platform;
  policy?: EventPolicy;
  /** Backoff state of failing registries and repositories; keep one across passes. */
  retry?: RetryBook;
  now?: () => Date;
  /** Stops starting new work; images being pulled finish first. */
  signal?: AbortSignal;
  /** Events as they happen (watch streams them); the summary lists them too. */
  onEvents?: (events: RegistryEvent[]) => void;
}

export interface PassError {
  registry: string;
  repository?: string;
  digest?: string;
  message: string;
}

export interface PassSummary {
  startedAt: string;
  durationMs: number;
  registries: number;
  repositories: number;
  tags: number;
  images: {
    /** Pulled, analysed, stored and matched in this pass. */
    scanned: number;
    /** Already in the store (or scanned earlier in this pass under another repository): not pulled. */
    skipped: number;
    failed: number;
    /** Not attempted: repository or registry backing off after failures, registry unreachable, or stopped. */
    deferred: number;
  };
  /** Blob bytes (configs and layers) downloaded by this pass. */
  bytesFetched: number;
  /** Unique layers analysed, and layer lookups answered from the pass's cache. */
  layers: { analysed: number; cacheHits: number };
  rematch?: { images: number; appeared: number; disappeared: number; ms: number };
  /** Failures: a registry or repository that could not be listed, an image that could not be scanned. */
  errors: PassError[];
  /** Partial discovery (a tag that did not resolve, names refused, a truncated listing); the pass went on. */
  warnings: PassError[];
  events: RegistryEvent[];
}

/** Messages that mean the registry itself is gone (not one bad image): stop pulling from it this pass. */
const UNREACHABLE =
  /network error|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|socket|other side closed|timed out|reading blob.*failed|fetch failed|HTTP 50[234]/i;

export function isUnreachable(e: unknown): boolean {
  return UNREACHABLE.test(
    e instanceof Error ? `${e.message} ${String((e.cause as Error | undefined)?.message ?? '')}` : String(e),
  );
}

/** The pass-wide mutable state, shared by the registries processed in parallel. */
export class PassState {
  readonly cache = new PassLayerCache();
  /** Digests queued in this pass (an image tagged in two repositories is pulled once). */
  readonly queued = new Set<string>();
  readonly summary: PassSummary;
  constructor(
    private readonly deps: ScanDeps,
    startedAt: Date,
  ) {
    this.summary = {
      startedAt: startedAt.toISOString(),
      durationMs: 0,
      registries: 0,
      repositories: 0,
      tags: 0,
      images: { scanned: 0, skipped: 0, failed: 0, deferred: 0 },
      bytesFetched: 0,
      layers: { analysed: 0, cacheHits: 0 },
      errors: [],
      warnings: [],
      events: [],
    };
  }
  emit(events: RegistryEvent[]): void {
    if (events.length === 0) return;
    this.summary.events.push(...events);
    try {
      this.deps.onEvents?.(events);
    } catch {
      // a consumer's failure must not end the pass
    }
  }
  /** Records an error (unless already listed per image) and emits its `scan.error` event. */
  error(err: PassError, retry?: { attempt: number; retryAt: number }, listed = false): void {
    if (!listed) this.summary.errors.push(err);
    const e: ScanErrorEvent = {
      type: 'scan.error',
      at: now(this.deps).toISOString(),
      registry: err.registry,
      ...(err.repository ? { repository: err.repository } : {}),
      ...(err.digest ? { digest: err.digest } : {}),
      message: err.message,
      ...(retry ? { attempt: retry.attempt, retryAt: new Date(retry.retryAt).toISOString() } : {}),
    };
    this.emit([e]);
  }
}

export const now = (deps: ScanDeps): Date => deps.now?.() ?? new Date();
const repoKey = (registry: string, repository: string): string => `${registry}/${repository}`;

/**
 * One pass: re-match stored inventories if the vulnerability database changed; discover every registry;
 * record tags (moved tags become events, vanished repositories too); pull, analyse, store and match every
 * digest the store does not hold yet. Registries run in parallel, each within its own limits. A failing
 * registry or repository is recorded (error, event, backoff) and the rest goes on. The store is the truth:
 * a pass after a crash or restart pulls only what is still missing.
 */
export async function runPass(sources: readonly RegistrySource[], deps: ScanDeps): Promise<PassSummary> {
  const t0 = performance.now();
  const startedAt = now(deps);
  const state = new PassState(deps, startedAt);
  const bytes0 = deps.client.blobBytesFetched;
  const retry = deps.retry ?? new RetryBook();
  const policy = deps.policy ?? DEFAULT_EVENT_POLICY;

  const change = await rematchIfDbChanged(deps.store, deps.vulnDb, policy, startedAt, deps.signal);
  if (change.rematched) {
    state.summary.rematch = {
      images: change.images,
      appeared: change.appeared,
      disappeared: change.disappeared,
      ms: change.ms,
    };
    state.emit(change.events);
  }

  await Promise.all(sources.map((s) => scanRegistry(s, { ...deps, policy }, state, retry)));

  return finishSummary(state, deps, bytes0, t0);
}

async function scanRegistry(
  source: RegistrySource,
  deps: ScanDeps,
  state: PassState,
  retry: RetryBook,
): Promise<void> {
  const host = source.host;
  state.summary.registries++;
  if (deps.signal?.aborted) return;
  if (!retry.due(host, now(deps).getTime())) {
    state.summary.images.deferred++;
    return;
  }
  const limits = deps.limitsFor(host);
  const found: DiscoveryResult = await discover(source, deps.client, { limits });
  const failedRepos = new Map<string, string>();
  const registryErrors = found.errors.filter((e) => e.repository === undefined);
  if (found.listing === 'none') {
    // Nothing could be listed (registry down, no catalog and no explicit list): back off the registry.
    const msg = registryErrors.map((e) => e.message).join('; ') || 'no repositories could be listed';
    const entry = retry.fail(host, msg, now(deps).getTime());
    state.error({ registry: host, message: msg }, { attempt: entry.failures, retryAt: entry.nextAttemptAt });
    return;
  }
  retry.succeed(host);
  const at = now(deps);
  // What discovery could not fully do while still listing the registry (a truncated catalog, unreadable tag
  // names, a tag that did not resolve) is a warning: the pass goes on with what was listed. A repository
  // that could not be listed at all is a failure and backs off.
  const listedNames = new Set(found.repositories.map((r) => r.name));
  const partial = new Set<string>();
  for (const err of registryErrors) state.summary.warnings.push({ registry: host, message: err.message });
  for (const err of found.errors) {
    if (err.repository === undefined) continue;
    const what = err.tag ? `tag ${err.tag}: ${err.message}` : err.message;
    if (listedNames.has(err.repository)) {
      partial.add(err.repository);
      state.summary.warnings.push({ registry: host, repository: err.repository, message: what });
    } else if (!failedRepos.has(err.repository)) failedRepos.set(err.repository, what);
  }

  // A stored repository the catalog no longer lists is gone too (discovery only reports the ones it visits).
  // Only judged from a complete catalog listing: a truncated or failed one proves nothing.
  const storedRepos = new Map((await deps.store.repositories(host)).map((r) => [r.repository, r]));
  if (found.listing === 'catalog' && registryErrors.length === 0) {
    const listed = new Set([...found.repositories.map((r) => r.name), ...failedRepos.keys()]);
    for (const r of storedRepos.values()) {
      if (r.deletedAt || listed.has(r.repository)) continue;
      if (filterRepositories([r.repository], source).length === 0) continue;
      found.repositories.push({ name: r.repository, deleted: true, tags: [] });
    }
  }

  const jobs: ImageJob[] = [];
  for (const repo of found.repositories) {
    const ref = { registry: host, repository: repo.name };
    if (repo.deleted) {
      const stored = storedRepos.get(repo.name);
      if (stored && !stored.deletedAt) {
        await deps.store.markRepositoryDeleted(ref, at);
        state.emit([
          { type: 'repository.deleted', at: at.toISOString(), registry: host, repository: repo.name },
        ]);
      }
      continue;
    }
    state.summary.repositories++;
    state.summary.tags += repo.tags.length;
    // A repository listed only in part keeps its stored tags (an incomplete list removes nothing).
    const complete = !partial.has(repo.name);
    const changes = await deps.store.upsertTags(
      ref,
      repo.tags.map((t) => ({ tag: t.tag, digest: t.digest })),
      at,
      { complete },
    );
    state.emit(
      changes.moved.map((m) => ({
        type: 'tag.moved' as const,
        at: at.toISOString(),
        registry: host,
        repository: repo.name,
        tag: m.tag,
        from: m.from,
        to: m.to,
      })),
    );
    const tagsOf = new Map<string, string[]>();
    for (const t of repo.tags) tagsOf.set(t.digest, [...(tagsOf.get(t.digest) ?? []), t.tag]);
    const key = repoKey(host, repo.name);
    if (!retry.due(key, at.getTime())) {
      const missing = await deps.store.missingImages([...tagsOf.keys()]);
      state.summary.images.deferred += missing.length;
      continue;
    }
    const missing = new Set(await deps.store.missingImages([...tagsOf.keys()]));
    for (const [digest, tags] of tagsOf) {
      if (!missing.has(digest) || state.queued.has(digest)) {
        state.summary.images.skipped++;
        continue;
      }
      state.queued.add(digest);
      jobs.push({ registry: host, repository: repo.name, digest, tags });
    }
  }

  await runJobs(
    host,
    jobs,
    deps,
    state,
    retry,
    failedRepos,
    found.repositories.map((r) => r.name),
  );
}

/**
 * Pulls the jobs of one registry within its limits, then settles each repository's backoff: one
 * `scan.error` event per failing repository (with its next attempt), success clears it. Once the registry
 * looks unreachable the remaining jobs are deferred instead of each waiting out its own retries.
 */
export async function runJobs(
  host: string,
  jobs: readonly ImageJob[],
  deps: ScanDeps,
  state: PassState,
  retry: RetryBook,
  failedRepos: Map<string, string> = new Map(),
  seenRepos: readonly string[] = [],
): Promise<void> {
  const limits = deps.limitsFor(host);
  /** Repositories whose failure is already listed per image in the summary's errors. */
  const listed = new Set<string>();
  let down: string | undefined;
  const catalogers = deps.catalogers ?? ALL_CATALOGERS;
  const platform = deps.platform ?? parsePlatform(undefined);
  const policy = deps.policy ?? DEFAULT_EVENT_POLICY;
  await Promise.all(
    jobs.map((job) =>
      limits.run(async () => {
        if (deps.signal?.aborted || down !== undefined) {
          state.summary.images.deferred++;
          if (down !== undefined && !failedRepos.has(job.repository)) failedRepos.set(job.repository, down);
          return;
        }
        try {
          const diff = await scanImageDigest(job, {
            store: deps.store,
            vulnDb: deps.vulnDb,
            client: deps.client,
            catalogers,
            platform,
            cache: state.cache,
          });
          state.summary.images.scanned++;
          const image = { registry: host, repository: job.repository, digest: job.digest, tags: job.tags };
          state.emit(findingEvents(image, diff, 'scan', policy, now(deps)));
        } catch (e) {
          state.summary.images.failed++;
          const msg = message(e);
          state.summary.errors.push({
            registry: host,
            repository: job.repository,
            digest: job.digest,
            message: msg,
          });
          if (!failedRepos.has(job.repository)) failedRepos.set(job.repository, msg);
          listed.add(job.repository);
          if (isUnreachable(e)) down ??= `registry unreachable: ${msg}`;
        }
      }),
    ),
  );

  const attempted = new Set([...jobs.map((j) => j.repository), ...seenRepos, ...failedRepos.keys()]);
  for (const name of attempted) {
    const key = repoKey(host, name);
    const msg = failedRepos.get(name);
    if (msg === undefined) {
      if (retry.due(key, now(deps).getTime())) retry.succeed(key);
      continue;
    }
    const entry = retry.fail(key, msg, now(deps).getTime());
    state.error(
      { registry: host, repository: name, message: msg },
      { attempt: entry.failures, retryAt: entry.nextAttemptAt },
      listed.has(name),
    );
  }
}

/** Fills in the figures every summary ends with. */
export function finishSummary(state: PassState, deps: ScanDeps, bytes0: number, t0: number): PassSummary {
  state.summary.bytesFetched = deps.client.blobBytesFetched - bytes0;
  state.summary.layers = { analysed: state.cache.analysed, cacheHits: state.cache.hits };
  state.summary.durationMs = Math.round(performance.now() - t0);
  return state.summary;
}

export function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]?.slice(0, 500) ?? '';
}
