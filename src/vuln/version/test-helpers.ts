// Shared assertions for the comparator tests (not a test file itself).
import assert from 'node:assert/strict';
import type { VersionComparator } from './comparator.js';

export type Op = '<' | '=' | '>';
export type Pair = readonly [string, Op, string];

const SIGN: Record<Op, number> = { '<': -1, '=': 0, '>': 1 };

export function sgn(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * When the comparator has sort keys: a key exactly for the valid versions, and for every two of them the keys'
 * code-unit order is the comparator's order. Every corpus checked below goes through this too.
 */
export function checkSortKeys(cmp: VersionComparator, versions: readonly string[]): void {
  if (!cmp.sortKey) return;
  const keyed: [string, string][] = [];
  for (const v of new Set(versions)) {
    const k = cmp.sortKey(v);
    assert.equal(k !== undefined, cmp.valid(v), `${cmp.name}: sort key of ${JSON.stringify(v)}: ${k}`);
    if (k !== undefined) keyed.push([v, k]);
  }
  const failures: string[] = [];
  for (const [a, ka] of keyed)
    for (const [b, kb] of keyed) {
      const want = sgn(cmp.compare(a, b));
      const got = ka < kb ? -1 : ka > kb ? 1 : 0;
      if (got !== want) failures.push(`${a} vs ${b}: compare ${want}, keys ${got} (${ka} / ${kb})`);
    }
  assert.deepEqual(failures.slice(0, 10), [], `${cmp.name}: ${failures.length} key pairs disagree`);
}

/** Asserts every pair in both directions and returns how many pairs were checked. */
export function checkPairs(cmp: VersionComparator, pairs: readonly Pair[]): number {
  checkSortKeys(
    cmp,
    pairs.flatMap(([a, , b]) => [a, b]),
  );
  const failures: string[] = [];
  for (const [a, op, b] of pairs) {
    const want = SIGN[op];
    const got = sgn(cmp.compare(a, b));
    const back = sgn(cmp.compare(b, a));
    if (got !== want || back !== -want) failures.push(`${a} ${op} ${b}: got ${got}, reversed ${back}`);
  }
  assert.deepEqual(failures, [], `${cmp.name}: ${failures.length} of ${pairs.length} pairs wrong`);
  return pairs.length;
}

/** Every element of `chain` must be strictly lower than every later one (like Maven's checkVersionsOrder). */
export function chainPairs(chain: readonly string[]): Pair[] {
  const out: Pair[] = [];
  for (let i = 0; i < chain.length; i++)
    for (let j = i + 1; j < chain.length; j++) out.push([chain[i] as string, '<', chain[j] as string]);
  return out;
}

/** Deterministic PRNG (mulberry32) so shuffles are reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const r = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Order properties over a version list: reflexivity, antisymmetry on all pairs, transitivity on all triples,
 * and that sorting several shuffles yields the same order as `sorted` (which must be given in ascending order;
 * equal neighbours are allowed).
 */
export function checkOrderProperties(cmp: VersionComparator, sorted: readonly string[]): void {
  checkSortKeys(cmp, sorted);
  const n = sorted.length;
  const m: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(sgn(cmp.compare(sorted[i] as string, sorted[j] as string)));
    m.push(row);
  }
  const at = (i: number, j: number): number => (m[i] as number[])[j] as number;
  for (let i = 0; i < n; i++) {
    assert.equal(at(i, i), 0, `${cmp.name}: ${sorted[i]} not equal to itself`);
    for (let j = 0; j < n; j++) {
      assert.equal(at(i, j), sgn(-at(j, i)), `${cmp.name}: antisymmetry ${sorted[i]} vs ${sorted[j]}`);
    }
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (at(i, j) > 0) continue;
      for (let k = 0; k < n; k++) {
        if (at(j, k) > 0) continue;
        // i <= j and j <= k  =>  i <= k, and strict if either step is strict
        const strict = at(i, j) < 0 || at(j, k) < 0;
        const ik = at(i, k);
        assert.ok(
          strict ? ik < 0 : ik === 0,
          `${cmp.name}: transitivity ${sorted[i]} / ${sorted[j]} / ${sorted[k]}`,
        );
      }
    }
  for (let i = 1; i < n; i++) {
    assert.ok(at(i - 1, i) <= 0, `${cmp.name}: expected ${sorted[i - 1]} <= ${sorted[i]}`);
  }
  for (const seed of [1, 2, 3, 42, 1234]) {
    const resorted = shuffle(sorted, seed).sort((a, b) => cmp.compare(a, b));
    for (let i = 0; i < n; i++) {
      assert.equal(
        sgn(cmp.compare(resorted[i] as string, sorted[i] as string)),
        0,
        `${cmp.name}: shuffle seed ${seed} position ${i}: ${resorted[i]} vs ${sorted[i]}`,
      );
    }
  }
}

/** Strings no comparator should throw on. */
export const GARBAGE: readonly string[] = [
  '',
  ' ',
  '\t',
  '-',
  ':',
  '::',
  '~',
  '^',
  '+',
  '.',
  '..',
  'v',
  'latest',
  '*',
  '>=1.0',
  '1.0 || 2.0',
  '1:',
  ':1',
  'a:b-c',
  '-1',
  '1-',
  '1..2',
  '99999999999999999999999999999999.1',
  '1.0\u0000x',
  '\u00e9t\u00e9',
  '\u{1F600}',
  '0x1F',
  'null',
  'undefined',
  '1.0-r',
  '_',
  '1_',
  '1.0+',
  '1!',
  '!1',
  'v1.2.3-',
];

/** compare/valid never throw, compare is reflexive and antisymmetric over garbage mixed with real versions. */
export function checkGarbage(cmp: VersionComparator, real: readonly string[]): void {
  const all = [...GARBAGE, ...real];
  checkSortKeys(cmp, all);
  for (const a of all) {
    assert.doesNotThrow(() => cmp.valid(a), `${cmp.name}.valid(${JSON.stringify(a)})`);
    for (const b of all) {
      let ab = 0;
      let ba = 0;
      assert.doesNotThrow(
        () => {
          ab = sgn(cmp.compare(a, b));
          ba = sgn(cmp.compare(b, a));
        },
        `${cmp.name}.compare(${JSON.stringify(a)}, ${JSON.stringify(b)})`,
      );
      assert.equal(ab, sgn(-ba), `${cmp.name}: antisymmetry on ${JSON.stringify(a)} / ${JSON.stringify(b)}`);
    }
  }
  // a total order even with garbage: sorting is stable under shuffling
  const base = [...all].sort((x, y) => cmp.compare(x, y));
  for (const seed of [7, 8, 9]) {
    const again = shuffle(all, seed).sort((x, y) => cmp.compare(x, y));
    for (let i = 0; i < base.length; i++) {
      assert.equal(
        sgn(cmp.compare(again[i] as string, base[i] as string)),
        0,
        `${cmp.name}: garbage sort ${i}`,
      );
    }
  }
}
