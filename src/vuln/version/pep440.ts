import type { VersionComparator } from './comparator.js';
import { dottedNumbers, numberKey, textKey } from './sort-key.js';
import { compareDigits, compareStrings, compareWithFallback, isDigitCode, ParseCache } from './util.js';

/**
 * Python package versions (PyPI), ordered per PEP 440 / the version specifiers spec, as implemented by
 * `packaging.version.Version`:
 *
 *   [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 *
 * Parsing applies the spec's normalisation: case-insensitive; surrounding whitespace and a leading `v` ignored;
 * `-`, `_`, `.` separators optional around pre/post/dev markers; `alpha`/`beta`/`c`/`pre`/`preview` mean
 * `a`/`b`/`rc`/`rc`/`rc`; `rev`/`r` mean `post`; `1.0-1` is the implicit post-release `1.0.post1`; missing
 * pre/post/dev numbers are 0; local segments are split on `-`, `_`, `.`.
 *
 * Ordering (packaging's `_cmpkey`): epoch, then the release with trailing zeros ignored (1.0 == 1.0.0), then
 * pre-release (a < b < rc < none; a bare dev release of the final version, `1.0.dev0`, sorts before `1.0a0`),
 * then post-release (none < post), then dev (dev < none), then local (none < any; numeric segments compare as
 * integers and sort after alphanumeric ones; a longer local wins when one is a prefix of the other).
 *
 * Fallback for strings that are not PEP 440 versions (legacy `LegacyVersion` strings): see
 * `compareWithFallback` (invalid < valid, invalid vs invalid by code-unit order).
 */

export interface Pep440Version {
  epoch: string;
  release: readonly string[];
  pre: { label: 'a' | 'b' | 'rc'; num: string } | undefined;
  post: string | undefined;
  dev: string | undefined;
  local: readonly string[] | undefined;
}

const PEP440_RE = new RegExp(
  '^\\s*v?' +
    '(?:([0-9]+)!)?' + // epoch
    '([0-9]+(?:\\.[0-9]+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' + // pre
    '(?:(?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?' + // post
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' + // dev
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local
    '\\s*$',
  'i',
);
const LOCAL_SEPARATORS = /[-_.]/;

function normalizePreLabel(l: string): 'a' | 'b' | 'rc' {
  switch (l.toLowerCase()) {
    case 'a':
    case 'alpha':
      return 'a';
    case 'b':
    case 'beta':
      return 'b';
    default:
      return 'rc'; // c, rc, pre, preview
  }
}

function parseUncached(v: string): Pep440Version | undefined {
  const m = PEP440_RE.exec(v);
  if (!m) return undefined;
  const release = (m[2] ?? '0').split('.');
  while (release.length > 1 && compareDigits(release[release.length - 1] ?? '', '') === 0) release.pop();
  const preLabel = m[3];
  const postNum = m[5] ?? (m[6] !== undefined ? (m[7] ?? '0') : undefined);
  return {
    epoch: m[1] ?? '0',
    release,
    pre: preLabel === undefined ? undefined : { label: normalizePreLabel(preLabel), num: m[4] ?? '0' },
    post: postNum,
    dev: m[8] !== undefined ? (m[9] ?? '0') : undefined,
    local: m[10] === undefined ? undefined : m[10].toLowerCase().split(LOCAL_SEPARATORS),
  };
}

const cache = new ParseCache(parseUncached);

export function parsePep440(v: string): Pep440Version | undefined {
  return cache.get(v);
}

function isNumeric(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return s.length > 0;
}

function compareRelease(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (r !== 0) return r;
  }
  return 0;
}

const PRE_ORDER = { a: 0, b: 1, rc: 2 } as const;

function comparePre(a: Pep440Version, b: Pep440Version): number {
  // rank 0: dev release of the final version (-Infinity); 1: explicit pre-release; 2: no pre-release (+Infinity)
  const rank = (v: Pep440Version): number =>
    v.pre !== undefined ? 1 : v.post === undefined && v.dev !== undefined ? 0 : 2;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a.pre === undefined || b.pre === undefined) return 0;
  const la = PRE_ORDER[a.pre.label];
  const lb = PRE_ORDER[b.pre.label];
  if (la !== lb) return la < lb ? -1 : 1;
  return compareDigits(a.pre.num, b.pre.num);
}

function compareOptional(a: string | undefined, b: string | undefined, missingIsHighest: boolean): number {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    return (a === undefined) === missingIsHighest ? 1 : -1;
  }
  return compareDigits(a, b);
}

function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    return a === undefined ? -1 : 1;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    let r: number;
    if (nx && ny) r = compareDigits(x, y);
    else if (nx)
      r = 1; // numeric segments sort after alphanumeric ones
    else if (ny) r = -1;
    else r = compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareParsedPep440(a: Pep440Version, b: Pep440Version): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a, b) ||
    compareOptional(a.post, b.post, false) ||
    compareOptional(a.dev, b.dev, true) ||
    compareLocal(a.local, b.local)
  );
}

const PRE_KEY = { a: 'a', b: 'b', rc: 'c' } as const;

/**
 * Sort key in {@link compareParsedPep440}'s order, field by field: epoch; the release numbers then `!`
 * (trailing zeros are already gone, so a release that is a prefix of another is lower); the pre-release rank
 * (`#` dev release of the final, `$` pre-release with its label and number, `%` none); post (`#` none, `$`
 * and its number); dev (`#` and its number, `$` none); local (`#` none, `$` then each segment, `&` and its
 * text or `'` and its number, then `%`).
 */
function pep440Key(p: Pep440Version): string | undefined {
  const parts: (string | undefined)[] = [numberKey(p.epoch)];
  for (const r of p.release) parts.push(numberKey(r));
  parts.push('!');
  if (p.pre !== undefined) parts.push('$', PRE_KEY[p.pre.label], numberKey(p.pre.num));
  else parts.push(p.post === undefined && p.dev !== undefined ? '#' : '%');
  parts.push(p.post === undefined ? '#' : '$', p.post === undefined ? '' : numberKey(p.post));
  parts.push(p.dev === undefined ? '$' : '#', p.dev === undefined ? '' : numberKey(p.dev));
  if (p.local === undefined) parts.push('#');
  else {
    parts.push('$');
    for (const seg of p.local) parts.push(...(isNumeric(seg) ? ["'", numberKey(seg)] : ['&', textKey(seg)]));
    parts.push('%');
  }
  return parts.includes(undefined) ? undefined : parts.join('');
}

/**
 * {@link pep440Key} of a final release written as plain numbers (`1.2.3`, `v2.0`): epoch 0, the numbers
 * without trailing zeros, and no pre, post, dev or local part. Null for any other shape.
 */
function releaseOnlyKey(v: string): string | undefined | null {
  const c = v.charCodeAt(0);
  const runs = dottedNumbers(v, c === 118 || c === 86 ? 1 : 0); // an optional `v` or `V`
  if (!runs) return null;
  let n = runs.length;
  while (n > 1 && compareDigits(runs[n - 1] as string, '') === 0) n--;
  let key = numberKey('0') as string;
  for (let i = 0; i < n; i++) {
    const k = numberKey(runs[i] as string);
    if (k === undefined) return undefined;
    key += k;
  }
  return `${key}!%#$#`;
}

export const pep440: VersionComparator = {
  name: 'pep440',
  compare: (a, b) => compareWithFallback(a, b, parsePep440, compareParsedPep440),
  valid: (v) => parsePep440(v) !== undefined,
  // Uncached: a key is taken once per version (see VersionComparator.sortKey).
  sortKey(v) {
    const fast = releaseOnlyKey(v);
    if (fast !== null) return fast;
    const p = parseUncached(v);
    return p && pep440Key(p);
  },
};
