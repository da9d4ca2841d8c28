import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelCompileError, CelEvalError, compileCel } from '../index.js';

// Expected values from the Kubernetes CEL reference (regex library) and cel-go `matches`.

const run = (expression: string, object: unknown = {}): unknown =>
  compileCel(expression, { variables: ['object'] }).evaluate({ object });

test('find returns the first match or an empty string', () => {
  assert.equal(run("'abc 123'.find('[0-9]+')"), '123');
  assert.equal(run("'abc 123'.find('xyz')"), '');
});

test('findAll returns all matches, optionally limited', () => {
  assert.deepEqual(run("'123 abc 456'.findAll('[0-9]+')"), ['123', '456']);
  assert.deepEqual(run("'123 abc 456'.findAll('[0-9]+', 1)"), ['123']);
  assert.deepEqual(run("'123 abc 456'.findAll('xyz')"), []);
  assert.deepEqual(run("'aaa'.findAll('a', 0)"), []);
});

test('findAll treats empty matches as Go does', () => {
  assert.deepEqual(run("'abc'.findAll('x*')"), ['', '', '', '']);
  assert.deepEqual(run("'aXbX'.findAll('X?')"), ['', 'X', 'X']);
  assert.deepEqual(run("'aaaa'.findAll('a*')"), ['aaaa']);
});

test('matches is an unanchored RE2 search, receiver and global forms', () => {
  assert.equal(run("'hubba'.matches('ubb')"), true);
  assert.equal(run("'hubba'.matches('^ubb')"), false);
  assert.equal(run("matches('hubba', 'b{2}')"), true);
  assert.equal(run("object.image.matches('^[a-z.]+/[a-z]+:v[0-9]+$')", { image: 'ghcr.io/app:v2' }), true);
});

test('RE2 syntax: character classes and (?i) work, lookaround and backreferences do not', () => {
  assert.equal(run("'ABC'.matches('(?i)^abc$')"), true);
  assert.equal(run("'a1'.matches('^\\\\pL\\\\d$')"), true);
  assert.throws(() => compileCel("'aa'.matches('(a)\\\\1')", { variables: [] }), CelCompileError);
  assert.throws(() => compileCel("'ab'.matches('a(?=b)')", { variables: [] }), CelCompileError);
  assert.throws(() => compileCel("'ab'.find('a(?<!x)')", { variables: [] }), CelCompileError);
});

test('a bad pattern that only arrives at run time is a runtime error', () => {
  assert.throws(() => run('object.s.matches(object.p)', { s: 'x', p: '(' }), CelEvalError);
  assert.throws(() => run('object.s.findAll(object.p)', { s: 'x', p: 'a(?=b)' }), CelEvalError);
});
