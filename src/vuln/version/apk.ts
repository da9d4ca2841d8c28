import type { VersionComparator } from './comparator.js';
import { compareDigits, isDigitCode, ParseCache } from './util.js';

/**
 * Alpine (and Wolfi / Chainguard) apk versions, ordered as apk-tools' `apk_version_compare` (src/version.c, the
 * token-state implementation of apk-tools 2.14 / 3.x):
 *
 *   digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}
 *
 * Tokens are compared pairwise while both sides have the same token type:
 * - the first number and suffix / revision numbers compare numerically;
 * - later dotted numbers compare numerically, unless either starts with '0', in which case they compare as raw
 *   strings (Gentoo rule: 1.05 < 1.1, 8.2.0015 < 8.2.002);
 * - the letter compares by character; suffixes by rank: _alpha < _beta < _pre < _rc < (none) < _cvs < _svn <
 *   _git < _hg < _p; `~hash` by raw string.
 * When the token types first differ, a pre-release suffix (_alpha.._rc) is older; otherwise the side whose next
 * token ranks later in the grammar (digit, letter, suffix, suffix number, hash, revision, end, invalid) is older:
 * so 1.0 < 1.0.1 < 1.0a, 1.0_rc1 < 1.0 < 1.0-r1 and 1.0_p1 > 1.0.
 *
 * Invalid input (and any invalid tail) follows apk exactly: parsing stops at the first invalid token, which ranks
 * below every valid token except a pre-release suffix, and two strings that turn invalid at the same point after
 * equal prefixes are equal (apk: "1.0 < 1.0bc"). `valid()` is `apk_version_validate`.
 *
 * Deviation: apk-tools accumulates numbers in a fixed-width integer; here they compare by exact value, which only
 * differs for numbers that overflow it.
 */

const enum T {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  CommitHash = 5,
  RevisionNo = 6,
  End = 7,
  Invalid = 8,
}

const SUFFIX_NONE = 5;
const SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['alpha', 1],
  ['beta', 2],
  ['pre', 3],
  ['rc', 4],
  ['cvs', 6],
  ['svn', 7],
  ['git', 8],
  ['hg', 9],
  ['p', 10],
]);

interface Token {
  type: T;
  /** Raw text of the token (digits, letter, suffix word, hash). */
  value: string;
  /** Suffix rank for T.Suffix. */
  suffix: number;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isHex(c: number): boolean {
  return isDigitCode(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Tokenises like token_first/token_next; the list always ends with an End or Invalid token. */
function tokenize(v: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  // apk blobs stop at a NUL byte
  const nul = v.indexOf('\0');
  const len = nul >= 0 ? nul : v.length;

  const digits = (type: T): Token => {
    const start = pos;
    while (pos < len && isDigitCode(v.charCodeAt(pos))) pos++;
    if (pos === start) return { type: T.Invalid, value: '', suffix: 0 };
    return { type, value: v.slice(start, pos), suffix: 0 };
  };

  let t = digits(T.InitialDigit);
  out.push(t);
  while (t.type < T.End) {
    if (pos >= len) {
      t = { type: T.End, value: '', suffix: 0 };
      out.push(t);
      break;
    }
    const c = v.charCodeAt(pos);
    const prev = t.type;
    if (isLower(c)) {
      if (prev > T.Digit) t = { type: T.Invalid, value: '', suffix: 0 };
      else {
        t = { type: T.Letter, value: v[pos] ?? '', suffix: 0 };
        pos++;
      }
    } else if (c === 46 /* . */ || isDigitCode(c)) {
      if (c === 46 && prev > T.Digit) t = { type: T.Invalid, value: '', suffix: 0 };
      else {
        if (c === 46) pos++;
        if (prev === T.InitialDigit || prev === T.Digit) t = digits(T.Digit);
        else if (prev === T.Suffix) t = digits(T.SuffixNo);
        else t = { type: T.Invalid, value: '', suffix: 0 };
      }
    } else if (c === 95 /* _ */) {
      if (prev > T.SuffixNo) t = { type: T.Invalid, value: '', suffix: 0 };
      else {
        pos++;
        const start = pos;
        while (pos < len && isLower(v.charCodeAt(pos))) pos++;
        const word = v.slice(start, pos);
        const rank = SUFFIXES.get(word);
        t =
          rank === undefined
            ? { type: T.Invalid, value: '', suffix: 0 }
            : { type: T.Suffix, value: word, suffix: rank };
      }
    } else if (c === 126 /* ~ */) {
      if (prev >= T.CommitHash) t = { type: T.Invalid, value: '', suffix: 0 };
      else {
        pos++;
        const start = pos;
        while (pos < len && isHex(v.charCodeAt(pos))) pos++;
        t =
          pos === start
            ? { type: T.Invalid, value: '', suffix: 0 }
            : { type: T.CommitHash, value: v.slice(start, pos), suffix: 0 };
      }
    } else if (c === 45 /* - */) {
      if (prev >= T.RevisionNo || v.charCodeAt(pos + 1) !== 114 /* r */ || pos + 1 >= len) {
        t = { type: T.Invalid, value: '', suffix: 0 };
      } else {
        pos += 2;
        t = digits(T.RevisionNo);
      }
    } else {
      t = { type: T.Invalid, value: '', suffix: 0 };
    }
    out.push(t);
  }
  return out;
}

/** apk_blob_sort: memcmp over the common length, then the shorter first. */
function blobSort(a: string, b: string): number {
  const m = Math.min(a.length, b.length);
  for (let i = 0; i < m; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function tokenCmp(a: Token, b: Token): number {
  switch (a.type) {
    case T.Digit:
      if (a.value.charCodeAt(0) === 48 || b.value.charCodeAt(0) === 48) return blobSort(a.value, b.value);
      return compareDigits(a.value, b.value);
    case T.InitialDigit:
    case T.SuffixNo:
    case T.RevisionNo:
      return compareDigits(a.value, b.value);
    case T.Letter:
      return blobSort(a.value, b.value);
    case T.Suffix:
      return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
    default:
      return blobSort(a.value, b.value);
  }
}

const cache = new ParseCache(tokenize);

export function compareApk(a: string, b: string): number {
  const ta = cache.get(a) ?? [];
  const tb = cache.get(b) ?? [];
  let i = 0;
  let x = ta[0] as Token;
  let y = tb[0] as Token;
  for (;;) {
    x = ta[i] as Token;
    y = tb[i] as Token;
    if (!(x.type === y.type && x.type < T.End)) break;
    const r = tokenCmp(x, y);
    if (r !== 0) return r;
    i++;
  }
  if (x.type === y.type) return 0;
  if (x.type === T.Suffix && x.suffix < SUFFIX_NONE) return -1;
  if (y.type === T.Suffix && y.suffix < SUFFIX_NONE) return 1;
  if (x.type > y.type) return -1;
  if (y.type > x.type) return 1;
  return 0;
}

export function validApk(v: string): boolean {
  const t = cache.get(v) ?? [];
  return t[t.length - 1]?.type === T.End;
}

export const apk: VersionComparator = {
  name: 'apk',
  compare: compareApk,
  valid: validApk,
};
