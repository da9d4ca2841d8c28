/**
 * A realistic VAP workload for profiling and benchmarks (src/policy/vap/perf.test.ts, bench/vap.bench.ts,
 * bench/admission.bench.ts): 20 policies of the kinds real clusters run, ported from the Kyverno and
 * Gatekeeper libraries to ValidatingAdmissionPolicy — labels, privileged, resource limits with quantity
 * comparisons, allowed registries from params, replica limits from params, host namespaces, non-root, latest
 * tag, probes, hostPath, capabilities, seccomp... Each has 1–3 variables, validations with messageExpression
 * and matchConditions, and applies to Pods and Deployments. `workloadRequest` is a compliant request (every
 * policy passes, as for most real admissions); `violating: true` makes several policies fail.
 */
import { stringify } from 'yaml';
import type { AdmissionRequest, KubeObject } from '../../../admission/types.js';
import type { VapFamilyInput } from '../family.js';
import { paramsFromObjects, parseVapObjects } from '../parse.js';

/** The pod spec of a Pod or of a workload's template, and every container (init containers too). */
const POD_SPEC = {
  name: 'podSpec',
  expression: "object.kind == 'Pod' ? object.spec : object.spec.template.spec",
};
const CONTAINERS = {
  name: 'containers',
  expression:
    'variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])',
};
/** Common exclusions: system namespaces and the cluster's own controllers. */
const NOT_SYSTEM = [
  { name: 'not-kube-system', expression: "!(request.namespace in ['kube-system', 'kube-public'])" },
  {
    name: 'not-system-user',
    expression: "!has(request.userInfo.username) || !request.userInfo.username.startsWith('system:')",
  },
];
const WORKLOADS = [
  {
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['pods'],
  },
  {
    apiGroups: ['apps'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['deployments', 'statefulsets', 'daemonsets'],
  },
];

interface Spec {
  name: string;
  variables?: { name: string; expression: string }[];
  validations: { expression: string; messageExpression?: string; message?: string; reason?: string }[];
  matchConditions?: { name: string; expression: string }[];
  resourceRules?: typeof WORKLOADS;
  paramKind?: { apiVersion: string; kind: string };
  paramRef?: Record<string, unknown>;
  /** Binding matchResources.namespaceSelector. */
  namespaceSelector?: Record<string, unknown>;
  actions?: string[];
}

const SPECS: Spec[] = [
  {
    name: 'require-labels',
    variables: [
      { name: 'labels', expression: 'has(object.metadata.labels) ? object.metadata.labels : {}' },
      { name: 'required', expression: "['app', 'team']" },
    ],
    validations: [
      {
        expression: 'variables.required.all(l, l in variables.labels)',
        messageExpression:
          "'missing labels: ' + variables.required.filter(l, !(l in variables.labels)).join(', ')",
        reason: 'Invalid',
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'disallow-privileged',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          'variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || c.securityContext.privileged == false)',
        messageExpression:
          "'privileged containers are not allowed: ' + variables.containers.filter(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged).map(c, c.name).join(', ')",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'require-resource-limits',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          "variables.containers.all(c, has(c.resources) && has(c.resources.limits) && 'memory' in c.resources.limits && 'cpu' in c.resources.limits)",
        messageExpression:
          "'containers need cpu and memory limits: ' + variables.containers.filter(c, !has(c.resources) || !has(c.resources.limits)).map(c, c.name).join(', ')",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'max-memory-limit',
    variables: [
      POD_SPEC,
      CONTAINERS,
      { name: 'max', expression: "quantity('4Gi')" },
    ],
    validations: [
      {
        expression:
          "variables.containers.all(c, !has(c.resources) || !has(c.resources.limits) || !('memory' in c.resources.limits) || quantity(c.resources.limits.memory).compareTo(variables.max) <= 0)",
        messageExpression: "'memory limits must not exceed 4Gi'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'requests-within-limits',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          "variables.containers.all(c, !has(c.resources) || !has(c.resources.requests) || !has(c.resources.limits) || !('cpu' in c.resources.requests) || !('cpu' in c.resources.limits) || !quantity(c.resources.requests.cpu).isGreaterThan(quantity(c.resources.limits.cpu)))",
        messageExpression: "'cpu requests must not exceed cpu limits'",
      },
      {
        expression:
          "variables.containers.all(c, !has(c.resources) || !has(c.resources.requests) || !has(c.resources.limits) || !('memory' in c.resources.requests) || !('memory' in c.resources.limits) || quantity(c.resources.requests.memory).compareTo(quantity(c.resources.limits.memory)) <= 0)",
        messageExpression: "'memory requests must not exceed memory limits'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'allowed-registries',
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    paramRef: { name: 'allowed-registries', namespace: 'policy-config', parameterNotFoundAction: 'Deny' },
    variables: [
      POD_SPEC,
      CONTAINERS,
      { name: 'allowed', expression: "params.data.prefixes.split(',')" },
    ],
    validations: [
      {
        expression: 'variables.containers.all(c, variables.allowed.exists(p, c.image.startsWith(p)))',
        messageExpression:
          "'images must come from ' + params.data.prefixes + ': ' + variables.containers.filter(c, !variables.allowed.exists(p, c.image.startsWith(p))).map(c, c.image).join(', ')",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'image-reference-format',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          "variables.containers.all(c, c.image.matches('^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$'))",
        messageExpression: "'image references must be fully qualified'",
      },
    ],
  },
  {
    name: 'disallow-latest-tag',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          "variables.containers.all(c, c.image.contains('@sha256:') || (c.image.contains(':') && !c.image.endsWith(':latest')))",
        messageExpression:
          "'images need a tag other than latest: ' + variables.containers.filter(c, !c.image.contains(':') || c.image.endsWith(':latest')).map(c, c.image).join(', ')",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'replica-limit',
    resourceRules: [
      {
        apiGroups: ['apps'],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['deployments', 'statefulsets'],
      },
    ],
    paramKind: { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit' },
    paramRef: { name: 'replica-limit', namespace: 'policy-config', parameterNotFoundAction: 'Deny' },
    validations: [
      {
        expression: '!has(object.spec.replicas) || object.spec.replicas <= params.maxReplicas',
        messageExpression:
          "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)",
        reason: 'Invalid',
      },
    ],
  },
  {
    name: 'host-namespaces',
    variables: [POD_SPEC],
    validations: [
      {
        expression:
          '!(has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork) && !(has(variables.podSpec.hostPID) && variables.podSpec.hostPID) && !(has(variables.podSpec.hostIPC) && variables.podSpec.hostIPC)',
        message: 'sharing the host namespaces is not allowed',
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'run-as-non-root',
    variables: [
      POD_SPEC,
      CONTAINERS,
      {
        name: 'podNonRoot',
        expression:
          'has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot',
      },
    ],
    validations: [
      {
        expression:
          'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.runAsNonRoot) ? c.securityContext.runAsNonRoot : variables.podNonRoot)',
        messageExpression:
          "'containers must run as non-root: ' + variables.containers.filter(c, !(has(c.securityContext) && has(c.securityContext.runAsNonRoot) ? c.securityContext.runAsNonRoot : variables.podNonRoot)).map(c, c.name).join(', ')",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'require-probes',
    variables: [POD_SPEC],
    validations: [
      {
        expression: 'variables.podSpec.containers.all(c, has(c.readinessProbe) && has(c.livenessProbe))',
        messageExpression:
          "'containers need readiness and liveness probes: ' + variables.podSpec.containers.filter(c, !has(c.readinessProbe) || !has(c.livenessProbe)).map(c, c.name).join(', ')",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'disallow-host-path',
    variables: [POD_SPEC],
    validations: [
      {
        expression: '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))',
        messageExpression:
          "'hostPath volumes are forbidden: ' + variables.podSpec.volumes.filter(v, has(v.hostPath)).map(v, v.name).join(', ')",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'disallow-privilege-escalation',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)',
        messageExpression: "'allowPrivilegeEscalation must be false'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'drop-all-capabilities',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop)",
        messageExpression: "'containers must drop ALL capabilities'",
      },
      {
        expression:
          "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap == 'NET_BIND_SERVICE'))",
        messageExpression: "'only NET_BIND_SERVICE may be added'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'read-only-root-filesystem',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem)',
        messageExpression: "'root filesystems must be read-only'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'seccomp-profile',
    variables: [POD_SPEC],
    validations: [
      {
        expression:
          "has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.seccompProfile) && variables.podSpec.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost']",
        messageExpression: "'spec.securityContext.seccompProfile.type must be RuntimeDefault or Localhost'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'dns-compatible-names',
    validations: [
      {
        expression:
          "object.metadata.name.size() <= 63 && object.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
        messageExpression: "'name ' + object.metadata.name + ' is not a DNS label'",
      },
    ],
  },
  {
    name: 'unprivileged-ports',
    variables: [POD_SPEC, CONTAINERS],
    validations: [
      {
        expression:
          'variables.containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort >= 1024 && p.containerPort <= 65535))',
        messageExpression: "'container ports must be between 1024 and 65535'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
  {
    name: 'production-owner-annotation',
    namespaceSelector: { matchLabels: { environment: 'production' } },
    variables: [
      {
        name: 'annotations',
        expression: 'has(object.metadata.annotations) ? object.metadata.annotations : {}',
      },
    ],
    validations: [
      {
        expression: "'owner' in variables.annotations && variables.annotations.owner.contains('@')",
        messageExpression: "'production workloads need an owner annotation with an email address'",
      },
    ],
    matchConditions: NOT_SYSTEM,
  },
];

function policyObject(s: Spec): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: s.name },
    spec: {
      failurePolicy: 'Fail',
      ...(s.paramKind ? { paramKind: s.paramKind } : {}),
      matchConstraints: { resourceRules: s.resourceRules ?? WORKLOADS },
      ...(s.matchConditions ? { matchConditions: s.matchConditions } : {}),
      ...(s.variables ? { variables: s.variables } : {}),
      validations: s.validations,
    },
  };
}

function bindingObject(s: Spec): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: `${s.name}-binding` },
    spec: {
      policyName: s.name,
      validationActions: s.actions ?? ['Deny'],
      ...(s.paramRef ? { paramRef: s.paramRef } : {}),
      ...(s.namespaceSelector ? { matchResources: { namespaceSelector: s.namespaceSelector } } : {}),
    },
  };
}

/** The param objects the workload's bindings reference. */
export function workloadParams(): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'allowed-registries', namespace: 'policy-config' },
      data: { prefixes: 'ghcr.io/acme/,registry.example.com/' },
    },
    {
      apiVersion: 'rules.example.com/v1',
      kind: 'ReplicaLimit',
      metadata: { name: 'replica-limit', namespace: 'policy-config' },
      maxReplicas: 10,
    },
  ];
}

/** The number of policies (and bindings) in the workload. */
export const WORKLOAD_POLICIES = SPECS.length;

/** The 20 policies and their bindings as API objects (for YAML files or `compileVap`). */
export function workloadObjects(): { policies: KubeObject[]; bindings: KubeObject[]; params: KubeObject[] } {
  return {
    policies: SPECS.map(policyObject),
    bindings: SPECS.map(bindingObject),
    params: workloadParams(),
  };
}

/** The same objects as one multi-document YAML file (for a webhook's policy directory). */
export function workloadYaml(): string {
  const { policies, bindings, params } = workloadObjects();
  return [...policies, ...bindings, ...params].map((o) => stringify(o)).join('---\n');
}

/** The 20 policies and bindings parsed and compiled, with their params: ready for `createVapFamily`. */
export function workloadFamilyInput(): VapFamilyInput {
  const { policies, bindings, params } = workloadObjects();
  const parsed = parseVapObjects([...policies, ...bindings].map((object) => ({ object })));
  return { policies: parsed.policies, bindings: parsed.bindings, params: paramsFromObjects(params) };
}

/** Namespace labels for the workload's requests (`PolicyContext.namespaceLabels`). */
export function workloadNamespaceLabels(ns: string): Record<string, string> | undefined {
  return ns === 'payments' ? { environment: 'production', team: 'payments' } : undefined;
}

function container(name: string, image: string, violating: boolean): Record<string, unknown> {
  return {
    name,
    image,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: violating ? { cpu: '1' } : { cpu: '1', memory: '1Gi' },
    },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    ...(violating ? {} : { livenessProbe: { httpGet: { path: '/live', port: 8080 } } }),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      ...(violating ? { privileged: true } : {}),
    },
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function podSpec(violating: boolean): Record<string, unknown> {
  return {
    serviceAccountName: 'web',
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      container('web', violating ? 'docker.io/library/nginx:latest' : 'ghcr.io/acme/web:1.4.2', violating),
      container('proxy', 'registry.example.com/envoy:1.30.1', false),
    ],
    initContainers: [container('migrate', 'ghcr.io/acme/migrate:1.4.2', false)],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
}

/** A Deployment (default) or Pod admission request in namespace `payments`, as the API server sends it. */
export function workloadRequest(opts: { kind?: 'Deployment' | 'Pod'; violating?: boolean } = {}): AdmissionRequest {
  const violating = opts.violating === true;
  const pod = opts.kind === 'Pod';
  const metadata = {
    name: pod ? 'web-7d4b9c-x2x7q' : 'web',
    namespace: 'payments',
    labels: violating ? { app: 'web' } : { app: 'web', team: 'payments', 'app.kubernetes.io/version': '1.4.2' },
    annotations: { owner: 'payments@example.com' },
  };
  const object: KubeObject = pod
    ? { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec(violating) }
    : {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          replicas: violating ? 20 : 3,
          selector: { matchLabels: { app: 'web' } },
          strategy: { type: 'RollingUpdate' },
          template: { metadata: { labels: { app: 'web' } }, spec: podSpec(violating) },
        },
      };
  const kind = pod
    ? { group: '', version: 'v1', kind: 'Pod' }
    : { group: 'apps', version: 'v1', kind: 'Deployment' };
  const resource = pod
    ? { group: '', version: 'v1', resource: 'pods' }
    : { group: 'apps', version: 'v1', resource: 'deployments' };
  return {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind,
    resource,
    requestKind: kind,
    requestResource: resource,
    name: metadata.name,
    namespace: 'payments',
    operation: 'CREATE',
    userInfo: { username: 'alice@example.com', uid: 'u-1', groups: ['developers', 'system:authenticated'] },
    object,
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
  };
}
