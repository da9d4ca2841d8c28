import type { VersionComparator } from '../version/comparator.js';
import type { CompareToVersion } from './evaluate.js';
import { semverComparator } from './semver.js';

/**
 * The installed version as one package's ranges see it: its sort key and its compare function under the
 * SEMVER ordering and under the package's ECOSYSTEM ordering, each computed on first use. One instance per
 * matcher is reset for every package, so a cold match of thousands of packages allocates no closures or
 * state objects per package, and a keyed range never parses v into a comparator's cache.
 */
export class VersionUnder {
  private v = '';
  // null: not computed yet.
  private semverKey: string | undefined | null = null;
  private semverVs: CompareToVersion | null | undefined;
  private ecoCmp: VersionComparator | undefined;
  private ecoKey: string | undefined | null = null;
  private ecoVs: CompareToVersion | null | undefined;

  reset(v: string): void {
    this.v = v;
    this.semverKey = null;
    this.semverVs = undefined;
    this.ecoCmp = undefined;
  }

  private useEco(cmp: VersionComparator): void {
    if (cmp === this.ecoCmp) return;
    this.ecoCmp = cmp;
    this.ecoKey = null;
    this.ecoVs = undefined;
  }

  /** v's sort key under `cmp`; undefined when `cmp` has no keys, or v is invalid or too long for one. */
  key(cmp: VersionComparator): string | undefined {
    if (cmp === semverComparator) {
      if (this.semverKey === null) this.semverKey = cmp.sortKey?.(this.v);
      return this.semverKey;
    }
    this.useEco(cmp);
    if (this.ecoKey === null) this.ecoKey = cmp.sortKey?.(this.v);
    return this.ecoKey;
  }

  /** compare(v, ·) under `cmp`; null when v is not a valid version of it. */
  compare(cmp: VersionComparator): CompareToVersion | null {
    if (cmp === semverComparator) return (this.semverVs ??= compareTo(cmp, this.v));
    this.useEco(cmp);
    return (this.ecoVs ??= compareTo(cmp, this.v));
  }
}

function compareTo(cmp: VersionComparator, v: string): CompareToVersion | null {
  return cmp.valid(v) ? (x) => cmp.compare(v, x) : null;
}
