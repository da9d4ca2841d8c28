/**
 * Turns a manifest object into the CREATE AdmissionRequest the API server would send for it, so CI runs
 * exactly the webhook's code path. The resource name is derived like the API server's RESTMapper does for
 * built-in kinds (a table) and by kubectl's pluralisation rules for everything else.
 */
import type { AdmissionRequest, KubeObject } from '../../admission/types.js';

const IRREGULAR: Readonly<Record<string, string>> = {
  Endpoints: 'endpoints',
  PodSecurityPolicy: 'podsecuritypolicies',
  NetworkPolicy: 'networkpolicies',
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  StorageClass: 'storageclasses',
  PriorityClass: 'priorityclasses',
  RuntimeClass: 'runtimeclasses',
};

/** Cluster-scoped built-in kinds: their requests carry no namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'CertificateSigningRequest',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'PodSecurityPolicy',
]);

export function resourceOfKind(kind: string): string {
  const known = IRREGULAR[kind];
  if (known) return known;
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** `apps/v1` → {group: apps, version: v1}; `v1` → core group. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * The CREATE request for `object`. Namespaced objects without a namespace land in `defaultNamespace` (as
 * `kubectl apply` without `-n` would); an object with only `generateName` has an empty name.
 */
export function manifestRequest(
  object: KubeObject,
  uid: string,
  defaultNamespace = 'default',
): AdmissionRequest {
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const { group, version } = splitApiVersion(
    typeof object.apiVersion === 'string' ? object.apiVersion : 'v1',
  );
  const meta = object.metadata ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const request: AdmissionRequest = {
    uid,
    kind: { group, version, kind },
    resource: { group, version, resource: resourceOfKind(kind) },
    name,
    operation: 'CREATE',
    userInfo: { username: 'kubeward:policy-test' },
    object,
    dryRun: true,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
  };
  if (!isClusterScoped(kind))
    request.namespace =
      typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : defaultNamespace;
  return request;
}
