import type { RegistrySource } from '../config.js';
import { filterRepositories, filterTags } from '../discovery/filters.js';
import type { PushedManifest } from '../notifications/envelope.js';
import { finishSummary, now, PassState, runJobs, type PassSummary, type ScanDeps } from './pass.js';
import { RetryBook } from './retry.js';
import type { ImageJob } from './scan-image.js';

/**
 * Which configured registry a push came from: the one whose host the pusher talked to (`request.host`),
 * or the only one configured (a registry behind a proxy may report another host name).
 */
export function sourceForPush(
  sources: readonly RegistrySource[],
  push: PushedManifest,
): RegistrySource | undefined {
  const byHost = push.host ? sources.find((s) => s.host.toLowerCase() === push.host) : undefined;
  return byHost ?? (sources.length === 1 ? sources[0] : undefined);
}

/**
 * Scans manifests reported by registry push notifications, without a full discovery: the pushed tag is
 * recorded (a tag moved by the push becomes an event), and the digest is pulled unless the store has it.
 * Pushes to repositories or tags the configuration leaves out are ignored, as a pass would ignore them.
 */
export async function scanPushed(
  sources: readonly RegistrySource[],
  pushes: readonly PushedManifest[],
  deps: ScanDeps,
): Promise<PassSummary> {
  const t0 = performance.now();
  const at = now(deps);
  const state = new PassState(deps, at);
  const bytes0 = deps.client.blobBytesFetched;
  const retry = deps.retry ?? new RetryBook();
  const jobsByHost = new Map<string, ImageJob[]>();
  const hosts = new Set<string>();
  for (const push of pushes) {
    const source = sourceForPush(sources, push);
    if (!source) continue;
    // An explicit repository list is the whole scope of that registry; globs narrow it further.
    if (source.repositories.length > 0 && !source.repositories.includes(push.repository)) continue;
    if (filterRepositories([push.repository], source).length === 0) continue;
    if (push.tag !== undefined && filterTags([push.tag], source.tags).length === 0) continue;
    const ref = { registry: source.host, repository: push.repository };
    hosts.add(source.host);
    if (push.tag !== undefined) {
      const changes = await deps.store.upsertTags(ref, [{ tag: push.tag, digest: push.digest }], at, {
        complete: false,
      });
      state.emit(
        changes.moved.map((m) => ({
          type: 'tag.moved' as const,
          at: at.toISOString(),
          registry: source.host,
          repository: push.repository,
          tag: m.tag,
          from: m.from,
          to: m.to,
        })),
      );
    }
    const queued = jobsByHost.get(source.host) ?? [];
    const same = queued.find((j) => j.digest === push.digest);
    if (same) {
      if (push.tag && !same.tags.includes(push.tag)) same.tags.push(push.tag);
      continue;
    }
    if ((await deps.store.missingImages([push.digest])).length === 0 || state.queued.has(push.digest)) {
      state.summary.images.skipped++;
      continue;
    }
    state.queued.add(push.digest);
    queued.push({ ...ref, digest: push.digest, tags: push.tag ? [push.tag] : [] });
    jobsByHost.set(source.host, queued);
  }
  state.summary.registries = hosts.size;
  await Promise.all([...jobsByHost].map(([host, jobs]) => runJobs(host, jobs, deps, state, retry)));
  return finishSummary(state, deps, bytes0, t0);
}
