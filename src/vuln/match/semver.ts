import type { VersionComparator } from '../version/comparator.js';
import { releaseSemverKey, semverKey } from '../version/semver.js';
import { rawNumberKey } from '../version/sort-key.js';

/**
 * SemVer 2.0.0 precedence (section 11), used for OSV ranges of type SEMVER whatever the ecosystem. A
 * leading `v` (Go module versions) is accepted; build metadata (`+incompatible`) does not affect order.
 */
const RE =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:[0-9A-Za-z-]+)(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

interface Parsed {
  nums: [string, string, string];
  pre: string[];
}

const cache = new Map<string, Parsed | null>();

function parseUncached(v: string): Parsed | null {
  const m = RE.exec(v.trim());
  return m
    ? { nums: [m[1] as string, m[2] as string, m[3] as string], pre: m[4] ? m[4].split('.') : [] }
    : null;
}

function parse(v: string): Parsed | null {
  let p = cache.get(v);
  if (p !== undefined) return p;
  p = parseUncached(v);
  if (cache.size > 200_000) cache.clear();
  cache.set(v, p);
  return p;
}

/** Compares digit strings of any length without overflow. */
function cmpNum(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

const isNum = (s: string): boolean => /^\d+$/.test(s);

function cmpPre(a: string[], b: string[]): number {
  if (!a.length || !b.length) return b.length - a.length; // a release sorts after its pre-releases
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xn = isNum(x);
    const yn = isNum(y);
    if (xn && yn) return cmpNum(x, y);
    if (xn) return -1;
    if (yn) return 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export const semverComparator: VersionComparator = {
  name: 'semver',
  valid: (v) => parse(v) !== null,
  compare(a, b) {
    const x = parse(a);
    const y = parse(b);
    if (!x || !y) {
      // Not semver: order invalid strings after valid ones, then textually, so sorting never throws.
      if (x) return -1;
      if (y) return 1;
      return a < b ? -1 : a > b ? 1 : 0;
    }
    for (let i = 0; i < 3; i++) {
      const c = cmpNum(x.nums[i] as string, y.nums[i] as string);
      if (c) return c;
    }
    return cmpPre(x.pre, y.pre);
  },
  // cmpNum orders digit strings by length first, leading zeros included (`01` > `9` in a pre-release).
  // Uncached: a key is taken once per installed version, and import keys every event version once.
  sortKey(v) {
    const fast = releaseSemverKey(v, rawNumberKey); // `parse` trims; the fast path takes no whitespace
    if (fast !== null) return fast;
    const p = parseUncached(v);
    return p ? semverKey(p.nums, p.pre, isNum, rawNumberKey) : undefined;
  },
};
