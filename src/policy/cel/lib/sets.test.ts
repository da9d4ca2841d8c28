import { test } from 'node:test';
import assert from 'node:assert/strict';

import { compileCel } from '../index.js';

// Expected values from the Kubernetes CEL reference (sets library).

const run = (expression: string): unknown => compileCel(expression, { variables: [] }).evaluate({});

test('sets.contains', () => {
  assert.equal(run('sets.contains([], [])'), true);
  assert.equal(run('sets.contains([], [1])'), false);
  assert.equal(run('sets.contains([1, 2, 3, 4], [2, 3])'), true);
  assert.equal(run('sets.contains([1, 2, 3], [3, 2, 1])'), true);
  assert.equal(run('sets.contains([1, 2.0, 3u], [1.0, 2u, 3])'), true);
});

test('sets.equivalent', () => {
  assert.equal(run('sets.equivalent([], [])'), true);
  assert.equal(run('sets.equivalent([1], [1, 1])'), true);
  assert.equal(run('sets.equivalent([1], [1u, 1.0])'), true);
  assert.equal(run('sets.equivalent([1, 2, 3], [3u, 2.0, 1])'), true);
  assert.equal(run('sets.equivalent([1, 2], [2, 2, 2])'), false);
});

test('sets.intersects', () => {
  assert.equal(run('sets.intersects([1], [1])'), true);
  assert.equal(run('sets.intersects([1], [1, 1])'), true);
  assert.equal(run('sets.intersects([1], [2])'), false);
  assert.equal(run('sets.intersects([], [])'), false);
});
