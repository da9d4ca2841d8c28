// End-to-end: `kubeward admission serve` as a separate process, real TLS, AdmissionReview bodies of the
// shapes kube-apiserver sends (test/fixtures/admission), a watched policies directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, ensureBuilt, REPO_ROOT, tempDir } from '../support/cli.js';
import { commandWorks, integration } from '../support/integration.js';
import { call, startWebhook, type Json, type Webhook } from './webhook-support.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'admission');
const fixture = (name: string): Json => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json;

/** POST a review, or `GET /path` for the plain endpoints. */
const post = (w: Webhook, path: string, body: unknown): ReturnType<typeof call> =>
  path.startsWith('GET ') ? call(w, 'GET', path.slice(4)) : call(w, 'POST', path, body);

interface Resp {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}
const resp = (r: { json: Json }): Resp => r.json.response as Resp;

function withNamespace(review: Json, ns: string): Json {
  const copy = structuredClone(review);
  const req = copy.request as Json;
  req.namespace = ns;
  ((req.object as Json).metadata as Json).namespace = ns;
  return copy;
}

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test('admission serve judges real AdmissionReviews over TLS, reloads policies, stops on SIGTERM', async (t) => {
  if (!integration(t, 'admission-serve', commandWorks('openssl', ['version']), 'openssl not installed'))
    return;
  const dir = tempDir(t, 'kubeward-serve-');
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  writeFileSync(
    join(policies, 'base.yaml'),
    [
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: legacy',
      '  labels:',
      '    pod-security.kubernetes.io/enforce: baseline',
      '---',
      'apiVersion: kubeward.io/v1alpha1',
      'kind: ImagePolicy',
      'metadata:',
      '  name: registries',
      'spec:',
      '  allowedRegistries: ["ghcr.io/example"]',
      '',
    ].join('\n'),
  );
  const w = await startWebhook(dir, ['--policies', policies, '--pss', 'restricted']);
  t.after(() => {
    if (w.child.exitCode === null) w.child.kill('SIGKILL');
  });

  // CREATE Pod in an unlabelled namespace: --pss restricted denies, naming the policy and the field.
  const pod = await post(w, '/validate?timeout=5s', fixture('pod-create.json'));
  assert.equal(pod.status, 200);
  const r1 = resp(pod);
  assert.equal(r1.uid, '0df28fbd-5f5f-4f46-8b3b-1a6b1c2e7d01');
  assert.equal(r1.allowed, false);
  assert.equal(r1.status?.code, 403);
  assert.match(
    r1.status?.message ?? '',
    /policy "pss:restricted": violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
  );
  assert.match(r1.status?.message ?? '', /spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation/);
  assert.match(r1.status?.message ?? '', /policy "image:registries": .*nginx/);

  // v1beta1 with generateName and no name: answered in v1beta1, same verdict.
  const beta = await post(w, '/validate', fixture('pod-create-v1beta1.json'));
  assert.equal(beta.json.apiVersion, 'admission.k8s.io/v1beta1');
  assert.equal(resp(beta).allowed, false);

  // dryRun does not change the verdict.
  assert.equal(resp(await post(w, '/validate', fixture('pod-create-dryrun.json'))).allowed, false);

  // DELETE and CONNECT (exec) are allowed without evaluation.
  assert.equal(resp(await post(w, '/validate', fixture('pod-delete.json'))).allowed, true);
  assert.equal(resp(await post(w, '/validate', fixture('pod-exec-connect.json'))).allowed, true);

  // A Deployment whose template fails restricted: warned (upstream semantics), not denied.
  const dep = resp(await post(w, '/validate', fixture('deployment-create.json')));
  assert.equal(dep.allowed, true);
  assert.ok(
    dep.warnings?.some((x) => x.startsWith('[pss:restricted] would violate PodSecurity "restricted:latest"')),
    JSON.stringify(dep),
  );

  // kubectl debug: the ephemeral container is judged.
  const eph = resp(await post(w, '/validate', fixture('pod-ephemeralcontainers-update.json')));
  assert.equal(eph.allowed, false);
  assert.match(eph.status?.message ?? '', /spec\.ephemeralContainers\[0\]/);

  // Namespace labels from the policies dir win over --pss: baseline allows the pod, the image policy still denies.
  const legacy = resp(await post(w, '/validate', withNamespace(fixture('pod-create.json'), 'legacy')));
  assert.equal(legacy.allowed, false);
  assert.doesNotMatch(legacy.status?.message ?? '', /pss:/);

  // Malformed review: a proper 400, the process lives on.
  assert.equal((await post(w, '/validate', '{"kind":"AdmissionReview"')).status, 400);

  // Reload: an exception for namespace legacy is picked up without a restart.
  writeFileSync(
    join(policies, 'exception.yaml'),
    [
      'apiVersion: kubeward.io/v1alpha1',
      'kind: PolicyException',
      'metadata:',
      '  name: legacy-images',
      'spec:',
      '  reason: migrating to ghcr.io by Q3',
      '  expires: "2099-12-31"',
      '  policies: ["image:*"]',
      '  match:',
      '    namespaces: [legacy]',
      '',
    ].join('\n'),
  );
  assert.ok(
    await until(
      async () =>
        resp(await post(w, '/validate', withNamespace(fixture('pod-create.json'), 'legacy'))).allowed,
      10_000,
    ),
    'exception was not picked up',
  );
  const excused = resp(await post(w, '/validate', withNamespace(fixture('pod-create.json'), 'legacy')));
  assert.equal(excused.auditAnnotations?.['image-registries.exceptions'], 'legacy-images');

  // A broken edit keeps the last good set and logs the error with file:line.
  writeFileSync(
    join(policies, 'exception.yaml'),
    'apiVersion: kubeward.io/v1alpha1\nkind: PolicyException\nmetadata: {name: x}\nspec: [\n',
  );
  assert.ok(
    await until(
      () => w.logs.some((l) => l.msg === 'policy reload failed; keeping the last good policies'),
      10_000,
    ),
  );
  const failure = w.logs.find((l) => l.msg === 'policy reload failed; keeping the last good policies');
  assert.match(String(failure?.error), /exception\.yaml:\d+/);
  assert.equal(
    resp(await post(w, '/validate', withNamespace(fixture('pod-create.json'), 'legacy'))).allowed,
    true,
  );

  // Metrics by policy and result; decision logs as JSON.
  const metrics = await post(w, 'GET /metrics', '');
  assert.match(metrics.text, /policy="pss:restricted",result="fail"/);
  const decision = w.logs.find(
    (l) => l.msg === 'admission decision' && l.uid === '0df28fbd-5f5f-4f46-8b3b-1a6b1c2e7d01',
  );
  assert.equal(decision?.allowed, false);

  w.child.kill('SIGTERM');
  assert.equal(await w.exited, 0);
  assert.ok(w.logs.some((l) => l.msg === 'stopped'));
});

test('admission serve: bad flags are one-line user errors (exit 2)', async (t) => {
  ensureBuilt();
  const dir = tempDir(t, 'kubeward-serve-');
  const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const c = spawn(process.execPath, [CLI_PATH, 'admission', 'serve', ...args], {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('exit', (code) => resolve({ code, stderr }));
    });
  const missing = await run(['--tls-cert', 'nope.crt', '--tls-key', 'nope.key']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--tls-cert: file not found: nope\.crt/);
  writeFileSync(join(dir, 'a.crt'), 'not a cert');
  writeFileSync(join(dir, 'a.key'), 'not a key');
  const garbage = await run(['--tls-cert', 'a.crt', '--tls-key', 'a.key']);
  assert.equal(garbage.code, 2);
  assert.equal(garbage.stderr.trim().split('\n').length, 1);
  const pss = await run(['--tls-cert', 'a.crt', '--tls-key', 'a.key', '--pss', 'strict']);
  assert.equal(pss.code, 2);
  assert.match(pss.stderr, /--pss: "strict"/);
});
