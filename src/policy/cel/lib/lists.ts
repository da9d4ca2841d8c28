/**
 * Kubernetes lists library (k8s.io/apiserver/pkg/cel/library/lists.go: isSorted, sum, min, max, indexOf,
 * lastIndexOf) and the cel-go ext lists functions Kubernetes enables (slice, flatten, sort, distinct,
 * reverse, first, last, lists.range).
 */
import type { CelLibrary } from '../library.js';
import { namespace } from '../library.js';
import { charge } from '../limits.js';
import { celCompare, celEquals } from './compare.js';

type List = readonly unknown[];

function isSorted(list: List): boolean {
  charge(list.length);
  for (let i = 1; i < list.length; i++) if (celCompare(list[i - 1], list[i]) > 0) return false;
  return true;
}

function sum(list: List): unknown {
  charge(list.length);
  if (list.length === 0) return 0n; // Kubernetes: the zero value of the element type; int for an empty literal
  let acc: unknown = list[0];
  for (let i = 1; i < list.length; i++) acc = add(acc, list[i]);
  return acc;
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const r = a + b;
    if (r > 2n ** 63n - 1n || r < -(2n ** 63n)) throw new RangeError('int overflow in sum()');
    return r;
  }
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  throw new TypeError('sum() needs a list of int or a list of double');
}

function extreme(name: string, sign: number): (list: List) => unknown {
  return (list) => {
    charge(list.length);
    if (list.length === 0) throw new RangeError(`${name}(list) called on empty list`);
    let best: unknown = list[0];
    for (let i = 1; i < list.length; i++) if (celCompare(list[i], best) * sign > 0) best = list[i];
    return best;
  };
}

function indexOf(list: List, v: unknown): bigint {
  charge(list.length);
  return BigInt(list.findIndex((x) => celEquals(x, v)));
}

function lastIndexOf(list: List, v: unknown): bigint {
  charge(list.length);
  return BigInt(list.findLastIndex((x) => celEquals(x, v)));
}

function slice(list: List, start: bigint, end: bigint): unknown[] {
  if (start < 0n || end < 0n)
    throw new RangeError(`cannot slice(${start}, ${end}), negative indexes not supported`);
  if (start > end)
    throw new RangeError(
      `cannot slice(${start}, ${end}), start index must be less than or equal to end index`,
    );
  if (end > BigInt(list.length))
    throw new RangeError(`cannot slice(${start}, ${end}), list is length ${list.length}`);
  charge(Number(end - start));
  return list.slice(Number(start), Number(end));
}

function flatten(list: List, depth = 1n): unknown[] {
  if (depth < 0n) throw new RangeError('level must be non-negative');
  const out: unknown[] = [];
  const visit = (l: List, d: bigint): void => {
    charge(l.length);
    for (const v of l) {
      if (Array.isArray(v) && d > 0n) visit(v, d - 1n);
      else out.push(v);
    }
  };
  visit(list, depth);
  return out;
}

function sort(list: List): unknown[] {
  charge(list.length * Math.max(1, Math.ceil(Math.log2(list.length + 1))));
  return [...list].sort(celCompare);
}

function distinct(list: List): unknown[] {
  charge(list.length * list.length);
  const out: unknown[] = [];
  for (const v of list) if (!out.some((x) => celEquals(x, v))) out.push(v);
  return out;
}

function range(_ns: object, n: bigint): bigint[] {
  if (n < 0n) throw new RangeError('lists.range() needs a non-negative length');
  charge(Number(n));
  return Array.from({ length: Number(n) }, (_, i) => BigInt(i));
}

export const listsLibrary: CelLibrary = {
  ...namespace('lists', 'KubewardLists'),
  functions: [
    ['list.isSorted(): bool', isSorted],
    ['list.sum(): dyn', sum],
    ['list.min(): dyn', extreme('min', -1)],
    ['list.max(): dyn', extreme('max', 1)],
    ['list.indexOf(dyn): int', indexOf],
    ['list.lastIndexOf(dyn): int', lastIndexOf],
    ['list.slice(int, int): list', slice],
    ['list.flatten(): list', (l: List) => flatten(l)],
    ['list.flatten(int): list', flatten],
    ['list.sort(): list', sort],
    ['list.distinct(): list', distinct],
    ['list.reverse(): list', (l: List) => (charge(l.length), [...l].reverse())],
    ['KubewardLists.range(int): list<int>', range],
  ],
};
