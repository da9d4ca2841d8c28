import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pep440 } from './pep440.js';
import { chainPairs, checkGarbage, checkOrderProperties, checkPairs, type Pair } from './test-helpers.js';

// pypa/packaging tests/test_version.py: VERSIONS is in strictly increasing order.
const BASE = [
  '1.0.dev456',
  '1.0a1',
  '1.0a2.dev456',
  '1.0a12.dev456',
  '1.0a12',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0b2-346',
  '1.0c1.dev456',
  '1.0c1',
  '1.0rc2',
  '1.0c3',
  '1.0',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.1.dev1',
  '1.2+123abc',
  '1.2+123abc456',
  '1.2+abc',
  '1.2+abc123',
  '1.2+abc123def',
  '1.2+1234.abc',
  '1.2+123456',
  '1.2.r32+123456',
  '1.2.rev33+123456',
];
const VERSIONS = [...BASE, ...BASE.map((v) => `1!${v}`)];

// Normalisation rules from the spec (and packaging's test_normalized_versions), as equalities.
const EQUAL: readonly (readonly [string, string])[] = [
  ['1.0', '1.0.0'],
  ['1', '1.0.0.0.0'],
  ['0!1.0', '1.0'],
  ['v1.0', '1.0'],
  ['V1.0', '1.0'],
  [' 1.0\n', '1.0'],
  ['1.0alpha1', '1.0a1'],
  ['1.0ALPHA1', '1.0a1'],
  ['1.0-a1', '1.0a1'],
  ['1.0_a_1', '1.0a1'],
  ['1.0.alpha.1', '1.0a1'],
  ['1.0a', '1.0a0'],
  ['1.0beta2', '1.0b2'],
  ['1.0c1', '1.0rc1'],
  ['1.0pre1', '1.0rc1'],
  ['1.0preview1', '1.0rc1'],
  ['1.0RC1', '1.0rc1'],
  ['1.0-1', '1.0.post1'],
  ['1.0-r4', '1.0.post4'],
  ['1.0.rev4', '1.0.post4'],
  ['1.0post', '1.0.post0'],
  ['1.0-post-2', '1.0.post2'],
  ['1.0.dev', '1.0.dev0'],
  ['1.0-dev3', '1.0.dev3'],
  ['1.0+ubuntu-1', '1.0+ubuntu.1'],
  ['1.0+UBUNTU_1', '1.0+ubuntu.1'],
  ['1.01', '1.1'],
  ['1.0+01', '1.0+1'],
];

const ORDER: readonly Pair[] = [
  ['1!1.0', '>', '2.0'],
  ['1.0.dev0', '<', '1.0a0'],
  ['1.0a0', '<', '1.0a1.dev0'],
  ['1.0.post0.dev0', '>', '1.0'],
  ['1.0.post0.dev0', '<', '1.0.post0'],
  ['1.0rc1.post1', '<', '1.0'],
  ['1.0+local', '>', '1.0'],
  ['1.0+local', '<', '1.0.post1'],
  ['1.0+1', '>', '1.0+abc'],
  ['1.0+abc.1', '<', '1.0+abc.1.0'],
  ['1.0', '<', '1.0.0.1'],
  ['2.0.0', '>', '1.99999999999999999999'],
  ['1.10', '>', '1.9'],
  ['2023.10.1', '<', '2024.1'],
  ['3.8.0rc1', '<', '3.8.0'],
  ['0.0.0', '=', '0'],
];

test('pep440: packaging test_version.py VERSIONS order', () => {
  const n = checkPairs(pep440, chainPairs(VERSIONS));
  assert.ok(n >= 40);
});

test('pep440: normalisation equalities', () => {
  checkPairs(
    pep440,
    EQUAL.map(([a, b]): Pair => [a, '=', b]),
  );
});

test('pep440: other ordering pairs', () => {
  checkPairs(pep440, ORDER);
});

test('pep440: valid()', () => {
  for (const v of [...VERSIONS, '1.0.post1.dev2', 'v1!2.0rc3.post4.dev5+a.b.6'])
    assert.equal(pep440.valid(v), true, v);
  // packaging test_invalid_versions
  for (const v of [
    'french toast',
    '1.0+a+',
    '1.0++',
    '1.0+_foobar',
    '1.0+foo&asd',
    '1.0+1+1',
    '1.0.dev1.post1',
    '1.0a1b1',
    '',
    '1.',
    '.1',
    '1..0',
    '1.0-',
    '1!',
  ]) {
    assert.equal(pep440.valid(v), false, JSON.stringify(v));
  }
});

test('pep440: antisymmetry, transitivity and shuffled sorting', () => {
  checkOrderProperties(pep440, VERSIONS);
});

test('pep440: never throws on garbage; invalid sorts before valid', () => {
  checkGarbage(pep440, VERSIONS);
  assert.ok(pep440.compare('french toast', '0.0.dev0') < 0);
  assert.ok(pep440.compare('abc', 'abd') < 0);
});
