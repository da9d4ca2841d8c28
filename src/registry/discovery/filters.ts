// Glob filters over repository names and tags, and the tag order used by `tags.maxTags`.
import picomatch from 'picomatch';
import type { RegistrySource } from '../config.js';

/** Repository names per the distribution spec; anything else from a registry is refused (path injection). */
export const REPOSITORY_NAME =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Tags per the OCI distribution spec. */
export const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

type Matcher = (s: string) => boolean;

function matcher(globs: readonly string[]): Matcher | undefined {
  // `*` stays within one path component, `**` crosses them (ghcr.io/acme/** style).
  return globs.length ? picomatch([...globs], { dot: true }) : undefined;
}

function keep(include: Matcher | undefined, exclude: Matcher | undefined, s: string): boolean {
  return (!include || include(s)) && !(exclude && exclude(s));
}

/** Names matching `include` (all when empty) and not `exclude`; order kept, duplicates dropped. */
export function filterRepositories(
  names: readonly string[],
  source: Pick<RegistrySource, 'include' | 'exclude'>,
): string[] {
  const inc = matcher(source.include);
  const exc = matcher(source.exclude);
  return [...new Set(names)].filter((n) => keep(inc, exc, n));
}

/**
 * Tags matching the tag globs, ordered newest-first by version-aware comparison; `maxTags` keeps the first N.
 * Registries return tags sorted as text and carry no push dates without extra manifest/config requests, so the
 * version order is the cheap, deterministic notion of "newest": `v1.10` > `v1.9` > `v1.9-rc1`.
 */
export function filterTags(tags: readonly string[], filter: RegistrySource['tags']): string[] {
  const inc = matcher(filter.include);
  const exc = matcher(filter.exclude);
  const kept = [...new Set(tags)].filter((t) => keep(inc, exc, t)).sort(compareTagsNewestFirst);
  return filter.maxTags !== undefined ? kept.slice(0, filter.maxTags) : kept;
}

/** Sort comparator: higher versions first; digit runs compare as numbers, a `-suffix` is a pre-release. */
export function compareTagsNewestFirst(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d > 0n ? -1 : 1;
      continue; // same number written differently (007 vs 7)
    }
    // `1.0` vs `1.0-rc1`: the release is newer than its pre-release.
    if (x.startsWith('-') !== y.startsWith('-')) return x.startsWith('-') ? 1 : -1;
    return x < y ? 1 : -1;
  }
  if (pa.length !== pb.length) {
    const longer = pa.length > pb.length ? pa : pb;
    const rest = longer[Math.min(pa.length, pb.length)] ?? '';
    // The longer one is a pre-release (`-rc1`) of the shorter one, or a later version (`.1`).
    const longerNewer = !rest.startsWith('-');
    return pa.length > pb.length === longerNewer ? -1 : 1;
  }
  return a < b ? 1 : a > b ? -1 : 0;
}
