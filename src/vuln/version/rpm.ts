import type { VersionComparator } from './comparator.js';
import { compareDigits, compareStrings, isAlphaCode, isDigitCode } from './util.js';

/**
 * RPM versions (Red Hat, Fedora, Rocky, Alma, SUSE, Mageia, Photon OS, ...), ordered as rpm's `rpmvercmp`
 * (rpmio/rpmvercmp.c, rpm >= 4.15 with `^`) applied to `[epoch:]version[-release]`:
 *
 * - segments are maximal runs of ASCII digits or ASCII letters; every other character only separates;
 * - `~` sorts before everything, including the end of the string (pre-release: 1.0~rc1 < 1.0);
 * - `^` sorts after the end of the string but before any further segment (post-release: 1.0 < 1.0^git1 < 1.0.1);
 * - a numeric segment is newer than an alphabetic one; numbers compare by value (leading zeros ignored), letters
 *   by strcmp; when one string runs out of segments the one with segments left is newer.
 *
 * Full EVR: the epoch (missing = 0) compares numerically, then version, then release. rpm's dependency matcher
 * treats a missing release as a wildcard; that is not a total order, so here a missing release sorts before any
 * present one ("1.0" < "1.0-0"), which agrees with rpm whenever both releases are present.
 *
 * `valid()`: optional all-digit epoch, a non-empty version and optional non-empty release made of
 * `[A-Za-z0-9._+~^]` (the characters rpmbuild accepts; '-' only as the version/release separator).
 *
 * Fallback: `rpmvercmp` is defined on every string, so `compare` never needs one; input that is not a valid EVR
 * is still split the way rpm's parseEVR splits it and compared segment-wise.
 */

const TILDE = 126;
const CARET = 94;

function isAlnum(c: number): boolean {
  return isDigitCode(c) || isAlphaCode(c);
}

/** rpmvercmp, transcribed from rpm 4.15+: returns -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const la = a.length;
  const lb = b.length;
  while (i < la || j < lb) {
    while (i < la && !isAlnum(a.charCodeAt(i)) && a.charCodeAt(i) !== TILDE && a.charCodeAt(i) !== CARET) i++;
    while (j < lb && !isAlnum(b.charCodeAt(j)) && b.charCodeAt(j) !== TILDE && b.charCodeAt(j) !== CARET) j++;
    const ca = i < la ? a.charCodeAt(i) : 0;
    const cb = j < lb ? b.charCodeAt(j) : 0;

    // tilde sorts before everything else
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    // caret: like tilde, except that the base version (the string that ended) is older
    if (ca === CARET || cb === CARET) {
      if (i >= la) return -1;
      if (j >= lb) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < la && j < lb)) break;

    const si = i;
    const sj = j;
    let isnum: boolean;
    if (isDigitCode(ca)) {
      while (i < la && isDigitCode(a.charCodeAt(i))) i++;
      while (j < lb && isDigitCode(b.charCodeAt(j))) j++;
      isnum = true;
    } else {
      while (i < la && isAlphaCode(a.charCodeAt(i))) i++;
      while (j < lb && isAlphaCode(b.charCodeAt(j))) j++;
      isnum = false;
    }
    // segments of different types: numeric is newer than alpha
    if (sj === j) return isnum ? 1 : -1;
    const sa = a.slice(si, i);
    const sb = b.slice(sj, j);
    const rc = isnum ? compareDigits(sa, sb) : compareStrings(sa, sb);
    if (rc !== 0) return rc;
  }
  if (i >= la && j >= lb) return 0;
  return i < la ? 1 : -1;
}

interface Evr {
  epoch: string;
  version: string;
  release: string | undefined;
}

/** rpm's parseEVR: leading digits followed by ':' are the epoch; the release follows the last '-'. */
export function parseEvr(evr: string): Evr {
  let k = 0;
  while (k < evr.length && isDigitCode(evr.charCodeAt(k))) k++;
  let epoch = '0';
  let rest = evr;
  if (evr.charCodeAt(k) === 58 /* ':' */) {
    epoch = k === 0 ? '0' : evr.slice(0, k);
    rest = evr.slice(k + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, version: rest, release: undefined };
  return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

export function compareRpm(a: string, b: string): number {
  const ea = parseEvr(a);
  const eb = parseEvr(b);
  const e = compareDigits(ea.epoch, eb.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(ea.version, eb.version);
  if (v !== 0) return v;
  if (ea.release === undefined || eb.release === undefined) {
    if (ea.release === eb.release) return 0;
    return ea.release === undefined ? -1 : 1;
  }
  return rpmvercmp(ea.release, eb.release);
}

const EVR_PATTERN = /^(?:[0-9]+:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?$/;

export const rpm: VersionComparator = {
  name: 'rpm',
  compare: compareRpm,
  valid: (v) => EVR_PATTERN.test(v),
};
