import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Check } from '../check.js';
import type { KubeObject, Resource } from '../../k8s/resource.js';
import { scanResources } from '../scan.js';
import { runCheck } from './testkit.js';
import {
  approveCsr,
  broadSubjectBinding,
  clusterAdminBinding,
  createPersistentVolumes,
  createTokens,
  createWorkloads,
  execIntoPods,
  nodeProxy,
  privilegeEscalation,
  rbacChecks,
  readSecrets,
  webhookConfigs,
  wildcardApiGroups,
  wildcardResources,
  wildcardVerbs,
} from './rbac.js';

const lines = (check: Check, yaml: string): number[] => runCheck(check, yaml).map((f) => f.location.line);
const messages = (check: Check, yaml: string): string[] => runCheck(check, yaml).map((f) => f.message);

/** A ClusterRole (or a Role in namespace "app") with the given rules YAML; rules start at line 6. */
function role(rules: string, kind: 'ClusterRole' | 'Role' = 'ClusterRole', name = 'r'): string {
  const ns = kind === 'Role' ? '\n  namespace: app' : '';
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: ${name}${ns}
rules:
${rules.replace(/^\n+|\s+$/g, '')}
`;
}

function binding(
  kind: 'ClusterRoleBinding' | 'RoleBinding',
  roleRef: string,
  subjects: string,
  meta = '',
): string {
  const ns = kind === 'RoleBinding' ? '\n  namespace: app' : '';
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: b${ns}${meta}
roleRef:
  apiGroup: rbac.authorization.k8s.io
${roleRef.replace(/^\n+|\s+$/g, '')}
subjects:
${subjects.replace(/^\n+|\s+$/g, '')}
`;
}

// --- KW-RBAC-001 cluster-admin -----------------------------------------------------------------------------

test('KW-RBAC-001 flags ClusterRoleBinding and RoleBinding to cluster-admin at roleRef.name', () => {
  const crb = binding(
    'ClusterRoleBinding',
    '  kind: ClusterRole\n  name: cluster-admin',
    '  - kind: ServiceAccount\n    name: deployer\n    namespace: ci\n  - kind: User\n    name: alice',
  );
  const f = runCheck(clusterAdminBinding, crb);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.location.line, 8);
  assert.equal(f[0]?.severity, 'critical');
  assert.equal(
    f[0]?.message,
    'ClusterRoleBinding b grants cluster-admin (full control of the cluster) to ServiceAccount ci/deployer, User alice',
  );
  const rb = binding(
    'RoleBinding',
    '  kind: ClusterRole\n  name: cluster-admin',
    '  - kind: ServiceAccount\n    name: ci',
  );
  assert.deepEqual(messages(clusterAdminBinding, rb), [
    'RoleBinding app/b grants cluster-admin (full control of namespace "app") to ServiceAccount app/ci',
  ]);
});

test('KW-RBAC-001 ignores other roles, Roles named cluster-admin, system:masters only and empty bindings', () => {
  const subj = '  - kind: User\n    name: alice';
  assert.deepEqual(
    lines(clusterAdminBinding, binding('ClusterRoleBinding', '  kind: ClusterRole\n  name: admin', subj)),
    [],
  );
  assert.deepEqual(
    lines(clusterAdminBinding, binding('RoleBinding', '  kind: Role\n  name: cluster-admin', subj)),
    [],
  );
  const masters = '  - kind: Group\n    name: system:masters';
  assert.deepEqual(
    lines(
      clusterAdminBinding,
      binding('ClusterRoleBinding', '  kind: ClusterRole\n  name: cluster-admin', masters),
    ),
    [],
  );
  assert.deepEqual(
    lines(
      clusterAdminBinding,
      binding('ClusterRoleBinding', '  kind: ClusterRole\n  name: cluster-admin', '  []'),
    ),
    [],
  );
  // Kubernetes' own default binding (from a cluster dump).
  const bootstrap = binding(
    'ClusterRoleBinding',
    '  kind: ClusterRole\n  name: cluster-admin',
    subj,
    '\n  labels:\n    kubernetes.io/bootstrapping: rbac-defaults',
  );
  assert.deepEqual(lines(clusterAdminBinding, bootstrap), []);
  // Not an RBAC object.
  assert.deepEqual(
    lines(
      clusterAdminBinding,
      binding('ClusterRoleBinding', '  kind: ClusterRole\n  name: cluster-admin', subj).replace(
        'rbac.authorization.k8s.io/v1',
        'example.com/v1',
      ),
    ),
    [],
  );
});

// --- KW-RBAC-002 broad subjects ----------------------------------------------------------------------------

test('KW-RBAC-002 flags each anonymous / all-users / system:masters subject at its name', () => {
  const yaml = binding(
    'ClusterRoleBinding',
    '  kind: ClusterRole\n  name: viewer',
    `  - kind: Group
    name: system:authenticated
  - kind: Group
    name: devs
  - kind: User
    name: system:anonymous
  - kind: Group
    name: system:unauthenticated
  - kind: Group
    name: system:serviceaccounts
  - kind: Group
    name: system:masters`,
  );
  const f = runCheck(broadSubjectBinding, yaml);
  assert.deepEqual(
    f.map((x) => x.location.line),
    [11, 15, 17, 19, 21],
  );
  assert.match(
    f[0]?.message ?? '',
    /ClusterRole viewer to Group system:authenticated: every authenticated user/,
  );
});

test('KW-RBAC-002 passes namespaced service-account groups and look-alike names', () => {
  const yaml = binding(
    'RoleBinding',
    '  kind: Role\n  name: viewer',
    `  - kind: Group
    name: system:serviceaccounts:app
  - kind: ServiceAccount
    name: system:anonymous
  - kind: User
    name: system:authenticated
  - "not a subject"`,
  );
  assert.deepEqual(lines(broadSubjectBinding, yaml), []);
});

// --- KW-RBAC-003..005 wildcards ----------------------------------------------------------------------------

test('KW-RBAC-003/004/005 point at the exact "*" item, in flow and block lists', () => {
  const yaml = role(`
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups:
      - ""
      - "*"
    resources:
      - pods
      - "*"
    verbs:
      - get
      - "*"`);
  assert.deepEqual(lines(wildcardApiGroups, yaml), [6, 11]);
  assert.deepEqual(lines(wildcardResources, yaml), [7, 14]);
  assert.deepEqual(lines(wildcardVerbs, yaml), [8, 17]);
});

test('KW-RBAC-003 ignores "*" verbs on nonResourceURLs; partial wildcards like */scale are not "*"', () => {
  const yaml = role(`
  - nonResourceURLs: ["/metrics", "/healthz"]
    verbs: ["*"]
  - apiGroups: ["apps"]
    resources: ["*/scale"]
    verbs: ["get"]`);
  assert.deepEqual(lines(wildcardVerbs, yaml), []);
  assert.deepEqual(lines(wildcardResources, yaml), []);
});

test('wildcard findings mention resourceNames and where the role is bound', () => {
  const yaml =
    role(`
  - apiGroups: [""]
    resources: ["configmaps"]
    resourceNames: ["app-config"]
    verbs: ["*"]`) +
    '---\n' +
    binding(
      'ClusterRoleBinding',
      '  kind: ClusterRole\n  name: r',
      '  - kind: ServiceAccount\n    name: sa\n    namespace: ns',
    );
  assert.deepEqual(messages(wildcardVerbs, yaml), [
    'ClusterRole r rule 1 uses "*" in verbs (resourceNames: app-config): every current and future verb is ' +
      'allowed on the listed resources; bound to ServiceAccount ns/sa (ClusterRoleBinding b)',
  ]);
});

// --- KW-RBAC-006 secrets ------------------------------------------------------------------------------------

test('KW-RBAC-006 matches secrets in the core group only, directly or through wildcards', () => {
  const yaml = role(`
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: ["watch"]
  - apiGroups: ["*"]
    resources: ["secrets"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: ["apps"]
    resources: ["secrets", "*"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["create", "update", "delete"]
  - resources: ["secrets"]
    verbs: ["get"]`);
  const f = runCheck(readSecrets, yaml);
  assert.deepEqual(
    f.map((x) => x.location.line),
    [7, 10, 13],
  );
  assert.deepEqual(
    f.map((x) => x.message.split(':')[0]),
    [
      'ClusterRole r rule 1 grants watch on secrets',
      'ClusterRole r rule 2 grants get on secrets (through "*" in apiGroups)',
      'ClusterRole r rule 3 grants get, list, watch on secrets (through "*" in verbs and resources)',
    ],
  );
});

test('KW-RBAC-006 treats resourceNames as scoping the rule', () => {
  const yaml = role(`
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["app-tls", ""]
    verbs: ["get", "list", "watch"]`);
  assert.deepEqual(lines(readSecrets, yaml), []);
  // An empty resourceNames list does not scope anything.
  assert.deepEqual(lines(readSecrets, yaml.replace('["app-tls", ""]', '[]')), [7]);
});

test('KW-RBAC-006 names the Role binding in the same namespace only', () => {
  const r = role(
    `
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]`,
    'Role',
    'reader',
  );
  const inApp = binding(
    'RoleBinding',
    '  kind: Role\n  name: reader',
    '  - kind: ServiceAccount\n    name: api',
  );
  const elsewhere = inApp.replace('namespace: app', 'namespace: other');
  assert.deepEqual(messages(readSecrets, `${r}---\n${elsewhere}`), [
    'Role app/reader rule 1 grants get on secrets: Secret contents (tokens, keys, passwords) can be read',
  ]);
  assert.deepEqual(messages(readSecrets, `${r}---\n${inApp}`), [
    'Role app/reader rule 1 grants get on secrets: Secret contents (tokens, keys, passwords) can be read; ' +
      'bound to ServiceAccount app/api (RoleBinding app/b)',
  ]);
});

test('aggregated ClusterRoles: components name their aggregator and its bindings; aggregators without rules are fine', () => {
  const yaml = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        acme.io/aggregate-to-monitoring: "true"
rules: null
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-secrets
  labels:
    acme.io/aggregate-to-monitoring: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: expr
  labels:
    tier: ops
aggregationRule:
  clusterRoleSelectors:
    - matchExpressions:
        - { key: tier, operator: In, values: [dev] }
---
${binding('ClusterRoleBinding', '  kind: ClusterRole\n  name: monitoring', '  - kind: Group\n    name: sre')}`;
  const f = runCheck(readSecrets, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [
        20,
        'ClusterRole monitoring-secrets rule 1 grants list on secrets: Secret contents (tokens, keys, passwords) ' +
          'can be read; bound to Group sre (ClusterRoleBinding b) via ClusterRole monitoring; aggregated into ' +
          'ClusterRole edit, monitoring',
      ],
    ],
  );
  for (const c of rbacChecks) assert.doesNotThrow(() => runCheck(c, yaml), c.id);
});

test('malformed rules and subjects do not crash any RBAC check', () => {
  const yaml = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: odd
rules:
  - "not a rule"
  - apiGroups: "core"
    resources: [1, null, {a: 1}]
    verbs: "*"
  - null
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: norules
  namespace: app
rules: {}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: b
roleRef: cluster-admin
subjects: {kind: Group}
`;
  for (const c of rbacChecks) assert.deepEqual(runCheck(c, yaml), [], c.id);
});

// --- KW-RBAC-007 escalate / bind / impersonate --------------------------------------------------------------

test('KW-RBAC-007 points at the first dangerous verb and respects resource scope and resourceNames', () => {
  const yaml = role(`
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["roles"]
    verbs: ["get", "escalate", "bind"]
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    resourceNames: ["view"]
    verbs: ["bind"]
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    resourceNames: ["view", "cluster-admin"]
    verbs: ["bind"]
  - apiGroups: [""]
    resources: ["groups"]
    resourceNames: ["system:masters"]
    verbs: ["impersonate"]
  - apiGroups: [""]
    resources: ["users"]
    resourceNames: ["bob"]
    verbs: ["impersonate"]
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["rolebindings"]
    verbs: ["bind", "escalate"]`);
  const f = runCheck(privilegeEscalation, yaml);
  assert.deepEqual(
    f.map((x) => x.location.line),
    [8, 16, 20, 27],
  );
  assert.match(f[0]?.message ?? '', /grants escalate, bind on roles:/);
  assert.match(
    f[3]?.message ?? '',
    /escalate, bind on roles, clusterroles; impersonate on users, groups, serviceaccounts/,
  );
});

test('KW-RBAC-007: a namespaced Role cannot impersonate users or groups, but can impersonate service accounts and bind', () => {
  const yaml = role(
    `
  - apiGroups: [""]
    resources: ["users", "groups"]
    verbs: ["impersonate"]
  - apiGroups: [""]
    resources: ["serviceaccounts"]
    verbs: ["impersonate"]
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    verbs: ["bind"]`,
    'Role',
  );
  assert.deepEqual(lines(privilegeEscalation, yaml), [12, 15]);
});

// --- KW-RBAC-008 exec / attach ------------------------------------------------------------------------------

test('KW-RBAC-008 follows upstream subresource matching: "*/exec" matches, "pods/*" and "pods" do not', () => {
  const yaml = role(`
  - apiGroups: [""]
    resources: ["pods", "pods/*"]
    verbs: ["create", "get"]
  - apiGroups: [""]
    resources: ["*/exec"]
    verbs: ["create"]
  - apiGroups: [""]
    resources: ["pods/attach"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["pods/exec"]
    verbs: ["list", "watch"]
  - apiGroups: ["apps"]
    resources: ["pods/exec"]
    verbs: ["create"]
  - apiGroups: [""]
    resources: ["pods/exec"]
    resourceNames: ["debug"]
    verbs: ["create"]`);
  assert.deepEqual(lines(execIntoPods, yaml), [10, 13]);
  assert.deepEqual(
    messages(execIntoPods, yaml)[0]?.split(':')[0],
    'ClusterRole r rule 2 grants create on pods/exec (through "*" in resources)',
  );
});

// --- KW-RBAC-009 nodes/proxy --------------------------------------------------------------------------------

test('KW-RBAC-009 flags nodes/proxy in ClusterRoles only', () => {
  const rules = `
  - apiGroups: [""]
    resources: ["nodes/stats", "nodes/proxy"]
    verbs: ["get"]`;
  assert.deepEqual(lines(nodeProxy, role(rules)), [7]);
  assert.deepEqual(lines(nodeProxy, role(rules, 'Role')), []);
  assert.deepEqual(lines(nodeProxy, role(rules.replace('"get"', '"list", "watch"'))), []);
});

// --- KW-RBAC-010 workload creation --------------------------------------------------------------------------

test('KW-RBAC-010 matches each workload resource in its own API group', () => {
  const yaml = role(`
  - apiGroups: ["extensions"]
    resources: ["deployments"]
    verbs: ["create"]
  - apiGroups: ["extensions"]
    resources: ["statefulsets", "jobs"]
    verbs: ["create"]
  - apiGroups: ["batch"]
    resources: ["cronjobs"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: ["replicationcontrollers", "pods"]
    verbs: ["create"]
  - apiGroups: ["apps"]
    resources: ["daemonsets"]
    verbs: ["update", "patch"]
  - apiGroups: [""]
    resources: ["pods"]
    resourceNames: ["p"]
    verbs: ["create"]`);
  assert.deepEqual(lines(createWorkloads, yaml), [7, 13, 16]);
  assert.match(messages(createWorkloads, yaml)[2] ?? '', /grants create on pods, replicationcontrollers:/);
});

// --- KW-RBAC-011..014 ---------------------------------------------------------------------------------------

test('KW-RBAC-011 flags creating service account tokens, not reading service accounts', () => {
  const yaml = role(`
  - apiGroups: [""]
    resources: ["serviceaccounts"]
    verbs: ["create", "get"]
  - apiGroups: [""]
    resources: ["serviceaccounts/token"]
    verbs: ["create"]`);
  assert.deepEqual(lines(createTokens, yaml), [10]);
  assert.equal(runCheck(createTokens, yaml)[0]?.severity, 'high');
});

test('KW-RBAC-012 flags writes to webhook configurations in ClusterRoles', () => {
  const rules = `
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["validatingwebhookconfigurations"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["mutatingwebhookconfigurations"]
    verbs: ["deletecollection"]
  - apiGroups: [""]
    resources: ["mutatingwebhookconfigurations"]
    verbs: ["create"]`;
  assert.deepEqual(lines(webhookConfigs, role(rules)), [10]);
  assert.deepEqual(lines(webhookConfigs, role(rules, 'Role')), []);
});

test('KW-RBAC-013 flags update or patch on the CSR approval subresource', () => {
  const yaml = role(`
  - apiGroups: ["certificates.k8s.io"]
    resources: ["certificatesigningrequests"]
    verbs: ["update", "create"]
  - apiGroups: ["certificates.k8s.io"]
    resources: ["certificatesigningrequests/approval"]
    verbs: ["patch"]`);
  assert.deepEqual(lines(approveCsr, yaml), [10]);
});

test('KW-RBAC-014 flags creating PersistentVolumes, not claims', () => {
  const yaml = role(`
  - apiGroups: [""]
    resources: ["persistentvolumeclaims"]
    verbs: ["create"]
  - apiGroups: [""]
    resources: ["persistentvolumes"]
    verbs: ["create"]`);
  assert.deepEqual(lines(createPersistentVolumes, yaml), [10]);
  assert.deepEqual(
    lines(
      createPersistentVolumes,
      role(
        `
  - apiGroups: [""]
    resources: ["persistentvolumes"]
    verbs: ["create"]`,
        'Role',
      ),
    ),
    [],
  );
});

test('a full wildcard rule (cluster-admin equivalent) triggers every rule check once', () => {
  const yaml = role(`
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
  - nonResourceURLs: ["*"]
    verbs: ["*"]`);
  const ids = rbacChecks.flatMap((c) => runCheck(c, yaml).map((f) => f.checkId));
  assert.deepEqual(
    ids,
    rbacChecks.map((c) => c.id).filter((id) => id !== 'KW-RBAC-001' && id !== 'KW-RBAC-002'),
  );
});

test('RBAC checks over 10,000 roles and bindings stay linear (bounded time, no runaway cost)', () => {
  const resources: Resource[] = [];
  const res = (object: KubeObject): Resource => ({ object, file: 'big.yaml', line: 1, lineOf: () => 1 });
  for (let i = 0; i < 5000; i++) {
    resources.push(
      res({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `r${i}`, namespace: `ns${i % 100}` },
        rules: [
          { apiGroups: [''], resources: ['secrets', 'pods/exec'], verbs: ['get', 'create'] },
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] },
        ],
      }),
      res({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `b${i}`, namespace: `ns${i % 100}` },
        roleRef: { kind: 'Role', name: `r${i}` },
        subjects: [{ kind: 'ServiceAccount', name: `sa${i}` }],
      }),
    );
  }
  const start = performance.now();
  const { findings } = scanResources(resources, { config: {}, checks: rbacChecks });
  const ms = performance.now() - start;
  assert.equal(findings.length, 5000 * 4);
  // A bound against runaway (quadratic) cost, loose enough for a loaded 2-core CI machine; the speed
  // itself is measured in bench/manifests.bench.ts, not asserted here.
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
