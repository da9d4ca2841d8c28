import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maven } from './maven.js';
import { chainPairs, checkGarbage, checkOrderProperties, checkPairs, type Pair } from './test-helpers.js';

// From Maven's ComparableVersionTest (maven-artifact 3.9.x).
const VERSIONS_QUALIFIER = [
  '1-alpha2snapshot',
  '1-alpha2',
  '1-alpha-123',
  '1-beta-2',
  '1-beta123',
  '1-m2',
  '1-m11',
  '1-rc',
  '1-cr2',
  '1-rc123',
  '1-SNAPSHOT',
  '1',
  '1-sp',
  '1-sp2',
  '1-sp123',
  '1-abc',
  '1-def',
  '1-pom-1',
  '1-1-snapshot',
  '1-1',
  '1-2',
  '1-123',
];

const VERSIONS_NUMBER = [
  '2.0',
  '2.0.a',
  '2-1',
  '2.0.2',
  '2.0.123',
  '2.1.0',
  '2.1-a',
  '2.1b',
  '2.1-c',
  '2.1-1',
  '2.1.0.1',
  '2.2',
  '2.123',
  '11.a2',
  '11.a11',
  '11.b2',
  '11.b11',
  '11.m2',
  '11.m11',
  '11',
  '11.a',
  '11b',
  '11c',
  '11m',
];

const EQUAL: readonly (readonly [string, string])[] = [
  ['1', '1'],
  ['1', '1.0'],
  ['1', '1.0.0'],
  ['1.0', '1.0.0'],
  ['1', '1-0'],
  ['1', '1.0-0'],
  ['1.0', '1.0-0'],
  ['1a', '1-a'],
  ['1a', '1.0-a'],
  ['1a', '1.0.0-a'],
  ['1.0a', '1-a'],
  ['1.0.0a', '1-a'],
  ['1x', '1-x'],
  ['1x', '1.0-x'],
  ['1x', '1.0.0-x'],
  ['1.0x', '1-x'],
  ['1.0.0x', '1-x'],
  ['1cr', '1rc'],
  ['1a1', '1-alpha-1'],
  ['1b2', '1-beta-2'],
  ['1m3', '1-milestone-3'],
  ['1X', '1x'],
  ['1A', '1a'],
  ['1B', '1b'],
  ['1M', '1m'],
  ['1Cr', '1Rc'],
  ['1cR', '1rC'],
  ['1m3', '1Milestone3'],
  ['1m3', '1MileStone3'],
  ['1m3', '1MILESTONE3'],
  ['1ga', '1'],
  ['1release', '1'],
  ['1final', '1'],
  ['1Ga', '1'],
  ['1GA', '1'],
  ['1RELEASE', '1'],
  ['1release', '1'],
  ['1RELeaSE', '1'],
  ['1Final', '1'],
  ['1FinaL', '1'],
  ['1FINAL', '1'],
  ['1-abcdefghijklmnopqrstuvwxyz', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
];

const ORDER: readonly Pair[] = [
  ['1', '<', '2'],
  ['1.5', '<', '2'],
  ['1', '<', '2.5'],
  ['1.0', '<', '1.1'],
  ['1.1', '<', '1.2'],
  ['1.0.0', '<', '1.1'],
  ['1.0.1', '<', '1.1'],
  ['1.1', '<', '1.2.0'],
  ['1.0-alpha-1', '<', '1.0'],
  ['1.0-alpha-1', '<', '1.0-alpha-2'],
  ['1.0-alpha-1', '<', '1.0-beta-1'],
  ['1.0-beta-1', '<', '1.0-SNAPSHOT'],
  ['1.0-SNAPSHOT', '<', '1.0'],
  ['1.0-alpha-1-SNAPSHOT', '<', '1.0-alpha-1'],
  ['1.0', '<', '1.0-1'],
  ['1.0-1', '<', '1.0-2'],
  ['1.0.0', '<', '1.0-1'],
  ['2.0-1', '<', '2.0.1'],
  ['2.0.1-klm', '<', '2.0.1-lmn'],
  ['2.0.1', '<', '2.0.1-xyz'],
  ['2.0.1', '<', '2.0.1-123'],
  ['2.0.1-xyz', '<', '2.0.1-123'],
  // MNG-5568
  ['6.1.0rc3', '<', '6.1.0'],
  ['6.1.0', '<', '6.1H.5-beta'],
  ['6.1.0rc3', '<', '6.1H.5-beta'],
  // MNG-6572: int / long / BigInteger items
  ['20190126.230843', '<', '1234567890.12345'],
  ['1234567890.12345', '<', '123456789012345.1H.5-beta'],
  ['20190126.230843', '<', '123456789012345.1H.5-beta'],
  ['123456789012345.1H.5-beta', '<', '12345678901234567890.1H.5-beta'],
  ['20190126.230843', '<', '12345678901234567890.1H.5-beta'],
  ['1234567890.12345', '<', '12345678901234567890.1H.5-beta'],
  // MNG-6964
  ['1-0.alpha', '<', '1'],
  ['1-0.beta', '<', '1'],
  ['1-0.alpha', '<', '1-0.beta'],
  // MNG-7644: 1.0.0.X1 < 1.0.0-X2 < 1.0.1 for any string X
  ['1.0.0.RC1', '<', '1.0.0-RC2'],
  ['1.0.0-RC2', '<', '1.0.1'],
  ['1.0.0.abc1', '<', '1.0.0-abc2'],
  ['1.0.0.alpha1', '<', '1.0.0-alpha2'],
  ['1.0.0.a1', '<', '1.0.0-a2'],
  ['1.0.0.beta1', '<', '1.0.0-beta2'],
  ['1.0.0.b1', '<', '1.0.0-b2'],
  ['1.0.0.def1', '<', '1.0.0-def2'],
  ['1.0.0.milestone1', '<', '1.0.0-milestone2'],
  ['1.0.0.m1', '<', '1.0.0-m2'],
  ['2.0.RC1', '<', '2-RC2'],
  ['2.0.RC1', '<', '2.0-RC2'],
  // realistic Maven Central versions
  ['2.14.0-rc1', '<', '2.14.0'],
  ['2.14.0', '<', '2.14.0.1'],
  ['5.3.18', '<', '5.3.20'],
  ['5.3.20.RELEASE', '=', '5.3.20'],
  ['3.1.0.Final', '=', '3.1.0'],
  ['2.17.1', '>', '2.17.0'],
  ['2.0-beta9', '<', '2.0-rc1'],
  ['9.4.43.v20210629', '<', '9.4.44.v20210927'],
  ['1.2.3-SNAPSHOT', '<', '1.2.3'],
  ['31.1-jre', '>', '31.1-android'],
  ['31.1-jre', '<', '32.0.0-jre'],
  ['1.0.0-M1', '<', '1.0.0-RC1'],
  ['1.0.0-SP1', '>', '1.0.0'],
  ['1.0.0-sp1', '<', '1.0.0-abc'],
];

test('maven: ComparableVersionTest VERSIONS_QUALIFIER and VERSIONS_NUMBER orders', () => {
  checkPairs(maven, chainPairs(VERSIONS_QUALIFIER));
  checkPairs(maven, chainPairs(VERSIONS_NUMBER));
});

test('maven: ComparableVersionTest equalities (aliases, case, trailing nulls)', () => {
  checkPairs(
    maven,
    EQUAL.map(([a, b]): Pair => [a, '=', b]),
  );
});

test('maven: ordering pairs (ComparableVersionTest, MNG-5568/6572/6964/7644, real versions)', () => {
  const n = checkPairs(maven, ORDER);
  assert.ok(n >= 40);
});

test('maven: valid()', () => {
  for (const v of ['1', '1.0-SNAPSHOT', '2.14.0-rc1', '9.4.43.v20210629', 'weird-but-ok'])
    assert.equal(maven.valid(v), true);
  for (const v of ['', '1.0 beta', '1.0\n', '\t']) assert.equal(maven.valid(v), false, JSON.stringify(v));
});

test('maven: antisymmetry, transitivity and shuffled sorting', () => {
  checkOrderProperties(maven, VERSIONS_QUALIFIER);
  checkOrderProperties(maven, VERSIONS_NUMBER);
});

test('maven: never throws on garbage', () => {
  checkGarbage(maven, [...VERSIONS_QUALIFIER, ...VERSIONS_NUMBER]);
});
