import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../core/errors.js';
import { parseVapObjects, paramsFromObjects, variableRefs } from './parse.js';
import { DEMO_POLICY, load, REPLICA_LIMIT_POLICY } from './testdata/fixtures.js';

const POLICY_HEAD = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: p.example.com
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [deployments]
`;

function policyWith(specTail: string): string {
  return POLICY_HEAD + specTail;
}

function bindingWith(spec: string): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: b
spec:
${spec}`;
}

/** Asserts a UserError with this message pattern at this line of policies.yaml. */
function rejects(yaml: string, message: RegExp, line?: number): void {
  assert.throws(
    () => load(yaml),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
      assert.match(e.message, message);
      assert.equal(e.where?.file, 'policies.yaml');
      if (line !== undefined) assert.equal(e.where?.line, line, e.oneLine());
      return true;
    },
  );
}

test('the docs examples load: policies, bindings, params and the rest are separated', () => {
  const parsed = load(`${REPLICA_LIMIT_POLICY}\n---\n${DEMO_POLICY}`);
  assert.deepEqual(
    parsed.policies.map((p) => [p.name, p.failurePolicy, p.paramKind?.kind, p.validations.length]),
    [
      ['replicalimit-policy.example.com', 'Fail', 'ReplicaLimit', 1],
      ['demo-policy.example.com', 'Fail', undefined, 1],
    ],
  );
  assert.deepEqual(
    parsed.bindings.map((b) => [b.name, b.policyName, b.validationActions, b.paramRef?.name]),
    [
      [
        'replicalimit-binding-test.example.com',
        'replicalimit-policy.example.com',
        ['Deny'],
        'replica-limit-test.example.com',
      ],
      ['demo-binding-test.example.com', 'demo-policy.example.com', ['Deny'], undefined],
    ],
  );
  assert.deepEqual(
    parsed.others.map((o) => o.kind),
    ['ReplicaLimit'],
  );
  assert.equal(parsed.params('rules.example.com/v1', 'ReplicaLimit', 'default').length, 1);
  assert.equal(parsed.params('rules.example.com/v1', 'ReplicaLimit', 'prod').length, 0);
  assert.deepEqual(parsed.warnings, []);
  const m = parsed.policies[0]?.matchConstraints;
  assert.equal(m?.matchPolicy, 'Equivalent');
  assert.equal(m?.namespaceSelector.empty, true);
  assert.equal(m?.resourceRules[0]?.scope, '*');
  assert.equal(parsed.policies[0]?.origin.file, 'policies.yaml');
});

test('bad CEL is a load-time error naming policy, field, expression and line', () => {
  rejects(
    policyWith('  validations:\n  - expression: "object.spec.replicas <="\n'),
    /^ValidatingAdmissionPolicy "p\.example\.com": spec\.validations\[0\]\.expression: compilation failed: CEL expression "object\.spec\.replicas <="/,
    13,
  );
  rejects(
    policyWith('  validations:\n  - expression: "true"\n    messageExpression: "\'a\' + "\n'),
    /spec\.validations\[0\]\.messageExpression: compilation failed/,
    14,
  );
  rejects(
    policyWith(
      '  matchConditions:\n  - name: x\n    expression: "nosuchvar == 1"\n  validations:\n  - expression: "true"\n',
    ),
    /spec\.matchConditions\[0\]\.expression: compilation failed: .*nosuchvar/,
    14,
  );
  rejects(
    policyWith('  auditAnnotations:\n  - key: k\n    valueExpression: "object.foo("\n'),
    /spec\.auditAnnotations\[0\]\.valueExpression: compilation failed/,
    14,
  );
  rejects(
    policyWith('  variables:\n  - name: v\n    expression: "]"\n  validations:\n  - expression: "true"\n'),
    /spec\.variables\[0\]\.expression: compilation failed/,
  );
  // `authorizer` is refused by kubeward (no SubjectAccessReview from inside the engine).
  rejects(
    policyWith(
      "  validations:\n  - expression: \"authorizer.group('').resource('pods').check('get').allowed()\"\n",
    ),
    /'authorizer' is not supported by kubeward/,
  );
  // match conditions cannot use variables (they run first)
  rejects(
    policyWith(
      '  variables:\n  - {name: a, expression: "1"}\n  matchConditions:\n  - {name: m, expression: "variables.a == 1"}\n  validations:\n  - expression: "true"\n',
    ),
    /spec\.matchConditions\[0\]\.expression: compilation failed/,
  );
});

test('variables: names, order, duplicates and references are checked at load time', () => {
  rejects(
    policyWith(
      '  variables:\n  - {name: a, expression: "variables.b"}\n  - {name: b, expression: "1"}\n  validations:\n  - expression: "true"\n',
    ),
    /spec\.variables\[0\]\.expression: compilation failed: undefined variable "variables\.b"/,
  );
  rejects(
    policyWith(
      '  variables:\n  - {name: a, expression: "variables.a"}\n  validations:\n  - expression: "true"\n',
    ),
    /undefined variable "variables\.a"/,
  );
  rejects(
    policyWith(
      '  variables:\n  - {name: a, expression: "1"}\n  validations:\n  - expression: "variables.typo == 1"\n',
    ),
    /spec\.validations\[0\]\.expression: compilation failed: undefined variable "variables\.typo" \(defined before this expression: a\)/,
  );
  rejects(
    policyWith('  variables:\n  - {name: "1bad", expression: "1"}\n  validations:\n  - expression: "true"\n'),
    /spec\.variables\[0\]\.name: Invalid value: "1bad": name is not a valid CEL identifier/,
  );
  rejects(
    policyWith(
      '  variables:\n  - {name: a, expression: "1"}\n  - {name: a, expression: "2"}\n  validations:\n  - expression: "true"\n',
    ),
    /spec\.variables\[1\]\.name: Duplicate value: "a"/,
  );
  // Strings mentioning variables are not references.
  assert.deepEqual(
    variableRefs(`"variables.x" + 'variables.y' + variables.z + r"variables.q" + '''variables.w'''`),
    ['z'],
  );
  assert.deepEqual(variableRefs('variables . a + myvariables.b + x.variables.c'), ['a']);
});

test('structural errors name the field', () => {
  const cases: [string, RegExp][] = [
    [
      POLICY_HEAD,
      /spec\.validations: Required value: validations or auditAnnotations must contain at least one item/,
    ],
    [policyWith('  validations:\n  - message: hi\n'), /spec\.validations\[0\]\.expression: Required value/],
    [
      policyWith('  validations:\n  - expression: "true"\n    message: "a\\nb"\n'),
      /message: must not contain line breaks/,
    ],
    [
      policyWith('  validations:\n  - expression: "true"\n    reason: Teapot\n'),
      /reason: Unsupported value: "Teapot": supported values: "Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"/,
    ],
    [
      policyWith('  failurePolicy: Sometimes\n  validations:\n  - expression: "true"\n'),
      /spec\.failurePolicy: Unsupported value: "Sometimes"/,
    ],
    [policyWith('  validation:\n  - expression: "true"\n'), /spec\.validation: unknown field "validation"/],
    [
      policyWith('  paramKind: {kind: X}\n  validations:\n  - expression: "true"\n'),
      /spec\.paramKind\.apiVersion: Required value/,
    ],
    [
      policyWith(
        '  auditAnnotations:\n  - {key: k, valueExpression: "\'a\'"}\n  - {key: k, valueExpression: "\'b\'"}\n',
      ),
      /spec\.auditAnnotations\[1\]\.key: Duplicate value: "k"/,
    ],
    [
      policyWith('  auditAnnotations:\n  - {key: "bad key", valueExpression: "\'a\'"}\n'),
      /spec\.auditAnnotations\[0\]\.key: invalid audit annotation key/,
    ],
    [
      policyWith(
        '  matchConditions:\n  - {name: a, expression: "true"}\n  - {name: a, expression: "true"}\n  validations:\n  - expression: "true"\n',
      ),
      /spec\.matchConditions\[1\]\.name: Duplicate value: "a"/,
    ],
    [
      POLICY_HEAD.replace('metadata:\n  name: p.example.com', 'metadata:\n  name: Not_Valid') +
        '  validations:\n  - expression: "true"\n',
      /metadata\.name: Invalid value: "Not_Valid"/,
    ],
    [
      POLICY_HEAD.replace('name: p.example.com', 'labels: {a: b}'),
      /ValidatingAdmissionPolicy "<unnamed>": metadata\.name: Required value/,
    ],
    [
      POLICY_HEAD.replace('v1\nkind', 'v1alpha1\nkind'),
      /apiVersion: unsupported apiVersion "admissionregistration\.k8s\.io\/v1alpha1"/,
    ],
    [
      POLICY_HEAD.replace(/ {2}matchConstraints:[\s\S]*/, '  validations:\n  - expression: "true"\n'),
      /spec\.matchConstraints: Required value/,
    ],
    [
      POLICY_HEAD.replace(/ {4}resourceRules:[\s\S]*/, '    matchPolicy: Exact\n') +
        '  validations:\n  - expression: "true"\n',
      /spec\.matchConstraints\.resourceRules: Required value/,
    ],
    [
      POLICY_HEAD.replace('[apps]', '["*", apps]') + '  validations:\n  - expression: "true"\n',
      /resourceRules\[0\]\.apiGroups: if '\*' is present, must not specify other API groups/,
    ],
    [
      POLICY_HEAD.replace('[CREATE]', '[CREATE, PATCH]') + '  validations:\n  - expression: "true"\n',
      /resourceRules\[0\]\.operations\[1\]: Unsupported value: "PATCH"/,
    ],
    [
      POLICY_HEAD.replace('[deployments]', '["*/*", pods]') + '  validations:\n  - expression: "true"\n',
      /if '\*\/\*' is present, must not specify other resources/,
    ],
    [
      POLICY_HEAD.replace('[deployments]', '["pods/*", "pods/log"]') +
        '  validations:\n  - expression: "true"\n',
      /resources\[1\]: if 'pods\/\*' is present, must not specify pods\/log/,
    ],
    [
      POLICY_HEAD.replace('[deployments]', '["a/b/c"]') + '  validations:\n  - expression: "true"\n',
      /resources\[0\]: must not have more than one slash/,
    ],
    [
      POLICY_HEAD.replace('[deployments]', '[]') + '  validations:\n  - expression: "true"\n',
      /resourceRules\[0\]\.resources: Required value/,
    ],
    [
      POLICY_HEAD.replace(
        '    resourceRules:',
        '    namespaceSelector: {matchExpressions: [{key: env, operator: In, values: []}]}\n    resourceRules:',
      ) + '  validations:\n  - expression: "true"\n',
      /spec\.matchConstraints\.namespaceSelector\.matchExpressions\[0\]\.values: for 'in', 'notin' operators, values set can't be empty/,
    ],
    [
      bindingWith('  validationActions: [Deny]\n'),
      /ValidatingAdmissionPolicyBinding "b": spec\.policyName: Required value/,
    ],
    [bindingWith('  policyName: p\n'), /spec\.validationActions: Required value/],
    [
      bindingWith('  policyName: p\n  validationActions: [Deny, Warn]\n'),
      /must not contain both Deny and Warn/,
    ],
    [
      bindingWith('  policyName: p\n  validationActions: [Audit, Audit]\n'),
      /validationActions\[1\]: Duplicate value: "Audit"/,
    ],
    [
      bindingWith('  policyName: p\n  validationActions: [Block]\n'),
      /validationActions\[0\]: Unsupported value: "Block"/,
    ],
    [
      bindingWith(
        '  policyName: p\n  validationActions: [Deny]\n  paramRef: {name: a, selector: {}, parameterNotFoundAction: Deny}\n',
      ),
      /spec\.paramRef: name and selector are mutually exclusive/,
    ],
    [
      bindingWith(
        '  policyName: p\n  validationActions: [Deny]\n  paramRef: {parameterNotFoundAction: Deny}\n',
      ),
      /spec\.paramRef: one of name or selector must be specified/,
    ],
    [
      bindingWith('  policyName: p\n  validationActions: [Deny]\n  paramRef: {name: a}\n'),
      /spec\.paramRef\.parameterNotFoundAction: Required value/,
    ],
    [
      bindingWith(
        '  policyName: p\n  validationActions: [Deny]\n  paramRef: {name: a, namespace: "Bad NS", parameterNotFoundAction: Allow}\n',
      ),
      /spec\.paramRef\.namespace: Invalid value: "Bad NS"/,
    ],
  ];
  for (const [yaml, msg] of cases) rejects(yaml, msg);
});

test('hostile shapes are rejected, not crashed on', () => {
  const shapes: unknown[] = [
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy' },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'x' },
      spec: [],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'x' },
      spec: { validations: 'x' },
    },
    { apiVersion: 7, kind: 'ValidatingAdmissionPolicy', metadata: { name: 'x' }, spec: {} },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'x' },
      spec: JSON.parse('{"__proto__": {"validations": []}}') as unknown,
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'x' },
      spec: {
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
          ],
        },
        validations: Array.from({ length: 1001 }, () => ({ expression: 'true' })),
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'x' },
      spec: {
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
          ],
        },
        validations: [{ expression: 'x'.repeat(100_000) }],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'b' },
      spec: { policyName: ['p'], validationActions: ['Deny'] },
    },
  ];
  for (const object of shapes) {
    assert.throws(() => parseVapObjects([{ object }]), UserError, JSON.stringify(object).slice(0, 100));
  }
  // Non-objects among the inputs are ignored, not parsed.
  assert.deepEqual(parseVapObjects([{ object: null }, { object: 'x' }, { object: [] }]).others, []);
});

test('duplicates are errors; a binding to an unknown policy is a warning', () => {
  rejects(
    `${DEMO_POLICY}\n---\n${DEMO_POLICY}`,
    /ValidatingAdmissionPolicy "demo-policy\.example\.com" is defined twice \(first at policies\.yaml:2\)/,
  );
  const parsed = load(bindingWith('  policyName: ghost\n  validationActions: [Warn]\n'));
  assert.deepEqual(parsed.warnings, [
    {
      file: 'policies.yaml',
      line: 6,
      message:
        'ValidatingAdmissionPolicyBinding "b" references ValidatingAdmissionPolicy "ghost", which is not among the inputs; the binding is ignored',
    },
  ]);
});

test('paramsFromObjects filters by apiVersion, kind and namespace', () => {
  const objs = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c', namespace: 'x' } },
    { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'x' } },
  ];
  const p = paramsFromObjects(objs);
  assert.deepEqual(
    p('v1', 'ConfigMap', 'x').map((o) => o.metadata?.name),
    ['a', 'b'],
  );
  assert.deepEqual(
    p('v1', 'ConfigMap', 'y').map((o) => o.metadata?.name),
    ['b'],
  );
  assert.deepEqual(
    p('v1', 'ConfigMap').map((o) => o.metadata?.name),
    ['b'],
  );
});
