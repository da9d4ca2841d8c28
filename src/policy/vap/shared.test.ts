import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../admission/types.js';
import type { CelProgram } from '../cel/index.js';
import type { PolicyContext, PolicyEvaluation } from '../engine/types.js';
import { createVapFamily } from './family.js';
import { paramsFromObjects } from './parse.js';
import { sharingKeys } from './shared.js';
import { deployment, load, request } from './testdata/fixtures.js';
import {
  WORKLOAD_POLICIES,
  workloadFamilyInput,
  workloadNamespaceLabels,
  workloadRequest,
  workloadYaml,
} from './testdata/workload.js';
import type { VapPolicy } from './types.js';

const ctx: PolicyContext = { now: new Date('2026-01-01T00:00:00Z'), namespaceLabels: () => ({}) };

/** Counts evaluations of every program of a policy, by expression. */
function counted(policy: VapPolicy, counts: Map<string, number>): VapPolicy {
  const wrap = (p: CelProgram): CelProgram => {
    const bump = () => counts.set(p.expression, (counts.get(p.expression) ?? 0) + 1);
    return {
      expression: p.expression,
      identifiers: p.identifiers,
      evaluate: (a) => (bump(), p.evaluate(a)),
      evaluateValue: (a) => (bump(), p.evaluateValue(a)),
    };
  };
  return {
    ...policy,
    matchConditions: policy.matchConditions.map((c) => ({ ...c, program: wrap(c.program) })),
    variables: policy.variables.map((v) => ({ ...v, program: wrap(v.program) })),
    validations: policy.validations.map((v) => ({
      ...v,
      program: wrap(v.program),
      ...(v.messageProgram ? { messageProgram: wrap(v.messageProgram) } : {}),
    })),
  };
}

function policyYaml(name: string, spec: string, binding = ''): string {
  return `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
${spec}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}}
spec: {policyName: ${name}, validationActions: [Deny]${binding}}
`;
}

function evaluate(
  yaml: string,
  req: ReturnType<typeof request>,
  params: KubeObject[] = [],
): { out: PolicyEvaluation[]; counts: Map<string, number> } {
  const parsed = load(yaml);
  const counts = new Map<string, number>();
  const family = createVapFamily({
    policies: parsed.policies.map((p) => counted(p, counts)),
    bindings: parsed.bindings,
    params: paramsFromObjects([...parsed.others, ...params]),
  });
  const out = family.evaluate(req, ctx);
  assert.ok(Array.isArray(out));
  return { out, counts };
}

const SPEC_WITH_VARIABLE = `
  variables:
  - {name: containers, expression: "object.spec.template.spec.containers"}
  validations:
  - expression: "variables.containers.all(c, c.image.startsWith('registry.example.com/'))"
    messageExpression: "'bad images: ' + variables.containers.map(c, c.image).join(', ')"
  - expression: "size(variables.containers) <= 1"
    messageExpression: "string(size(variables.containers)) + ' containers'"`;

test('a variable read by two validations and their messages is evaluated once per request', () => {
  const { out, counts } = evaluate(
    policyYaml('images', SPEC_WITH_VARIABLE),
    request('CREATE', deployment({ images: ['docker.io/a:1', 'registry.example.com/b:2'] })),
  );
  assert.deepEqual(
    out[0]?.violations.map((v) => v.message),
    [
      "ValidatingAdmissionPolicy 'images' with binding 'images' denied request: bad images: docker.io/a:1, registry.example.com/b:2",
      "ValidatingAdmissionPolicy 'images' with binding 'images' denied request: 2 containers",
    ],
  );
  assert.equal(counts.get('object.spec.template.spec.containers'), 1);
});

test('messageExpression runs only when its validation fails', () => {
  const { out, counts } = evaluate(
    policyYaml('images', SPEC_WITH_VARIABLE),
    request('CREATE', deployment({ images: ['registry.example.com/b:2'] })),
  );
  assert.deepEqual(out[0]?.violations, []);
  assert.equal(counts.get("'bad images: ' + variables.containers.map(c, c.image).join(', ')"), undefined);
  assert.equal(counts.get("string(size(variables.containers)) + ' containers'"), undefined);
});

test('policies share match conditions and variables that read no params, within one request only', () => {
  const spec = `
  matchConditions:
  - {name: not-system, expression: "request.namespace != 'kube-system'"}
  variables:
  - {name: spec, expression: "object.spec.template.spec"}
  - {name: images, expression: "variables.spec.containers.map(c, c.image)"}
  validations:
  - expression: "variables.images.all(i, !i.endsWith(':latest'))"`;
  const yaml = `${policyYaml('a', spec)}\n---\n${policyYaml('b', spec)}`;
  const parsed = load(yaml);
  const counts = new Map<string, number>();
  const family = createVapFamily({
    policies: parsed.policies.map((p) => counted(p, counts)),
    bindings: parsed.bindings,
  });
  const req = () => request('CREATE', deployment({ images: ['registry.example.com/b:latest'] }));
  for (let i = 0; i < 2; i++) {
    const out = family.evaluate(req(), ctx) as PolicyEvaluation[];
    assert.deepEqual(
      out.map((e) => [e.policy, e.violations.length]),
      [
        ['vap:a/a', 1],
        ['vap:b/b', 1],
      ],
    );
  }
  // two requests: once each per request, although two policies read them
  assert.equal(counts.get("request.namespace != 'kube-system'"), 2);
  assert.equal(counts.get('object.spec.template.spec'), 2);
  assert.equal(counts.get('variables.spec.containers.map(c, c.image)'), 2);
  // validations are per policy
  assert.equal(counts.get("variables.images.all(i, !i.endsWith(':latest'))"), 4);
});

test('sharing keys: params readers are never shared; a variable is shared only with the same dependencies', () => {
  const yaml = `${policyYaml(
    'a',
    `
  paramKind: {apiVersion: v1, kind: ConfigMap}
  variables:
  - {name: x, expression: "object.spec.replicas"}
  - {name: y, expression: "variables.x + 1"}
  - {name: p, expression: "params.data.max"}
  - {name: q, expression: "variables.p + 'x'"}
  - {name: r, expression: "size(variables)"}
  validations:
  - expression: "variables.y > 0"`,
  )}\n---\n${policyYaml(
    'b',
    `
  variables:
  - {name: x, expression: "object.spec.template.spec.replicas"}
  - {name: y, expression: "variables.x + 1"}
  validations:
  - expression: "variables.y > 0"`,
  )}`;
  const [a, b] = load(yaml).policies as [VapPolicy, VapPolicy];
  const ka = sharingKeys(a).variables;
  const kb = sharingKeys(b).variables;
  assert.ok(ka[0] !== undefined && ka[1] !== undefined);
  assert.deepEqual(ka.slice(2), [undefined, undefined, undefined]);
  // same text `variables.x + 1`, but x differs between the policies: different keys
  assert.notEqual(ka[1], kb[1]);
});

test('a param-reading variable is evaluated per binding, with that binding’s params', () => {
  const spec = `
  paramKind: {apiVersion: v1, kind: ConfigMap}
  variables:
  - {name: max, expression: "int(params.data.max)"}
  validations:
  - expression: "object.spec.replicas <= variables.max"
    messageExpression: "'at most ' + string(variables.max)"`;
  const yaml = `${policyYaml('limit', spec, ', paramRef: {name: small, parameterNotFoundAction: Deny}')}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-large}
spec: {policyName: limit, validationActions: [Deny], paramRef: {name: large, parameterNotFoundAction: Deny}}
`;
  const params: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small' }, data: { max: '2' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'large' }, data: { max: '10' } },
  ];
  const { out, counts } = evaluate(yaml, request('CREATE', deployment({ replicas: 3 })), params);
  assert.deepEqual(
    out.map((e) => [e.policy, e.violations.map((v) => v.message)]),
    [
      [
        'vap:limit/limit',
        ["ValidatingAdmissionPolicy 'limit' with binding 'limit' denied request: at most 2"],
      ],
      ['vap:limit/limit-large', []],
    ],
  );
  assert.equal(counts.get('int(params.data.max)'), 2);
});

test('variables keep their CEL type: quantities keep their methods, doubles stay doubles', () => {
  const spec = `
  variables:
  - {name: max, expression: "quantity('1Gi')"}
  - {name: ratio, expression: "1.0"}
  - {name: limits, expression: "object.spec.template.spec.containers.map(c, c.resources.limits.memory)"}
  validations:
  - expression: "variables.limits.all(m, quantity(m).compareTo(variables.max) <= 0)"
    messageExpression: "'memory above ' + string(variables.max.asInteger())"
  - expression: "type(variables.ratio) == double && variables.ratio * 2.0 == 2.0"`;
  const obj = deployment({});
  const containers = (obj.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template
    .spec.containers;
  for (const c of containers) c.resources = { limits: { memory: '2Gi' } };
  const { out } = evaluate(policyYaml('mem', spec), request('CREATE', obj));
  assert.equal(out[0]?.error, undefined);
  assert.deepEqual(
    out[0]?.violations.map((v) => [v.control, v.message]),
    [
      [
        'validations[0]',
        "ValidatingAdmissionPolicy 'mem' with binding 'mem' denied request: memory above 1073741824",
      ],
    ],
  );
});

test('the benchmark workload: a compliant request passes all 20 policies, a violating one fails several', () => {
  const family = createVapFamily(workloadFamilyInput());
  const c: PolicyContext = { now: new Date(), namespaceLabels: workloadNamespaceLabels };
  for (const kind of ['Deployment', 'Pod'] as const) {
    const out = family.evaluate(workloadRequest({ kind }), c) as PolicyEvaluation[];
    assert.equal(out.length, kind === 'Pod' ? WORKLOAD_POLICIES - 1 : WORKLOAD_POLICIES); // replica-limit: workloads only
    assert.deepEqual(
      out.filter((e) => e.violations.length > 0 || e.error).map((e) => [e.policy, e.error]),
      [],
    );
  }
  const bad = family.evaluate(workloadRequest({ violating: true }), c) as PolicyEvaluation[];
  assert.deepEqual(
    bad.filter((e) => e.violations.length > 0 || e.error).map((e) => e.policy.split('/')[0]),
    [
      'vap:require-labels',
      'vap:disallow-privileged',
      'vap:require-resource-limits',
      'vap:allowed-registries',
      'vap:disallow-latest-tag',
      'vap:replica-limit',
      'vap:require-probes',
    ],
  );
  assert.equal(bad.filter((e) => e.error).length, 0);

  // the YAML form (for a webhook's policy directory) loads to the same 20 bindings and params
  const fromYaml = load(workloadYaml());
  assert.equal(fromYaml.bindings.length, WORKLOAD_POLICIES);
  const viaYaml = createVapFamily(fromYaml).evaluate(
    workloadRequest({ violating: true }),
    c,
  ) as PolicyEvaluation[];
  assert.deepEqual(viaYaml, bad);
});
