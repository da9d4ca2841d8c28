import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelEvalError, compileCel } from '../index.js';
import { Quantity } from './quantity.js';

// Expected values from the Kubernetes CEL reference (quantity library) and apiserver library tests.

const run = (expression: string, object: unknown = {}): unknown =>
  compileCel(expression, { variables: ['object'] }).evaluate({ object });

test('quantity and isQuantity accept every resource.Quantity form', () => {
  for (const s of [
    '1',
    '-1',
    '+1',
    '0',
    '1.5',
    '.5',
    '5.',
    '100m',
    '250n',
    '3u',
    '1k',
    '1M',
    '1G',
    '1T',
    '1P',
    '1E',
    '1Ki',
    '1.5Mi',
    '2Gi',
    '1Ti',
    '1Pi',
    '1Ei',
    '1e3',
    '1E3',
    '1e-3',
    '12E+6',
  ]) {
    assert.equal(run(`isQuantity('${s}')`), true, s);
  }
  for (const s of [
    '',
    '.',
    'x',
    '1x',
    '1 Gi',
    'Gi',
    '1KiB',
    '1kb',
    '--1',
    '1e',
    '1e1.5',
    '1.2.3',
    '1e99999',
  ]) {
    assert.equal(run(`isQuantity('${s}')`), false, s);
  }
  assert.match(
    String(
      (() => {
        try {
          run("quantity('1x')");
        } catch (e) {
          return (e as Error).message;
        }
      })(),
    ),
    /quantities must match/,
  );
  assert.throws(() => run("quantity('1x')"), CelEvalError);
});

test('sign', () => {
  assert.equal(run("quantity('50M').sign()"), 1);
  assert.equal(run("quantity('-50M').sign()"), -1);
  assert.equal(run("quantity('0').sign()"), 0);
});

test('isInteger and asInteger', () => {
  assert.equal(run("quantity('50000000G').isInteger()"), true);
  assert.equal(run("quantity('50k').asInteger()"), 50000);
  assert.equal(run("quantity('1.5Gi').asInteger()"), 1610612736);
  assert.equal(run("quantity('100m').isInteger()"), false);
  assert.equal(run("quantity('9999999999999999999999999999999999999G').isInteger()"), false);
  assert.throws(
    () => run("quantity('9999999999999999999999999999999999999G').asInteger()"),
    /cannot convert value to integer/,
  );
  assert.throws(() => run("quantity('100m').asInteger()"), CelEvalError);
});

test('asApproximateFloat', () => {
  assert.equal(run("quantity('1Mi').asApproximateFloat()"), 1048576);
  assert.equal(run("quantity('50m').asApproximateFloat()"), 0.05);
});

test('add and sub, with quantities or ints', () => {
  assert.equal(run("quantity('50k').add(quantity('20k')) == quantity('70k')"), true);
  assert.equal(run("quantity('50k').add(20) == quantity('50020')"), true);
  assert.equal(run("quantity('50k').sub(quantity('20k')) == quantity('30k')"), true);
  assert.equal(run("quantity('50k').sub(20) == quantity('49980')"), true);
  assert.equal(run("quantity('1Gi').add(quantity('512Mi')) == quantity('1.5Gi')"), true);
  assert.equal(run("quantity('100m').add(quantity('900m')).isInteger()"), true);
});

test('compareTo, isGreaterThan, isLessThan and equality compare values, not spellings', () => {
  assert.equal(run("quantity('200M').compareTo(quantity('0.2G'))"), 0);
  assert.equal(run("quantity('50M').compareTo(quantity('50Mi'))"), -1);
  assert.equal(run("quantity('50Mi').compareTo(quantity('50M'))"), 1);
  assert.equal(run("quantity('50M').isGreaterThan(quantity('100M'))"), false);
  assert.equal(run("quantity('100M').isGreaterThan(quantity('50M'))"), true);
  assert.equal(run("quantity('50M').isLessThan(quantity('100M'))"), true);
  assert.equal(run("quantity('1') == quantity('1000m')"), true);
  assert.equal(run("quantity('1') != quantity('1001m')"), true);
});

test('a typical limits policy over container resources', () => {
  const object = {
    spec: {
      containers: [
        { resources: { limits: { memory: '512Mi', cpu: '500m' } } },
        { resources: { limits: { memory: '2Gi', cpu: '2' } } },
      ],
    },
  };
  const expression =
    "object.spec.containers.all(c, quantity(c.resources.limits.memory).compareTo(quantity('1Gi')) <= 0)";
  assert.equal(run(expression, object), false);
  assert.equal(
    run(
      "object.spec.containers.exists(c, quantity(c.resources.limits.cpu).isLessThan(quantity('1')))",
      object,
    ),
    true,
  );
});

test('Quantity keeps exact values past float precision', () => {
  const a = Quantity.parse('9223372036854775807');
  assert.equal(a.asInt64(), 9223372036854775807n);
  assert.equal(Quantity.parse('9223372036854775808').asInt64(), undefined);
  assert.equal(Quantity.parse('0.1').add(Quantity.parse('0.2')).compareTo(Quantity.parse('0.3')), 0);
});
