import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelEvalError, compileCel } from '../index.js';

// Expected values from the Kubernetes CEL reference (strings library) and cel-go ext/strings tests.

const run = (expression: string): unknown => compileCel(expression, { variables: [] }).evaluate({});

test('charAt counts code points; index == size gives an empty string', () => {
  assert.equal(run("'hello'.charAt(4)"), 'o');
  assert.equal(run("'hello'.charAt(5)"), '');
  assert.equal(run("'tacocat'.charAt(3)"), 'o');
  assert.equal(run("'héllo'.charAt(1)"), 'é');
  assert.throws(() => run("'hello'.charAt(6)"), CelEvalError);
  assert.throws(() => run("'hello'.charAt(-1)"), CelEvalError);
});

test('indexOf and lastIndexOf', () => {
  assert.equal(run("'hello mellow'.indexOf('')"), 0);
  assert.equal(run("'hello mellow'.indexOf('ello')"), 1);
  assert.equal(run("'hello mellow'.indexOf('jello')"), -1);
  assert.equal(run("'hello mellow'.indexOf('', 2)"), 2);
  assert.equal(run("'hello mellow'.indexOf('ello', 2)"), 7);
  assert.equal(run("'hello mellow'.lastIndexOf('')"), 12);
  assert.equal(run("'hello mellow'.lastIndexOf('ello')"), 7);
  assert.equal(run("'hello mellow'.lastIndexOf('jello')"), -1);
  assert.equal(run("'hello mellow'.lastIndexOf('ello', 6)"), 1);
});

test('lowerAscii and upperAscii touch ASCII only', () => {
  assert.equal(run("'TacoCat'.lowerAscii()"), 'tacocat');
  assert.equal(run("'TacoCÆt Xii'.lowerAscii()"), 'tacocÆt xii');
  assert.equal(run("'TacoCat'.upperAscii()"), 'TACOCAT');
  assert.equal(run("'TacoCÆt Xii'.upperAscii()"), 'TACOCÆT XII');
});

test('replace, with and without a limit', () => {
  assert.equal(run("'hello hello'.replace('he', 'we')"), 'wello wello');
  assert.equal(run("'hello hello'.replace('he', 'we', -1)"), 'wello wello');
  assert.equal(run("'hello hello'.replace('he', 'we', 1)"), 'wello hello');
  assert.equal(run("'hello hello'.replace('he', 'we', 0)"), 'hello hello');
  assert.equal(run("'abc'.replace('', '-')"), '-a-b-c-');
});

test('split, substring, trim and join', () => {
  assert.deepEqual(run("'hello hello hello'.split(' ')"), ['hello', 'hello', 'hello']);
  assert.deepEqual(run("'hello hello hello'.split(' ', 0)"), []);
  assert.deepEqual(run("'hello hello hello'.split(' ', 1)"), ['hello hello hello']);
  assert.deepEqual(run("'hello hello hello'.split(' ', 2)"), ['hello', 'hello hello']);
  assert.deepEqual(run("'hello hello hello'.split(' ', -1)"), ['hello', 'hello', 'hello']);
  assert.equal(run("'tacocat'.substring(4)"), 'cat');
  assert.equal(run("'tacocat'.substring(0, 4)"), 'taco');
  assert.throws(() => run("'tacocat'.substring(4, 2)"), CelEvalError);
  assert.equal(run("'  \\ttrim\\n    '.trim()"), 'trim');
  assert.equal(run("['hello', 'mellow'].join()"), 'hellomellow');
  assert.equal(run("['hello', 'mellow'].join(' ')"), 'hello mellow');
  assert.equal(run('[].join()'), '');
});

test('reverse', () => {
  assert.equal(run("'gums'.reverse()"), 'smug');
  assert.equal(run("'John Smith'.reverse()"), 'htimS nhoJ');
});

test('strings.quote escapes like a CEL string literal', () => {
  assert.equal(run('strings.quote("first\\nsecond")'), '"first\\nsecond"');
  assert.equal(run('strings.quote("bell\\a")'), '"bell\\a"');
  assert.equal(run('strings.quote("\\\\")'), '"\\\\"');
  assert.equal(run("strings.quote('ends with \"')"), '"ends with \\""');
  assert.equal(run('strings.quote("")'), '""');
});

test('format: the verbs Kubernetes messageExpressions use', () => {
  assert.equal(run('"this is a string: %s".format(["hello"])'), 'this is a string: hello');
  assert.equal(run('"%d containers".format([3])'), '3 containers');
  assert.equal(run('"%.3f".format([1.2345])'), '1.234');
  assert.equal(run('"%f".format([2.0])'), '2.000000');
  assert.equal(run('"%e".format([1234.5])'), '1.234500e+03');
  assert.equal(run('"%x %X".format([255, "Hi"])'), 'ff 4869');
  assert.equal(run('"%o %b".format([8, 5])'), '10 101');
  assert.equal(run('"100%% %s".format([true])'), '100% true');
  assert.equal(run('"%s".format([[1, "a", null]])'), '[1, "a", null]');
  assert.throws(() => run('"%s %s".format(["only one"])'), CelEvalError);
  assert.throws(() => run('"%d".format(["x"])'), CelEvalError);
});
