import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelCompileError, CelEvalError, compileCel, type CelProgram } from './index.js';

const VAP_VARIABLES = [
  'object',
  'oldObject',
  'request',
  'params',
  'namespaceObject',
  'variables',
  'authorizer',
];

function compile(expression: string): CelProgram {
  return compileCel(expression, { variables: VAP_VARIABLES });
}

function run(expression: string, activation: Record<string, unknown> = {}): unknown {
  return compile(expression).evaluate(activation);
}

function compileError(expression: string): CelCompileError {
  try {
    compile(expression);
  } catch (e) {
    assert.ok(e instanceof CelCompileError, `expected CelCompileError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${expression} compiled`);
}

function evalError(expression: string, activation: Record<string, unknown> = {}): CelEvalError {
  const program = compile(expression);
  try {
    program.evaluate(activation);
  } catch (e) {
    assert.ok(e instanceof CelEvalError, `expected CelEvalError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${expression} evaluated`);
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 3,
    ratio: 0.5,
    containers: [
      { name: 'a', image: 'ghcr.io/acme/a:1', ports: [{ containerPort: 8080 }] },
      { name: 'b', image: 'docker.io/b:2' },
    ],
  },
};

test('evaluates a typical VAP validation against plain JSON', () => {
  assert.equal(run("object.spec.containers.all(c, c.image.startsWith('ghcr.io/'))", { object: pod }), false);
  assert.equal(run("object.spec.containers.exists(c, c.name == 'b')", { object: pod }), true);
  assert.equal(run('object.metadata.labels.app', { object: pod }), 'web');
});

test('JSON integers are CEL ints and other numbers doubles, as Kubernetes decodes them', () => {
  assert.equal(run('object.spec.replicas + 1', { object: pod }), 4);
  assert.equal(run('type(object.spec.replicas) == int', { object: pod }), true);
  assert.equal(run('type(object.spec.ratio) == double', { object: pod }), true);
  assert.equal(run('object.spec.ratio * 2.0', { object: pod }), 1);
  // int and double never mix without a conversion
  assert.match(evalError('object.spec.ratio * 2', { object: pod }).message, /no such overload/);
});

test('results come back as plain JS values', () => {
  assert.deepEqual(run('[1, 2.5, "x", true, null, {"k": [1]}]'), [1, 2.5, 'x', true, null, { k: [1] }]);
  assert.equal(run('9223372036854775807'), 9223372036854775807n); // not a safe JS number: stays bigint
  assert.equal(run('1u + 2u'), 3);
  assert.equal(run('optional.of(5)'), 5);
  assert.equal(run('optional.none()'), null);
  assert.deepEqual(run('b"hi"'), new Uint8Array([104, 105]));
  assert.equal(run('quantity("1.5Gi")'), '1.5Gi');
  assert.equal(run('duration("90s")'), '90s');
});

test('has() tests presence; reading an absent field is an error, as in Kubernetes', () => {
  assert.equal(run('has(object.spec.hostNetwork)', { object: pod }), false);
  assert.equal(run('has(object.spec.replicas)', { object: pod }), true);
  assert.equal(run('!has(object.spec.hostNetwork) || !object.spec.hostNetwork', { object: pod }), true);
  const err = evalError('object.spec.missing == 1', { object: pod });
  assert.match(err.message, /No such key: missing/);
  assert.equal(err.expression, 'object.spec.missing == 1');
  assert.equal(run('object.?spec.?missing.orValue(7)', { object: pod }), 7);
});

test('null values and absent (undefined) properties', () => {
  assert.equal(run('object.x == null', { object: { x: null } }), true);
  assert.equal(run('has(object.x)', { object: { x: undefined } }), false);
  assert.equal(run('oldObject == null', { oldObject: null }), true);
});

test('compile errors name the expression', () => {
  const syntax = compileError('object.spec.replicas >');
  assert.equal(syntax.expression, 'object.spec.replicas >');
  assert.match(syntax.message, /^CEL expression "object\.spec\.replicas >": /);

  assert.match(compileError('object.name.noSuchFunction()').message, /noSuchFunction/);
  assert.match(compileError('noSuchGlobal(1)').message, /noSuchGlobal/);
  assert.match(compileError('undeclared.field').message, /Unknown variable: undeclared/);
  assert.match(compileError('"abc".charAt("x")').message, /no matching overload/);
  assert.throws(() => compileCel('', { variables: [] }), CelCompileError);
});

test('authorizer is refused at compile time even when declared', () => {
  const err = compileError("authorizer.group('apps').resource('deployments').check('create').allowed()");
  assert.match(err.message, /'authorizer' is not supported/);
  assert.match(err.message, /authorizer\.group/);
  assert.throws(
    () => compileCel('authorizer.requestResource.check("get").allowed()', { variables: [] }),
    CelCompileError,
  );
});

test('unknown functions fail at compile time, not at first use', () => {
  // the branch is never taken at run time, yet compiling must fail
  assert.throws(() => compile('false && object.a.bogus()'), CelCompileError);
});

test('runtime errors are CelEvalError naming the expression', () => {
  assert.match(evalError('1 / 0').message, /division by zero/);
  assert.match(evalError('9223372036854775807 + 1').message, /overflow/);
  assert.match(evalError('object.l[5]', { object: { l: [1] } }).message, /index out of bounds/);
  assert.match(evalError('object.s + 1', { object: { s: 'x' } }).message, /no such overload/);
  assert.match(evalError('optional.none().value()').message, /not present/);
  assert.equal(evalError('1 / 0').expression, '1 / 0');
});

test('a program is reusable across activations', () => {
  const p = compile('object.n * 2');
  assert.equal(p.evaluate({ object: { n: 2 } }), 4);
  assert.equal(p.evaluate({ object: { n: 5 } }), 10);
  assert.equal(p.expression, 'object.n * 2');
});

test('lazy variables: a getter runs only when read, once per evaluation', () => {
  let calls = 0;
  const variables = {
    get expensive(): unknown {
      calls++;
      return ['a', 'b'];
    },
    get broken(): unknown {
      throw new Error('must not be read');
    },
  };
  assert.equal(run('variables.expensive.size() == 2 && variables.expensive[0] == "a"', { variables }), true);
  assert.equal(calls, 1);
  assert.equal(run('true || variables.broken', { variables }), true);
});

test('lazy variables may evaluate other programs (nested budgets)', () => {
  const imageList = compile('object.spec.containers.map(c, c.image)');
  const activation: Record<string, unknown> = { object: pod };
  activation['variables'] = {
    get images(): unknown {
      return imageList.evaluate(activation);
    },
  };
  assert.equal(run('variables.images.exists(i, i.startsWith("docker.io/"))', activation), true);
});

test('a failing lazy variable fails the reading expression', () => {
  const failing = compile('object.missing');
  const activation: Record<string, unknown> = { object: {} };
  activation['variables'] = {
    get bad(): unknown {
      return failing.evaluate(activation);
    },
  };
  assert.throws(() => run('variables.bad == 1', activation), CelEvalError);
});

test('a __proto__ key in hostile JSON stays an ordinary field', () => {
  const object = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
  assert.equal(run('object["__proto__"].polluted', { object }), true);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('speed: a 5-container pod check takes microseconds (printed, not asserted)', () => {
  const containers = Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, image: `ghcr.io/acme/c${i}:1` }));
  const object = { ...pod, spec: { containers } };
  const p = compile("object.spec.containers.all(c, c.image.startsWith('ghcr.io/'))");
  for (let i = 0; i < 2_000; i++) p.evaluate({ object }); // warm-up
  const n = 20_000;
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) p.evaluate({ object });
  const cached = Number(process.hrtime.bigint() - t) / n / 1000;
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) p.evaluate({ object: { ...object } }); // new object: converted every time
  const fresh = Number(process.hrtime.bigint() - t) / n / 1000;
  assert.equal(p.evaluate({ object }), true);
  console.log(
    `cel speed: ${cached.toFixed(2)} µs/eval (same object), ${fresh.toFixed(2)} µs/eval (fresh object)`,
  );
});

test('numbers compare across int, uint and double, exactly', () => {
  assert.equal(run('1 == 1.0'), true);
  assert.equal(run('1.0 == 1'), true);
  assert.equal(run('1u == 1'), true);
  assert.equal(run('1 != 1.5'), true);
  assert.equal(run('9007199254740993 == 9007199254740992.0'), false);
  assert.equal(run('1 < 1.5'), true);
});

test('unknown-function messages say so and use the names the user wrote', () => {
  assert.match(compileError('object.a.frobnicate(1)').message, /unknown function or wrong argument types/);
  // `matches` is routed internally to the RE2 implementation; the message still says `matches`
  const err = compileError("'abc'.matches(1)");
  assert.match(err.message, /matches/);
  assert.doesNotMatch(err.message, /kubeward/i);
});

test('compiling the same expression twice returns the cached program', () => {
  const a = compile('object.x == 1');
  assert.equal(compile('object.x == 1'), a);
  assert.notEqual(compileCel('object.x == 1', { variables: ['object'] }), a);
});

test('variables not declared for the program are compile errors', () => {
  assert.throws(() => compileCel('params.x', { variables: ['object'] }), CelCompileError);
  assert.equal(compileCel('params.x', { variables: ['params'] }).evaluate({ params: { x: 2 } }), 2);
});

test('a lazy variable returning a CelValue keeps its CEL type', () => {
  const limit = compile("quantity('1Gi')");
  const ratio = compile('1.0');
  const activation: Record<string, unknown> = { object: { memory: '512Mi' } };
  activation['variables'] = {
    get limit(): unknown {
      return limit.evaluateValue(activation);
    },
    get ratio(): unknown {
      return ratio.evaluateValue(activation);
    },
  };
  assert.equal(run('quantity(object.memory).isLessThan(variables.limit)', activation), true);
  assert.equal(run('type(variables.ratio) == double', activation), true);
  assert.equal(limit.evaluateValue({}).toJS(), '1Gi');
  // the plain form would have lost both: a string has no isLessThan, and 1 would be an int
  assert.equal(ratio.evaluate({}), 1);
});
