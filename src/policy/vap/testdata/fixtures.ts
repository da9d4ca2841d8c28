/**
 * Test fixtures: policies adapted from the Kubernetes documentation ("Validating Admission Policy") and
 * AdmissionRequests shaped like the ones the API server sends.
 */
import type { AdmissionRequest, KubeObject } from '../../../admission/types.js';
import { decodeManifests } from '../../../k8s/decode.js';
import { parseVapObjects, type ParsedVapObjects } from '../parse.js';

export function load(yaml: string, file = 'policies.yaml'): ParsedVapObjects {
  const { resources } = decodeManifests(yaml, file);
  return parseVapObjects(resources);
}

export function deployment(opts: {
  name?: string;
  namespace?: string;
  replicas?: number;
  labels?: Record<string, string>;
  images?: string[];
  privileged?: boolean;
}): KubeObject {
  const labels = opts.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name ?? 'web', namespace: opts.namespace ?? 'default', labels, uid: 'f1e2' },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: (opts.images ?? ['registry.example.com/web:1.2.3']).map((image, i) => ({
            name: `c${i}`,
            image,
            ...(opts.privileged ? { securityContext: { privileged: true } } : {}),
          })),
        },
      },
    },
  };
}

export function pod(opts: {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  privileged?: boolean;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: opts.name ?? 'web-0',
      namespace: opts.namespace ?? 'default',
      labels: opts.labels ?? { app: 'web' },
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/web:1.2.3',
          ...(opts.privileged === undefined ? {} : { securityContext: { privileged: opts.privileged } }),
        },
      ],
    },
  };
}

const USER = { username: 'alice@example.com', uid: 'u-1', groups: ['developers', 'system:authenticated'] };

export function request(
  operation: AdmissionRequest['operation'],
  object: KubeObject | undefined,
  extra: Partial<AdmissionRequest> = {},
): AdmissionRequest {
  const o = object ?? extra.oldObject;
  const isPod = o?.kind === 'Pod';
  const isNs = o?.kind === 'Namespace';
  const req: AdmissionRequest = {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind:
      isPod || isNs
        ? { group: '', version: 'v1', kind: o?.kind ?? '' }
        : { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: isPod
      ? { group: '', version: 'v1', resource: 'pods' }
      : isNs
        ? { group: '', version: 'v1', resource: 'namespaces' }
        : { group: 'apps', version: 'v1', resource: 'deployments' },
    name: o?.metadata?.name ?? '',
    operation,
    userInfo: USER,
    dryRun: false,
    ...extra,
  };
  if (!isNs && o?.metadata?.namespace) req.namespace ??= o.metadata.namespace;
  if (object && operation !== 'DELETE') req.object = object;
  req.requestKind ??= req.kind;
  req.requestResource ??= req.resource;
  return req;
}

/** From the docs: at most 5 replicas, bound to namespaces labelled environment=test. */
export const DEMO_POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
`;

/** From the docs: replicas limit with a ReplicaLimit parameter resource. */
export const REPLICA_LIMIT_POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "replicalimit-policy.example.com"
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: rules.example.com/v1
    kind: ReplicaLimit
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= params.maxReplicas"
      messageExpression: "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)"
      reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "replicalimit-binding-test.example.com"
spec:
  policyName: "replicalimit-policy.example.com"
  validationActions: [Deny]
  paramRef:
    name: "replica-limit-test.example.com"
    namespace: "default"
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
---
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata:
  name: "replica-limit-test.example.com"
  namespace: "default"
maxReplicas: 3
`;
