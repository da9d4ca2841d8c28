import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelEvalError, compileCel } from '../index.js';

// Expected values from the Kubernetes CEL reference (URL library), which follows Go's url.ParseRequestURI.

const run = (expression: string): unknown => compileCel(expression, { variables: [] }).evaluate({});

test('url and isURL: absolute URIs and absolute paths only', () => {
  assert.equal(run("isURL('https://example.com/')"), true);
  assert.equal(run("isURL('/absolute-path')"), true);
  assert.equal(run("isURL('mailto:someone@example.com')"), true);
  assert.equal(run("isURL('../relative-path')"), false);
  assert.equal(run("isURL('relative')"), false);
  assert.equal(run("isURL('')"), false);
  assert.equal(run("isURL('https://example.com:8a/')"), false);
  assert.equal(run("isURL('https://example.com/%zz')"), false);
  assert.throws(
    () => run("url('../relative-path')"),
    (e: unknown) => e instanceof CelEvalError && /URL parse error/.test(e.message),
  );
});

test('getScheme', () => {
  assert.equal(run("url('/absolute-path').getScheme()"), '');
  assert.equal(run("url('https://example.com/').getScheme()"), 'https');
  assert.equal(run("url('HTTPS://example.com/').getScheme()"), 'https');
});

test('getHost and getHostname', () => {
  assert.equal(run("url('https://example.com:80/').getHost()"), 'example.com:80');
  assert.equal(run("url('https://example.com/').getHost()"), 'example.com');
  assert.equal(run("url('https://[::1]:80/').getHost()"), '[::1]:80');
  assert.equal(run("url('https://[::1]/').getHost()"), '[::1]');
  assert.equal(run("url('/path').getHost()"), '');
  assert.equal(run("url('https://example.com:80/').getHostname()"), 'example.com');
  assert.equal(run("url('https://127.0.0.1:80/').getHostname()"), '127.0.0.1');
  assert.equal(run("url('https://[::1]:80/').getHostname()"), '::1');
  assert.equal(run("url('https://user:pw@example.com/').getHostname()"), 'example.com');
});

test('getPort', () => {
  assert.equal(run("url('https://example.com:80/').getPort()"), '80');
  assert.equal(run("url('https://example.com/').getPort()"), '');
  assert.equal(run("url('https://[::1]:443/').getPort()"), '443');
  assert.equal(run("url('https://[::1]/').getPort()"), '');
});

test('getEscapedPath', () => {
  assert.equal(run("url('https://example.com/path').getEscapedPath()"), '/path');
  assert.equal(
    run("url('https://example.com/path with spaces/').getEscapedPath()"),
    '/path%20with%20spaces/',
  );
  assert.equal(run("url('https://example.com/a%2Fb').getEscapedPath()"), '/a%2Fb');
  assert.equal(run("url('https://example.com').getEscapedPath()"), '');
});

test('getQuery', () => {
  assert.deepEqual(run("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()"), {
    k1: ['a'],
    k2: ['b', 'c'],
  });
  assert.equal(run("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()['k2'][1]"), 'c');
  assert.deepEqual(run("url('https://example.com/?q=a+b&e=%41&bad=%zz&semi=a;b').getQuery()"), {
    q: ['a b'],
    e: ['A'],
  });
  assert.deepEqual(run("url('https://example.com/').getQuery()"), {});
});
