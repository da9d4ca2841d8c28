import type { VersionComparator } from './comparator.js';
import { dottedNumbers, numberKey, textKey } from './sort-key.js';
import { compareDigits, compareStrings, compareWithFallback, isDigitCode, ParseCache } from './util.js';

/**
 * Semantic Versioning 2.0.0 precedence (https://semver.org/#spec-item-11), used for npm, Go modules, crates.io,
 * Hex, Pub and friends.
 *
 * - MAJOR.MINOR.PATCH compare numerically (any size, no leading zeros allowed);
 * - a version with a pre-release is lower than the same version without one;
 * - pre-release identifiers compare left to right: numeric identifiers numerically, alphanumeric ones in ASCII
 *   order, numeric < alphanumeric, and a shorter list that is a prefix of a longer one is lower;
 * - build metadata (`+...`) is ignored, so `1.0.0+a` and `1.0.0+b` compare equal.
 *
 * A single leading `v` is accepted because Go module versions always carry it (`v1.2.3`,
 * pseudo-versions such as `v0.0.0-20210101000000-abcdef123456` are ordinary pre-releases, and
 * `v2.0.0+incompatible` is build metadata).
 *
 * Fallback for strings that are not SemVer: see `compareWithFallback` (invalid < valid, invalid vs invalid by
 * code-unit order).
 */

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  pre: readonly string[];
  build: string | undefined;
}

// semver.org's suggested regular expression, plus an optional leading 'v'.
const SEMVER_RE =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function parseUncached(v: string): SemVer | undefined {
  const m = SEMVER_RE.exec(v);
  if (!m) return undefined;
  return {
    major: m[1] ?? '0',
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    pre: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5],
  };
}

const cache = new ParseCache(parseUncached);

export function parseSemver(v: string): SemVer | undefined {
  return cache.get(v);
}

function isNumeric(id: string): boolean {
  for (let i = 0; i < id.length; i++) if (!isDigitCode(id.charCodeAt(i))) return false;
  return id.length > 0;
}

/** Pre-release identifier precedence; shared with the loose comparator and NuGet (which folds case first). */
export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) {
    // no pre-release > any pre-release
    return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    let r: number;
    if (nx && ny) r = compareDigits(x, y);
    else if (nx) r = -1;
    else if (ny) r = 1;
    else r = compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Sort key of a pre-release list ({@link comparePrerelease}'s order): `%` for none, which sorts above any
 * list; otherwise each identifier as `#` and its number (numeric) or `$` and its text, then `!`, which sorts a
 * list below every longer list it is a prefix of. `num` keys numeric identifiers the way the caller compares
 * them.
 */
function prereleaseKey(
  pre: readonly string[],
  isNum: (id: string) => boolean,
  num: (digits: string) => string | undefined,
): string | undefined {
  if (!pre.length) return '%';
  let key = '';
  for (const id of pre) {
    if (!isNum(id)) key += `$${textKey(id)}`;
    else {
      const k = num(id);
      if (k === undefined) return undefined;
      key += `#${k}`;
    }
  }
  return `${key}!`;
}

/** Sort key of a version in SemVer precedence: major, minor and patch as numbers, then the pre-release. */
export function semverKey(
  nums: readonly [string, string, string],
  pre: readonly string[],
  isNum: (id: string) => boolean,
  num: (digits: string) => string | undefined,
): string | undefined {
  const major = num(nums[0]);
  const minor = num(nums[1]);
  const patch = num(nums[2]);
  const tail = prereleaseKey(pre, isNum, num);
  if (major === undefined || minor === undefined || patch === undefined || tail === undefined)
    return undefined;
  return major + minor + patch + tail;
}

/**
 * {@link semverKey} of a release written `MAJOR.MINOR.PATCH`, after an optional `v`, each number without
 * leading zeros: the common shape, keyed without the grammar's regular expression. Null for any other shape.
 */
export function releaseSemverKey(
  v: string,
  num: (digits: string) => string | undefined,
): string | undefined | null {
  const runs = dottedNumbers(v, v.charCodeAt(0) === 118 ? 1 : 0);
  if (!runs || runs.length !== 3) return null;
  let key = '';
  for (let i = 0; i < 3; i++) {
    const run = runs[i] as string;
    if (run.length > 1 && run.charCodeAt(0) === 48) return null; // a leading zero: invalid, say the grammar
    const k = num(run);
    if (k === undefined) return undefined;
    key += k;
  }
  return `${key}%`;
}

export function compareParsedSemver(a: SemVer, b: SemVer): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.pre, b.pre)
  );
}

export const semver: VersionComparator = {
  name: 'semver',
  compare: (a, b) => compareWithFallback(a, b, parseSemver, compareParsedSemver),
  valid: (v) => parseSemver(v) !== undefined,
  // Uncached: a key is taken once per version (see VersionComparator.sortKey).
  sortKey(v) {
    const fast = releaseSemverKey(v, numberKey);
    if (fast !== null) return fast;
    const p = parseUncached(v);
    return p && semverKey([p.major, p.minor, p.patch], p.pre, isNumeric, numberKey);
  },
};

/**
 * A lenient SemVer-like comparator for ecosystems whose versions are "almost semver" — in particular Packagist,
 * where Composer accepts `1.2`, `1.2.3.4`, `v2.0.0-beta1`, `1.0.0RC2`, `2.1-p1`. Composer's own ordering
 * (VersionParser::normalize + version_compare) is approximated:
 *
 * - an optional `v`, then 1+ dot-separated numeric release parts (missing parts are 0, so `1.2 == 1.2.0.0`);
 * - an optional modifier, with or without a `-`/`.`/`_` separator: stability keywords rank
 *   dev < alpha (a) < beta (b) < RC < (release) < patch (pl, p), each followed by an optional number;
 *   any other text is treated as SemVer pre-release identifiers (below the release);
 * - `+build` metadata is ignored.
 *
 * Strings that still do not parse use the shared fallback (invalid < valid, code-unit order between invalid).
 */
interface LooseVer {
  release: readonly string[];
  /** Stability rank: 0 dev, 1 alpha, 2 beta, 3 rc, 4 other pre-release, 5 release, 6 patch. */
  rank: number;
  num: string;
  rest: readonly string[];
}

const LOOSE_RE = /^[vV]?(\d+(?:\.\d+)*)(?:[-._]?([0-9A-Za-z][0-9A-Za-z.\-_]*))?(?:\+[0-9A-Za-z.\-_]*)?$/;
const MODIFIER_RE = /^(dev|alpha|a|beta|b|rc|c|patch|pl|p)[.\-_]?(\d*)$/i;
const ALL_ZEROS = /^0+$/;
const LOOSE_SEPARATORS = /[.\-_]/;
const RANKS: Readonly<Record<string, number>> = {
  dev: 0,
  alpha: 1,
  a: 1,
  beta: 2,
  b: 2,
  rc: 3,
  c: 3,
  patch: 6,
  pl: 6,
  p: 6,
};

function parseLooseUncached(v: string): LooseVer | undefined {
  const m = LOOSE_RE.exec(v.trim());
  if (!m) return undefined;
  const release = (m[1] ?? '0').split('.');
  while (release.length > 1 && ALL_ZEROS.test(release[release.length - 1] ?? '')) release.pop();
  const mod = m[2];
  if (mod === undefined) return { release, rank: 5, num: '', rest: [] };
  const mm = MODIFIER_RE.exec(mod);
  if (mm) return { release, rank: RANKS[(mm[1] ?? '').toLowerCase()] ?? 4, num: mm[2] ?? '', rest: [] };
  return { release, rank: 4, num: '', rest: mod.split(LOOSE_SEPARATORS) };
}

const looseCache = new ParseCache(parseLooseUncached);

function compareLoose(a: LooseVer, b: LooseVer): number {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const r = compareDigits(a.release[i] ?? '0', b.release[i] ?? '0');
    if (r !== 0) return r;
  }
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return compareDigits(a.num, b.num) || comparePrerelease(a.rest, b.rest);
}

export const semverLoose: VersionComparator = {
  name: 'semver-loose',
  compare: (a, b) => compareWithFallback(a, b, (v) => looseCache.get(v), compareLoose),
  valid: (v) => looseCache.get(v) !== undefined,
};
