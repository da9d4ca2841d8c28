// Sort keys against their comparators on generated versions: every pair's key order must be the compare order.
// The hand-written corpora of each comparator's own tests go through the same check (test-helpers.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { semverComparator } from '../match/semver.js';
import { pep440 } from './pep440.js';
import { semver } from './semver.js';
import { dottedNumbers, numberKey, rawNumberKey } from './sort-key.js';
import { checkSortKeys, rng } from './test-helpers.js';

type Pick = <T>(xs: readonly T[]) => T;

function picker(seed: number): { pick: Pick; chance: (p: number) => boolean; r: () => number } {
  const r = rng(seed);
  return {
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T,
    chance: (p: number) => r() < p,
    r,
  };
}

// Small numbers collide often (so equal fields are exercised); a few are long enough to overflow a double.
const NUMBERS = [
  '0',
  '1',
  '2',
  '9',
  '10',
  '11',
  '99',
  '100',
  '2024',
  '20210101000000',
  '123456789012345678901234567890',
];

function semverLike(seed: number, n: number, leadingZeros: boolean): string[] {
  const { pick, chance } = picker(seed);
  const ids = ['alpha', 'beta', 'rc', 'a', 'A', 'Z', 'a-b', 'x-1', '1a', '-', '--', 'alpha1', 'abc-def'];
  const zeroIds = leadingZeros ? ['01', '007', '00'] : [];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = `${chance(0.2) ? 'v' : ''}${pick(NUMBERS.slice(0, 6))}.${pick(NUMBERS)}.${pick(NUMBERS)}`;
    if (chance(0.6)) {
      const parts: string[] = [];
      const count = 1 + Math.floor(picker(seed * 31 + i).r() * 4);
      for (let j = 0; j < count; j++) parts.push(chance(0.5) ? pick([...NUMBERS, ...zeroIds]) : pick(ids));
      v += `-${parts.join('.')}`;
    }
    if (chance(0.15)) v += `+${pick(['build.1', 'incompatible', 'sha.abc', '001'])}`;
    out.push(v);
  }
  return out;
}

function pep440Like(seed: number, n: number): string[] {
  const { pick, chance } = picker(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = chance(0.1) ? 'v' : '';
    if (chance(0.15)) v += `${pick(['0', '1', '2', '01'])}!`;
    const release: string[] = [];
    const parts = 1 + Math.floor(picker(seed * 7 + i).r() * 4);
    for (let j = 0; j < parts; j++) release.push(pick(['0', '0', '00', '1', '2', '10', '010', '2024']));
    v += release.join('.');
    if (chance(0.35))
      v += `${pick(['', '.', '-', '_'])}${pick(['a', 'alpha', 'b', 'beta', 'c', 'rc', 'pre', 'preview', 'RC'])}${pick(['', '0', '1', '2', '01', '12'])}`;
    if (chance(0.3))
      v += chance(0.3)
        ? `-${pick(['1', '2', '0'])}`
        : `${pick(['', '.', '-', '_'])}${pick(['post', 'rev', 'r'])}${pick(['', '0', '1', '345'])}`;
    if (chance(0.3)) v += `${pick(['', '.', '-'])}${pick(['dev', 'DEV'])}${pick(['', '0', '1', '456'])}`;
    if (chance(0.3)) {
      const segs: string[] = [];
      const count = 1 + Math.floor(picker(seed * 13 + i).r() * 3);
      for (let j = 0; j < count; j++)
        segs.push(pick(['abc', 'ubuntu', 'cpu', '1', '01', '123', '123abc', 'a1', 'z']));
      v += `+${segs.join(pick(['.', '-', '_']))}`;
    }
    out.push(v);
  }
  return out;
}

test('number keys order by value (or by raw length for the match SEMVER rule)', () => {
  const k = (d: string): string => numberKey(d) as string;
  assert.equal(k('007'), k('7'));
  assert.ok(k('9') < k('10'));
  assert.ok(k('0') < k('1'));
  assert.ok(k('99999999999999999999') < k('100000000000000000000'));
  assert.ok((rawNumberKey('01') as string) > (rawNumberKey('9') as string));
  // A number too long for a length character gives no key: callers fall back to comparing.
  assert.equal(numberKey('1'.repeat(60_000)), undefined);
  assert.equal(numberKey('0'.repeat(60_000)), numberKey('0'));
});

test('keys avoid characters JSON must escape', () => {
  const versions = [...semverLike(5, 300, true), ...pep440Like(6, 300)];
  for (const cmp of [semver, semverComparator, pep440])
    for (const v of versions) {
      const key = cmp.sortKey?.(v);
      if (key !== undefined) assert.equal(JSON.stringify(key), `"${key}"`, `${cmp.name} ${v}`);
    }
});

test('SemVer keys agree with compare on generated versions', () => {
  for (const seed of [1, 2, 3]) checkSortKeys(semver, semverLike(seed, 350, false));
});

test('match SEMVER keys agree with compare, leading zeros in pre-release identifiers included', () => {
  for (const seed of [4, 5, 6]) checkSortKeys(semverComparator, semverLike(seed, 350, true));
  checkSortKeys(semverComparator, [' 1.2.3 ', '1.2.3', 'v1.2.3-01', 'v1.2.3-1', '1.2.3-9', '1.2.3-001']);
});

test('PEP 440 keys agree with compare on generated versions', () => {
  for (const seed of [7, 8, 9]) checkSortKeys(pep440, pep440Like(seed, 350));
});

test('a version too long to key is still valid; it is compared instead', () => {
  const huge = `1.0.${'9'.repeat(60_000)}`;
  assert.ok(semver.valid(huge));
  assert.equal(semver.sortKey?.(huge), undefined);
  assert.equal(pep440.sortKey?.(huge), undefined);
});

test('plain dotted releases (keyed without the grammar) order with every other shape', () => {
  const shapes = [
    '0',
    '00',
    '0.0',
    '0.0.0',
    '1',
    '1.0',
    '1.0.0',
    '01.2',
    '1.02',
    '1.2',
    '1.2.0',
    '1.2.3',
    '1.2.3.0',
    '1.2.3.4',
    'v1.2.3',
    'V1.2.3',
    'v01.2.3',
    '1.2.3-rc.1',
    '1.2.3rc1',
    '1.2.3.post1',
    '1.2.3+local',
    ' 1.2.3',
    '1.2.3 ',
    '1..2',
    '.1',
    '1.',
    'v',
    'v.1',
    '10.0.0',
    '9.99.99',
    '1.10.0',
    '1.9.0',
    '0.0.1',
    '00.0.1',
    `1.${'9'.repeat(40)}.0`,
    `1.${'9'.repeat(41)}.0`,
  ];
  for (const cmp of [semver, semverComparator, pep440]) checkSortKeys(cmp, shapes);
  assert.deepEqual(dottedNumbers('1.22.333', 0), ['1', '22', '333']);
  assert.deepEqual(dottedNumbers('v1.2', 1), ['1', '2']);
  for (const bad of ['', '1.', '.1', '1..2', '1.2a', ' 1', '1-2'])
    assert.equal(dottedNumbers(bad, 0), undefined, bad);
});
