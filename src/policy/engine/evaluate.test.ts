import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionRequest, KubeObject } from '../../admission/types.js';
import { buildResponse } from '../../admission/review.js';
import { evaluateRequest } from './evaluate.js';
import { parseException } from './exceptions.js';
import { createPolicySet, modeOverride } from './policy-set.js';
import { createPssFamily, parsePssLevel } from './pss-family.js';
import type { PolicyContext, PolicyFamily } from './types.js';

const NOW = new Date('2026-06-01T12:00:00Z');

function pod(spec: Record<string, unknown>, meta: Record<string, unknown> = { name: 'web' }): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
const BAD_SPEC = { containers: [{ name: 'app', image: 'nginx:1.27' }] };
const GOOD_SPEC = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: 'nginx:1.27',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  ],
};

function req(object: KubeObject | undefined, over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  const kind = object?.kind ?? 'Pod';
  return {
    uid: 'u1',
    kind: { group: kind === 'Pod' ? '' : 'apps', version: 'v1', kind },
    resource: { group: kind === 'Pod' ? '' : 'apps', version: 'v1', resource: `${kind.toLowerCase()}s` },
    namespace: 'team',
    name: object?.metadata?.name,
    operation: 'CREATE',
    userInfo: {},
    dryRun: false,
    ...(object ? { object } : {}),
    ...over,
  };
}

const restrictedNs: PolicyContext = {
  now: NOW,
  namespaceLabels: (ns) =>
    ns === 'team' ? { 'pod-security.kubernetes.io/enforce': 'restricted' } : undefined,
};

test('PSS enforce denies a pod with the upstream message, the policy and the field', async () => {
  const set = createPolicySet({ families: [createPssFamily()] });
  const d = await evaluateRequest(req(pod(BAD_SPEC)), set, restrictedNs);
  assert.equal(d.allowed, false);
  assert.equal(d.code, 403);
  assert.match(
    d.message ?? '',
    /policy "pss:restricted": violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
  );
  assert.match(d.message ?? '', /spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation/);
  assert.deepEqual(
    d.policyResults?.map((r) => [r.policy, r.result]),
    [['pss:restricted', 'fail']],
  );
  const controls = d.outcomes[0]?.violations.map((v) => v.control);
  assert.deepEqual(controls, [
    'allowPrivilegeEscalation',
    'capabilities_restricted',
    'runAsNonRoot',
    'seccompProfile_restricted',
  ]);
});

test('a compliant pod passes; --pss default applies only to namespaces with unknown labels', async () => {
  const set = createPolicySet({ families: [createPssFamily({ defaultLevel: parsePssLevel('baseline') })] });
  assert.equal((await evaluateRequest(req(pod(GOOD_SPEC)), set, restrictedNs)).allowed, true);
  const privileged = pod({ containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] });
  const other = await evaluateRequest(req(privileged, { namespace: 'elsewhere' }), set, restrictedNs);
  assert.equal(other.allowed, false);
  assert.match(other.message ?? '', /"baseline:latest".*privileged/);
  assert.match(other.message ?? '', /spec\.containers\[0\]\.securityContext\.privileged/);
  // Labels win over the default: a namespace labelled privileged allows it.
  const open: PolicyContext = {
    now: NOW,
    namespaceLabels: () => ({ 'pod-security.kubernetes.io/enforce': 'privileged' }),
  };
  assert.equal((await evaluateRequest(req(privileged), set, open)).allowed, true);
});

test('workloads warn like upstream unless enforceWorkloads; template field paths', async () => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { metadata: {}, spec: BAD_SPEC } },
  };
  const warnOnly = await evaluateRequest(
    req(deployment),
    createPolicySet({ families: [createPssFamily()] }),
    restrictedNs,
  );
  assert.equal(warnOnly.allowed, true);
  assert.match(
    warnOnly.warnings?.[0] ?? '',
    /^\[pss:restricted\] would violate PodSecurity "restricted:latest": /,
  );
  const enforced = await evaluateRequest(
    req(deployment),
    createPolicySet({ families: [createPssFamily({ enforceWorkloads: true })] }),
    restrictedNs,
  );
  assert.equal(enforced.allowed, false);
  assert.match(
    enforced.message ?? '',
    /spec\.template\.spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation/,
  );
  const cron: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { jobTemplate: { spec: { template: { spec: BAD_SPEC } } } },
  };
  const c = await evaluateRequest(
    req(cron),
    createPolicySet({ families: [createPssFamily({ enforceWorkloads: true })] }),
    restrictedNs,
  );
  assert.ok(
    c.outcomes[0]?.violations.every((v) => v.field?.startsWith('spec.jobTemplate.spec.template.spec.')),
  );
});

test('warn and audit labels give warnings and audit annotations with valid keys', async () => {
  const ctx: PolicyContext = {
    now: NOW,
    namespaceLabels: () => ({
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'baseline',
      'pod-security.kubernetes.io/audit-version': 'v1.29',
    }),
  };
  const privileged = pod({ containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] });
  const d = await evaluateRequest(req(privileged), createPolicySet({ families: [createPssFamily()] }), ctx);
  assert.equal(d.allowed, true);
  assert.ok(
    d.warnings?.some((w) => w.startsWith('[pss:restricted] would violate PodSecurity "restricted:latest"')),
  );
  assert.deepEqual(Object.keys(d.auditAnnotations ?? {}), ['pss-baseline-v1.29.violations']);
  // The server keeps every key the core produced.
  const built = buildResponse({ apiVersion: 'admission.k8s.io/v1', request: req(privileged) }, d, 'validate');
  assert.deepEqual(built.notes, []);
  assert.ok(
    built.review.response.auditAnnotations?.['pss-baseline-v1.29.violations']?.includes('privileged'),
  );
});

test('DELETE, CONNECT, status subresource and metadata-only pod updates are not judged; ephemeral containers are', async () => {
  const set = createPolicySet({ families: [createPssFamily()] });
  const old = pod(GOOD_SPEC);
  assert.equal(
    (await evaluateRequest(req(undefined, { operation: 'DELETE', oldObject: old }), set, restrictedNs))
      .allowed,
    true,
  );
  assert.equal(
    (
      await evaluateRequest(
        req({ kind: 'PodExecOptions', apiVersion: 'v1' }, { operation: 'CONNECT', subResource: 'exec' }),
        set,
        restrictedNs,
      )
    ).allowed,
    true,
  );
  const badNow = pod(BAD_SPEC);
  assert.equal(
    (
      await evaluateRequest(
        req(badNow, { operation: 'UPDATE', subResource: 'status', oldObject: badNow }),
        set,
        restrictedNs,
      )
    ).allowed,
    true,
  );
  const relabel = pod(BAD_SPEC, { name: 'web', labels: { a: 'b' } });
  assert.equal(
    (
      await evaluateRequest(
        req(relabel, { operation: 'UPDATE', oldObject: pod(BAD_SPEC) }),
        set,
        restrictedNs,
      )
    ).allowed,
    true,
  );
  const imageOnly = pod({ containers: [{ name: 'app', image: 'nginx:1.28' }] });
  assert.equal(
    (
      await evaluateRequest(
        req(imageOnly, { operation: 'UPDATE', oldObject: pod(BAD_SPEC) }),
        set,
        restrictedNs,
      )
    ).allowed,
    true,
  );
  const withEphemeral = pod({ ...GOOD_SPEC, ephemeralContainers: [{ name: 'debug', image: 'busybox' }] });
  const e = await evaluateRequest(
    req(withEphemeral, {
      operation: 'UPDATE',
      subResource: 'ephemeralcontainers',
      oldObject: pod(GOOD_SPEC),
    }),
    set,
    restrictedNs,
  );
  assert.equal(e.allowed, false);
  assert.match(e.message ?? '', /spec\.ephemeralContainers\[0\]/);
});

function exceptionFrom(spec: Record<string, unknown>) {
  return parseException(
    { apiVersion: 'kubeward.io/v1alpha1', kind: 'PolicyException', metadata: { name: 'legacy' }, spec },
    'ex.yaml',
    () => 3,
  );
}

test('exceptions scoped by namespace, name, labels and control; expired ones stop applying and are reported', async () => {
  const family = createPssFamily();
  const base = { reason: 'legacy app', policies: ['pss:*'] };
  const target = pod(BAD_SPEC, { name: 'web', labels: { app: 'legacy' } });
  const all = exceptionFrom({
    ...base,
    expires: '2026-12-31',
    match: { namespaces: ['te*'], names: ['web'], selector: { matchLabels: { app: 'legacy' } } },
  });
  const d1 = await evaluateRequest(
    req(target),
    createPolicySet({ families: [family], exceptions: [all] }),
    restrictedNs,
  );
  assert.equal(d1.allowed, true);
  assert.equal(d1.auditAnnotations?.['pss-restricted.exceptions'], 'legacy');
  assert.equal(d1.outcomes[0]?.excused.length, 4);

  const wrongLabels = pod(BAD_SPEC, { name: 'web', labels: { app: 'other' } });
  assert.equal(
    (
      await evaluateRequest(
        req(wrongLabels),
        createPolicySet({ families: [family], exceptions: [all] }),
        restrictedNs,
      )
    ).allowed,
    false,
  );

  const oneControl = exceptionFrom({ ...base, expires: '2026-12-31', controls: ['runAsNonRoot'] });
  const d2 = await evaluateRequest(
    req(target),
    createPolicySet({ families: [family], exceptions: [oneControl] }),
    restrictedNs,
  );
  assert.equal(d2.allowed, false);
  assert.doesNotMatch(d2.message ?? '', /runAsNonRoot/);

  const expiredToday = exceptionFrom({ ...base, expires: '2026-06-01' });
  assert.equal(
    (
      await evaluateRequest(
        req(target),
        createPolicySet({ families: [family], exceptions: [expiredToday] }),
        restrictedNs,
      )
    ).allowed,
    true,
  );
  const expired = exceptionFrom({ ...base, expires: '2026-05-31' });
  const d3 = await evaluateRequest(
    req(target),
    createPolicySet({ families: [family], exceptions: [expired] }),
    restrictedNs,
  );
  assert.equal(d3.allowed, false);
  assert.ok(d3.warnings?.some((w) => /exception "legacy" expired on 2026-05-31/.test(w)));
  assert.equal(d3.expiredExceptions[0]?.source?.file, 'ex.yaml');
});

test('generateName requests match name globs by prefix', async () => {
  const ex = exceptionFrom({
    reason: 'r',
    policies: ['pss:restricted'],
    expires: '2027-01-01',
    match: { names: ['job-*'] },
  });
  const r = req(pod(BAD_SPEC, { generateName: 'job-' }), { name: '' });
  assert.equal(
    (
      await evaluateRequest(
        r,
        createPolicySet({ families: [createPssFamily()], exceptions: [ex] }),
        restrictedNs,
      )
    ).allowed,
    true,
  );
});

test('malformed exceptions are UserErrors at their line', () => {
  assert.throws(() => exceptionFrom({ reason: 'r', policies: ['x'] }), /spec.expires is required/);
  assert.throws(() => exceptionFrom({ policies: ['x'], expires: '2027-01-01' }), /spec.reason is required/);
  assert.throws(() => exceptionFrom({ reason: 'r', policies: ['x'], expires: 'soon' }), /is not YYYY-MM-DD/);
  assert.throws(() => exceptionFrom({ reason: 'r', expires: '2027-01-01' }), /spec.policies is required/);
  assert.throws(
    () =>
      exceptionFrom({
        reason: 'r',
        policies: ['x'],
        expires: '2027-01-01',
        match: { selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } },
      }),
    (e: Error & { oneLine?: () => string }) =>
      /ex\.yaml:3: .*not a valid label selector operator/.test(e.oneLine?.() ?? ''),
  );
});

const fake = (f: Partial<PolicyFamily> & Pick<PolicyFamily, 'evaluate'>): PolicyFamily => ({
  family: 'image',
  ...f,
});

test('modes override actions; failurePolicy decides evaluation errors; patches only when allowed', async () => {
  const violating = fake({
    evaluate: () => [
      {
        policy: 'image:registries',
        family: 'image',
        actions: ['Deny'],
        violations: [
          {
            control: 'allowedRegistries',
            message: 'image "evil.io/x" is not allowed',
            field: 'spec.containers[0].image',
            image: 'evil.io/x',
          },
        ],
        patch: [{ op: 'replace', path: '/spec/containers/0/image', value: 'x@sha256:00' }],
      },
    ],
  });
  const r = req(pod(GOOD_SPEC));
  const denied = await evaluateRequest(r, createPolicySet({ families: [violating] }), { now: NOW });
  assert.equal(denied.allowed, false);
  assert.equal(denied.patch, undefined);
  assert.match(
    denied.message ?? '',
    /policy "image:registries": image "evil.io\/x" is not allowed \(field: spec.containers\[0\].image\)/,
  );
  const warned = await evaluateRequest(
    r,
    createPolicySet({ families: [violating], modes: [modeOverride('image:*', 'warn')] }),
    { now: NOW },
  );
  assert.equal(warned.allowed, true);
  assert.equal(warned.patch?.length, 1);
  assert.deepEqual(warned.policyResults, [
    { policy: 'image:registries', result: 'warn', message: 'allowedRegistries' },
  ]);
  const imageEx = exceptionFrom({
    reason: 'r',
    policies: ['image:*'],
    expires: '2027-01-01',
    match: { images: ['evil.io/**'] },
  });
  assert.equal(
    (
      await evaluateRequest(r, createPolicySet({ families: [violating], exceptions: [imageEx] }), {
        now: NOW,
      })
    ).allowed,
    true,
  );

  const broken = (failurePolicy: 'Fail' | 'Ignore'): PolicyFamily =>
    fake({
      evaluate: () => [
        {
          policy: 'image:sig',
          family: 'image',
          actions: ['Deny'],
          violations: [],
          error: 'registry unreachable',
          failurePolicy,
        },
      ],
    });
  const fail = await evaluateRequest(r, createPolicySet({ families: [broken('Fail')] }), { now: NOW });
  assert.equal(fail.allowed, false);
  assert.match(fail.message ?? '', /policy "image:sig" could not be evaluated: registry unreachable/);
  const ignore = await evaluateRequest(r, createPolicySet({ families: [broken('Ignore')] }), { now: NOW });
  assert.equal(ignore.allowed, true);
  assert.equal(ignore.policyResults?.[0]?.result, 'error');
  const audited = await evaluateRequest(
    r,
    createPolicySet({ families: [broken('Fail')], modes: [modeOverride('image:*', 'audit')] }),
    { now: NOW },
  );
  assert.equal(audited.allowed, true);

  const throwing = fake({
    family: 'vap',
    evaluate: () => {
      throw new Error('boom');
    },
  });
  const t = await evaluateRequest(
    r,
    createPolicySet({ families: [throwing, createPssFamily()] }),
    restrictedNs,
  );
  assert.equal(t.allowed, false);
  assert.match(t.message ?? '', /policy "vap:\*" could not be evaluated: boom/);
  assert.ok(t.outcomes.some((o) => o.policy === 'pss:restricted' && o.result === 'pass'));
});

test('dryRun reaches families as ctx.dryRun; warnings are capped', async () => {
  let seen: boolean | undefined;
  const many = fake({
    evaluate: (_r, ctx) => {
      seen = ctx.dryRun;
      return [
        {
          policy: 'image:w',
          family: 'image',
          actions: ['Warn'],
          violations: [],
          warnings: Array.from({ length: 40 }, (_, i) => `w${i}`),
        },
      ];
    },
  });
  const d = await evaluateRequest(
    req(pod(GOOD_SPEC), { dryRun: true }),
    createPolicySet({ families: [many] }),
    { now: NOW },
  );
  assert.equal(seen, true);
  assert.equal(d.warnings?.length, 20);
  assert.equal(d.warnings?.[19], '... and 21 more warnings');
});

test('hostile objects never throw: wrong types, prototype keys, huge lists', async () => {
  const set = createPolicySet({
    families: [createPssFamily({ defaultLevel: parsePssLevel('restricted'), enforceWorkloads: true })],
    exceptions: [
      exceptionFrom({
        reason: 'r',
        policies: ['pss:*'],
        expires: '2027-01-01',
        match: { selector: { matchLabels: { constructor: 'x' } } },
      }),
    ],
  });
  const weird: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: 'nope' } as unknown as KubeObject,
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { containers: 'x', volumes: 5 } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'a', labels: JSON.parse('{"__proto__": {"x": 1}}') as Record<string, string> },
      spec: { containers: [null, 1, { name: { n: 1 } }] },
    },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: [] } },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: { containers: Array.from({ length: 2000 }, (_, i) => ({ name: `c${i}`, image: 'x' })) },
            },
          },
        },
      },
    },
    { kind: 'Pod' } as KubeObject,
  ];
  for (const o of weird) {
    const d = await evaluateRequest(req(o), set, { now: NOW });
    assert.equal(typeof d.allowed, 'boolean');
    assert.ok(
      d.outcomes.every((x) => x.error === undefined),
      JSON.stringify(d.outcomes),
    );
  }
  // A label literally named `constructor` must not match through the prototype chain.
  const plain = await evaluateRequest(req(pod(BAD_SPEC)), set, { now: NOW });
  assert.equal(plain.allowed, false);
});
