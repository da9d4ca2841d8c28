import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nuget } from './nuget.js';
import { checkGarbage, checkOrderProperties, checkPairs, type Pair } from './test-helpers.js';

// NuGet.Versioning VersionComparerTests-style cases and real package versions.
const PAIRS: readonly Pair[] = [
  ['1.0.0', '=', '1.0'],
  ['1.0.0', '=', '1'],
  ['1.0.0', '=', '1.0.0.0'],
  ['1.0.0-BETA', '=', '1.0.0-beta'],
  ['1.0.0-beta+AA', '=', '1.0.0-beta+BB'],
  ['1.0.0+metadata', '=', '1.0.0'],
  ['1.0.0-beta.1', '<', '1.0.0-beta.2'],
  ['1.0.0-beta.2', '<', '1.0.0-beta.10'],
  ['1.0.0-alpha', '<', '1.0.0-beta'],
  ['1.0.0-beta.1', '>', '1.0.0-beta'],
  ['1.0.0', '>', '1.0.0-rc'],
  ['1.0.0.1', '>', '1.0.0'],
  ['1.0.0.1-alpha', '<', '1.0.0.1'],
  ['1.0.0.1-alpha', '>', '1.0.0'],
  ['2.0.0.0', '>', '1.9.9.9'],
  ['1.0.0-1', '<', '1.0.0-a'],
  ['1.0.0-A', '<', '1.0.0-b'],
  ['1.0.0-a', '<', '1.0.0-B'],
  ['1.0.0-Alpha.1', '=', '1.0.0-alpha.1'],
  ['1.0.10', '>', '1.0.9'],
  ['13.0.1', '>', '12.0.3'],
  ['6.0.0-preview.7.21377.19', '<', '6.0.0-rc.1.21451.13'],
  ['6.0.0-rc.1.21451.13', '<', '6.0.0'],
  ['4.7.0', '<', '4.7.1'],
  ['4.3.0', '<', '4.3.1'],
  ['5.0.0-beta.20', '>', '5.0.0-beta.3'],
  ['1.01', '=', '1.1'],
  [' 1.0.0 ', '=', '1.0.0'],
  ['1.0.0-a-b', '>', '1.0.0-a'],
  ['1.0.0-a.b', '>', '1.0.0-a'],
];

const SORTED = [
  '0.9',
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-Beta',
  '1.0.0-rc.1',
  '1.0',
  '1.0.0.1-beta',
  '1.0.0.1',
  '1.0.1',
  '1.1',
  '2',
];

test('nuget: ordering pairs', () => {
  const n = checkPairs(nuget, PAIRS);
  assert.ok(n >= 25);
});

test('nuget: valid()', () => {
  for (const v of ['1', '1.0', '1.0.0', '1.0.0.0', '1.0.0-beta', '1.0.0-beta.1+sha.abc', '2147483647.0'])
    assert.equal(nuget.valid(v), true, v);
  for (const v of [
    '',
    'a',
    '1.0.0.0.0',
    '1.0.0-',
    '1.0.0-01',
    '1..0',
    '2147483648.0',
    '1.0.0-beta_1',
    '-1.0',
  ]) {
    assert.equal(nuget.valid(v), false, JSON.stringify(v));
  }
});

test('nuget: antisymmetry, transitivity, shuffled sorting, garbage', () => {
  checkOrderProperties(nuget, SORTED);
  checkGarbage(nuget, SORTED);
});
