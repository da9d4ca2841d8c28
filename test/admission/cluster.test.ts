// `kubeward admission serve --kubeconfig` against the stand-in API server (test/fixtures/k8s-api): namespace
// labels from the cluster decide PSS levels (and win over --pss), VAP objects from the cluster are loaded,
// and both follow watch events without a restart. No real API server can run here; the stand-in speaks
// real TLS, authenticates the bearer token and serves List/watch payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateServingCerts } from '../../src/admission/install/certs.js';
import { PATHS } from '../../src/k8s/client/paths.js';
import { HAVE_OPENSSL, makePki } from '../fixtures/k8s-api/pki.js';
import { StandInApiServer } from '../fixtures/k8s-api/stand-in.js';
import { CLI_PATH, ensureBuilt, REPO_ROOT, tempDir } from '../support/cli.js';
import { integration } from '../support/integration.js';

type Json = Record<string, unknown>;
const podReview = (ns: string, spec: Json): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `u-${ns}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'p',
      namespace: ns,
      operation: 'CREATE',
      userInfo: { username: 'u' },
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec },
      dryRun: false,
    },
  });

test('serve --kubeconfig: namespace labels and VAP objects come from the cluster and follow changes', async (t) => {
  if (!integration(t, 'admission-cluster', HAVE_OPENSSL, 'openssl not installed')) return;
  ensureBuilt();
  const dir = tempDir(t, 'kubeward-cluster-');
  const pki = makePki();
  const api = await StandInApiServer.start({ pki, tokens: ['tok'] });
  t.after(() => api.close());
  api.seed(PATHS.namespaces, 'namespace-list.json');
  api.seed(PATHS.validatingAdmissionPolicies, 'validatingadmissionpolicy-list.json');
  api.seed(
    PATHS.validatingAdmissionPolicyBindings,
    join('..', '..', 'admission', 'fixtures', 'validatingadmissionpolicybinding-list.json'),
  );
  writeFileSync(
    join(dir, 'kubeconfig'),
    stringify({
      clusters: [
        { name: 'c', cluster: { server: api.url, 'certificate-authority-data': pki.ca.toString('base64') } },
      ],
      users: [{ name: 'u', user: { token: 'tok' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  const certs = generateServingCerts({ dnsNames: ['localhost'], days: 1 });
  writeFileSync(join(dir, 'tls.crt'), certs.cert);
  writeFileSync(join(dir, 'tls.key'), certs.key);
  const child = spawn(
    process.execPath,
    [
      CLI_PATH,
      'admission',
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--tls-cert',
      'tls.crt',
      '--tls-key',
      'tls.key',
      '--kubeconfig',
      'kubeconfig',
      '--pss',
      'baseline',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const logs: Json[] = [];
  let buf = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${JSON.stringify(logs)}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const e = JSON.parse(line) as Json;
          logs.push(e);
          if (e.msg === 'admission webhook listening') {
            clearTimeout(timer);
            resolve(e.port as number);
          }
        } catch {
          logs.push({ raw: line });
        }
      }
    });
  });
  const call = (method: string, path: string, body?: string): Promise<{ status: number; json: Json }> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          ca: certs.caCert,
          servername: 'localhost',
          method,
          path,
          agent: false,
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json: Json = {};
            try {
              json = (JSON.parse(text) as { response?: Json }).response ?? {};
            } catch {
              // plain-text health endpoints
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const until = async (cond: () => Promise<boolean>): Promise<boolean> => {
    for (let i = 0; i < 100; i++) {
      if (await cond()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  assert.ok(await until(async () => (await call('GET', '/readyz')).status === 200), 'never ready');

  const privileged = { containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] };
  const nonRoot = { containers: [{ name: 'a', image: 'x' }] };
  // payments is labelled restricted in the cluster: a baseline-clean pod is still denied there.
  const payments = await call('POST', '/validate', podReview('payments', nonRoot));
  assert.equal(payments.json.allowed, false);
  assert.match(String((payments.json.status as Json).message), /pss:restricted/);
  // legacy is labelled privileged: the label wins over --pss baseline.
  assert.equal((await call('POST', '/validate', podReview('legacy', privileged))).json.allowed, true);
  // default has no PSS label: --pss baseline applies.
  assert.equal((await call('POST', '/validate', podReview('default', privileged))).json.allowed, false);

  // A label change in the cluster is followed through the watch.
  const legacy = JSON.parse(
    readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'k8s-api', 'namespace-list.json'), 'utf8'),
  ) as { items: Json[] };
  const legacyNs = legacy.items.find((n) => (n.metadata as Json).name === 'legacy') as Json;
  api.upsert(PATHS.namespaces, {
    ...legacyNs,
    metadata: {
      ...(legacyNs.metadata as Json),
      name: 'legacy',
      labels: { 'pod-security.kubernetes.io/enforce': 'baseline' },
    },
  });
  assert.ok(
    await until(
      async () => (await call('POST', '/validate', podReview('legacy', privileged))).json.allowed === false,
    ),
    'label change not followed',
  );

  // A VAP binding created in the cluster starts applying the (already listed) policy.
  const hostNet = { hostNetwork: true, containers: [{ name: 'a', image: 'x' }] };
  assert.equal((await call('POST', '/validate', podReview('kube-public', hostNet))).json.allowed, false); // baseline: hostNetwork
  api.upsert(PATHS.validatingAdmissionPolicyBindings, {
    metadata: { name: 'no-host-network-binding' },
    spec: { policyName: 'no-host-network', validationActions: ['Warn'] },
  });
  assert.ok(
    await until(async () => {
      await call('POST', '/validate', podReview('default', nonRoot));
      return logs.some(
        (l) =>
          l.msg === 'policies reloaded from the cluster' &&
          JSON.stringify(l.policies).includes('vap:no-host-network/no-host-network-binding'),
      );
    }),
    `binding not loaded: ${JSON.stringify(logs.filter((l) => String(l.msg).includes('polic')))}`,
  );
  api.upsert(PATHS.namespaces, {
    metadata: { name: 'free', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
  });
  assert.ok(
    await until(async () => {
      const r = await call('POST', '/validate', podReview('free', hostNet));
      return (
        r.json.allowed === true &&
        JSON.stringify(r.json.warnings ?? []).includes('pods must not use the host network')
      );
    }),
    'VAP warning not seen',
  );
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0);
});
