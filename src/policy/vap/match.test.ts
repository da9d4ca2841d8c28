import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionRequest } from '../../admission/types.js';
import { compileLabelSelector, everythingSelector } from '../../k8s/label-selector.js';
import { attributesOf, matchRequest, ruleMatches } from './match.js';
import type { MatchResources, NamedRule } from './types.js';

function rule(r: Partial<NamedRule>): NamedRule {
  return {
    operations: ['*'],
    apiGroups: ['*'],
    apiVersions: ['*'],
    resources: ['*'],
    scope: '*',
    resourceNames: [],
    ...r,
  };
}

function req(over: Partial<AdmissionRequest>): AdmissionRequest {
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    name: 'web-0',
    namespace: 'default',
    operation: 'CREATE',
    userInfo: { username: 'alice' },
    dryRun: false,
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', labels: { app: 'web' } } },
    ...over,
  };
}

const exec = req({
  operation: 'CONNECT',
  subResource: 'exec',
  object: { apiVersion: 'v1', kind: 'PodExecOptions' },
});
const status = req({ operation: 'UPDATE', subResource: 'status' });
const scale = req({
  operation: 'UPDATE',
  kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  resource: { group: 'apps', version: 'v1', resource: 'deployments' },
  subResource: 'scale',
});
const node = req({
  kind: { group: '', version: 'v1', kind: 'Node' },
  resource: { group: '', version: 'v1', resource: 'nodes' },
  namespace: '',
  name: 'n1',
});
const ns = req({
  kind: { group: '', version: 'v1', kind: 'Namespace' },
  resource: { group: '', version: 'v1', resource: 'namespaces' },
  namespace: '',
  name: 'payments',
  object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { env: 'prod' } } },
});

test('rules: resources, subresources, wildcards, operations and scope (rules.go)', () => {
  const pod = req({});
  const cases: [string, Partial<NamedRule>, AdmissionRequest, boolean][] = [
    ['pods matches pods', { resources: ['pods'] }, pod, true],
    ['pods does not match pods/exec', { resources: ['pods'] }, exec, false],
    ['pods/exec matches exec', { resources: ['pods/exec'] }, exec, true],
    ['pods/* matches exec', { resources: ['pods/*'] }, exec, true],
    // rules.go: a `*` subresource also matches the empty subresource, so `pods/*` covers the pod itself
    ['pods/* also matches the pod itself', { resources: ['pods/*'] }, pod, true],
    ['* does not match subresources', { resources: ['*'] }, status, false],
    ['*/* matches subresources', { resources: ['*/*'] }, status, true],
    ['*/scale matches deployments/scale', { resources: ['*/scale'] }, scale, true],
    ['*/scale not pods/status', { resources: ['*/scale'] }, status, false],
    ['group mismatch', { apiGroups: ['apps'] }, pod, false],
    ['core group is ""', { apiGroups: [''] }, pod, true],
    ['version mismatch', { apiVersions: ['v2'] }, pod, false],
    ['operation mismatch', { operations: ['UPDATE', 'DELETE'] }, pod, false],
    ['operation CONNECT', { operations: ['CONNECT'], resources: ['pods/exec'] }, exec, true],
    ['Namespaced matches pods', { scope: 'Namespaced' }, pod, true],
    ['Namespaced does not match nodes', { scope: 'Namespaced' }, node, false],
    ['Namespaced does not match namespaces', { scope: 'Namespaced' }, ns, false],
    ['Cluster matches nodes', { scope: 'Cluster' }, node, true],
    ['Cluster matches namespaces', { scope: 'Cluster' }, ns, true],
    ['Cluster does not match pods', { scope: 'Cluster' }, pod, false],
  ];
  for (const [name, r, request, want] of cases) {
    const a = attributesOf(request);
    assert.equal(ruleMatches(rule(r), a, a.resource), want, name);
  }
});

function constraints(m: Partial<MatchResources>): MatchResources {
  return {
    namespaceSelector: everythingSelector,
    objectSelector: everythingSelector,
    resourceRules: [rule({})],
    excludeResourceRules: [],
    matchPolicy: 'Equivalent',
    ...m,
  };
}

const labels: Record<string, Record<string, string>> = { default: { env: 'test' }, prod: { env: 'prod' } };
const lookup = (n: string) => labels[n];

test('resourceNames: names must match; a CREATE with generateName (no name) matches no name list', () => {
  const m = constraints({ resourceRules: [rule({ resourceNames: ['web-0'] })] });
  assert.equal(matchRequest(m, attributesOf(req({})), lookup).matches, true);
  assert.equal(matchRequest(m, attributesOf(req({ name: 'web-1' })), lookup).matches, false);
  assert.equal(matchRequest(m, attributesOf(req({ name: undefined })), lookup).matches, false);
});

test('exclude rules win over include rules', () => {
  const m = constraints({ excludeResourceRules: [rule({ resources: ['pods'], operations: ['CREATE'] })] });
  assert.equal(matchRequest(m, attributesOf(req({})), lookup).matches, false);
  assert.equal(matchRequest(m, attributesOf(req({ operation: 'UPDATE' })), lookup).matches, true);
});

test('namespace selector: labels from the lookup, from the Namespace object itself, errors only when rules match', () => {
  const sel = compileLabelSelector({ matchLabels: { env: 'prod' } });
  const m = constraints({ namespaceSelector: sel });
  assert.equal(matchRequest(m, attributesOf(req({ namespace: 'prod' })), lookup).matches, true);
  assert.equal(matchRequest(m, attributesOf(req({})), lookup).matches, false);
  assert.deepEqual(matchRequest(m, attributesOf(req({ namespace: 'ghost' })), lookup), {
    matches: false,
    error: 'namespaces "ghost" not found',
  });
  // the unknown namespace does not matter when the rules do not match anyway
  const podsOnlyUpdate = constraints({
    namespaceSelector: sel,
    resourceRules: [rule({ operations: ['UPDATE'] })],
  });
  assert.deepEqual(matchRequest(podsOnlyUpdate, attributesOf(req({ namespace: 'ghost' })), lookup), {
    matches: false,
  });
  // Namespace CREATE: the new object's labels; its namespace attribute is its own name
  assert.equal(attributesOf(ns).namespace, 'payments');
  assert.equal(matchRequest(m, attributesOf(ns), lookup).matches, true);
  // Namespace DELETE: labels come from the lookup (the object is gone)
  const del = { ...ns, operation: 'DELETE' as const, object: undefined, oldObject: ns.object };
  assert.deepEqual(matchRequest(m, attributesOf(del), lookup), {
    matches: false,
    error: 'namespaces "payments" not found',
  });
  // cluster-scoped non-namespace objects are never excluded
  assert.equal(matchRequest(m, attributesOf(node), lookup).matches, true);
});

test('object selector: object or oldObject; no object at all does not match a non-empty selector', () => {
  const m = constraints({ objectSelector: compileLabelSelector({ matchLabels: { app: 'web' } }) });
  assert.equal(matchRequest(m, attributesOf(req({})), lookup).matches, true);
  const other = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { app: 'db' } } };
  assert.equal(matchRequest(m, attributesOf(req({ object: other })), lookup).matches, false);
  assert.equal(
    matchRequest(
      m,
      attributesOf(req({ operation: 'UPDATE', object: other, oldObject: req({}).object })),
      lookup,
    ).matches,
    true,
  );
  assert.equal(matchRequest(m, attributesOf(exec), lookup).matches, false);
  // NotIn on a missing label matches an object with no labels at all
  const notIn = constraints({
    objectSelector: compileLabelSelector({
      matchExpressions: [{ key: 'skip', operator: 'NotIn', values: ['true'] }],
    }),
  });
  assert.equal(
    matchRequest(
      notIn,
      attributesOf(req({ object: { apiVersion: 'v1', kind: 'Pod', metadata: {} } })),
      lookup,
    ).matches,
    true,
  );
});

test('matchPolicy: Exact sees what the client called; Equivalent also the converted resource', () => {
  const converted = req({
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    requestKind: { group: 'apps', version: 'v1beta2', kind: 'Deployment' },
    requestResource: { group: 'apps', version: 'v1beta2', resource: 'deployments' },
  });
  const v1Only = [rule({ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] })];
  assert.deepEqual(matchRequest(constraints({ resourceRules: v1Only }), attributesOf(converted), lookup), {
    matches: true,
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
  });
  assert.deepEqual(
    matchRequest(
      constraints({ resourceRules: v1Only, matchPolicy: 'Exact' }),
      attributesOf(converted),
      lookup,
    ),
    {
      matches: false,
    },
  );
  const beta = [rule({ apiGroups: ['apps'], apiVersions: ['v1beta2'], resources: ['deployments'] })];
  assert.deepEqual(
    matchRequest(constraints({ resourceRules: beta, matchPolicy: 'Exact' }), attributesOf(converted), lookup),
    {
      matches: true,
      resource: { group: 'apps', version: 'v1beta2', resource: 'deployments' },
      kind: { group: 'apps', version: 'v1beta2', kind: 'Deployment' },
    },
  );
});
