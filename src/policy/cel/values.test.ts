import { test } from 'node:test';
import assert from 'node:assert/strict';

import { compileCel } from './index.js';
import { InputTooDeep, MAX_INPUT_DEPTH, toCel } from './values.js';

test('conversion is copy-on-write: unchanged subtrees are shared, paths to an int are copied', () => {
  const labels = { app: 'web', team: 'shop' };
  const probe = { httpGet: { path: '/ready', port: 8080 } };
  const container = { name: 'web', image: 'a:1', args: ['--x'], readinessProbe: probe };
  const pod = { metadata: { name: 'web', labels }, spec: { containers: [container], hostNetwork: false } };
  const cel = toCel(pod) as typeof pod;
  assert.notEqual(cel, pod); // an int below
  assert.equal(cel.metadata, pod.metadata); // only strings: shared as is
  assert.equal(cel.metadata.labels, labels);
  assert.notEqual(cel.spec, pod.spec);
  const c = cel.spec.containers[0] as typeof container;
  assert.equal(c.args, container.args);
  assert.equal((c.readinessProbe.httpGet as { port: unknown }).port, 8080n); // int → bigint
  assert.equal(container.readinessProbe.httpGet.port, 8080); // the input is never modified
  assert.equal(c.readinessProbe.httpGet.path, '/ready');
  // Nothing to convert at all: the very same object.
  const strings = { a: ['x', { b: 'y', c: true, d: null, e: 1.5 }] };
  assert.equal(toCel(strings), strings);
});

test('undefined entries are dropped, objects without a prototype copied, __proto__ keys stay plain entries', () => {
  const withUndefined = { a: 'x', b: undefined, c: 'z' };
  assert.deepEqual(toCel(withUndefined), { a: 'x', c: 'z' });
  assert.ok(!Object.hasOwn(toCel(withUndefined) as object, 'b'));
  assert.deepEqual(toCel(['a', undefined]), ['a', null]);

  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 'v' });
  const copied = toCel(bare) as Record<string, unknown>;
  assert.notEqual(copied, bare);
  assert.equal(Object.getPrototypeOf(copied), Object.prototype);
  assert.equal(copied.k, 'v');

  const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "n": 2}') as Record<string, unknown>;
  const h = toCel(hostile) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
  assert.ok(Object.hasOwn(h, '__proto__'));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const program = compileCel("object['__proto__'].polluted == 1 && object.n == 2", { variables: ['object'] });
  assert.equal(program.evaluate({ object: hostile }), true);
});

test('depth is still bounded when nothing needs copying', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < MAX_INPUT_DEPTH + 5; i++) deep = [deep];
  assert.throws(() => toCel(deep), InputTooDeep);
});

test('expressions see the same values as with a full copy', () => {
  const object = {
    spec: {
      replicas: 3,
      ratio: 0.5,
      containers: [{ ports: [{ containerPort: 80 }, { containerPort: 443 }] }],
    },
  };
  const p = compileCel(
    'object.spec.replicas == 3 && object.spec.ratio == 0.5 && object.spec.containers[0].ports.map(p, p.containerPort) == [80, 443]',
    { variables: ['object'] },
  );
  assert.equal(p.evaluate({ object }), true);
});
