/** Kubernetes sets library (k8s.io/apiserver/pkg/cel/library/sets.go, from cel-go ext): list-as-set tests. */
import type { CelLibrary } from '../library.js';
import { namespace } from '../library.js';
import { charge } from '../limits.js';
import { celEquals } from './compare.js';

function includes(list: readonly unknown[], v: unknown): boolean {
  return list.some((x) => celEquals(x, v));
}

/** Every element of `b` is in `a` (`sets.contains([], [])` is true). */
function contains(_ns: object, a: readonly unknown[], b: readonly unknown[]): boolean {
  charge(a.length * b.length);
  return b.every((v) => includes(a, v));
}

/** Same elements, ignoring order and duplicates. */
function equivalent(ns: object, a: readonly unknown[], b: readonly unknown[]): boolean {
  return contains(ns, a, b) && contains(ns, b, a);
}

function intersects(_ns: object, a: readonly unknown[], b: readonly unknown[]): boolean {
  charge(a.length * b.length);
  return b.some((v) => includes(a, v));
}

export const setsLibrary: CelLibrary = {
  ...namespace('sets', 'KubewardSets'),
  functions: [
    ['KubewardSets.contains(list, list): bool', contains],
    ['KubewardSets.equivalent(list, list): bool', equivalent],
    ['KubewardSets.intersects(list, list): bool', intersects],
  ],
};
