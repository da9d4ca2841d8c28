import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../admission/types.js';
import type { PolicyContext, PolicyEvaluation } from '../engine/types.js';
import { createVapFamily } from './family.js';
import { paramsFromObjects } from './parse.js';
import { DEMO_POLICY, deployment, load, pod, REPLICA_LIMIT_POLICY, request } from './testdata/fixtures.js';

const NAMESPACES: Record<string, Record<string, string>> = {
  default: { 'kubernetes.io/metadata.name': 'default', environment: 'test' },
  prod: { 'kubernetes.io/metadata.name': 'prod', environment: 'prod' },
  'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
};
const ctx: PolicyContext = { now: new Date('2026-01-01T00:00:00Z'), namespaceLabels: (ns) => NAMESPACES[ns] };

function family(yaml: string, extraParams: KubeObject[] = []) {
  const parsed = load(yaml);
  return createVapFamily({
    policies: parsed.policies,
    bindings: parsed.bindings,
    params: paramsFromObjects([...parsed.others, ...extraParams]),
  });
}

function run(yaml: string, req: ReturnType<typeof request>, c: PolicyContext = ctx): PolicyEvaluation[] {
  const out = family(yaml).evaluate(req, c);
  assert.ok(Array.isArray(out));
  return out as PolicyEvaluation[];
}

test('docs demo policy: replicas > 5 is denied with the upstream message', () => {
  const [ev, ...rest] = run(DEMO_POLICY, request('CREATE', deployment({ replicas: 6 })));
  assert.equal(rest.length, 0);
  assert.deepEqual(ev, {
    policy: 'vap:demo-policy.example.com/demo-binding-test.example.com',
    family: 'vap',
    violations: [
      {
        control: 'validations[0]',
        message:
          "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5",
        reason: 'Invalid',
      },
    ],
    actions: ['Deny'],
    failurePolicy: 'Fail',
  });
});

test('docs demo policy: a compliant deployment passes, other namespaces and kinds are not matched', () => {
  const [ok] = run(DEMO_POLICY, request('CREATE', deployment({ replicas: 5 })));
  assert.deepEqual(ok?.violations, []);
  // binding's namespaceSelector: environment=test only
  assert.deepEqual(run(DEMO_POLICY, request('CREATE', deployment({ replicas: 9, namespace: 'prod' }))), []);
  // the policy's rules: deployments only, CREATE/UPDATE only
  assert.deepEqual(run(DEMO_POLICY, request('CREATE', pod({}))), []);
  assert.deepEqual(
    run(DEMO_POLICY, request('DELETE', undefined, { oldObject: deployment({ replicas: 9 }) })),
    [],
  );
});

test('UPDATE sees oldObject; DELETE has a null object and a set oldObject', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-scale-down}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments]}
  validations:
  - expression: "request.operation != 'UPDATE' || object.spec.replicas >= oldObject.spec.replicas"
    message: replicas may not be lowered
  - expression: "request.operation != 'DELETE' || (object == null && oldObject.metadata.name == 'web')"
    message: delete sees no object
  - expression: "request.operation != 'CREATE' || oldObject == null"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-scale-down}
spec: {policyName: no-scale-down, validationActions: [Deny]}
`;
  const down = run(
    yaml,
    request('UPDATE', deployment({ replicas: 2 }), { oldObject: deployment({ replicas: 4 }) }),
  );
  assert.deepEqual(
    down[0]?.violations.map((v) => [v.control, v.message]),
    [
      [
        'validations[0]',
        "ValidatingAdmissionPolicy 'no-scale-down' with binding 'no-scale-down' denied request: replicas may not be lowered",
      ],
    ],
  );
  const up = run(
    yaml,
    request('UPDATE', deployment({ replicas: 5 }), { oldObject: deployment({ replicas: 4 }) }),
  );
  assert.deepEqual(up[0]?.violations, []);
  // a caller that wrongly passes an object on DELETE does not leak it to the policy
  const del = run(yaml, request('DELETE', undefined, { oldObject: deployment({}), object: deployment({}) }));
  assert.deepEqual(del[0]?.violations, []);
  assert.deepEqual(run(yaml, request('CREATE', deployment({})))[0]?.violations, []);
});

test('docs replica limit with params: messageExpression, param found, not found with Deny and Allow', () => {
  const denied = run(REPLICA_LIMIT_POLICY, request('CREATE', deployment({ replicas: 4 })));
  assert.equal(denied.length, 1);
  assert.equal(
    denied[0]?.violations[0]?.message,
    "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding 'replicalimit-binding-test.example.com' denied request: object.spec.replicas must be no greater than 3",
  );
  assert.deepEqual(
    run(REPLICA_LIMIT_POLICY, request('CREATE', deployment({ replicas: 3 })))[0]?.violations,
    [],
  );

  // Without the ReplicaLimit object: parameterNotFoundAction Deny → configuration error, failurePolicy Fail.
  const withoutParam = REPLICA_LIMIT_POLICY.slice(0, REPLICA_LIMIT_POLICY.lastIndexOf('---'));
  const [missing] = run(withoutParam, request('CREATE', deployment({ replicas: 1 })));
  assert.deepEqual(missing, {
    policy: 'vap:replicalimit-policy.example.com/replicalimit-binding-test.example.com',
    family: 'vap',
    violations: [],
    actions: ['Deny'],
    error:
      "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding 'replicalimit-binding-test.example.com' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    failurePolicy: 'Fail',
  });
  // With Allow, a missing param means the binding does nothing.
  const allow = withoutParam.replace('parameterNotFoundAction: Deny', 'parameterNotFoundAction: Allow');
  assert.deepEqual(run(allow, request('CREATE', deployment({ replicas: 100 }))), []);
});

test('params by selector: one evaluation per param, named after it; namespace defaults to the request', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: "object.spec.replicas <= int(params.data.max)"
    messageExpression: "'at most ' + params.data.max + ' replicas (' + params.metadata.name + ')'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: by-label}
spec:
  policyName: max-replicas
  validationActions: [Warn, Audit]
  paramRef:
    selector: {matchLabels: {limits: replicas}}
    parameterNotFoundAction: Allow
---
apiVersion: v1
kind: ConfigMap
metadata: {name: soft, namespace: default, labels: {limits: replicas}}
data: {max: "10"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: hard, namespace: default, labels: {limits: replicas}}
data: {max: "4"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: elsewhere, namespace: prod, labels: {limits: replicas}}
data: {max: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated, namespace: default}
data: {max: "1"}
`;
  const out = run(yaml, request('CREATE', deployment({ replicas: 5 })));
  assert.deepEqual(
    out.map((e) => [e.policy, e.actions, e.violations.map((v) => v.message)]),
    [
      ['vap:max-replicas/by-label@default/soft', ['Warn', 'Audit'], []],
      [
        'vap:max-replicas/by-label@default/hard',
        ['Warn', 'Audit'],
        [
          "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'by-label': at most 4 replicas (hard)",
        ],
      ],
    ],
  );
  // a namespace with no matching ConfigMap: Allow → no evaluation at all
  assert.deepEqual(run(yaml, request('CREATE', deployment({ namespace: 'kube-system' }))), []);
});

test('a policy with paramKind and a binding without paramRef validates with params = null', () => {
  const yaml = REPLICA_LIMIT_POLICY.replace(/ {2}paramRef:\n( {4}.*\n){3}/, '').replace(
    'object.spec.replicas <= params.maxReplicas',
    'params == null || object.spec.replicas <= params.maxReplicas',
  );
  const [ev] = run(yaml, request('CREATE', deployment({ replicas: 50 })));
  assert.deepEqual(ev?.violations, []);
});

test('docs: deny privileged containers, require labels, Warn + Audit actions and audit annotations', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: deny-privileged}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
  validations:
  - expression: "object.spec.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)"
    message: privileged containers are not allowed
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: deny-privileged}
spec: {policyName: deny-privileged, validationActions: [Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: require-labels}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    messageExpression: "'pod ' + object.metadata.name + ' must have a team label'"
  auditAnnotations:
  - key: missing-team
    valueExpression: "has(object.metadata.labels) && 'team' in object.metadata.labels ? '' : 'pod ' + object.metadata.name + ' has no team'"
  - key: blank
    valueExpression: "'   '"
  - key: none
    valueExpression: "null"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: require-labels-warn}
spec: {policyName: require-labels, validationActions: [Warn, Audit]}
`;
  const out = run(yaml, request('CREATE', pod({ privileged: true })));
  assert.deepEqual(out, [
    {
      policy: 'vap:deny-privileged/deny-privileged',
      family: 'vap',
      violations: [
        {
          control: 'validations[0]',
          message:
            "ValidatingAdmissionPolicy 'deny-privileged' with binding 'deny-privileged' denied request: privileged containers are not allowed",
          reason: 'Forbidden',
        },
      ],
      actions: ['Deny'],
      failurePolicy: 'Fail',
    },
    {
      policy: 'vap:require-labels/require-labels-warn',
      family: 'vap',
      violations: [
        {
          control: 'validations[0]',
          message:
            "Validation failed for ValidatingAdmissionPolicy 'require-labels' with binding 'require-labels-warn': pod web-0 must have a team label",
          reason: 'Invalid',
        },
      ],
      actions: ['Warn', 'Audit'],
      failurePolicy: 'Fail',
      auditAnnotations: { 'missing-team': 'pod web-0 has no team' },
    },
  ]);
  const good = run(yaml, request('CREATE', pod({ privileged: false, labels: { app: 'web', team: 'a' } })));
  assert.deepEqual(
    good.map((e) => [e.violations.length, e.auditAnnotations]),
    [
      [0, undefined],
      [0, undefined],
    ],
  );
  // privileged: explicitly false and absent securityContext both pass
  assert.deepEqual(run(yaml, request('UPDATE', pod({}), { oldObject: pod({}) }))[0]?.violations, []);
});

test('docs: matchConditions exclude leases, kubelet requests and RBAC; a false condition skips the policy', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: demo-policy.example.com}
spec:
  matchConstraints:
    resourceRules:
    - apiGroups:   ["*"]
      apiVersions: ["*"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["*"]
  matchConditions:
    - name: 'exclude-leases'
      expression: '!(request.resource.group == "coordination.k8s.io" && request.resource.resource == "leases")'
    - name: 'exclude-kubelet-requests'
      expression: '!("system:nodes" in request.userInfo.groups)'
    - name: 'rbac'
      expression: 'request.resource.group != "rbac.authorization.k8s.io"'
  validations:
    - expression: "!object.metadata.name.contains('demo') || object.metadata.namespace == 'demo'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: demo-binding}
spec: {policyName: demo-policy.example.com, validationActions: [Deny]}
`;
  const demo = deployment({ name: 'demo-app' });
  assert.equal(run(yaml, request('CREATE', demo))[0]?.violations.length, 1);
  const kubelet = request('CREATE', demo, {
    userInfo: { username: 'system:node:n1', groups: ['system:nodes'] },
  });
  assert.deepEqual(run(yaml, kubelet), []);
  const lease = request('CREATE', demo, {
    kind: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
    resource: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
    requestKind: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
    requestResource: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  });
  assert.deepEqual(run(yaml, lease), []);
});

test('matchConditions: an error with no false condition follows failurePolicy', () => {
  const yaml = (fp: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: mc}
spec:
  failurePolicy: ${fp}
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  matchConditions:
  - {name: broken, expression: "object.spec.missing.field == 1"}
  - {name: fine, expression: "true"}
  validations:
  - expression: "true"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: mc}
spec: {policyName: mc, validationActions: [Deny]}
`;
  const [failed] = run(yaml('Fail'), request('CREATE', deployment({})));
  assert.deepEqual(failed, {
    policy: 'vap:mc/mc',
    family: 'vap',
    violations: [],
    actions: ['Deny'],
    failurePolicy: 'Fail',
    error:
      "ValidatingAdmissionPolicy 'mc' with binding 'mc' denied request: expression 'object.spec.missing.field == 1' resulted in error: No such key: missing",
  });
  const [ignored] = run(yaml('Ignore'), request('CREATE', deployment({})));
  assert.deepEqual(ignored?.violations, []);
  assert.equal(ignored?.failurePolicy, 'Ignore');
  // Not a denial: the bare upstream error, kept so CI can show it.
  assert.equal(
    ignored?.error,
    "expression 'object.spec.missing.field == 1' resulted in error: No such key: missing",
  );
  // a false condition wins over an error: the policy is skipped
  const withFalse = yaml('Fail').replace('expression: "true"}', 'expression: "false"}');
  assert.deepEqual(run(withFalse, request('CREATE', deployment({}))), []);
});

test('failurePolicy on runtime errors in validations and audit annotations', () => {
  const yaml = (fp: string, actions: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: divide}
spec:
  failurePolicy: ${fp}
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: "10 / (object.spec.replicas - 3) > 0"
  - expression: "object.spec.replicas < 100"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: divide}
spec: {policyName: divide, validationActions: ${actions}}
`;
  const req = request('CREATE', deployment({ replicas: 3 }));
  const [ignore] = run(yaml('Ignore', '[Deny]'), req);
  assert.deepEqual(ignore?.violations, []);
  assert.match(
    ignore?.error ?? '',
    /expression '10 \/ \(object\.spec\.replicas - 3\) > 0' resulted in error: /,
  );
  assert.equal(ignore?.failurePolicy, 'Ignore');

  // Fail + Deny: the error denies with upstream wording; the other validation still ran and passed.
  const [fail] = run(yaml('Fail', '[Deny]'), req);
  assert.deepEqual(fail?.violations, []);
  assert.match(
    fail?.error ?? '',
    /^ValidatingAdmissionPolicy 'divide' with binding 'divide' denied request: expression '10 \/ .*' resulted in error: /,
  );
  // ...and a failing validation next to the error is still reported.
  const [twoProblems] = run(
    yaml('Fail', '[Deny]').replace('object.spec.replicas < 100', 'object.spec.replicas < 2'),
    req,
  );
  assert.deepEqual(
    twoProblems?.violations.map((v) => v.control),
    ['validations[1]'],
  );
  assert.match(twoProblems?.error ?? '', /resulted in error/);

  // Fail with Audit only: the error is not worded as a denial (the engine will not deny on it).
  const [audit] = run(yaml('Fail', '[Audit]'), req);
  assert.deepEqual(audit?.actions, ['Audit']);
  assert.match(audit?.error ?? '', /^expression '10/);

  const annotationYaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: annotate}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  auditAnnotations:
  - {key: count, valueExpression: "object.spec.replicas"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: annotate}
spec: {policyName: annotate, validationActions: [Audit]}
`;
  const [bad] = run(annotationYaml, req);
  assert.equal(
    bad?.error,
    "valueExpression 'object.spec.replicas' resulted in unsupported return type: int. Return type must be either string or null.",
  );
});

test('variables are lazy, ordered, and see namespaceObject (docs image policy)', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: image-matches-namespace-environment.policy.example.com}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  variables:
  - name: environment
    expression: "'environment' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['environment'] : 'prod'"
  - name: exempt
    expression: "'exempt' in object.metadata.labels && object.metadata.labels['exempt'] == 'true'"
  - name: containers
    expression: "object.spec.template.spec.containers"
  - name: containersToCheck
    expression: "variables.containers.filter(c, c.image.contains('example.com/'))"
  - name: neverUsed
    expression: "1 / 0 == 1"
  validations:
  - expression: "variables.exempt || variables.containersToCheck.all(c, c.image.startsWith(variables.environment + '.'))"
    messageExpression: "'only ' + variables.environment + ' images are allowed in namespace ' + namespaceObject.metadata.name"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: image-binding}
spec: {policyName: image-matches-namespace-environment.policy.example.com, validationActions: [Deny]}
`;
  const bad = run(yaml, request('CREATE', deployment({ images: ['prod.example.com/web:1'] })));
  assert.match(
    bad[0]?.violations[0]?.message ?? '',
    /denied request: only test images are allowed in namespace default$/,
  );
  const good = run(
    yaml,
    request('CREATE', deployment({ images: ['test.example.com/web:1', 'docker.io/nginx'] })),
  );
  assert.deepEqual(good[0]?.violations, []);
  const exempt = run(
    yaml,
    request('CREATE', deployment({ labels: { exempt: 'true' }, images: ['x.example.com/a'] })),
  );
  assert.deepEqual(exempt[0]?.violations, []);
  // The failing `neverUsed` variable is never evaluated, so it cannot cause an error.
  assert.equal(good[0]?.error, undefined);
});

test('namespaceSelector: unknown namespace is a configuration error; cluster-scoped requests are not excluded', () => {
  const unknownNs = request('CREATE', deployment({ namespace: 'ghost', replicas: 1 }));
  const [ev] = run(DEMO_POLICY, unknownNs);
  assert.equal(
    ev?.error,
    "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed to configure binding: namespaces \"ghost\" not found",
  );
  assert.deepEqual(ev?.violations, []);
  // No lookup at all behaves the same: the namespace is unknown.
  assert.match(
    run(DEMO_POLICY, unknownNs, { now: new Date() })[0]?.error ?? '',
    /namespaces "ghost" not found/,
  );

  const nsPolicy = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ns-labels}
spec:
  matchConstraints:
    namespaceSelector:
      matchExpressions: [{key: environment, operator: In, values: [prod]}]
    resourceRules:
    - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE], resources: ["*"]}
  validations:
  - expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels"
    message: owner label required
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ns-labels}
spec: {policyName: ns-labels, validationActions: [Deny]}
`;
  assert.equal(run(nsPolicy, request('CREATE', pod({ namespace: 'prod' })))[0]?.violations.length, 1);
  assert.deepEqual(run(nsPolicy, request('CREATE', pod({ namespace: 'default' }))), []);
  // Creating a Namespace: its own new labels decide.
  const nsObject = (labels: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'payments', labels },
  });
  assert.equal(run(nsPolicy, request('CREATE', nsObject({ environment: 'prod' })))[0]?.violations.length, 1);
  assert.deepEqual(run(nsPolicy, request('CREATE', nsObject({ environment: 'dev' }))), []);
  // A cluster-scoped object (ClusterRole) is never excluded by a namespace selector.
  const clusterRole = request(
    'CREATE',
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' } },
    {
      kind: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' },
      resource: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' },
      requestKind: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' },
      requestResource: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' },
    },
  );
  assert.equal(run(nsPolicy, clusterRole)[0]?.violations.length, 1);
});

test('objectSelector matches object or oldObject labels', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: frozen}
spec:
  matchConstraints:
    objectSelector: {matchLabels: {frozen: "true"}}
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [UPDATE, DELETE], resources: [deployments]}
  validations:
  - expression: "false"
    message: frozen objects cannot change
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: frozen}
spec: {policyName: frozen, validationActions: [Deny]}
`;
  const frozen = deployment({ labels: { frozen: 'true' } });
  const thawed = deployment({ labels: {} });
  assert.equal(run(yaml, request('UPDATE', thawed, { oldObject: frozen }))[0]?.violations.length, 1);
  assert.equal(run(yaml, request('UPDATE', frozen, { oldObject: thawed }))[0]?.violations.length, 1);
  assert.equal(run(yaml, request('DELETE', undefined, { oldObject: frozen }))[0]?.violations.length, 1);
  assert.deepEqual(run(yaml, request('UPDATE', thawed, { oldObject: thawed })), []);
});

test('binding matchResources intersect the policy: excludeResourceRules and resourceNames', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-latest}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: ["", apps], apiVersions: [v1], operations: [CREATE], resources: [pods, deployments]}
  validations:
  - expression: "!object.metadata.name.endsWith('-latest')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: pods-only}
spec:
  policyName: no-latest
  validationActions: [Deny]
  matchResources:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
    excludeResourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: ["*"], resources: [pods], resourceNames: [allowed-latest]}
`;
  assert.equal(run(yaml, request('CREATE', pod({ name: 'web-latest' })))[0]?.violations.length, 1);
  assert.deepEqual(run(yaml, request('CREATE', pod({ name: 'allowed-latest' }))), []);
  // the policy matches deployments, but this binding does not
  assert.deepEqual(run(yaml, request('CREATE', deployment({ name: 'web-latest' }))), []);
});

test('request attributes are exposed as upstream does (request.kind is the matched kind)', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata: {name: attrs}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: ["deployments", "deployments/scale"]}
  validations:
  - expression: >-
      request.kind.kind == 'Deployment' && request.resource.version == 'v1' &&
      request.requestResource.version == 'v1beta2' && request.requestKind.version == 'v1beta2' &&
      request.namespace == 'default' && request.name == 'web' && request.userInfo.username == 'alice@example.com' &&
      !has(request.subResource) && request.dryRun == false && request.uid != ''
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: attrs}
spec: {policyName: attrs, validationActions: [Deny]}
`;
  // The client called apps/v1beta2; the API server converted to apps/v1 for us (matchPolicy Equivalent).
  const req = request('CREATE', deployment({}), {
    requestKind: { group: 'apps', version: 'v1beta2', kind: 'Deployment' },
    requestResource: { group: 'apps', version: 'v1beta2', resource: 'deployments' },
  });
  const [ev] = run(yaml, req);
  assert.deepEqual(ev?.violations, []);
  // matchPolicy Exact does not consider the converted resource.
  const exact = yaml.replace('matchConstraints:\n', 'matchConstraints:\n    matchPolicy: Exact\n');
  assert.deepEqual(run(exact, req), []);
});

test('admission configuration objects are exempt; no bindings means no evaluations', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: everything}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}
  validations:
  - expression: "false"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: everything}
spec: {policyName: everything, validationActions: [Deny]}
`;
  const vapReq = request(
    'CREATE',
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'p' },
    },
    {
      kind: { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy' },
      resource: {
        group: 'admissionregistration.k8s.io',
        version: 'v1',
        resource: 'validatingadmissionpolicies',
      },
    },
  );
  assert.deepEqual(run(yaml, vapReq), []);
  assert.equal(run(yaml, request('CREATE', pod({})))[0]?.violations.length, 1);
  const parsed = load(yaml);
  const noBindings = createVapFamily({ policies: parsed.policies, bindings: [] });
  assert.deepEqual(noBindings.evaluate(request('CREATE', pod({})), ctx), []);
});

test('hostile requests: deep, odd and prototype-named fields do not break evaluation', () => {
  const yaml = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: labels}
spec:
  failurePolicy: Fail
  matchConstraints:
    objectSelector: {matchExpressions: [{key: constructor, operator: DoesNotExist}]}
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: "object.metadata.labels.all(k, k.size() < 64)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: labels}
spec: {policyName: labels, validationActions: [Deny]}
`;
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 5000; i++) {
    const next: Record<string, unknown> = {};
    deep.x = next;
    deep = next;
  }
  const p = pod({});
  (p.spec as Record<string, unknown>).deep = root;
  // Too deep for the CEL engine: an evaluation error, so failurePolicy Fail denies (no crash, no pass-through).
  const out = run(yaml, request('CREATE', p));
  assert.equal(out.length, 1);
  assert.match(
    out[0]?.error ?? '',
    /denied request: expression .* resulted in error: input nested deeper than/,
  );
  // An own `__proto__` label from JSON is an ordinary label.
  const proto = pod({ labels: JSON.parse('{"__proto__":"x","app":"web"}') as Record<string, string> });
  assert.deepEqual(run(yaml, request('CREATE', proto))[0]?.violations, []);
  // A label literally named "constructor" is a real label, not Object.prototype.constructor.
  const withCtor = pod({ labels: { constructor: 'yes' } });
  assert.deepEqual(run(yaml, request('CREATE', withCtor)), []);
});

/** A Deny-bound policy on deployment CREATEs; `match` adds lines to matchConstraints, `spec` to spec. */
function deploymentPolicy(name: string, spec: string, match = ''): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  matchConstraints:
${match}    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
${spec}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}-binding}
spec: {policyName: ${name}, validationActions: [Deny]}
---
`;
}

test('policies without params or variables share one invocation activation; others get their own', () => {
  const policy = (name: string, spec: string): string => deploymentPolicy(name, spec);
  const yaml = [
    policy('plain-a', '  validations: [{expression: "params == null && object.spec.replicas <= 5"}]'),
    policy(
      'with-variables',
      '  variables: [{name: limit, expression: "3"}]\n  validations: [{expression: "object.spec.replicas <= variables.limit"}]',
    ),
    policy('plain-b', '  validations: [{expression: "params == null && object.spec.replicas >= 4"}]'),
  ].join('');
  const byPolicy = (replicas: number): Record<string, number> =>
    Object.fromEntries(
      run(yaml, request('CREATE', deployment({ replicas }))).map((e) => [
        e.policy.split('/')[0] as string,
        e.violations.length,
      ]),
    );
  assert.deepEqual(byPolicy(4), { 'vap:plain-a': 0, 'vap:with-variables': 1, 'vap:plain-b': 0 });
  assert.deepEqual(byPolicy(6), { 'vap:plain-a': 1, 'vap:with-variables': 1, 'vap:plain-b': 0 });
  assert.deepEqual(byPolicy(3), { 'vap:plain-a': 0, 'vap:with-variables': 0, 'vap:plain-b': 1 });
});

test('policies with the same match constraints are matched once per request, each still judged on its own', () => {
  const policy = (name: string, selector: string): string =>
    deploymentPolicy(
      name,
      '  validations: [{expression: "object.spec.replicas <= 5"}]',
      `    namespaceSelector: ${selector}\n`,
    );
  const yaml = [
    policy('test-a', '{matchLabels: {environment: test}}'),
    policy('prod-only', '{matchLabels: {environment: prod}}'),
    policy('test-b', '{matchLabels: {environment: test}}'),
    policy('anywhere', '{}'),
  ].join('');
  const names = (ns: string): string[] =>
    run(yaml, request('CREATE', deployment({ replicas: 9, namespace: ns }))).map(
      (e) => `${e.policy.split('/')[0] ?? ''}:${e.violations.length}`,
    );
  assert.deepEqual(names('default'), ['vap:test-a:1', 'vap:test-b:1', 'vap:anywhere:1']);
  assert.deepEqual(names('prod'), ['vap:prod-only:1', 'vap:anywhere:1']);
  // Matching reads the namespace's labels once per distinct selector, not once per policy.
  let lookups = 0;
  const counting: PolicyContext = {
    ...ctx,
    namespaceLabels: (ns) => {
      lookups++;
      return NAMESPACES[ns];
    },
  };
  run(yaml, request('CREATE', deployment({ replicas: 9, namespace: 'default' })), counting);
  // environment=test (shared by test-a and test-b), environment=prod, and once for `namespaceObject`
  assert.equal(lookups, 3);
});
