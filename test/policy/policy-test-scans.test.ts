// End-to-end: `kubeward policy test --db` judges images with the scan results `kubeward registry scan`
// stores (here written through the store API), and treats a digest the store does not know as unscanned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { kubeward, linesContaining, parseReport, tempDir } from '../support/cli.js';

const BAD = `sha256:${'d'.repeat(64)}`;
const UNKNOWN = `sha256:${'e'.repeat(64)}`;

const pod = (name: string, digest: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
spec:
  containers:
    - name: app
      image: registry.example:5000/shop/cart@${digest}
`;

test('policy test --db: stored findings deny per policy; a digest not in the store is unscanned', async (t) => {
  const dir = tempDir(t, 'kubeward-policy-scans-');
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'vulns.yaml'),
    `apiVersion: kubeward.io/v1alpha1
kind: ImagePolicy
metadata:
  name: vulns
spec:
  vulnerabilities:
    failOn: high
    fixableCritical: true
    unscanned: warn
`,
  );
  writeFileSync(join(dir, 'bad.yaml'), pod('cart', BAD));
  writeFileSync(join(dir, 'unknown.yaml'), pod('cart-next', UNKNOWN));
  const db = join(dir, 'store.db');
  const store = await openStore(db);
  const repo = { registry: 'registry.example:5000', repository: 'shop/cart' };
  await store.saveImage(BAD, { repo, packages: [] });
  await store.replaceFindings(
    BAD,
    [
      {
        advisoryId: 'CVE-2023-4863',
        packageName: 'libwebp7',
        packageVersion: '1.2.4-0.2',
        ecosystem: 'Debian:12',
        purl: 'pkg:deb/debian/libwebp7@1.2.4-0.2',
        severity: 'critical',
        kev: true,
        fixable: true,
        fixedVersion: '1.2.4-0.2+deb12u1',
      },
    ],
    { importedAt: '2026-11-01T00:00:00.000Z' },
  );
  await store.close();
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };

  const bad = kubeward(
    ['policy', 'test', 'bad.yaml', '--policies', 'policies', '--db', db, '--format', 'json'],
    {
      cwd: dir,
      env,
    },
  );
  assert.equal(bad.code, 1, bad.stderr);
  const findings = parseReport(bad).findings.map((f) => [f.checkId, f.location.line]);
  const imageLine = linesContaining(join(dir, 'bad.yaml'), 'image:')[0];
  assert.deepEqual(findings, [
    ['image:vulns/vulnerabilities.failOn', imageLine],
    ['image:vulns/vulnerabilities.fixableCritical', imageLine],
  ]);

  // Not in the store: unscanned → warn (no finding, exit 0).
  const unknown = kubeward(
    ['policy', 'test', 'unknown.yaml', '--policies', 'policies', '--db', db, '--format', 'json'],
    { cwd: dir, env },
  );
  assert.equal(unknown.code, 0, unknown.stderr);
  assert.deepEqual(parseReport(unknown).findings, []);

  // Without --db and without a default store there are no scan results at all: the same image is unscanned.
  const none = kubeward(['policy', 'test', 'bad.yaml', '--policies', 'policies', '--format', 'json'], {
    cwd: dir,
    env,
  });
  assert.equal(none.code, 0, none.stderr);
  // ... and judging manifests did not create the default store as a side effect.
  assert.equal(existsSync(join(dir, 'cache', 'kubeward', 'store.db')), false);
});

test('policy test finds the default store beside --cache-dir', async (t) => {
  const dir = tempDir(t, 'kubeward-policy-scans-');
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'vulns.yaml'),
    'apiVersion: kubeward.io/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: vulns\nspec:\n  vulnerabilities:\n    failOn: critical\n    unscanned: deny\n',
  );
  writeFileSync(join(dir, 'bad.yaml'), pod('cart', BAD));
  mkdirSync(join(dir, 'vulncache'));
  const store = await openStore(join(dir, 'vulncache', 'store.db'));
  await store.saveImage(BAD, {
    repo: { registry: 'registry.example:5000', repository: 'shop/cart' },
    packages: [],
  });
  await store.replaceFindings(BAD, [], { importedAt: '' });
  await store.close();
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const r = kubeward(
    ['policy', 'test', 'bad.yaml', '--policies', 'policies', '--cache-dir', 'vulncache', '--format', 'json'],
    { cwd: dir, env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(parseReport(r).findings, []);
  // The same without --cache-dir: no store is found, the image is unscanned and denied.
  const denied = kubeward(['policy', 'test', 'bad.yaml', '--policies', 'policies', '--format', 'json'], {
    cwd: dir,
    env,
  });
  assert.equal(denied.code, 1);
  assert.deepEqual(
    parseReport(denied).findings.map((f) => f.checkId),
    ['image:vulns/vulnerabilities.unscanned'],
  );
});
