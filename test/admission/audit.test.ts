// `kubeward admission serve --audit-interval` against the local HTTPS stand-in API server (no real API
// server can run here): the background audit lists the stand-in's Pods and workloads on its own timer,
// logs one JSON line per pass and exposes per-policy violation gauges on /metrics, and follows changes in
// the cluster from one pass to the next. Scan results come from a --db store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateServingCerts } from '../../src/admission/install/certs.js';
import { HAVE_OPENSSL } from '../fixtures/k8s-api/pki.js';
import { ensureBuilt, tempDir } from '../support/cli.js';
import { integration } from '../support/integration.js';
import { runCli, startAuditCluster, WORKLOADS } from '../policy/audit-cluster.js';
import { call, startWebhook, until, type Json } from './webhook-support.js';

test('serve --audit-interval: passes in the background, JSON log lines, gauges on /metrics', async (t) => {
  if (!integration(t, 'admission-audit', HAVE_OPENSSL, 'openssl not installed')) return;
  ensureBuilt();
  const { api, kubeconfig } = await startAuditCluster(t);
  const dir = tempDir(t, 'kubeward-serve-audit-');
  const config = kubeconfig(dir);
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'vulns.yaml'),
    'apiVersion: kubeward.io/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: vulns\nspec:\n  mode: audit\n  vulnerabilities:\n    failOn: high\n    unscanned: deny\n',
  );
  const w = await startWebhook(
    dir,
    [
      '--kubeconfig',
      config,
      '--pss',
      'baseline',
      '--policies',
      'policies',
      '--db',
      join(dir, 'store.db'),
      '--audit-interval',
      '1s',
    ],
    { t, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') } },
  );
  const { child, logs } = w;
  assert.ok(
    await until(() => logs.some((l) => l.msg === 'admission webhook listening')),
    JSON.stringify(logs),
  );
  const metrics = async (): Promise<string> => (await call(w, 'GET', '/metrics')).text;

  const passes = (): Json[] => logs.filter((l) => l.msg === 'audit pass');
  assert.ok(await until(() => passes().length >= 1), `no audit pass: ${JSON.stringify(logs)}`);
  const first = passes()[0] as Json;
  assert.equal(first.objects, 5);
  assert.equal(first.owned, 2);
  assert.deepEqual(first.listErrors, []);
  assert.deepEqual(first.violations, { 'pss:restricted': 2, 'pss:baseline': 3, 'image:vulns': 5 });
  const text = await metrics();
  assert.match(text, /^kubeward_audit_violations\{policy="pss:restricted"\} 2$/m);
  assert.match(text, /^kubeward_audit_violations\{policy="image:vulns"\} 5$/m);
  assert.match(text, /^kubeward_audit_objects 5$/m);
  assert.match(text, /^# TYPE kubeward_audit_violations gauge$/m);
  // The webhook's own metrics are still there and the audit did not go through the request path.
  assert.match(text, /^# TYPE kubeward_admission_decisions_total counter$/m);
  assert.doesNotMatch(text, /kubeward_admission_decisions_total\{/);

  // The next pass sees the cluster as it is now: the privileged debug Pod is gone.
  api.remove(WORKLOADS[0]?.[0] ?? '', 'debug', 'payments');
  assert.ok(
    await until(async () =>
      /^kubeward_audit_violations\{policy="pss:restricted"\} 1$/m.test(await metrics()),
    ),
    `later pass not seen: ${JSON.stringify(passes().slice(-1))}`,
  );
  assert.ok(passes().length >= 2);

  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0);
});

test('serve --audit-interval needs cluster access and a valid duration (exit 2)', async (t) => {
  const dir = tempDir(t, 'kubeward-serve-audit-');
  const certs = generateServingCerts({ dnsNames: ['localhost'], days: 1 });
  writeFileSync(join(dir, 'tls.crt'), certs.cert);
  writeFileSync(join(dir, 'tls.key'), certs.key);
  const base = [
    'admission',
    'serve',
    '--listen',
    '127.0.0.1:0',
    '--tls-cert',
    'tls.crt',
    '--tls-key',
    'tls.key',
  ];
  const env = { KUBERNETES_SERVICE_HOST: '', XDG_CACHE_HOME: join(dir, 'cache') };
  const noCluster = await runCli([...base, '--audit-interval', '5m'], { cwd: dir, env });
  assert.equal(noCluster.code, 2, noCluster.stderr);
  assert.match(noCluster.stderr, /--audit-interval needs cluster access/);
  const bad = await runCli([...base, '--audit-interval', 'soon'], { cwd: dir, env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--audit-interval: expected a duration/);
});
