import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCheck, pod } from './testkit.js';
import { privileged } from './pod-security.js';

test('KW-POD-001 flags a privileged container at the privileged line', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx@sha256:${'a'.repeat(64)}
    securityContext:
      privileged: true`);
  const f = runCheck(privileged, yaml);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.checkId, 'KW-POD-001');
  assert.equal(f[0]?.location.line, 11);
  assert.match(f[0]?.message ?? '', /"app"/);
});

test('KW-POD-001 passes an unprivileged container', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    securityContext:
      privileged: false`);
  assert.deepEqual(runCheck(privileged, yaml), []);
});
