import type { VersionComparator } from './comparator.js';
import { compareDigits, isAlphaCode, isDigitCode, sign } from './util.js';

/**
 * Debian / Ubuntu package versions, ordered exactly as dpkg's `dpkg_version_compare` (lib/dpkg/version.c):
 * `[epoch:]upstream_version[-debian_revision]`.
 *
 * - the epoch is an unsigned integer, missing means 0;
 * - the revision is everything after the last '-', missing means "" (which equals "0");
 * - upstream and revision are compared with `verrevcmp`: alternating non-digit and digit runs; in non-digit runs
 *   `~` sorts before everything (even the end of the string), then the end of the string, then letters (ASCII),
 *   then every other character (ASCII + 256); digit runs compare numerically.
 *
 * `valid()` follows deb-version(7) and dpkg's `parseversion`: non-empty epoch of digits, upstream starting with a
 * digit and made of `[A-Za-z0-9.+~:-]` (':' only with an epoch, '-' only with a revision), non-empty revision of
 * `[A-Za-z0-9.+~]`, no whitespace.
 *
 * Fallback: `compare` accepts any string, as dpkg itself does for versions that only raise warnings. Leading and
 * trailing whitespace is trimmed; a prefix before the first ':' that is not all digits is not an epoch (epoch 0,
 * the whole string is the upstream version). `verrevcmp` is a total order on arbitrary strings, so the result is
 * deterministic and transitive.
 */

interface DebVersion {
  /** Digits only, possibly empty (= 0). */
  epoch: string;
  upstream: string;
  revision: string;
}

const TILDE = 126;

function order(c: number): number {
  if (Number.isNaN(c) || isDigitCode(c)) return 0;
  if (isAlphaCode(c)) return c;
  if (c === TILDE) return -1;
  return c + 256;
}

/** dpkg's verrevcmp, transcribed: returns <0, 0, >0. */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const la = a.length;
  const lb = b.length;
  while (i < la || j < lb) {
    while ((i < la && !isDigitCode(a.charCodeAt(i))) || (j < lb && !isDigitCode(b.charCodeAt(j)))) {
      const ac = order(i < la ? a.charCodeAt(i) : NaN);
      const bc = order(j < lb ? b.charCodeAt(j) : NaN);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    const si = i;
    const sj = j;
    while (i < la && isDigitCode(a.charCodeAt(i))) i++;
    while (j < lb && isDigitCode(b.charCodeAt(j))) j++;
    const r = compareDigits(a.slice(si, i), b.slice(sj, j));
    if (r !== 0) return r;
  }
  return 0;
}

const ALL_DIGITS = /^[0-9]+$/;
const UPSTREAM_CHARS = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]+$/;
const INT_MAX = '2147483647';

function split(v: string): DebVersion {
  const s = v.trim();
  let epoch = '';
  let rest = s;
  const colon = s.indexOf(':');
  if (colon > 0 && ALL_DIGITS.test(s.slice(0, colon))) {
    epoch = s.slice(0, colon);
    rest = s.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
  return { epoch, upstream: rest, revision: '' };
}

export function validDpkg(v: string): boolean {
  if (v.length === 0 || /\s/.test(v)) return false;
  const colon = v.indexOf(':');
  let rest = v;
  if (colon >= 0) {
    const epoch = v.slice(0, colon);
    if (!ALL_DIGITS.test(epoch) || compareDigits(epoch, INT_MAX) > 0) return false;
    rest = v.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  if (!UPSTREAM_CHARS.test(upstream)) return false;
  if (hyphen >= 0 && !REVISION_CHARS.test(rest.slice(hyphen + 1))) return false;
  return true;
}

export function compareDpkg(a: string, b: string): number {
  const va = split(a);
  const vb = split(b);
  const e = compareDigits(va.epoch, vb.epoch);
  if (e !== 0) return e;
  const u = verrevcmp(va.upstream, vb.upstream);
  if (u !== 0) return sign(u);
  return sign(verrevcmp(va.revision, vb.revision));
}

export const dpkg: VersionComparator = {
  name: 'dpkg',
  compare: compareDpkg,
  valid: validDpkg,
};
