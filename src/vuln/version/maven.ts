import type { VersionComparator } from './comparator.js';
import { compareDigits, compareStrings, isDigitCode, ParseCache } from './util.js';

/**
 * Maven versions, ordered as Maven 3.9's `org.apache.maven.artifact.versioning.ComparableVersion`:
 *
 * - the lower-cased string is split into items at '.', '-' and every digit/letter transition; '-' (and a
 *   letter/digit transition) opens a nested list, so `1-1` is [1, [1]] and "is always less important than
 *   something preceded with a dot"; since Maven 3.9 (MNG-7644) a qualifier after a dot is nested as if it
 *   followed a '-', so `1.0.0.RC1` < `1.0.0-RC2` < `1.0.1`;
 * - numbers compare by value (Maven keeps int/long/BigInteger items, which compare by size class first: this
 *   matters only for all-zero runs longer than 9 digits, and is reproduced);
 * - strings are qualifiers: alpha (`a` before a digit) < beta (`b`) < milestone (`m`) < rc = cr < snapshot <
 *   "" = ga = final = release < sp < any other string (lexically, case-insensitive);
 * - trailing "null" items (0, "", ga/final/release, empty lists) are trimmed, so 1 == 1.0 == 1-0 == 1.ga;
 * - number > list > qualifier when types differ; a missing item compares like 0 / "" (so 1-rc < 1 < 1-sp).
 *
 * Every string is a Maven version, so there is no fallback: `compare` is the ComparableVersion order for any
 * input. `valid()` only rejects the empty string and strings containing whitespace or control characters, which
 * never occur in real coordinates.
 */

const enum K {
  Num,
  Str,
  List,
}

interface NumItem {
  k: K.Num;
  /** Digits with leading zeros stripped (an all-zero run is kept as is, like Maven's stripLeadingZeroes). */
  v: string;
  /** 0 = IntItem (<= 9 digits), 1 = LongItem (<= 18), 2 = BigIntegerItem. */
  size: number;
  zero: boolean;
}
interface StrItem {
  k: K.Str;
  /** comparableQualifier(value). */
  q: string;
}
interface ListItem {
  k: K.List;
  items: Item[];
}
type Item = NumItem | StrItem | ListItem;

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['ga', ''],
  ['final', ''],
  ['release', ''],
  ['cr', 'rc'],
]);
const RELEASE_VERSION_INDEX = String(QUALIFIERS.indexOf(''));
const ZERO: NumItem = { k: K.Num, v: '0', size: 0, zero: true };

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function stringItem(value: string, followedByDigit: boolean): StrItem {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  v = ALIASES.get(v) ?? v;
  return { k: K.Str, q: comparableQualifier(v) };
}

function numItem(buf: string): NumItem {
  let i = 0;
  while (i < buf.length && buf.charCodeAt(i) === 48) i++;
  const v = i === buf.length ? buf : buf.slice(i);
  const size = v.length <= 9 ? 0 : v.length <= 18 ? 1 : 2;
  return { k: K.Num, v, size, zero: i === buf.length };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? numItem(buf) : stringItem(buf, false);
}

function isNull(item: Item): boolean {
  switch (item.k) {
    case K.Num:
      return item.zero;
    case K.Str:
      return item.q === RELEASE_VERSION_INDEX;
    case K.List:
      return item.items.length === 0;
  }
}

function normalize(list: ListItem): void {
  const items = list.items;
  for (let i = items.length - 1; i >= 0; i--) {
    const last = items[i] as Item;
    if (isNull(last)) items.splice(i, 1);
    else if (last.k !== K.List) break;
  }
}

function parseUncached(version: string): ListItem {
  const v = version.toLowerCase();
  const root: ListItem = { k: K.List, items: [] };
  let list = root;
  const stack: ListItem[] = [root];
  const push = (): void => {
    const sub: ListItem = { k: K.List, items: [] };
    list.items.push(sub);
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46 /* . */) {
      list.items.push(i === start ? ZERO : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
    } else if (c === 45 /* - */) {
      list.items.push(i === start ? ZERO : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      push();
    } else if (isDigitCode(c)) {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any string qualifier X
        if (list.items.length > 0) push();
        list.items.push(stringItem(v.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, v.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    if (!isDigit && list.items.length > 0) push();
    list.items.push(parseItem(isDigit, v.slice(start)));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i] as ListItem);
  return root;
}

const cache = new ParseCache(parseUncached);

/** Item.compareTo(other), where `undefined` is Java's null (a missing item). */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.k) {
    case K.Num:
      if (b === undefined) return a.zero ? 0 : 1;
      if (b.k !== K.Num) return 1; // 1.1 > 1-sp, 1.1 > 1-1
      if (a.size !== b.size) return a.size < b.size ? -1 : 1;
      return compareDigits(a.v, b.v);
    case K.Str:
      if (b === undefined) return compareStrings(a.q, RELEASE_VERSION_INDEX);
      if (b.k === K.Str) return compareStrings(a.q, b.q);
      return -1; // 1.any < 1.1, 1.any < 1-1
    case K.List:
      if (b === undefined) {
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.k === K.Num) return -1; // 1-1 < 1.0.x
      if (b.k === K.Str) return 1; // 1-1 > 1-sp
      return compareLists(a.items, b.items);
  }
}

function compareLists(a: readonly Item[], b: readonly Item[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i];
    const r = b[i];
    const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

export function compareMaven(a: string, b: string): number {
  return compareLists(cache.get(a)?.items ?? [], cache.get(b)?.items ?? []);
}

const INVALID_CHARS = /[\s\p{Cc}]/u;

export const maven: VersionComparator = {
  name: 'maven',
  compare: compareMaven,
  valid: (v) => v.length > 0 && !INVALID_CHARS.test(v),
};
