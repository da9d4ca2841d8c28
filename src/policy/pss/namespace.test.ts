import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_PSS_POLICY,
  pssDenialMessage,
  pssForbiddenError,
  pssFromNamespaceLabels,
  pssWarningMessage,
  type PssPolicy,
} from './namespace.js';
import {
  aggregateForbiddenDetail,
  aggregateForbiddenReason,
  aggregateResults,
  evaluatePss,
} from './evaluate.js';

const L = 'pod-security.kubernetes.io/';

test('no labels: the defaults (privileged:latest unless configured)', () => {
  const p = pssFromNamespaceLabels(undefined);
  assert.deepEqual(p, { ...DEFAULT_PSS_POLICY, errors: [] });
  assert.deepEqual(pssFromNamespaceLabels({}).enforce, { level: 'privileged', version: 'latest' });
  const defaults: PssPolicy = {
    enforce: { level: 'baseline', version: 'v1.30' },
    warn: { level: 'restricted', version: 'latest' },
    audit: { level: 'restricted', version: 'v1.29' },
  };
  const d = pssFromNamespaceLabels({ 'app.kubernetes.io/name': 'x' }, defaults);
  assert.deepEqual({ enforce: d.enforce, warn: d.warn, audit: d.audit }, defaults);
  assert.deepEqual(d.errors, []);
  // the defaults object is not modified
  pssFromNamespaceLabels({ [`${L}enforce`]: 'restricted' }, defaults);
  assert.equal(defaults.enforce.level, 'baseline');
});

test('valid labels per mode; unset fields keep the defaults', () => {
  const p = pssFromNamespaceLabels({
    [`${L}enforce`]: 'baseline',
    [`${L}enforce-version`]: 'v1.25',
    [`${L}warn`]: 'restricted',
    [`${L}audit`]: 'restricted',
    [`${L}audit-version`]: 'latest',
  });
  assert.deepEqual(p.enforce, { level: 'baseline', version: 'v1.25' });
  assert.deepEqual(p.warn, { level: 'restricted', version: 'latest' });
  assert.deepEqual(p.audit, { level: 'restricted', version: 'latest' });
  assert.deepEqual(p.errors, []);
  // a version label alone changes only the version
  const v = pssFromNamespaceLabels({ [`${L}warn-version`]: 'v1.0' });
  assert.deepEqual(v.warn, { level: 'privileged', version: 'v1.0' });
});

test('invalid level: enforce falls back to restricted, audit and warn to privileged (api.PolicyToEvaluate)', () => {
  const p = pssFromNamespaceLabels({
    [`${L}enforce`]: 'Restricted',
    [`${L}audit`]: 'foo',
    [`${L}warn`]: '',
  });
  assert.equal(p.enforce.level, 'restricted');
  assert.equal(p.audit.level, 'privileged');
  assert.equal(p.warn.level, 'privileged');
  assert.deepEqual(p.errors, [
    'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "Restricted": must be one of privileged, baseline, restricted',
    'metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "foo": must be one of privileged, baseline, restricted',
    'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "": must be one of privileged, baseline, restricted',
  ]);
});

test('invalid version falls back to latest (api.ParseVersion)', () => {
  for (const bad of ['1.25', 'v1.025', 'v2.0', 'v1', 'v1.x', 'Latest', 'v1.25.0', ' v1.25', '']) {
    const p = pssFromNamespaceLabels(
      { [`${L}enforce`]: 'baseline', [`${L}enforce-version`]: bad },
      { ...DEFAULT_PSS_POLICY, enforce: { level: 'privileged', version: 'v1.20' } },
    );
    assert.deepEqual(p.enforce, { level: 'baseline', version: 'latest' }, bad);
    assert.deepEqual(p.errors, [
      `metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: ${JSON.stringify(bad)}: must be "latest" or "v1.x"`,
    ]);
  }
  for (const good of ['v1.0', 'v1.9', 'v1.35', 'v1.99', 'latest']) {
    const p = pssFromNamespaceLabels({ [`${L}audit-version`]: good });
    assert.equal(p.audit.version, good);
    assert.deepEqual(p.errors, []);
  }
});

test('admission messages: denial, warning and API error wording', () => {
  const spec = {
    containers: [{ name: 'x', image: 'nginx' }],
  };
  const results = evaluatePss(spec, {}, 'restricted', 'latest');
  const denial = pssDenialMessage({ level: 'restricted', version: 'latest' }, results);
  assert.equal(
    denial,
    'violates PodSecurity "restricted:latest": ' +
      'allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  assert.equal(pssForbiddenError('web', denial ?? ''), `pods "web" is forbidden: ${denial ?? ''}`);
  const baseline = evaluatePss(
    {
      hostNetwork: true,
      securityContext: { sysctls: [{ name: 'net.core.somaxconn' }] },
      containers: [{ name: 'x' }],
    },
    {},
    'baseline',
    'v1.25',
  );
  assert.equal(
    pssWarningMessage({ level: 'baseline', version: 'v1.25' }, baseline),
    'would violate PodSecurity "baseline:v1.25": host namespaces (hostNetwork=true), forbidden sysctls (net.core.somaxconn)',
  );
  const ok = evaluatePss({ containers: [{ name: 'x' }] }, {}, 'baseline', 'latest');
  assert.equal(pssDenialMessage({ level: 'baseline', version: 'latest' }, ok), undefined);
  assert.equal(pssWarningMessage({ level: 'baseline', version: 'latest' }, ok), undefined);
});

test('aggregate reason/detail helpers (policy.AggregateCheckResult)', () => {
  const results = evaluatePss(
    { hostPID: true, containers: [{ name: 'x', securityContext: { privileged: true } }] },
    {},
    'baseline',
    'latest',
  );
  assert.equal(aggregateForbiddenReason(results), 'host namespaces, privileged');
  assert.equal(
    aggregateForbiddenDetail(results),
    'host namespaces (hostPID=true), privileged (container "x" must not set securityContext.privileged=true)',
  );
  assert.deepEqual(aggregateResults(results), {
    allowed: false,
    forbiddenReasons: ['host namespaces', 'privileged'],
    forbiddenDetails: ['hostPID=true', 'container "x" must not set securityContext.privileged=true'],
  });
});
