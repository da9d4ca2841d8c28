/**
 * cel-go ext strings functions that Kubernetes enables and the base library lacks: charAt, replace, reverse,
 * strings.quote and format. (indexOf, lastIndexOf, lowerAscii, upperAscii, split, substring, trim and join
 * are in the base library.) Indexes count Unicode code points, as cel-go counts runes.
 */
import type { CelLibrary } from '../library.js';
import { namespace } from '../library.js';
import { assertBuildable, chargeString } from '../limits.js';
import { OVERRIDDEN } from './overrides.js';
import { formatString } from './string-format.js';

function charAt(s: string, i: bigint): string {
  chargeString(s.length);
  const chars = Array.from(s);
  if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
  return chars[Number(i)] ?? '';
}

function replace(s: string, from: string, to: string, n = -1n): string {
  chargeString(s.length);
  if (n === 0n) return s;
  if (from === '') return replaceEmpty(s, to, n);
  // size the result before building it: `s.replace('', big)` or many matches of a short needle can explode
  const parts = s.split(from);
  const count = n < 0n ? parts.length - 1 : Math.min(parts.length - 1, Number(n));
  assertBuildable(s.length + count * (to.length - from.length));
  if (count === parts.length - 1) return parts.join(to);
  return parts.slice(0, count + 1).join(to) + from + parts.slice(count + 1).join(from);
}

/** Go's strings.Replace with an empty `old`: a match before each code point and at the end. */
function replaceEmpty(s: string, to: string, n: bigint): string {
  const chars = Array.from(s);
  const count = n < 0n ? chars.length + 1 : Math.min(chars.length + 1, Number(n));
  assertBuildable(s.length + count * to.length);
  let out = '';
  for (let i = 0; i <= chars.length; i++) out += (i < count ? to : '') + (chars[i] ?? '');
  return out;
}

/** lowerAscii/upperAscii change A-Z/a-z only (the base library's versions are Unicode-wide). */
function lowerAscii(s: string): string {
  chargeString(s.length);
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function upperAscii(s: string): string {
  chargeString(s.length);
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

function reverse(s: string): string {
  chargeString(s.length);
  return Array.from(s).reverse().join('');
}

const QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** strings.quote: a double-quoted CEL string literal for `s`. */
function quote(_ns: object, s: string): string {
  chargeString(s.length);
  // lone surrogates are invalid UTF-8 in Go and become U+FFFD there
  let out = '"';
  for (const c of s.replace(LONE_SURROGATE, '\uFFFD')) out += QUOTE_ESCAPES[c] ?? c;
  return `${out}"`;
}

export const stringsLibrary: CelLibrary = {
  ...namespace('strings', 'KubewardStrings'),
  functions: [
    ['string.charAt(int): string', charAt],
    ['string.replace(string, string): string', (s: string, a: string, b: string) => replace(s, a, b)],
    ['string.replace(string, string, int): string', replace],
    ['string.reverse(): string', reverse],
    [`string.${OVERRIDDEN.lowerAscii}(): string`, lowerAscii],
    [`string.${OVERRIDDEN.upperAscii}(): string`, upperAscii],
    ['KubewardStrings.quote(string): string', quote],
    ['string.format(list): string', formatString],
  ],
};
