import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeManifests } from '../../k8s/decode.js';
import { createPolicySet, evaluateRequest } from '../engine/index.js';
import type { VapCompiler } from '../load/index.js';
import { compileVap } from './compile.js';
import { deployment, REPLICA_LIMIT_POLICY, request } from './testdata/fixtures.js';

// compileVap plugs into the policy loader as is.
const asLoaderCompiler: VapCompiler = compileVap;

const WARN_POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: team-label}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: deployments should have a team label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: team-label-warn}
spec: {policyName: team-label, validationActions: [Warn]}
`;

const BROKEN_IGNORED = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: broken}
spec:
  failurePolicy: Ignore
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: "object.spec.nope > 1"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: broken}
spec: {policyName: broken, validationActions: [Deny]}
`;

function compile(yaml: string) {
  const { resources } = decodeManifests(yaml, 'vap.yaml');
  const kinds = (k: string) => resources.filter((r) => r.object.kind === k);
  return asLoaderCompiler({
    policies: kinds('ValidatingAdmissionPolicy'),
    bindings: kinds('ValidatingAdmissionPolicyBinding'),
    params: resources
      .filter((r) => !r.object.kind.startsWith('ValidatingAdmissionPolicy'))
      .map((r) => r.object),
  });
}

const ctx = {
  now: new Date('2026-01-01T00:00:00Z'),
  namespaceLabels: (ns: string) => (ns === 'default' ? { environment: 'test' } : undefined),
};

test('compileVap reports names and whether anything can deny', () => {
  const denying = compile(`${REPLICA_LIMIT_POLICY}\n---\n${WARN_POLICY}`);
  assert.deepEqual(denying.names, [
    'vap:replicalimit-policy.example.com/replicalimit-binding-test.example.com',
    'vap:team-label/team-label-warn',
  ]);
  assert.equal(denying.enforcing, true);
  assert.equal(compile(WARN_POLICY).enforcing, false);
});

test('through the engine core: upstream denial message, warnings, failurePolicy Ignore', async () => {
  const vap = compile(`${REPLICA_LIMIT_POLICY}\n---\n${WARN_POLICY}\n---\n${BROKEN_IGNORED}`);
  const set = createPolicySet({ families: [vap.family] });

  const denied = await evaluateRequest(request('CREATE', deployment({ replicas: 4 })), set, ctx);
  assert.equal(denied.allowed, false);
  assert.match(
    denied.message ?? '',
    /ValidatingAdmissionPolicy 'replicalimit-policy\.example\.com' with binding 'replicalimit-binding-test\.example\.com' denied request: object\.spec\.replicas must be no greater than 3/,
  );
  // The engine names policy and binding in `[vap:p/b]` (it may drop upstream's "Validation failed for ..." prefix).
  assert.ok(
    denied.warnings?.some(
      (w) =>
        w.startsWith('[vap:team-label/team-label-warn] ') &&
        w.includes('deployments should have a team label'),
    ),
    String(denied.warnings),
  );

  // Within limits and labelled: allowed, although `broken` fails to evaluate (failurePolicy Ignore).
  const ok = await evaluateRequest(
    request('CREATE', deployment({ replicas: 2, labels: { app: 'web', team: 'a' } })),
    set,
    ctx,
  );
  assert.equal(ok.allowed, true, ok.message);
  assert.deepEqual(
    ok.policyResults?.map((r) => [r.policy, r.result]),
    [
      ['vap:replicalimit-policy.example.com/replicalimit-binding-test.example.com', 'pass'],
      ['vap:team-label/team-label-warn', 'pass'],
      ['vap:broken/broken', 'error'],
    ],
  );
});
