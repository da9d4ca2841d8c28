import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rubygems } from './rubygems.js';
import { checkGarbage, checkOrderProperties, checkPairs, type Pair } from './test-helpers.js';

// rubygems test/rubygems/test_gem_version.rb (test_spaceship, test_eql, prerelease tests) plus real gems.
const PAIRS: readonly Pair[] = [
  ['1.0', '=', '1.0.0'],
  ['1.0', '>', '1.0.a'],
  ['1.8.2', '>', '0.0.0'],
  ['1.8.2', '>', '1.8.2.a'],
  ['1.8.2.b', '>', '1.8.2.a'],
  ['1.8.2.a', '<', '1.8.2'],
  ['1.8.2.a10', '>', '1.8.2.a9'],
  ['', '=', '0'],
  ['0.beta.1', '=', '0.0.beta.1'],
  ['0.0.beta', '<', '0.0.beta.1'],
  ['0.0.beta', '<', '0.beta.1'],
  ['5.a', '<', '5.0.0.rc2'],
  ['5.x', '>', '5.0.0.rc2'],
  ['1.9.3', '=', '1.9.3'],
  ['1.9.3', '>', '1.9.2.99'],
  ['1.9.3', '<', '1.9.3.1'],
  ['1.2', '=', '1.2.0'],
  ['1.2.b1', '=', '1.2.b.1'],
  ['1.0.a', '=', '1.a'],
  ['1.0.a.0', '=', '1.a'],
  ['1.2.0.a', '<', '1.2.0'],
  ['1.2.0.a', '>', '1.1'],
  ['2.0.0.rc1', '<', '2.0.0'],
  ['2.0.0.rc1', '<', '2.0.0.rc2'],
  ['2.0.0.beta', '<', '2.0.0.rc'],
  ['1.0.0-rc1', '=', '1.0.0.pre.rc1'],
  ['1.0.0-rc1', '<', '1.0.0.rc1'],
  ['1.0.0-1', '<', '1.0.0'],
  [' 1.0 ', '=', '1.0'],
  ['1.0.0.B', '<', '1.0.0.a'],
  ['7.0.8.1', '>', '7.0.8'],
  ['7.1.3.4', '<', '7.1.4'],
  ['6.1.7.8', '<', '6.1.7.10'],
  ['1.16.0', '>', '1.15.5'],
  ['1.13.10', '>', '1.13.9'],
  ['3.0.0.beta2', '<', '3.0.0'],
  ['10.0', '>', '9.99.99'],
  ['1.2.3.pre', '<', '1.2.3'],
  ['0.9', '<', '1.0.0.alpha'],
  ['1.0.0-rc1', '<', '1.0.0.pre'],
  ['1.0.0.alpha', '<', '1.0.0.alpha.1'],
];

const SORTED = [
  '0.9',
  '1.0.0.a',
  '1.0.0.alpha',
  '1.0.0.alpha.1',
  '1.0.0.b1',
  '1.0.0-rc1',
  '1.0.0.pre',
  '1.0.0.rc1',
  '1.0.0.rc2',
  '1',
  '1.0.0.1',
  '1.0.1',
  '1.1',
  '1.10',
  '2',
];

test('rubygems: Gem::Version ordering pairs', () => {
  const n = checkPairs(rubygems, PAIRS);
  assert.ok(n >= 40);
});

test('rubygems: valid() follows ANCHORED_VERSION_PATTERN', () => {
  for (const v of ['1', '1.0', '1.0.a', '1.0-rc1', '1.0.0-rc.1', ' 1.0 ', '', '3.2.0.beta2'])
    assert.equal(rubygems.valid(v), true, v);
  for (const v of ['junk', '1.0\n1.0', '1..2', '1.0-', 'a.1', '1.0_1', '1.0+1', '-1']) {
    assert.equal(rubygems.valid(v), false, JSON.stringify(v));
  }
});

test('rubygems: antisymmetry, transitivity, shuffled sorting, garbage', () => {
  checkOrderProperties(rubygems, SORTED);
  checkGarbage(rubygems, SORTED);
});
