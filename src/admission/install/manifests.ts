/**
 * Everything needed to run the webhook in a cluster, as data: the safe defaults (timeouts, failure policy,
 * excluded namespaces, least-privilege RBAC, restricted pod security) live here in one place, are
 * generated, and are documented in docs/admission.md.
 *
 * failurePolicy: Fail (fail closed) only when some policy enforces — otherwise an outage of the webhook
 * would block deploys for policies that only warn or audit, which is all cost and no protection.
 */
import type { ServingCerts } from './certs.js';

type Obj = Record<string, unknown>;

export interface InstallOptions {
  namespace: string;
  image: string;
  replicas: number;
  /** Whether any policy enforces (decides failurePolicy). */
  enforcing: boolean;
  /** Default PSS level passed to the server (`--pss`). */
  pss?: string;
  /** Background audit interval passed to the server (`--audit-interval`); grants list on workloads. */
  auditInterval?: string;
  certs: ServingCerts;
}

export const APP_NAME = 'kubeward-webhook';
export const WEBHOOK_TIMEOUT_SECONDS = 5;
export const SERVER_PORT = 8443;
export const POLICIES_CONFIGMAP = 'kubeward-policies';
const LABELS = { 'app.kubernetes.io/name': APP_NAME, 'app.kubernetes.io/part-of': 'kubeward' };

/** What the background audit lists (src/policy/audit/kinds.ts), read-only. */
const AUDIT_RULES = [
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
    verbs: ['list'],
  },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
];

/** Pods and every workload kind whose pod template the engine judges, plus ephemeral containers. */
export const WEBHOOK_RULES = [
  {
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['apps'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['batch'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['jobs', 'cronjobs'],
    scope: 'Namespaced',
  },
] as const;

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function meta(name: string, namespace?: string): Obj {
  return namespace ? { name, namespace, labels: { ...LABELS } } : { name, labels: { ...LABELS } };
}

export function tlsSecret(o: Pick<InstallOptions, 'namespace' | 'certs'>): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(`${APP_NAME}-tls`, o.namespace),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(o.certs.cert), 'tls.key': b64(o.certs.key), 'ca.crt': b64(o.certs.caCert) },
  };
}

function webhookConfig(
  kind: 'Validating' | 'Mutating',
  o: Pick<InstallOptions, 'namespace' | 'enforcing' | 'certs'>,
): Obj {
  const path = kind === 'Validating' ? '/validate' : '/mutate';
  const webhook: Obj = {
    name: `${kind === 'Validating' ? 'validate' : 'mutate'}.kubeward.io`,
    admissionReviewVersions: ['v1', 'v1beta1'],
    sideEffects: 'None',
    timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
    failurePolicy: o.enforcing ? 'Fail' : 'Ignore',
    matchPolicy: 'Equivalent',
    // Never judge the control plane's own namespace or the webhook's: a broken webhook must not be able
    // to block its own repair.
    namespaceSelector: {
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', o.namespace] },
      ],
    },
    rules: WEBHOOK_RULES.map((r) => ({
      ...r,
      apiGroups: [...r.apiGroups],
      apiVersions: [...r.apiVersions],
      operations: [...r.operations],
      resources: [...r.resources],
    })),
    clientConfig: {
      service: { name: APP_NAME, namespace: o.namespace, path, port: 443 },
      caBundle: b64(o.certs.caCert),
    },
  };
  if (kind === 'Mutating') webhook.reinvocationPolicy = 'Never';
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: meta('kubeward'),
    webhooks: [webhook],
  };
}

export function webhookConfigurations(o: Pick<InstallOptions, 'namespace' | 'enforcing' | 'certs'>): Obj[] {
  return [webhookConfig('Validating', o), webhookConfig('Mutating', o)];
}

/** All objects of an install, in apply order. */
export function installObjects(o: InstallOptions): Obj[] {
  const ns = o.namespace;
  const args = [
    'admission',
    'serve',
    '--listen',
    `:${SERVER_PORT}`,
    '--tls-cert',
    '/etc/kubeward/tls/tls.crt',
    '--tls-key',
    '/etc/kubeward/tls/tls.key',
    '--policies',
    '/etc/kubeward/policies',
  ];
  if (o.pss) args.push('--pss', o.pss);
  if (o.auditInterval) args.push('--audit-interval', o.auditInterval);
  const probe = (path: string): Obj => ({
    httpGet: { path, port: SERVER_PORT, scheme: 'HTTPS' },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          ...LABELS,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(APP_NAME, ns),
      automountServiceAccountToken: true,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(APP_NAME),
      // Read-only, and only what the informers watch: namespace labels (PSS levels) and VAP objects; with
      // the background audit, also list on the Pods and workloads it judges (never Secrets or ConfigMaps).
      rules: [
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'],
          verbs: ['get', 'list', 'watch'],
        },
        ...(o.auditInterval ? AUDIT_RULES : []),
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(APP_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: APP_NAME },
      subjects: [{ kind: 'ServiceAccount', name: APP_NAME, namespace: ns }],
    },
    tlsSecret(o),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(APP_NAME, ns),
      spec: {
        replicas: o.replicas,
        selector: { matchLabels: { ...LABELS } },
        template: {
          metadata: { labels: { ...LABELS } },
          spec: {
            serviceAccountName: APP_NAME,
            automountServiceAccountToken: true,
            priorityClassName: 'system-cluster-critical',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              fsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      topologyKey: 'kubernetes.io/hostname',
                      labelSelector: { matchLabels: { ...LABELS } },
                    },
                  },
                ],
              },
            },
            containers: [
              {
                name: 'webhook',
                image: o.image,
                imagePullPolicy: 'IfNotPresent',
                args,
                ports: [{ name: 'https', containerPort: SERVER_PORT, protocol: 'TCP' }],
                livenessProbe: probe('/healthz'),
                readinessProbe: probe('/readyz'),
                resources: {
                  requests: { cpu: '100m', memory: '128Mi' },
                  limits: { cpu: '1', memory: '512Mi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [
                  { name: 'tls', mountPath: '/etc/kubeward/tls', readOnly: true },
                  { name: 'policies', mountPath: '/etc/kubeward/policies', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: `${APP_NAME}-tls` } },
              { name: 'policies', configMap: { name: POLICIES_CONFIGMAP, optional: true } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(APP_NAME, ns),
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...LABELS } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(APP_NAME, ns),
      spec: {
        selector: { ...LABELS },
        ports: [{ name: 'https', port: 443, targetPort: SERVER_PORT, protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny-ingress', ns),
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(APP_NAME, ns),
      // Inbound only to the webhook port (the API server's address is cluster-specific); outbound open so
      // informers reach the API server and image policies reach registries.
      spec: {
        podSelector: { matchLabels: { ...LABELS } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: SERVER_PORT, protocol: 'TCP' }] }],
      },
    },
    ...webhookConfigurations(o),
  ];
}
