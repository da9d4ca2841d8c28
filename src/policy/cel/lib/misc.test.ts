import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelEvalError, compileCel } from '../index.js';

// base64 (cel-go ext encoders) and optional types (cel-go optional library), as Kubernetes enables them.

const run = (expression: string, object: unknown = {}): unknown =>
  compileCel(expression, { variables: ['object'] }).evaluate({ object });

test('base64.encode and base64.decode', () => {
  assert.equal(run("base64.encode(b'hello')"), 'aGVsbG8=');
  assert.deepEqual(run("base64.decode('aGVsbG8=')"), new Uint8Array(Buffer.from('hello')));
  assert.deepEqual(run("base64.decode('aGVsbG8')"), new Uint8Array(Buffer.from('hello')));
  assert.equal(
    run("string(base64.decode(object.data)) == 'secret'", { data: Buffer.from('secret').toString('base64') }),
    true,
  );
  assert.throws(() => run("base64.decode('a?b=')"), CelEvalError);
});

test('optional.of, optional.none, optional.ofNonZeroValue', () => {
  assert.equal(run('optional.of(1).hasValue()'), true);
  assert.equal(run('optional.of(1).value()'), 1);
  assert.equal(run('optional.none().hasValue()'), false);
  assert.equal(run('optional.ofNonZeroValue(0).hasValue()'), false);
  assert.equal(run('optional.ofNonZeroValue("").hasValue()'), false);
  assert.equal(run('optional.ofNonZeroValue([]).hasValue()'), false);
  assert.equal(run('optional.ofNonZeroValue({}).hasValue()'), false);
  assert.equal(run('optional.ofNonZeroValue("x").value()'), 'x');
});

test('optional field and index selection: .?field and [?key]', () => {
  const object = { metadata: { labels: { app: 'web' } }, list: [1, 2] };
  assert.equal(run('object.?metadata.?labels.?app.orValue("none")', object), 'web');
  assert.equal(run('object.?metadata.?annotations.?owner.orValue("none")', object), 'none');
  assert.equal(run('object.metadata.labels[?"team"].orValue("unset")', object), 'unset');
  assert.equal(run('object.list[?5].hasValue()', object), false);
  assert.equal(run('object.list[?1].value()', object), 2);
  assert.equal(run('object.?spec.orValue({}).size()', object), 0);
});

test('or, orValue and value', () => {
  assert.equal(run('optional.none().or(optional.of(3)).value()'), 3);
  assert.equal(run('optional.of(1).or(optional.of(3)).value()'), 1);
  assert.equal(run('optional.none().orValue(7)'), 7);
  assert.throws(() => run('optional.none().value()'), CelEvalError);
});
