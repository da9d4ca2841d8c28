// End-to-end: `kubeward policy audit` against the local HTTPS stand-in API server (test/fixtures/k8s-api;
// no real API server can run here) serving Pods and workloads with violations (fixtures/). Checks the
// findings, the PolicyReport output, the vulnerability gate from a real store, and the exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { openStore } from '../../src/store/index.js';
import { HAVE_OPENSSL } from '../fixtures/k8s-api/pki.js';
import { tempDir, type JsonReport } from '../support/cli.js';
import { integration } from '../support/integration.js';
import { D_BAD, D_OK, runCli, startAuditCluster } from './audit-cluster.js';

const VULN_POLICY = `apiVersion: kubeward.io/v1alpha1
kind: ImagePolicy
metadata:
  name: vulns
spec:
  vulnerabilities:
    failOn: critical
    kev: true
    unscanned: deny
`;

async function setup(t: Parameters<typeof tempDir>[0] & Parameters<typeof startAuditCluster>[0]) {
  const cluster = await startAuditCluster(t);
  const dir = tempDir(t, 'kubeward-audit-cli-');
  const kubeconfig = cluster.kubeconfig(dir);
  // No vulnerability database and no default store: only what the test passes with --db counts.
  const env = { XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir };
  return { ...cluster, dir, kubeconfig, env };
}

test('policy audit: findings per object, gate exit 1, table and JSON; a lower bar passes with exit 0', async (t) => {
  if (!integration(t, 'policy-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  const { dir, kubeconfig, env } = await setup(t);
  const json = await runCli(
    ['policy', 'audit', '--kubeconfig', kubeconfig, '--pss', 'baseline', '--format', 'json'],
    { cwd: dir, env },
  );
  assert.equal(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout) as JsonReport;
  const high = report.findings
    .filter((f) => f.severity === 'high')
    .map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name} ${f.checkId}`);
  assert.ok(high.includes('Pod payments/debug pss:restricted/privileged'), high.join('\n'));
  assert.ok(high.includes('Deployment payments/api pss:restricted/runAsNonRoot'));
  assert.ok(high.includes('Deployment default/nginx pss:baseline/hostNamespaces'));
  // Owned objects are judged through their controller: no ReplicaSet, no Pod of Deployment api.
  assert.ok(
    !report.findings.some((f) => f.resource.kind === 'ReplicaSet' || f.resource.name.startsWith('api-')),
  );
  assert.equal(
    report.findings.find((f) => f.resource.name === 'debug')?.location.file,
    '/api/v1/namespaces/payments/pods/debug',
  );

  const table = await runCli(['policy', 'audit', '--kubeconfig', kubeconfig, '--pss', 'baseline'], {
    cwd: dir,
    env,
  });
  assert.equal(table.code, 1);
  assert.match(table.stdout, /pss:restricted\/privileged/);

  // Without --pss, default (unlabelled) is privileged; payments still enforces restricted by its label.
  const critical = await runCli(
    ['policy', 'audit', '--kubeconfig', kubeconfig, '--fail-on', 'critical', '--format', 'json'],
    { cwd: dir, env },
  );
  assert.equal(critical.code, 0, critical.stderr);
  const r2 = JSON.parse(critical.stdout) as JsonReport;
  assert.ok(!r2.findings.some((f) => f.resource.namespace === 'default'));
  assert.ok(r2.findings.some((f) => f.resource.name === 'debug'));
});

test('policy audit --format policyreport: one PolicyReport per namespace with fail, warn and pass results', async (t) => {
  if (!integration(t, 'policy-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  const { dir, kubeconfig, env } = await setup(t);
  const r = await runCli(
    [
      'policy',
      'audit',
      '--kubeconfig',
      kubeconfig,
      '--pss',
      'baseline',
      '--format',
      'policyreport',
      '-o',
      'polr.yaml',
    ],
    { cwd: dir, env },
  );
  assert.equal(r.code, 1, r.stderr);
  const { readFileSync } = await import('node:fs');
  const docs = parseAllDocuments(readFileSync(join(dir, 'polr.yaml'), 'utf8'));
  assert.ok(Array.isArray(docs));
  const objects = docs.map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string };
      summary: Record<string, number>;
      results: Array<{ policy: string; rule?: string; result: string; resources: Array<{ name: string }> }>;
    };
  });
  assert.deepEqual(
    objects.map((o) => [o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name]),
    [
      ['wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'default', 'kubeward-policy-report'],
      ['wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'legacy', 'kubeward-policy-report'],
      ['wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'payments', 'kubeward-policy-report'],
    ],
  );
  const byNs = new Map(objects.map((o) => [o.metadata.namespace, o]));
  assert.deepEqual(byNs.get('default')?.summary, { pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
  assert.deepEqual(
    byNs.get('default')?.results.map((x) => [x.policy, x.rule, x.result, x.resources[0]?.name]),
    [
      ['pss:baseline', 'hostNamespaces', 'fail', 'nginx'],
      ['pss:baseline', undefined, 'pass', 'web'],
    ],
  );
  assert.deepEqual(byNs.get('legacy')?.summary, { pass: 0, fail: 0, warn: 2, error: 0, skip: 0 });
  assert.equal(byNs.get('payments')?.summary.fail, 9);
});

test('policy audit --db: stored scan results drive the vulnerability gate; unscanned digests are denied', async (t) => {
  if (!integration(t, 'policy-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  const { dir, kubeconfig, env } = await setup(t);
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'vulns.yaml'), VULN_POLICY);
  const run = (db: string) =>
    runCli(
      [
        'policy',
        'audit',
        '--kubeconfig',
        kubeconfig,
        '--policies',
        'policies',
        '--db',
        db,
        '--format',
        'json',
      ],
      { cwd: dir, env },
    );
  const vulnFindings = (out: string): string[] =>
    (JSON.parse(out) as JsonReport).findings
      .filter((f) => f.checkId.startsWith('image:vulns/'))
      .map((f) => `${f.resource.namespace}/${f.resource.name} ${f.checkId}`)
      .sort();

  // An empty store: every digest is unscanned, and the policy denies unscanned images.
  const empty = await run(join(dir, 'empty.db'));
  assert.equal(empty.code, 1, empty.stderr);
  assert.deepEqual(vulnFindings(empty.stdout), [
    'default/nginx image:vulns/vulnerabilities.unscanned',
    'default/web image:vulns/vulnerabilities.unscanned',
    'legacy/old-root image:vulns/vulnerabilities.unscanned',
    'payments/api image:vulns/vulnerabilities.unscanned',
    'payments/debug image:vulns/vulnerabilities.unscanned',
  ]);

  // A store as `kubeward registry scan` fills it: api's digest has a critical KEV finding, tools is clean.
  const url = join(dir, 'store.db');
  const store = await openStore(url);
  const repo = { registry: 'registry.example:5000', repository: 'acme/api' };
  await store.saveImage(D_BAD, { repo, packages: [] });
  await store.saveImage(D_OK, { repo: { ...repo, repository: 'acme/tools' }, packages: [] });
  await store.replaceFindings(
    D_BAD,
    [
      {
        advisoryId: 'CVE-2024-3094',
        packageName: 'liblzma5',
        packageVersion: '5.6.0-0.2',
        ecosystem: 'Debian:12',
        purl: 'pkg:deb/debian/liblzma5@5.6.0-0.2',
        severity: 'critical',
        kev: true,
        fixable: true,
        fixedVersion: '5.6.1+really5.4.5-1',
      },
    ],
    { importedAt: '2026-11-01T00:00:00.000Z' },
  );
  await store.replaceFindings(D_OK, [], { importedAt: '2026-11-01T00:00:00.000Z' });
  await store.close();

  const stored = await run(url);
  assert.equal(stored.code, 1, stored.stderr);
  assert.deepEqual(vulnFindings(stored.stdout), [
    'payments/api image:vulns/vulnerabilities.failOn',
    'payments/api image:vulns/vulnerabilities.kev',
  ]);
  const kev = (JSON.parse(stored.stdout) as JsonReport).findings.find(
    (f) => f.checkId === 'image:vulns/vulnerabilities.kev',
  );
  assert.match(kev?.message ?? '', /has 1 known exploited vulnerability \(CISA KEV\)/);
});

test('policy audit: unreachable cluster and bad flags are user errors (exit 2, one line)', async (t) => {
  if (!integration(t, 'policy-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  const { dir, kubeconfig, env, api } = await setup(t);
  const missing = await runCli(['policy', 'audit', '--kubeconfig', join(dir, 'nope')], { cwd: dir, env });
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  const context = await runCli(['policy', 'audit', '--kubeconfig', kubeconfig, '--context', 'other'], {
    cwd: dir,
    env,
  });
  assert.equal(context.code, 2);
  assert.match(context.stderr, /other/);
  // The token is refused everywhere: nothing could be listed.
  api.tokens.clear();
  const denied = await runCli(['policy', 'audit', '--kubeconfig', kubeconfig], { cwd: dir, env });
  assert.equal(denied.code, 2, denied.stderr);
  assert.match(denied.stderr, /^kubeward: cannot list anything in /);
  assert.equal(denied.stderr.trim().split('\n').length, 1, denied.stderr);
});
