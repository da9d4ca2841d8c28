import { test } from 'node:test';
import assert from 'node:assert/strict';
import { semver, semverLoose } from './semver.js';
import { chainPairs, checkGarbage, checkOrderProperties, checkPairs, type Pair } from './test-helpers.js';

// semver.org spec item 11 examples, in increasing order.
const SPEC_CHAIN = [
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-alpha.beta',
  '1.0.0-beta',
  '1.0.0-beta.2',
  '1.0.0-beta.11',
  '1.0.0-rc.1',
  '1.0.0',
  '2.0.0',
  '2.1.0',
  '2.1.1',
];

const PAIRS: readonly Pair[] = [
  ['1.0.0', '<', '2.0.0'],
  ['2.0.0', '<', '2.1.0'],
  ['1.9.0', '<', '1.10.0'],
  ['1.0.0+build.1', '=', '1.0.0+build.2'],
  ['1.0.0-alpha+001', '=', '1.0.0-alpha'],
  ['1.0.0-1', '<', '1.0.0-a'],
  ['1.0.0-2', '<', '1.0.0-10'],
  ['1.0.0-Z', '<', '1.0.0-a'],
  ['1.0.0-a-b', '>', '1.0.0-a'],
  ['1.0.0-x.7.z.92', '<', '1.0.0-x.7.z.93'],
  ['99999999999999999999.0.0', '>', '9999999999999999999.0.0'],
  // Go module versions
  ['v1.2.3', '=', '1.2.3'],
  ['v2.0.0+incompatible', '=', 'v2.0.0'],
  ['v2.0.0+incompatible', '>', 'v1.9.9'],
  ['v0.0.0-20210101000000-abcdef123456', '<', 'v0.0.0-20210102000000-abcdef123456'],
  ['v0.0.0-20210102000000-abcdef123456', '<', 'v0.0.1'],
  ['v1.2.4-0.20210101000000-abcdef123456', '>', 'v1.2.3'],
  ['v1.2.4-0.20210101000000-abcdef123456', '<', 'v1.2.4'],
  ['v1.2.4-pre.0.20210101000000-abcdef123456', '>', 'v1.2.4-pre'],
  ['v0.38.0', '>', 'v0.37.1-0.20230101000000-000000000000'],
];

test('semver: spec precedence chain and pairs', () => {
  checkPairs(semver, chainPairs(SPEC_CHAIN));
  checkPairs(semver, PAIRS);
});

test('semver: valid()', () => {
  for (const v of [
    ...SPEC_CHAIN,
    'v1.2.3',
    '0.0.0',
    '1.0.0-0A.is.legal',
    '1.0.0+0.build.1-rc.10000aaa-kk-0.1',
  ]) {
    assert.equal(semver.valid(v), true, v);
  }
  for (const v of [
    '1',
    '1.2',
    '1.2.3.4',
    '01.2.3',
    '1.02.3',
    '1.2.3-01',
    '1.2.3-',
    '1.2.3+',
    'vv1.2.3',
    ' 1.2.3',
    '1.2.3-a..b',
    'V1.2.3',
  ]) {
    assert.equal(semver.valid(v), false, v);
  }
});

test('semver: antisymmetry, transitivity, shuffled sorting, garbage', () => {
  checkOrderProperties(semver, SPEC_CHAIN);
  checkGarbage(semver, SPEC_CHAIN);
  assert.ok(semver.compare('1.2', '0.0.1') < 0, 'invalid sorts before valid');
});

const COMPOSER_CHAIN = [
  '1.0.0-dev',
  '1.0.0-alpha1',
  '1.0.0-alpha2',
  '1.0.0-beta1',
  '1.0.0-RC1',
  '1.0.0RC2',
  '1.0.0',
  '1.0.0-p1',
  '1.0.0.1',
  'v1.0.1',
  '1.1',
  '1.10',
  '2.0-beta.1',
  '2',
];

test('semver-loose (Packagist): Composer-style versions', () => {
  checkPairs(semverLoose, chainPairs(COMPOSER_CHAIN));
  checkPairs(semverLoose, [
    ['1.2', '=', '1.2.0.0'],
    ['v2.0.0', '=', '2.0.0'],
    ['1.0.0-beta', '=', '1.0.0-b'],
    ['1.0.0-patch2', '=', '1.0.0-pl2'],
    ['1.0.0+abc', '=', '1.0.0'],
  ]);
  checkOrderProperties(semverLoose, COMPOSER_CHAIN);
  checkGarbage(semverLoose, COMPOSER_CHAIN);
  assert.equal(semverLoose.valid('dev-master'), false);
});
