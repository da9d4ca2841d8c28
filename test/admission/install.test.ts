// `kubeward admission install`: the printed YAML has the shape the issue asks for, carries a CA and a
// serving certificate that actually verify, and passes kubeward's own manifest scan without high findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describeRun, kubeward, parseReport, tempDir } from '../support/cli.js';
import { commandWorks, integration } from '../support/integration.js';

type Obj = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string } };
const HAVE_OPENSSL = commandWorks('openssl', ['version']);

function objects(yamlText: string): Obj[] {
  return parseAllDocuments(yamlText).map((d) => d.toJSON() as Obj);
}
const byKind = (objs: Obj[], kind: string): Obj[] => objs.filter((o) => o.kind === kind);
const one = (objs: Obj[], kind: string): Obj => {
  const found = byKind(objs, kind)[0];
  assert.ok(found, `no ${kind}`);
  return found;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only deep reads of YAML
type Deep = any;

test('install prints a complete, least-privilege, fail-open-by-default deployment', (t) => {
  if (!integration(t, 'admission-install', HAVE_OPENSSL, 'openssl not installed')) return;
  const r = kubeward(['admission', 'install', '--namespace', 'guard', '--replicas', '3']);
  assert.equal(r.code, 0, describeRun(r));
  const objs = objects(r.stdout);
  assert.deepEqual(
    objs.map((o) => o.kind),
    [
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Secret',
      'Deployment',
      'PodDisruptionBudget',
      'Service',
      'NetworkPolicy',
      'NetworkPolicy',
      'ValidatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
    ],
  );
  const role = one(objs, 'ClusterRole') as Deep;
  const grants = (role.rules as Deep[]).flatMap((x) =>
    (x.resources as string[]).map((res) => `${x.apiGroups[0]}/${res}:${(x.verbs as string[]).join(',')}`),
  );
  assert.deepEqual(grants.sort(), [
    '/namespaces:get,list,watch',
    'admissionregistration.k8s.io/validatingadmissionpolicies:get,list,watch',
    'admissionregistration.k8s.io/validatingadmissionpolicybindings:get,list,watch',
  ]);
  const dep = one(objs, 'Deployment') as Deep;
  assert.equal(dep.metadata.namespace, 'guard');
  assert.equal(dep.spec.replicas, 3);
  const pod = dep.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.readinessProbe.httpGet.scheme, 'HTTPS');
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.ok(pod.affinity.podAntiAffinity);
  assert.equal((one(objs, 'PodDisruptionBudget') as Deep).spec.maxUnavailable, 1);
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    const wh = (one(objs, kind) as Deep).webhooks[0];
    assert.equal(wh.timeoutSeconds, 5);
    // No policy enforces (no --pss, no --policies): fail open.
    assert.equal(wh.failurePolicy, 'Ignore');
    assert.equal(wh.matchPolicy, 'Equivalent');
    assert.equal(wh.sideEffects, 'None');
    assert.deepEqual(wh.admissionReviewVersions, ['v1', 'v1beta1']);
    assert.deepEqual(wh.namespaceSelector.matchExpressions[0].values, ['kube-system', 'guard']);
    assert.equal(wh.clientConfig.service.namespace, 'guard');
    assert.ok(wh.rules.some((x: Deep) => (x.resources as string[]).includes('pods/ephemeralcontainers')));
  }

  // The CA in the webhooks signs the serving cert in the Secret, which names the Service.
  const secret = one(objs, 'Secret') as Deep;
  const ca = new X509Certificate(
    Buffer.from(
      (one(objs, 'ValidatingWebhookConfiguration') as Deep).webhooks[0].clientConfig.caBundle,
      'base64',
    ),
  );
  const serving = new X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64'));
  assert.ok(serving.verify(ca.publicKey));
  assert.equal(serving.checkHost('kubeward-webhook.guard.svc'), 'kubeward-webhook.guard.svc');
  assert.equal(ca.ca, true);
  assert.equal(serving.ca, false);

  // kubeward's own scan: no high or critical findings.
  const dir = tempDir(t);
  writeFileSync(join(dir, 'install.yaml'), r.stdout);
  const scan = kubeward(['scan', 'manifests', 'install.yaml', '--format', 'json'], { cwd: dir });
  assert.equal(scan.code, 0, describeRun(scan));
  const severe = parseReport(scan).findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
  assert.deepEqual(severe, []);
});

test('enforcing policies make the webhooks fail closed; --rotate-cert prints only the new Secret and CA bundle', (t) => {
  if (!integration(t, 'admission-install', HAVE_OPENSSL, 'openssl not installed')) return;
  const enforcing = objects(kubeward(['admission', 'install', '--pss', 'baseline']).stdout);
  assert.equal((one(enforcing, 'ValidatingWebhookConfiguration') as Deep).webhooks[0].failurePolicy, 'Fail');
  assert.ok(
    ((one(enforcing, 'Deployment') as Deep).spec.template.spec.containers[0].args as string[])
      .join(' ')
      .includes('--pss baseline'),
  );

  const rotated = kubeward(['admission', 'install', '--rotate-cert', '--cert-days', '30']);
  assert.equal(rotated.code, 0, describeRun(rotated));
  const objs = objects(rotated.stdout);
  assert.deepEqual(
    objs.map((o) => o.kind),
    ['Secret', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
  );
  const secret = objs[0] as Deep;
  const bundle = (objs[1] as Deep).webhooks[0].clientConfig.caBundle;
  assert.equal(bundle, secret.data['ca.crt']);
  const cert = new X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64'));
  const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30.01, String(days));
});

test('--audit-interval passes the interval to the server and adds list (only) on Pods and workloads', (t) => {
  if (!integration(t, 'admission-install', HAVE_OPENSSL, 'openssl not installed')) return;
  const r = kubeward(['admission', 'install', '--audit-interval', '15m']);
  assert.equal(r.code, 0, describeRun(r));
  const objs = objects(r.stdout);
  const role = one(objs, 'ClusterRole') as Deep;
  const grants = (role.rules as Deep[]).flatMap((x) =>
    (x.resources as string[]).map((res) => `${x.apiGroups[0]}/${res}:${(x.verbs as string[]).join(',')}`),
  );
  for (const g of ['/pods:list', 'apps/deployments:list', 'apps/replicasets:list', 'batch/cronjobs:list'])
    assert.ok(grants.includes(g), `${g} in ${grants.join(' ')}`);
  assert.ok(!grants.some((g) => g.includes('secrets') || g.includes('configmaps')));
  const args = (one(objs, 'Deployment') as Deep).spec.template.spec.containers[0].args as string[];
  assert.deepEqual(args.slice(args.indexOf('--audit-interval'), args.indexOf('--audit-interval') + 2), [
    '--audit-interval',
    '15m',
  ]);
  const bad = kubeward(['admission', 'install', '--audit-interval', 'soon']);
  assert.equal(bad.code, 2);
});

test('install rejects bad flags with exit 2', () => {
  for (const [args, re] of [
    [['--namespace', 'Not_Valid'], /--namespace: "Not_Valid"/],
    [['--replicas', '0'], /--replicas: "0"/],
    [['--cert-days', '99999'], /--cert-days: "99999"/],
    [['--pss', 'nope'], /--pss: "nope"/],
  ] as const) {
    const r = kubeward(['admission', 'install', ...args]);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, re);
  }
});
