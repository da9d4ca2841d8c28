import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { parseImagePolicy, parseImagePolicyFile } from './parse.js';

const pem = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('a full policy parses, keys from PEM text and from a file relative to the policy file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-imgpol-'));
  try {
    const keyText = pem();
    writeFileSync(join(dir, 'cosign.pub'), keyText);
    const inline = pem();
    const yaml = `apiVersion: kubeward.io/v1alpha1
kind: ImagePolicy
metadata:
  name: prod-images
spec:
  match:
    namespaces: ["prod-*"]
  mode: warn
  allowedRegistries: ["ghcr.io/acme/*", "nginx"]
  forbidMutableTags:
    allowTags: ["v*"]
  requireDigest: false
  mutateToDigest: true
  vulnerabilities: { failOn: high, kev: true, fixableCritical: true, unscanned: deny, scanBudgetMs: 2000 }
  signatures:
    required: true
    publicKeys:
      - cosign.pub
      - |
${inline
  .trim()
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ignored }
`;
    const file = join(dir, 'policy.yaml');
    const [p, ...rest] = parseImagePolicyFile(yaml, file);
    assert.equal(rest.length, 0, 'other kinds are ignored');
    assert.ok(p);
    assert.equal(p.name, 'prod-images');
    assert.equal(p.spec.mode, 'warn');
    assert.deepEqual(p.spec.forbidMutableTags, { allowTags: ['v*'] });
    assert.equal(p.spec.vulnerabilities?.failOn, 'high');
    assert.equal(p.publicKeys.length, 2);
    assert.notEqual(p.publicKeys[0]?.fingerprint, p.publicKeys[1]?.fingerprint);
    assert.deepEqual(p.source, { file, line: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('schema errors name file:line and the field', () => {
  const doc = (spec: string): string =>
    `apiVersion: kubeward.io/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: p\nspec:\n${spec}`;
  let e = userError(() => parseImagePolicyFile(doc('  mode: enforce\n  requireDigets: true\n'), 'pol.yaml'));
  assert.equal(e.oneLine(), 'pol.yaml:7: invalid ImagePolicy: spec.requireDigets is not a known field');
  e = userError(() => parseImagePolicyFile(doc('  vulnerabilities:\n    failOn: severe\n'), 'pol.yaml'));
  assert.match(
    e.oneLine(),
    /^pol\.yaml:7: invalid ImagePolicy: spec\.vulnerabilities\.failOn must be one of "critical"/,
  );
  e = userError(() => parseImagePolicyFile(doc('  allowedRegistries: [1]\n'), 'pol.yaml'));
  assert.match(e.oneLine(), /^pol\.yaml:6: .*spec\.allowedRegistries\[0\] must be string/);
  e = userError(() => parseImagePolicyFile(doc('  signatures:\n    required: true\n'), 'pol.yaml'));
  assert.match(e.oneLine(), /spec\.signatures is missing required field "publicKeys"/);
  e = userError(() =>
    parseImagePolicyFile(doc('  signatures:\n    publicKeys: [missing.pub]\n'), '/nowhere/pol.yaml'),
  );
  assert.match(
    e.oneLine(),
    /^\/nowhere\/pol\.yaml:7: .*spec\.signatures\.publicKeys\[0\]: cannot read public key file \/nowhere\/missing\.pub/,
  );
  e = userError(() =>
    parseImagePolicyFile(
      doc(
        '  signatures:\n    publicKeys: ["-----BEGIN PUBLIC KEY-----\\nZm9v\\n-----END PUBLIC KEY-----"]\n',
      ),
      'p.yaml',
    ),
  );
  assert.match(e.oneLine(), /^p\.yaml:7: .*publicKeys\[0\]: cannot parse public key/);
  e = userError(() =>
    parseImagePolicy(
      { apiVersion: 'kubeward.io/v1', kind: 'ImagePolicy', metadata: { name: 'x' }, spec: {} },
      { file: 'a.json', line: 3 },
    ),
  );
  assert.equal(e.oneLine(), 'a.json:3: invalid ImagePolicy: apiVersion must be "kubeward.io/v1alpha1"');
  e = userError(() => parseImagePolicy(null));
  assert.equal(e.where, undefined);
  assert.match(e.message, /document must be object/);
});
