// The background audit against the local HTTPS stand-in API server (test/fixtures/k8s-api), because no real
// API server can run here: real TLS, bearer token, paginated List responses of Pods and workloads with
// known violations (test/policy/fixtures), namespace labels from the cluster deciding PSS levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_OPENSSL } from '../../../test/fixtures/k8s-api/pki.js';
import { startAuditCluster, WORKLOADS } from '../../../test/policy/audit-cluster.js';
import { integration } from '../../../test/support/integration.js';
import { summarize } from '../../core/finding.js';
import { KubeClient } from '../../k8s/client/client.js';
import { loadKubeConfig } from '../../k8s/client/kubeconfig.js';
import { policyReports } from '../../report/policyreport.js';
import { parsePssLevel } from '../engine/index.js';
import { buildPolicySet } from '../load/index.js';
import { auditCluster } from './audit.js';
import { auditReport } from './findings.js';

const set = buildPolicySet([], {
  cwd: '/',
  pss: parsePssLevel('baseline'),
  enforceWorkloads: true,
}).set;

async function setup(t: Parameters<typeof startAuditCluster>[0]) {
  const cluster = await startAuditCluster(t);
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-audit-'));
  const client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig(dir) }));
  t.after(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ...cluster, client };
}

const key = (o: { kind: string; metadata: { namespace?: string; name?: string } }): string =>
  `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;

test('the audit lists Pods and workloads page by page and judges each with the namespace levels', async (t) => {
  if (!integration(t, 'policy-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  const { api, client } = await setup(t);
  const result = await auditCluster({ client, set, now: new Date('2026-11-27T00:00:00Z'), pageSize: 1 });

  assert.deepEqual(result.errors, []);
  assert.equal(result.listed, WORKLOADS.length);
  // The ReplicaSet of Deployment api and its Pod are judged through the Deployment.
  assert.equal(result.owned, 2);
  const byKey = new Map(result.objects.map((o) => [key(o.object), o.decision]));
  assert.deepEqual([...byKey.keys()].sort(), [
    'Deployment default/nginx',
    'Deployment payments/api',
    'Pod default/web',
    'Pod legacy/old-root',
    'Pod payments/debug',
  ]);
  // payments enforces restricted (its label), default takes --pss baseline, legacy is privileged.
  assert.equal(byKey.get('Pod payments/debug')?.allowed, false);
  assert.match(byKey.get('Pod payments/debug')?.message ?? '', /restricted:latest.*privileged/);
  assert.equal(byKey.get('Deployment payments/api')?.allowed, false);
  assert.equal(
    byKey.get('Deployment default/nginx')?.allowed,
    false,
    byKey.get('Deployment default/nginx')?.message,
  );
  assert.match(byKey.get('Deployment default/nginx')?.message ?? '', /baseline:latest.*host namespaces/);
  assert.equal(byKey.get('Pod default/web')?.allowed, true);
  assert.equal(byKey.get('Pod legacy/old-root')?.allowed, true);

  // Paginated: with one item per page the pods took several continue requests.
  const podPath = WORKLOADS[0]?.[0] ?? '';
  const podRequests = api.requests.filter((r) => r.path === podPath);
  assert.equal(podRequests.length, 4);
  assert.ok(podRequests.slice(1).every((r) => r.query.get('continue')));
  assert.ok(api.requests.every((r) => r.auth === 'token'));

  const report = auditReport(result);
  const ids = new Set(
    report.findings.map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name} ${f.checkId}`),
  );
  assert.ok(ids.has('Pod payments/debug pss:restricted/privileged'));
  assert.ok(ids.has('Deployment payments/api pss:restricted/runAsNonRoot'));
  assert.ok(ids.has('Deployment default/nginx pss:baseline/hostNamespaces'));
  // Enforced levels deny (high); the --pss default also applies to unset warn labels (medium).
  assert.ok(ids.has('Pod legacy/old-root pss:baseline/privileged'));
  for (const f of report.findings)
    assert.equal(
      f.severity,
      f.resource.namespace === 'legacy' ||
        (f.resource.name === 'debug' && f.checkId.startsWith('pss:baseline'))
        ? 'medium'
        : 'high',
      `${f.resource.name} ${f.checkId}`,
    );
  const debug = report.findings.find((f) => f.resource.name === 'debug');
  assert.equal(debug?.location.file, '/api/v1/namespaces/payments/pods/debug');
  assert.deepEqual(report.policies.get('pss:restricted'), { violating: 2, evaluated: 2, errors: 0 });
  assert.deepEqual(report.policies.get('pss:baseline'), { violating: 3, evaluated: 5, errors: 0 });
  assert.deepEqual(
    report.passes.map((p) => `${p.policy} ${p.resource.namespace}/${p.resource.name}`).sort(),
    ['pss:baseline default/web', 'pss:baseline payments/api'],
  );

  // The same results as PolicyReports: one per namespace, fails and passes counted.
  const reports = policyReports(
    {
      tool: { name: 'kubeward', version: 't' },
      target: 'policy audit',
      findings: report.findings,
      rules: report.rules,
      warnings: [],
      summary: summarize(report.findings),
    },
    { now: result.at, passes: report.passes },
  );
  assert.deepEqual(
    reports.map((r) => [r.kind, r.metadata.namespace, r.summary.pass, r.summary.fail]),
    [
      ['PolicyReport', 'default', 1, 1],
      ['PolicyReport', 'legacy', 0, 0],
      // 5 restricted controls of the debug Pod and 4 of Deployment api; the debug Pod's baseline warn.
      ['PolicyReport', 'payments', 1, 9],
    ],
  );
  const legacy = reports.find((r) => r.metadata.namespace === 'legacy');
  assert.deepEqual(legacy?.summary, { pass: 0, fail: 0, warn: 2, error: 0, skip: 0 });
  assert.deepEqual(legacy?.metadata, {
    name: 'kubeward-policy-report',
    namespace: 'legacy',
    labels: { 'app.kubernetes.io/managed-by': 'kubeward' },
  });
  assert.deepEqual(legacy?.results[0], {
    source: 'kubeward',
    policy: 'pss:baseline',
    rule: 'hostNamespaces',
    category: 'policy',
    severity: 'medium',
    timestamp: { seconds: Math.floor(result.at.getTime() / 1000), nanos: 0 },
    result: 'warn',
    scored: false,
    resources: [{ apiVersion: 'v1', kind: 'Pod', name: 'old-root', namespace: 'legacy' }],
    message: legacy?.results[0]?.message,
  });
  assert.match(legacy?.results[0]?.message ?? '', /hostNetwork=true/);
});

test('owned objects on request; a collection that cannot be listed is reported and the rest audited', async (t) => {
  if (!integration(t, 'policy-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  const { api, client } = await setup(t);
  const cronjobs = WORKLOADS[6]?.[0] ?? '';
  api.failNext(cronjobs, 503, 503, 503, 503);
  const result = await auditCluster({ client, set, includeOwned: true });
  assert.equal(result.owned, 0);
  assert.equal(result.objects.length, 7);
  assert.deepEqual(
    result.errors.map((e) => e.what),
    ['CronJob'],
  );
  assert.match(result.errors[0]?.message ?? '', /503|injected/);
  assert.equal(result.listed, WORKLOADS.length - 1);
});

test('an aborted audit stops between objects', async (t) => {
  if (!integration(t, 'policy-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  const { client } = await setup(t);
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(auditCluster({ client, set, signal: abort.signal }), /abort/i);
});
