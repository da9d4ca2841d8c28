// `kubeward admission serve --kubeconfig` against the stand-in API server (test/fixtures/k8s-api): namespace
// labels from the cluster decide PSS levels (and win over --pss), VAP objects from the cluster are loaded,
// and both follow watch events without a restart. No real API server can run here; the stand-in speaks
// real TLS, authenticates the bearer token and serves List/watch payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PATHS } from '../../src/k8s/client/paths.js';
import { HAVE_OPENSSL, makePki } from '../fixtures/k8s-api/pki.js';
import { StandInApiServer } from '../fixtures/k8s-api/stand-in.js';
import { ensureBuilt, REPO_ROOT, tempDir } from '../support/cli.js';
import { integration } from '../support/integration.js';
import { call as callWebhook, startWebhook, until as pollUntil, type Json } from './webhook-support.js';

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
  const w = await startWebhook(dir, ['--kubeconfig', 'kubeconfig', '--pss', 'baseline'], { t });
  const { child, logs } = w;
  // The AdmissionReview `response` (or {} for the plain-text health endpoints).
  const call = async (
    method: string,
    path: string,
    body?: string,
  ): Promise<{ status: number; json: Json }> => {
    const r = await callWebhook(w, method, path, body);
    return { status: r.status, json: (r.json.response as Json | undefined) ?? {} };
  };
  const until = (cond: () => Promise<boolean>): Promise<boolean> => pollUntil(cond, 10_000);
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
