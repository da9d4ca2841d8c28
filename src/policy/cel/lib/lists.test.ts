import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelEvalError, compileCel } from '../index.js';

// Expected values from the Kubernetes CEL reference (lists library) and cel-go ext/lists tests.

const run = (expression: string, object: unknown = {}): unknown =>
  compileCel(expression, { variables: ['object'] }).evaluate({ object });

test('isSorted', () => {
  assert.equal(run('[1, 2, 3].isSorted()'), true);
  assert.equal(run('["a", "b", "b", "c"].isSorted()'), true);
  assert.equal(run('[2.0, 1.0].isSorted()'), false);
  assert.equal(run('[].isSorted()'), true);
});

test('sum', () => {
  assert.equal(run('[1, 3].sum()'), 4);
  assert.equal(run('[1.0, 3.0].sum()'), 4);
  assert.equal(run('[].sum()'), 0);
  assert.equal(run('object.cpu.sum() == 6', { cpu: [1, 2, 3] }), true);
});

test('min and max', () => {
  assert.equal(run('[1, 3].min()'), 1);
  assert.equal(run('[1, 3].max()'), 3);
  assert.equal(run('["b", "a"].min()'), 'a');
  assert.throws(() => run('[].min()'), CelEvalError);
  assert.throws(() => run('[].max()'), CelEvalError);
});

test('indexOf and lastIndexOf use CEL equality', () => {
  assert.equal(run('[1, 2, 2, 3].indexOf(2)'), 1);
  assert.equal(run('["a", "b", "b", "c"].lastIndexOf("b")'), 2);
  assert.equal(run('[1, 2].indexOf(5)'), -1);
  assert.equal(run('[[1], [2]].indexOf([2])'), 1);
  assert.equal(run('[{"a": 1}].indexOf({"a": 1})'), 0);
});

test('ext lists: slice, flatten, sort, distinct, reverse, lists.range', () => {
  assert.deepEqual(run('[1, 2, 3, 4].slice(1, 3)'), [2, 3]);
  assert.deepEqual(run('[1, 2, 3, 4].slice(4, 4)'), []);
  assert.throws(() => run('[1, 2].slice(1, 3)'), CelEvalError);
  assert.throws(() => run('[1, 2].slice(2, 1)'), CelEvalError);
  assert.deepEqual(run('[1, [2, 3], [4]].flatten()'), [1, 2, 3, 4]);
  assert.deepEqual(run('[1, [2, [3, 4]]].flatten()'), [1, 2, [3, 4]]);
  assert.deepEqual(run('[1, [2, [3, [4]]]].flatten(2)'), [1, 2, 3, [4]]);
  assert.deepEqual(run('[3, 2, 1].sort()'), [1, 2, 3]);
  assert.deepEqual(run('["b", "c", "a"].sort()'), ['a', 'b', 'c']);
  assert.throws(() => run('[1, "a"].sort()'), CelEvalError);
  assert.deepEqual(run('[1, 2, 2, 3, 3, 3].distinct()'), [1, 2, 3]);
  assert.deepEqual(run('["b", "b", "c", "a", "c"].distinct()'), ['b', 'c', 'a']);
  assert.deepEqual(run('[5, 1, 2, 3].reverse()'), [3, 2, 1, 5]);
  assert.deepEqual(run('lists.range(4)'), [0, 1, 2, 3]);
});
