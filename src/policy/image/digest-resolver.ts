/**
 * Tag → digest resolution for mutate-to-digest and for looking up scan results of tagged images. A HEAD
 * request is enough (Docker-Content-Digest); answers are cached for a short TTL because tags move.
 */
import { RegistryClient } from '../../image/registry/client.js';
import { digestOf, isDigest } from '../../image/registry/digest.js';
import { formatReference, type ImageReference } from '../../image/reference.js';
import { TtlCache } from '../../image/signature/ttl-cache.js';

export type ResolveDigest = (ref: ImageReference) => Promise<string>;

export interface DigestResolverOptions {
  /** How long a tag's digest is trusted (ms); default 5 minutes. */
  ttlMs?: number;
  /** Cached tags; default 10,000. */
  maxEntries?: number;
  clock?: () => number;
}

/** A cached resolver over a registry client; `lookups` counts registry round trips. */
export function createDigestResolver(
  client: RegistryClient,
  opts: DigestResolverOptions = {},
): ResolveDigest & { lookups: number } {
  const cache = new TtlCache<string, string>(opts.maxEntries ?? 10_000, opts.ttlMs ?? 300_000, opts.clock);
  // Concurrent requests for one tag share one lookup.
  const pending = new Map<string, Promise<string>>();
  const resolve = async (ref: ImageReference): Promise<string> => {
    if (ref.digest !== undefined) return ref.digest;
    const tag = ref.tag ?? 'latest';
    const key = `${ref.name}:${tag}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let p = pending.get(key);
    if (!p) {
      p = lookup(client, ref, tag, () => fn.lookups++);
      pending.set(key, p);
      p.then(
        (d) => cache.set(key, d),
        () => undefined,
      ).finally(() => pending.delete(key));
    }
    return p;
  };
  const fn = Object.assign(resolve, { lookups: 0 });
  return fn;
}

async function lookup(
  client: RegistryClient,
  ref: ImageReference,
  tag: string,
  count: () => void,
): Promise<string> {
  const repo = { registry: ref.registry, repository: ref.repository };
  count();
  const head = await client.headManifest(repo, tag);
  if (head.digest && isDigest(head.digest)) return head.digest;
  // Some registries omit Docker-Content-Digest on HEAD: hash the manifest itself.
  const m = await client.getManifest(repo, tag);
  const d = digestOf(m.bytes);
  if (!isDigest(d)) throw new Error(`cannot resolve ${formatReference(ref)} to a digest`);
  return d;
}
