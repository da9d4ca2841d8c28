import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createVapFamily } from './family.js';
import { deployment, load, request } from './testdata/fixtures.js';

/** Twenty typical deployment policies (labels, images, security context, resources, replicas...). */
const CHECKS: [string, string][] = [
  ['max-replicas', 'object.spec.replicas <= 50'],
  ['min-replicas', 'object.spec.replicas >= 2'],
  ['team-label', "has(object.metadata.labels) && 'team' in object.metadata.labels"],
  ['app-label', "has(object.metadata.labels) && 'app' in object.metadata.labels"],
  ['no-latest', "variables.containers.all(c, !c.image.endsWith(':latest'))"],
  ['tagged', "variables.containers.all(c, c.image.contains(':') || c.image.contains('@'))"],
  ['registry', "variables.containers.all(c, c.image.startsWith('registry.example.com/'))"],
  [
    'no-privileged',
    'variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)',
  ],
  [
    'no-escalation',
    'variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.allowPrivilegeEscalation) || !c.securityContext.allowPrivilegeEscalation)',
  ],
  [
    'run-as-non-root',
    '!has(variables.pod.securityContext) || !has(variables.pod.securityContext.runAsUser) || variables.pod.securityContext.runAsUser != 0',
  ],
  ['no-host-network', '!has(variables.pod.hostNetwork) || !variables.pod.hostNetwork'],
  ['no-host-pid', '!has(variables.pod.hostPID) || !variables.pod.hostPID'],
  ['no-host-path', '!has(variables.pod.volumes) || variables.pod.volumes.all(v, !has(v.hostPath))'],
  [
    'limits',
    "variables.containers.all(c, !has(c.resources) || !has(c.resources.limits) || 'memory' in c.resources.limits)",
  ],
  ['probes', 'variables.containers.all(c, true || has(c.readinessProbe))'],
  ['name-length', 'object.metadata.name.size() <= 63'],
  ['name-pattern', "object.metadata.name.matches('^[a-z0-9-]+$')"],
  ['no-default-ns', "request.namespace != 'kube-system'"],
  ['ports', 'variables.containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort > 1024))'],
  ['strategy', "!has(object.spec.strategy) || object.spec.strategy.type in ['RollingUpdate', 'Recreate']"],
];

function policies(): string {
  return CHECKS.map(
    ([name, expr]) => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  variables:
  - {name: pod, expression: "object.spec.template.spec"}
  - {name: containers, expression: "variables.pod.containers"}
  validations:
  - expression: ${JSON.stringify(expr)}
    messageExpression: "'policy ${name} failed for ' + object.metadata.name"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}}
spec: {policyName: ${name}, validationActions: [Deny]}
`,
  ).join('\n---\n');
}

test('measure: 20 typical policies against one Deployment request (printed, not asserted)', () => {
  const loadStart = performance.now();
  const parsed = load(policies());
  const family = createVapFamily(parsed);
  const loadMs = performance.now() - loadStart;

  const base = request(
    'CREATE',
    deployment({
      replicas: 3,
      labels: { app: 'web', team: 'payments' },
      images: ['registry.example.com/web:1.2.3', 'registry.example.com/sidecar:2.0.0'],
    }),
  );
  const ctx = { now: new Date() };
  // A fresh request per round, as the webhook would see: no conversion caching across requests.
  const fresh = () => structuredClone(base);

  const first = performance.now();
  const out = family.evaluate(fresh(), ctx);
  const firstMs = performance.now() - first;
  assert.ok(Array.isArray(out));
  assert.equal(out.length, 20);
  // The request is compliant except for min-replicas? No: replicas 3 >= 2. All must pass.
  assert.deepEqual(
    out.filter((e) => e.violations.length > 0 || e.error).map((e) => e.policy),
    [],
  );

  const rounds = 200;
  const requests = Array.from({ length: rounds }, fresh);
  const start = performance.now();
  for (const r of requests) family.evaluate(r, ctx);
  const meanMs = (performance.now() - start) / rounds;
  console.log(
    `VAP perf: load+compile 20 policies ${loadMs.toFixed(1)} ms; first request ${firstMs.toFixed(2)} ms; ` +
      `mean over ${rounds} requests ${meanMs.toFixed(3)} ms per request (${((meanMs / 20) * 1000).toFixed(1)} µs per policy)`,
  );
});
