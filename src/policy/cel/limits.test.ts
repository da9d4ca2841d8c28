import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelCompileError, CelEvalError, compileCel } from './index.js';

// Hostile expressions and inputs must end quickly with an error (or a result), never hang the webhook.

const MB = 'a'.repeat(1024 * 1024);
const BIG_LIST = Array.from({ length: 100_000 }, (_, i) => i);

function timed<T>(fn: () => T): { value?: T; error?: unknown; ms: number } {
  const t = performance.now();
  try {
    const value = fn();
    return { value, ms: performance.now() - t };
  } catch (error) {
    return { error, ms: performance.now() - t };
  }
}

function evaluate(expression: string, object: unknown, costLimit?: number): unknown {
  return compileCel(expression, { variables: ['object'], ...(costLimit ? { costLimit } : {}) }).evaluate({
    object,
  });
}

/** Asserts the evaluation fails with CelEvalError matching `reason` within `maxMs`. */
function assertBounded(expression: string, object: unknown, reason: RegExp, maxMs = 2_000): void {
  const r = timed(() => evaluate(expression, object));
  assert.ok(
    r.error instanceof CelEvalError,
    `${expression}: expected CelEvalError, got ${String(r.error ?? r.value)}`,
  );
  assert.match(r.error.message, reason);
  assert.ok(r.ms < maxMs, `${expression} took ${r.ms.toFixed(0)} ms`);
}

test('nested comprehensions over a 100k-element list hit the cost limit', () => {
  assertBounded('object.l.all(x, object.l.all(y, y >= 0))', { l: BIG_LIST }, /cost limit/);
  assertBounded('object.l.exists(x, object.l.exists(y, y < 0))', { l: BIG_LIST }, /cost limit/);
  assertBounded('object.l.map(x, object.l.filter(y, y == x)).size() > 0', { l: BIG_LIST }, /cost limit/);
});

test('an exhausted budget is not hidden by || absorbing the error', () => {
  assertBounded('object.l.all(x, object.l.all(y, y >= 0)) || true', { l: BIG_LIST }, /cost limit/);
});

test('exponential nesting of small lists hits the cost limit', () => {
  let e = 'true';
  for (let i = 0; i < 24; i++) e = `[1, 2].all(v${i}, ${e})`;
  assertBounded(e, {}, /cost limit/);
});

test('a single pass over 100k elements stays within the default budget', () => {
  const r = timed(() => evaluate('object.l.all(x, x >= 0)', { l: BIG_LIST }));
  assert.equal(r.value, true);
  assert.ok(r.ms < 2_000);
});

test('the cost limit is configurable', () => {
  assert.throws(() => evaluate('object.l.all(x, x >= 0)', { l: BIG_LIST }, 1_000), CelEvalError);
  assert.equal(evaluate('object.l.all(x, x >= 0)', { l: [1, 2, 3] }, 1_000), true);
});

test('results that share one big list many times are charged when converted', () => {
  assertBounded('object.l.map(x, object.l)', { l: BIG_LIST.slice(0, 20_000) }, /cost limit/);
});

test('string building on a 1 MB input is bounded', () => {
  assertBounded('object.s.replace("a", object.s).size() > 0', { s: MB }, /exceeds|cost limit/);
  assertBounded(
    'object.l.map(x, object.s).join("").size() > 0',
    { s: MB, l: BIG_LIST.slice(0, 1_000) },
    /limit|Invalid string length/,
  );
  assertBounded(
    '"%s%s".format([object.s, object.s]).size() > 0 && object.l.all(x, "%s".format([object.s]).size() > 0)',
    { s: MB, l: BIG_LIST },
    /cost limit/,
  );
});

test('a 1 MB string is fine for linear operations', () => {
  const r = timed(() =>
    evaluate('object.s.size() == 1048576 && !object.s.contains("b") && object.s.startsWith("aa")', { s: MB }),
  );
  assert.equal(r.value, true);
  assert.ok(r.ms < 1_000);
});

test('regexes run in linear time (RE2): catastrophic-backtracking patterns stay fast', () => {
  const input = `${'a'.repeat(100_000)}!`;
  for (const expression of [
    'object.s.matches("^(a+)+$")',
    'object.s.matches("^(a|aa)+$")',
    'object.s.matches("(x+x+)+y")',
  ]) {
    const r = timed(() => evaluate(expression, { s: input }));
    assert.equal(r.value, false, expression);
    assert.ok(r.ms < 2_000, `${expression} took ${r.ms.toFixed(0)} ms`);
  }
});

test('expressions longer than 5,000 characters are refused at compile time', () => {
  const long = `${'1 + '.repeat(1_300)}1`;
  assert.throws(
    () => compileCel(long, { variables: [] }),
    (e: unknown) => e instanceof CelCompileError && /5000 limit/.test(e.message),
  );
});

test('deeply nested expressions are refused at compile time', () => {
  const deep = `${'('.repeat(500)}1${')'.repeat(500)}`;
  assert.throws(() => compileCel(deep, { variables: [] }), CelCompileError);
});

test('deeply nested input is refused instead of overflowing the stack', () => {
  let nested: unknown = 1;
  for (let i = 0; i < 100_000; i++) nested = [nested];
  assertBounded('object.x.size() == 1', { x: nested }, /nested deeper/);
});

test('sorting and de-duplicating huge lists are charged', () => {
  assertBounded('object.l.distinct().size() > 0', { l: BIG_LIST }, /cost limit/);
  const r = timed(() => evaluate('object.l.sort().size()', { l: BIG_LIST.slice(0, 10_000) }));
  assert.equal(r.value, 10_000);
});

test('converting a kept CelValue to JS is budgeted as well', () => {
  const program = compileCel('object.l.map(x, object.l)', { variables: ['object'] });
  const value = program.evaluateValue({ object: { l: BIG_LIST.slice(0, 20_000) } });
  const r = timed(() => value.toJS());
  assert.ok(r.error instanceof CelEvalError, String(r.error));
  assert.match(r.error.message, /cost limit/);
  assert.ok(r.ms < 2_000);
});
