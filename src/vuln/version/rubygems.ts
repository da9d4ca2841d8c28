import type { VersionComparator } from './comparator.js';
import { compareDigits, compareStrings, compareWithFallback, ParseCache } from './util.js';

/**
 * RubyGems versions, ordered as `Gem::Version#<=>`:
 *
 * - the version must match `Gem::Version::ANCHORED_VERSION_PATTERN` (surrounding whitespace allowed; a blank
 *   string is version "0"); a `-` starts a pre-release and is rewritten to `.pre.` (`1.0-rc1` -> `1.0.pre.rc1`);
 * - segments are the runs of digits or letters (`1.0.0b2` -> [1, 0, 0, "b", 2]);
 * - canonical segments drop trailing zeros from the leading numeric part and from the rest separately
 *   (`1.0.0` == `1`, `1.0.a.0` == `1.a`);
 * - segments compare pairwise (missing = 0): a string (pre-release) sorts before a number, numbers numerically,
 *   strings by byte order (case-sensitive, as Ruby's String#<=>).
 *
 * Fallback for strings Gem::Version would reject (it raises ArgumentError): see `compareWithFallback`
 * (invalid < valid, invalid vs invalid by code-unit order).
 */

type Segment = string; // digits-only strings are numeric segments

const VERSION_RE = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;
const SEGMENT_RE = /[0-9]+|[a-z]+/gi;
const DIGITS_RE = /^[0-9]+$/;
const HYPHEN_RE = /-/g;

function isNum(s: Segment): boolean {
  return DIGITS_RE.test(s);
}

function isZero(s: Segment): boolean {
  return isNum(s) && compareDigits(s, '0') === 0;
}

function dropTrailingZeros(s: Segment[]): Segment[] {
  let end = s.length;
  while (end > 0 && isZero(s[end - 1] as string)) end--;
  return s.slice(0, end);
}

function parseUncached(v: string): Segment[] | undefined {
  const m = VERSION_RE.exec(v);
  if (!m) return undefined;
  const body = (m[1] ?? '0').replace(HYPHEN_RE, '.pre.');
  const segments = body.match(SEGMENT_RE) ?? ['0'];
  const firstString = segments.findIndex((s) => !isNum(s));
  if (firstString < 0) return dropTrailingZeros(segments);
  return [
    ...dropTrailingZeros(segments.slice(0, firstString)),
    ...dropTrailingZeros(segments.slice(firstString)),
  ];
}

const cache = new ParseCache(parseUncached);

export function parseGemVersion(v: string): readonly string[] | undefined {
  return cache.get(v);
}

export function compareGemSegments(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? '0';
    const y = b[i] ?? '0';
    const nx = isNum(x);
    const ny = isNum(y);
    if (nx && ny) {
      const r = compareDigits(x, y);
      if (r !== 0) return r;
    } else if (nx) return 1;
    else if (ny) return -1;
    else {
      const r = compareStrings(x, y);
      if (r !== 0) return r;
    }
  }
  return 0;
}

export const rubygems: VersionComparator = {
  name: 'rubygems',
  compare: (a, b) => compareWithFallback(a, b, parseGemVersion, compareGemSegments),
  valid: (v) => parseGemVersion(v) !== undefined,
};
