import type { VersionComparator } from './comparator.js';
import { compareDigits, compareStrings, compareWithFallback, isDigitCode, ParseCache } from './util.js';

/**
 * NuGet package versions, ordered as NuGet.Versioning's `VersionComparer.Default`:
 *
 *   Major[.Minor[.Patch[.Revision]]][-label(.label)*][+metadata]
 *
 * - 1 to 4 numeric parts (each a non-negative Int32, leading zeros tolerated as NuGet's legacy parser does);
 *   missing parts are 0, so `1.0` == `1.0.0` == `1.0.0.0`; the 4th part is the legacy "revision";
 * - a version with release labels is a pre-release and sorts before the same version without;
 * - labels compare left to right: both numeric -> numerically, numeric < alphanumeric, otherwise
 *   case-insensitively (ordinal, upper-case folding as StringComparer.OrdinalIgnoreCase); fewer labels first;
 * - build metadata is ignored; surrounding whitespace is ignored.
 *
 * Fallback for unparseable strings: see `compareWithFallback` (invalid < valid, invalid vs invalid by code-unit
 * order).
 */

interface NuGetVersion {
  parts: readonly [string, string, string, string];
  labels: readonly string[];
}

const NUGET_RE =
  /^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\s*$/;
const INT32_MAX = '2147483647';

function isNumeric(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return s.length > 0;
}

function parseUncached(v: string): NuGetVersion | undefined {
  const m = NUGET_RE.exec(v);
  if (!m) return undefined;
  const parts = [m[1] ?? '0', m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'] as const;
  for (const p of parts) if (compareDigits(p, INT32_MAX) > 0) return undefined;
  const labels = m[5] === undefined ? [] : m[5].split('.');
  // SemVer 2.0: numeric labels must not have leading zeros
  for (const l of labels) if (l.length > 1 && l.charCodeAt(0) === 48 && isNumeric(l)) return undefined;
  return { parts, labels };
}

const cache = new ParseCache(parseUncached);

export function parseNuGet(v: string): NuGetVersion | undefined {
  return cache.get(v);
}

function compareLabels(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
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
    else r = compareStrings(x.toUpperCase(), y.toUpperCase());
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareParsedNuGet(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const r = compareDigits(a.parts[i] as string, b.parts[i] as string);
    if (r !== 0) return r;
  }
  return compareLabels(a.labels, b.labels);
}

export const nuget: VersionComparator = {
  name: 'nuget',
  compare: (a, b) => compareWithFallback(a, b, parseNuGet, compareParsedNuGet),
  valid: (v) => parseNuGet(v) !== undefined,
};
