import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Check } from '../check.js';
import type { KubeObject, Resource } from '../../k8s/resource.js';
import { scanResources } from '../scan.js';
import { runCheck } from './testkit.js';
import {
  defaultDenies,
  externalIPs,
  ingressWithoutTls,
  networkChecks,
  noDefaultDenyEgress,
  noDefaultDenyIngress,
  nodePortService,
  openLoadBalancer,
} from './network.js';

const lines = (check: Check, yaml: string): number[] => runCheck(check, yaml).map((f) => f.location.line);

/** A Service in namespace "app"; `spec` is indented under spec: (line 6 onwards). */
function service(spec: string, annotations = ''): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: s
  namespace: app${annotations ? `\n  annotations:\n${annotations}` : ''}
spec:
${spec.replace(/^\n+|\s+$/g, '')}
`;
}

// --- KW-NET-001 NodePort ------------------------------------------------------------------------------------

test('KW-NET-001 flags type NodePort at spec.type and names the node ports', () => {
  const yaml = service(`
  type: NodePort
  ports:
    - port: 80
      nodePort: 30080
    - port: 443`);
  const f = runCheck(nodePortService, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message, x.severity]),
    [[7, 'Service app/s opens ports 80 (nodePort 30080), 443 on every node (type: NodePort)', 'medium']],
  );
});

test('KW-NET-001 passes ClusterIP, LoadBalancer, headless and non-core Services', () => {
  assert.deepEqual(lines(nodePortService, service('  type: ClusterIP')), []);
  assert.deepEqual(lines(nodePortService, service('  clusterIP: None')), []);
  assert.deepEqual(lines(nodePortService, service('  type: LoadBalancer')), []);
  const knative = service('  type: NodePort').replace('apiVersion: v1', 'apiVersion: serving.knative.dev/v1');
  assert.deepEqual(lines(nodePortService, knative), []);
});

// --- KW-NET-002 LoadBalancer --------------------------------------------------------------------------------

test('KW-NET-002 flags a LoadBalancer without source ranges at spec.type', () => {
  assert.deepEqual(lines(openLoadBalancer, service('  type: LoadBalancer\n  ports:\n    - port: 5432')), [7]);
  assert.deepEqual(
    lines(openLoadBalancer, service('  type: LoadBalancer\n  loadBalancerSourceRanges: []')),
    [7],
  );
});

test('KW-NET-002 flags an all-addresses source range at that item', () => {
  const yaml = service(`
  type: LoadBalancer
  loadBalancerSourceRanges:
    - 10.0.0.0/8
    - "::/0"`);
  const f = runCheck(openLoadBalancer, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [[10, 'Service app/s lists ::/0 in loadBalancerSourceRanges, which admits every source address']],
  );
});

test('KW-NET-002 passes restricted and internal load balancers', () => {
  assert.deepEqual(
    lines(openLoadBalancer, service('  type: LoadBalancer\n  loadBalancerSourceRanges: ["203.0.113.0/24"]')),
    [],
  );
  const annotated = (a: string): string => service('  type: LoadBalancer', `    ${a}`);
  assert.deepEqual(
    lines(
      openLoadBalancer,
      annotated('service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8, 192.168.0.0/16"'),
    ),
    [],
  );
  assert.deepEqual(
    lines(openLoadBalancer, annotated('service.beta.kubernetes.io/load-balancer-source-ranges: "0.0.0.0/0"')),
    [9],
  );
  for (const a of [
    'service.beta.kubernetes.io/aws-load-balancer-scheme: internal',
    'networking.gke.io/load-balancer-type: Internal',
    'service.beta.kubernetes.io/azure-load-balancer-internal: "true"',
  ]) {
    assert.deepEqual(lines(openLoadBalancer, annotated(a)), [], a);
  }
  assert.deepEqual(
    lines(openLoadBalancer, annotated('service.beta.kubernetes.io/azure-load-balancer-internal: "false"')),
    [9],
  );
});

// --- KW-NET-003 externalIPs ---------------------------------------------------------------------------------

test('KW-NET-003 flags spec.externalIPs and lists the addresses', () => {
  const f = runCheck(externalIPs, service('  externalIPs:\n    - 1.2.3.4\n    - 5.6.7.8'));
  assert.deepEqual(
    f.map((x) => [x.location.line, x.severity]),
    [[7, 'high']],
  );
  assert.match(f[0]?.message ?? '', /claims externalIPs 1\.2\.3\.4, 5\.6\.7\.8/);
  assert.deepEqual(lines(externalIPs, service('  externalIPs: []')), []);
  assert.deepEqual(lines(externalIPs, service('  type: ClusterIP')), []);
});

// --- KW-NET-004 Ingress TLS ---------------------------------------------------------------------------------

function ingress(spec: string, apiVersion = 'networking.k8s.io/v1'): string {
  return `apiVersion: ${apiVersion}
kind: Ingress
metadata:
  name: i
  namespace: app
spec:
${spec.replace(/^\n+|\s+$/g, '')}
`;
}

test('KW-NET-004 flags an Ingress without spec.tls at spec (or at an empty tls list)', () => {
  const rules = '  rules:\n    - host: a.example.com';
  assert.deepEqual(lines(ingressWithoutTls, ingress(rules)), [6]);
  assert.deepEqual(lines(ingressWithoutTls, ingress(`  tls: []\n${rules}`)), [7]);
  assert.deepEqual(lines(ingressWithoutTls, ingress(rules, 'extensions/v1beta1')), [6]);
  assert.deepEqual(lines(ingressWithoutTls, ingress('  defaultBackend:\n    service: { name: web }')), [6]);
});

test('KW-NET-004 flags hosts no TLS entry covers; "*." covers exactly one label', () => {
  const yaml = ingress(`
  tls:
    - hosts: ["a.example.com", "*.shop.example.com"]
      secretName: t
  rules:
    - host: a.example.com
    - host: eu.shop.example.com
    - host: x.eu.shop.example.com
    - host: shop.example.com
    - host: "*.shop.example.com"
    - http: {}
    - host: b.example.com`);
  assert.deepEqual(lines(ingressWithoutTls, yaml), [13, 14, 17]);
  assert.match(
    runCheck(ingressWithoutTls, yaml)[0]?.message ?? '',
    /serves host x\.eu\.shop\.example\.com without TLS/,
  );
});

test('KW-NET-004: a TLS entry without hosts covers every host (default certificate)', () => {
  const yaml = ingress(`
  tls:
    - secretName: default-cert
  rules:
    - host: a.example.com`);
  assert.deepEqual(lines(ingressWithoutTls, yaml), []);
});

// --- default-deny NetworkPolicies ---------------------------------------------------------------------------

test('defaultDenies infers policyTypes like the API server', () => {
  const np = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {},
    spec,
  });
  // No policyTypes: Ingress only.
  assert.deepEqual(defaultDenies(np({ podSelector: {} })), { ingress: true, egress: false });
  assert.deepEqual(defaultDenies(np({ podSelector: {}, egress: [] })), { ingress: true, egress: false });
  assert.deepEqual(defaultDenies(np({ podSelector: {}, policyTypes: [] })), { ingress: true, egress: false });
  // No policyTypes but egress rules: Ingress and Egress, and egress is allowed, not denied.
  assert.deepEqual(defaultDenies(np({ podSelector: {}, egress: [{ to: [] }] })), {
    ingress: true,
    egress: false,
  });
  assert.deepEqual(defaultDenies(np({ podSelector: {}, policyTypes: ['Egress'] })), {
    ingress: false,
    egress: true,
  });
  assert.deepEqual(defaultDenies(np({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] })), {
    ingress: true,
    egress: true,
  });
  // An empty rule allows everything.
  assert.deepEqual(defaultDenies(np({ podSelector: {}, ingress: [{}] })), { ingress: false, egress: false });
  // Selectors that select all pods, and ones that do not.
  assert.deepEqual(defaultDenies(np({})), { ingress: true, egress: false });
  assert.deepEqual(defaultDenies(np({ podSelector: { matchLabels: {}, matchExpressions: [] } })), {
    ingress: true,
    egress: false,
  });
  assert.deepEqual(defaultDenies(np({ podSelector: { matchLabels: { app: 'web' } } })), {
    ingress: false,
    egress: false,
  });
  assert.deepEqual(defaultDenies({ ...np({}), spec: undefined }), { ingress: false, egress: false });
});

const deployment = (name: string, ns?: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${ns ? `\n  namespace: ${ns}` : ''}
spec:
  template:
    spec:
      containers: [{ name: c, image: nginx }]
`;
const namespace = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const policy = (ns: string | undefined, spec: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np${ns ? `\n  namespace: ${ns}` : ''}
spec:
${spec.replace(/^\n+|\s+$/g, '')}
`;
const docs = (...d: string[]): string => d.join('---\n');

test('KW-NET-005 reports on the Namespace object when present, else on the first workload', () => {
  const yaml = docs(
    deployment('a', 'shop'), //            lines 1-9
    namespace('shop'), //                  lines 11-14
    deployment('b', 'billing'), //         lines 16-24
    deployment('c', 'billing'), //         lines 26-34
    deployment('d'), //                    lines 36-43 (default namespace: no namespace field)
  );
  const f = runCheck(noDefaultDenyIngress, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.resource.kind, x.resource.name]),
    [
      [14, 'Namespace', 'shop'],
      [20, 'Deployment', 'b'],
      [38, 'Deployment', 'd'],
    ],
  );
  assert.equal(
    f[1]?.message,
    'namespace "billing" runs Deployment b, Deployment c without a default-deny ingress NetworkPolicy; it has no NetworkPolicy at all',
  );
});

test('KW-NET-005/006 count only policies of the same namespace; a missing namespace is "default"', () => {
  const denyAll = '  podSelector: {}\n  policyTypes: [Ingress, Egress]';
  const yaml = docs(
    deployment('a', 'shop'),
    deployment('b'),
    policy('other', denyAll),
    policy(undefined, denyAll),
  );
  assert.deepEqual(
    runCheck(noDefaultDenyIngress, yaml).map((f) => f.resource.name),
    ['a'],
  );
  assert.deepEqual(
    runCheck(noDefaultDenyEgress, yaml).map((f) => f.resource.name),
    ['a'],
  );
  assert.deepEqual(lines(noDefaultDenyIngress, docs(deployment('a', 'shop'), policy('shop', denyAll))), []);
});

test('KW-NET-005/006 report each direction separately', () => {
  const ingressOnly = docs(namespace('shop'), deployment('a', 'shop'), policy('shop', '  podSelector: {}'));
  assert.deepEqual(lines(noDefaultDenyIngress, ingressOnly), []);
  assert.deepEqual(lines(noDefaultDenyEgress, ingressOnly), [4]);
  assert.match(
    runCheck(noDefaultDenyEgress, ingressOnly)[0]?.message ?? '',
    /its only NetworkPolicy is not a default-deny \(podSelector: \{\} with policyTypes Egress and no egress rules\)$/,
  );
  const egressOnly = docs(
    deployment('a', 'shop'),
    policy('shop', '  podSelector: {}\n  policyTypes: [Egress]'),
  );
  assert.deepEqual(lines(noDefaultDenyIngress, egressOnly), [5]);
  assert.deepEqual(lines(noDefaultDenyEgress, egressOnly), []);
});

test('KW-NET-005 ignores namespaces without workloads, PodTemplates and non-Kubernetes NetworkPolicy kinds', () => {
  const template = `apiVersion: v1
kind: PodTemplate
metadata:
  name: t
  namespace: jobs
template:
  spec:
    containers: [{ name: c, image: nginx }]
`;
  assert.deepEqual(lines(noDefaultDenyIngress, docs(namespace('empty'), template)), []);
  const calico = policy('shop', '  selector: all()\n  types: [Ingress]').replace(
    'networking.k8s.io/v1',
    'projectcalico.org/v3',
  );
  assert.deepEqual(lines(noDefaultDenyIngress, docs(deployment('a', 'shop'), calico)), [5]);
});

test('KW-NET-005 one finding per namespace; Pods, Jobs and CronJobs count as workloads', () => {
  const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers: []\n`;
  const job = `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  namespace: ns\n`;
  const f = runCheck(noDefaultDenyIngress, docs(pod, job));
  assert.deepEqual(
    f.map((x) => x.message),
    [
      'namespace "ns" runs Pod p, Job j without a default-deny ingress NetworkPolicy; it has no NetworkPolicy at all',
    ],
  );
});

test('network checks over 10,000 resources stay linear (bounded time, no runaway cost)', () => {
  const resources: Resource[] = [];
  const res = (object: KubeObject): Resource => ({ object, file: 'big.yaml', line: 1, lineOf: () => 1 });
  for (let i = 0; i < 2500; i++) {
    const ns = `ns${i % 500}`;
    resources.push(
      res({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d${i}`, namespace: ns } }),
      res({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `s${i}`, namespace: ns },
        spec: { type: i % 2 ? 'NodePort' : 'LoadBalancer', ports: [{ port: 80 }] },
      }),
      res({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `i${i}`, namespace: ns },
        spec: {
          tls: [{ hosts: [`a${i}.example.com`] }],
          rules: [{ host: `a${i}.example.com` }, { host: 'b.example.com' }],
        },
      }),
      res({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `np${i}`, namespace: ns },
        spec: { podSelector: {}, policyTypes: i % 5 === 0 ? ['Ingress'] : ['Egress'], egress: [{}] },
      }),
    );
  }
  const start = performance.now();
  const { findings } = scanResources(resources, { config: {}, checks: networkChecks });
  const ms = performance.now() - start;
  // 2500 NodePort/LoadBalancer, 2500 uncovered hosts, 400 namespaces without default-deny ingress (one in
  // five has it), 500 without default-deny egress (egress: [{}] allows everything).
  assert.equal(findings.length, 2500 + 2500 + 400 + 500);
  // A bound against runaway (quadratic) cost, loose enough for a loaded 2-core CI machine; the speed
  // itself is measured in bench/manifests.bench.ts, not asserted here.
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
