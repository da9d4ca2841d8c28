import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionRequest, KubeObject } from '../../admission/types.js';
import type { PolicyContext, PolicyEvaluation } from '../engine/types.js';
import { createImagePolicyFamily } from './family.js';
import { parseImagePolicy, type ImagePolicy } from './parse.js';
import { MemoryScanResults, type ImageScanSummary, type ScanResultSource } from './scan-results.js';
import type { ImagePolicySpec } from './spec.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const ctx: PolicyContext = { now: new Date('2026-11-27T00:00:00Z') };

function policy(spec: ImagePolicySpec, name = 'p'): ImagePolicy {
  return parseImagePolicy({
    apiVersion: 'kubeward.io/v1alpha1',
    kind: 'ImagePolicy',
    metadata: { name },
    spec,
  });
}

function request(object: KubeObject, extra: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    uid: 'u1',
    kind: { group: '', version: 'v1', kind: object.kind ?? 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'prod',
    operation: 'CREATE',
    userInfo: { username: 'alice' },
    object,
    dryRun: false,
    ...extra,
  };
}

const pod = (
  containers: Array<{ name: string; image: unknown }>,
  more: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'prod' },
  spec: { containers, ...more },
});

const deployment = (image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'prod' },
  spec: {
    template: {
      metadata: {},
      spec: {
        initContainers: [{ name: 'init', image: `busybox@${D1}` }],
        containers: [{ name: 'api', image }],
      },
    },
  },
});

async function evaluate(
  policies: ImagePolicy[],
  req: AdmissionRequest,
  deps = {},
): Promise<PolicyEvaluation[]> {
  return createImagePolicyFamily(policies, deps).evaluate(req, ctx);
}

const brief = (e: PolicyEvaluation | undefined): Array<[string, string | undefined, string | undefined]> =>
  (e?.violations ?? []).map((v) => [v.control, v.field, v.image]);

test('allowed registries: globs over registry/repository, docker.io familiar names, correct field paths', async () => {
  const p = policy({ allowedRegistries: ['ghcr.io/acme/*', 'nginx', 'registry.k8s.io'] });
  const [e] = await evaluate(
    [p],
    request(
      pod([
        { name: 'ok1', image: `ghcr.io/acme/app:1.0@${D1}` },
        { name: 'ok2', image: 'nginx:1.27' },
        { name: 'ok3', image: 'docker.io/library/nginx' },
        { name: 'ok4', image: 'registry.k8s.io/pause:3.9' },
        { name: 'bad1', image: 'ghcr.io/evil/app:1.0' },
        { name: 'bad2', image: 'redis:7' },
        { name: 'bad3', image: 'ghcr.io/acmex/app:1' },
      ]),
    ),
  );
  assert.equal(e?.policy, 'image:p');
  assert.equal(e?.family, 'image');
  assert.deepEqual(e?.actions, ['Deny']);
  assert.deepEqual(brief(e), [
    ['allowedRegistries', 'spec.containers[4].image', 'ghcr.io/evil/app:1.0'],
    ['allowedRegistries', 'spec.containers[5].image', 'docker.io/library/redis:7'],
    ['allowedRegistries', 'spec.containers[6].image', 'ghcr.io/acmex/app:1'],
  ]);
  assert.match(
    e?.violations[0]?.message ?? '',
    /^container "bad1" image "ghcr.io\/evil\/app:1.0" is not from an allowed registry/,
  );
  assert.equal(e?.error, undefined);
});

test('mutable tags and require digest on a Pod and a Deployment template', async () => {
  const mutable = policy({ forbidMutableTags: { allowTags: ['v*.*.*'] } }, 'tags');
  const digest = policy({ requireDigest: true, mode: 'warn' }, 'digest');
  const podEval = await evaluate(
    [mutable, digest],
    request(
      pod(
        [
          { name: 'a', image: 'nginx' },
          { name: 'b', image: 'nginx:latest' },
          { name: 'c', image: 'ghcr.io/acme/app:v1.2.3' },
          { name: 'd', image: `ghcr.io/acme/app:dev@${D2}` },
        ],
        { ephemeralContainers: [{ name: 'dbg', image: 'busybox:1' }] },
      ),
    ),
  );
  assert.deepEqual(brief(podEval[0]), [
    ['forbidMutableTags', 'spec.containers[0].image', 'docker.io/library/nginx'],
    ['forbidMutableTags', 'spec.containers[1].image', 'docker.io/library/nginx:latest'],
    ['forbidMutableTags', 'spec.ephemeralContainers[0].image', 'docker.io/library/busybox:1'],
  ]);
  assert.match(
    podEval[0]?.violations[0]?.message ?? '',
    /has no tag or digest, so it pulls the mutable tag "latest"/,
  );
  assert.match(podEval[0]?.violations[1]?.message ?? '', /uses the mutable tag "latest" without a digest/);
  assert.deepEqual(podEval[1]?.actions, ['Warn']);
  assert.deepEqual(
    brief(podEval[1]).map((v) => v[1]),
    [
      'spec.containers[0].image',
      'spec.containers[1].image',
      'spec.containers[2].image',
      'spec.ephemeralContainers[0].image',
    ],
  );

  const [dep] = await evaluate(
    [digest],
    request(deployment('ghcr.io/acme/api:2.0'), {
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    }),
  );
  assert.deepEqual(brief(dep), [
    ['requireDigest', 'spec.template.spec.containers[0].image', 'ghcr.io/acme/api:2.0'],
  ]);
});

test('CronJob and StatefulSet templates report their own field paths and JSON pointers', async () => {
  const p = policy({ requireDigest: true });
  const cron: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly' },
    spec: {
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'alpine:3' }] } } } },
    },
  };
  const sts: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: { template: { spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [] } } },
  };
  assert.deepEqual(
    brief((await evaluate([p], request(cron)))[0]).map((v) => v[1]),
    ['spec.jobTemplate.spec.template.spec.containers[0].image'],
  );
  assert.deepEqual(
    brief((await evaluate([p], request(sts)))[0]).map((v) => v[1]),
    ['spec.template.spec.initContainers[0].image'],
  );
});

test('invalid and missing images are violations; DELETE, CONNECT, other subresources and unmatched namespaces are skipped', async () => {
  const p = policy({
    requireDigest: true,
    match: { namespaces: ['prod*'], excludeNamespaces: ['prod-sandbox'] },
  });
  const [e] = await evaluate(
    [p],
    request(
      pod([
        { name: 'x', image: 'Not A Ref' },
        { name: 'y', image: 42 },
      ]),
    ),
  );
  assert.deepEqual(brief(e), [
    ['imageReference', 'spec.containers[0].image', 'Not A Ref'],
    ['imageReference', 'spec.containers[1].image', undefined],
  ]);
  const bad = pod([{ name: 'a', image: 'nginx' }]);
  assert.deepEqual(await evaluate([p], request(bad, { operation: 'DELETE' })), []);
  assert.deepEqual(await evaluate([p], request(bad, { operation: 'CONNECT' })), []);
  assert.deepEqual(await evaluate([p], request(bad, { subResource: 'status', operation: 'UPDATE' })), []);
  assert.deepEqual(await evaluate([p], request(bad, { namespace: 'dev' })), []);
  assert.deepEqual(await evaluate([p], request(bad, { namespace: 'prod-sandbox' })), []);
  assert.deepEqual(
    await evaluate([p], request({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} })),
    [],
  );
});

test('pods/ephemeralcontainers UPDATE judges only the newly added ephemeral containers', async () => {
  const p = policy({ requireDigest: true });
  const old = pod([{ name: 'app', image: 'nginx:1' }], {
    ephemeralContainers: [{ name: 'dbg1', image: 'busybox:1' }],
  });
  const next = pod([{ name: 'app', image: 'nginx:1' }], {
    ephemeralContainers: [
      { name: 'dbg1', image: 'busybox:1' },
      { name: 'dbg2', image: 'alpine:3' },
    ],
  });
  const [e] = await evaluate(
    [p],
    request(next, { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: old }),
  );
  assert.deepEqual(brief(e), [
    ['requireDigest', 'spec.ephemeralContainers[1].image', 'docker.io/library/alpine:3'],
  ]);
  assert.match(e?.violations[0]?.message ?? '', /^ephemeral container "dbg2"/);
});

test('a request with a huge number of containers fails cleanly instead of fanning out', async () => {
  const many = Array.from({ length: 600 }, (_, i) => ({ name: `c${i}`, image: `nginx@${D1}` }));
  const [e] = await evaluate([policy({ requireDigest: true })], request(pod(many)));
  assert.match(e?.error ?? '', /more than 512 containers/);
  assert.equal(e?.failurePolicy, 'Fail');
});

const summary = (over: Partial<ImageScanSummary> = {}): ImageScanSummary => ({
  digest: D1,
  counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
  kev: 0,
  fixableCritical: 0,
  scannedAt: '2026-11-26T00:00:00Z',
  ...over,
});

test('vulnerability gate: severity threshold, KEV, fixable critical', async () => {
  const store = new MemoryScanResults();
  const img = `ghcr.io/acme/app@${D1}`;
  const run = async (spec: ImagePolicySpec): Promise<PolicyEvaluation | undefined> =>
    (await evaluate([policy(spec)], request(pod([{ name: 'app', image: img }])), { scanResults: store }))[0];

  store.put(summary({ counts: { critical: 0, high: 0, medium: 3, low: 1, info: 0 } }));
  assert.deepEqual(brief(await run({ vulnerabilities: { failOn: 'high' } })), []);
  const med = await run({ vulnerabilities: { failOn: 'medium' } });
  assert.deepEqual(brief(med), [['vulnerabilities.failOn', 'spec.containers[0].image', img]]);
  assert.match(med?.violations[0]?.message ?? '', /at or above medium \(3 medium\)/);

  store.put(
    summary({ counts: { critical: 2, high: 1, medium: 0, low: 0, info: 0 }, kev: 1, fixableCritical: 1 }),
  );
  const all = await run({ vulnerabilities: { failOn: 'high', kev: true, fixableCritical: true } });
  assert.deepEqual(
    all?.violations.map((v) => [v.control, v.message.slice(v.message.indexOf(' has ') + 1)]),
    [
      ['vulnerabilities.failOn', 'has vulnerabilities at or above high (2 critical, 1 high)'],
      ['vulnerabilities.kev', 'has 1 known exploited vulnerability (CISA KEV)'],
      ['vulnerabilities.fixableCritical', 'has 1 critical vulnerability with a fix available'],
    ],
  );
  assert.deepEqual(brief(await run({ vulnerabilities: { kev: false, fixableCritical: false } })), []);
});

test('unscanned images: deny, warn, scan without a scanner, and a scan over budget never hangs', async () => {
  const empty = new MemoryScanResults();
  const img = `ghcr.io/acme/app@${D2}`;
  const req = request(pod([{ name: 'app', image: img }]));
  const [deny] = await evaluate([policy({ vulnerabilities: { unscanned: 'deny' } })], req, {
    scanResults: empty,
  });
  assert.deepEqual(brief(deny), [['vulnerabilities.unscanned', 'spec.containers[0].image', img]]);

  const [warn] = await evaluate([policy({ vulnerabilities: { unscanned: 'warn', failOn: 'low' } })], req, {
    scanResults: empty,
  });
  assert.deepEqual(warn?.violations, []);
  assert.deepEqual(warn?.warnings, [
    `container "app" image "${img}" has not been scanned for vulnerabilities yet (${D2})`,
  ]);

  const [scan] = await evaluate(
    [policy({ vulnerabilities: { unscanned: 'scan' }, failurePolicy: 'Ignore' })],
    req,
    { scanResults: empty },
  );
  assert.match(scan?.error ?? '', /has not been scanned and no inline scanner is configured/);
  assert.equal(scan?.failurePolicy, 'Ignore');

  // A source that takes far longer than the budget: the evaluation ends at the budget with an error.
  let calls = 0;
  const slow: ScanResultSource = {
    get: (_digest, lookup) => {
      calls++;
      assert.ok(lookup?.scan && lookup.deadline !== undefined && lookup.image === img);
      return new Promise((resolve) => setTimeout(() => resolve(summary({ digest: D2 })), 3000).unref());
    },
  };
  const started = Date.now();
  const [late] = await evaluate(
    [policy({ vulnerabilities: { failOn: 'critical', scanBudgetMs: 100 } })],
    req,
    { scanResults: slow },
  );
  const took = Date.now() - started;
  assert.ok(took < 1500, `returned after ${took} ms`);
  assert.equal(calls, 1);
  assert.match(late?.error ?? '', /vulnerability scan failed: .*did not finish within the time budget/);
  assert.deepEqual(late?.violations, []);

  // The request deadline bounds the scan too, even when the budget is larger.
  const [ctxBound] = await createImagePolicyFamily([policy({ vulnerabilities: { scanBudgetMs: 60_000 } })], {
    scanResults: slow,
  }).evaluate(req, {
    ...ctx,
    deadline: Date.now() + 100,
  });
  assert.match(ctxBound?.error ?? '', /did not finish within the time budget/);
});
