import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '../../core/errors.js';
import { modeOverride, type PolicySet } from '../engine/index.js';
import { loadPolicySet } from './load-policies.js';
import { watchPolicies } from './watch.js';

function dir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'kubeward-policies-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const EXCEPTION = (name: string, expires = '2099-01-01'): string =>
  `apiVersion: kubeward.io/v1alpha1\nkind: PolicyException\nmetadata:\n  name: ${name}\nspec:\n  reason: r\n  expires: "${expires}"\n  policies: ["pss:*"]\n`;

test('loads exceptions, image policies, namespaces; computes enforcing', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'a.yaml'), `${EXCEPTION('one')}---\n${EXCEPTION('old', '2020-01-01')}`);
  writeFileSync(
    join(d, 'b.yaml'),
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels: {a: b}\n',
  );
  const none = loadPolicySet([d], { cwd: d });
  assert.equal(none.set.exceptions.length, 2);
  assert.equal(none.set.enforcing, false);
  assert.deepEqual(none.namespaces.get('n'), { a: 'b' });
  assert.ok(
    none.warnings.some(
      (w) => w.message.includes('"old" expired on 2020-01-01') && w.file === 'a.yaml' && w.line === 10,
    ),
  );
  assert.equal(
    loadPolicySet([d], { cwd: d, pss: { level: 'baseline', version: 'latest' } }).set.enforcing,
    true,
  );
  const relaxed = loadPolicySet([d], {
    cwd: d,
    pss: { level: 'baseline', version: 'latest' },
    modes: [modeOverride('pss:*', 'warn')],
  });
  assert.equal(relaxed.set.enforcing, false);
  writeFileSync(
    join(d, 'c.yaml'),
    'apiVersion: kubeward.io/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: reg\nspec:\n  allowedRegistries: ["ghcr.io/acme"]\n',
  );
  const images = loadPolicySet([d], { cwd: d });
  assert.equal(images.set.enforcing, true);
  assert.ok(images.set.describe.includes('image:reg'));
});

test('load errors are UserErrors naming file:line: duplicates, YAML, VAP without support', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'a.yaml'), `${EXCEPTION('one')}---\n${EXCEPTION('one')}`);
  assert.throws(
    () => loadPolicySet([d], { cwd: d }),
    (e: unknown) =>
      isUserError(e) &&
      /a\.yaml:10: duplicate PolicyException "one" \(first defined at a\.yaml:1\)/.test(e.oneLine()),
  );
  writeFileSync(join(d, 'a.yaml'), 'kind: [\n');
  assert.throws(
    () => loadPolicySet([d], { cwd: d }),
    (e: unknown) => isUserError(e) && /^a\.yaml:\d+/.test(e.oneLine()),
  );
  writeFileSync(
    join(d, 'a.yaml'),
    'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p\n',
  );
  assert.throws(
    () => loadPolicySet([d], { cwd: d }),
    (e: unknown) => isUserError(e) && /a\.yaml:1: ValidatingAdmissionPolicy support/.test(e.oneLine()),
  );
  let called = 0;
  const withVap = loadPolicySet([d], {
    cwd: d,
    vap: ({ policies }) => {
      called = policies.length;
      return { family: { family: 'vap', evaluate: () => [] }, enforcing: true, names: ['vap:p'] };
    },
  });
  assert.equal(called, 1);
  assert.equal(withVap.set.families.length, 2);
});

test('watchPolicies reloads on change (debounced) and keeps the last good set on a broken edit', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'a.yaml'), EXCEPTION('one'));
  const sets: PolicySet[] = [];
  const errors: Error[] = [];
  const w = watchPolicies(
    [d],
    (s) => sets.push(s),
    (e) => errors.push(e),
    { cwd: d, debounceMs: 400, pollMs: 200 },
  );
  t.after(() => w.close());
  writeFileSync(join(d, 'a.yaml'), `${EXCEPTION('one')}---\n${EXCEPTION('two')}`);
  writeFileSync(join(d, 'b.yaml'), EXCEPTION('three'));
  const wait = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await wait(() => sets.some((s) => s.exceptions.length === 3));
  assert.ok(
    sets.some((s) => s.exceptions.length === 3),
    `sets: ${sets.map((s) => s.exceptions.length).join(',')}`,
  );
  // Back-to-back writes fall inside one debounce window: one reload, not one per file event.
  assert.equal(sets.length, 1);
  writeFileSync(join(d, 'b.yaml'), 'spec: [\n');
  await wait(() => errors.length > 0);
  assert.equal(errors.length >= 1, true);
  assert.ok(isUserError(errors[0]) && /b\.yaml/.test(errors[0].oneLine()));
});
