import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelActivation, CelEvalError, compileCel, lazyCelMap } from './index.js';
import { MAX_INPUT_DEPTH } from './values.js';

const VARIABLES = ['object', 'params', 'variables'];
const compile = (e: string) => compileCel(e, { variables: VARIABLES });

const pod = { metadata: { name: 'web' }, spec: { replicas: 3, containers: [{ image: 'a:1' }] } };

test('a CelActivation evaluates like the plain record it was built from', () => {
  const plain = { object: pod, params: null };
  const prepared = CelActivation.of(plain);
  for (const e of ['object.spec.replicas + 1', 'object.spec.containers.map(c, c.image)', 'params == null']) {
    assert.deepEqual(compile(e).evaluate(prepared), compile(e).evaluate(plain), e);
  }
});

test('with() adds and replaces entries; the parent is unchanged', () => {
  const base = CelActivation.of({ object: pod, params: null });
  const child = base.with({ params: { max: 2 } });
  assert.equal(compile('object.spec.replicas <= params.max').evaluate(child), false);
  assert.equal(compile('params == null').evaluate(base), true);
  assert.equal(compile('object.metadata.name').evaluate(child), 'web');
});

test('with(): a child holds its entries as own properties, never a per-request prototype', () => {
  // Object.create(parent) would give every request's parent object its own old-generation map in V8,
  // which kept the request's CEL values alive through young-generation collections (see converted()).
  const base = CelActivation.ofData({ object: pod });
  const child = base.with({ params: { max: 2 } });
  const cel = child.converted();
  assert.equal(Object.getPrototypeOf(cel), Object.prototype);
  assert.deepEqual(Object.keys(cel).sort(), ['object', 'params']);
  assert.equal(cel.object, base.converted().object, 'the parent entry is shared, not converted again');
  const grandchild = child.with({ variables: null, params: null });
  assert.deepEqual(Object.keys(grandchild.converted()).sort(), ['object', 'params', 'variables']);
  assert.equal(compile('params == null && object.metadata.name == "web"').evaluate(grandchild), true);
});

test('with(): a __proto__ entry stays an entry and never becomes the prototype', () => {
  const child = CelActivation.of({ object: pod }).with(
    JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>,
  );
  const cel = child.converted();
  assert.equal(Object.getPrototypeOf(cel), Object.prototype);
  assert.ok(Object.hasOwn(cel, '__proto__'));
  const grandchild = child.with({ params: null });
  assert.ok(Object.hasOwn(grandchild.converted(), '__proto__'));
  assert.equal(Object.getPrototypeOf(grandchild.converted()), Object.prototype);
});

test('an unconvertible input fails each evaluation as a CelEvalError, not the activation build', () => {
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < MAX_INPUT_DEPTH + 5; i++) deep = { a: deep };
  const activation = CelActivation.of({ object: deep });
  for (let i = 0; i < 2; i++)
    assert.throws(() => compile('has(object.a)').evaluate(activation), CelEvalError);
});

test('ofData: plain request data evaluates as with of(), and deep input still fails each evaluation', () => {
  const data = CelActivation.ofData({ object: pod, params: null });
  const plain = CelActivation.of({ object: pod, params: null });
  for (const e of ['object.spec.replicas + 1', 'object.spec.containers.map(c, c.image)', 'params == null']) {
    assert.deepEqual(compile(e).evaluate(data), compile(e).evaluate(plain), e);
  }
  assert.equal(compile('object.metadata.name').evaluate(data.with({ params: { max: 2 } })), 'web');
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < MAX_INPUT_DEPTH + 5; i++) deep = { a: deep };
  const activation = CelActivation.ofData({ object: deep });
  for (let i = 0; i < 2; i++)
    assert.throws(() => compile('has(object.a)').evaluate(activation), CelEvalError);
});

test('lazyCelMap: entries are computed on read, keep their CEL type, and errors fail the reader', () => {
  const reads: number[] = [];
  const q = compile("quantity('1Gi')").evaluateValue({});
  const d = compile('1.0').evaluateValue({});
  const variables = lazyCelMap(['q', 'd', 'bad'], (i) => {
    reads.push(i);
    if (i === 2) throw new CelEvalError('x', 'broken variable');
    return i === 0 ? q : d;
  });
  const activation = CelActivation.of({ variables });
  assert.equal(compile("variables.q.isGreaterThan(quantity('1Mi'))").evaluate(activation), true);
  assert.equal(compile('type(variables.d) == double').evaluate(activation), true);
  assert.deepEqual(reads, [0, 1]);
  assert.throws(() => compile('variables.bad').evaluate(activation), /broken variable/);
  // `||` absorbs the error as CEL does
  assert.equal(compile('true || variables.bad').evaluate(activation), true);
});

test('identifiers: the top-level names an expression may read', () => {
  assert.deepEqual([...compile('object.spec.replicas <= params.max').identifiers].sort(), [
    'object',
    'params',
  ]);
  assert.deepEqual([...compile('has(object.metadata.labels)').identifiers], ['object']);
  assert.deepEqual([...compile("variables.x.all(c, c == 'a')").identifiers], ['variables']);
  assert.deepEqual([...compile('1 + 2').identifiers], []);
});
