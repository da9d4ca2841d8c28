import { posix } from 'node:path';
import { isRecord } from '../../k8s/resource.js';
import { WORKLOAD_KINDS, type PodSpecRef, containerLabel } from '../../k8s/pod-spec.js';
import type { CheckContext, Hit, PodCheck, ResourceCheck } from '../check.js';
import type { FrameworkMapping } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import { cis, mitre, nsa, pss } from './frameworks.js';

/** Workload hygiene: resource bounds, probes, service-account use, namespaces and dangerous host mounts. */

// ---------------------------------------------------------------------------------------------------------
// Resource requests and limits

type Bound = 'limits' | 'requests';
type Compute = 'cpu' | 'memory';

/** True when `resources[bound][name]` holds a quantity (a non-empty string or a number). */
function hasQuantity(resources: unknown, bound: Bound, name: Compute): boolean {
  if (!isRecord(resources)) return false;
  const b = resources[bound];
  if (!isRecord(b)) return false;
  const q = b[name];
  return typeof q === 'number' || (typeof q === 'string' && q.trim() !== '');
}

/** Kubernetes copies a limit into a missing request, so a limit satisfies the request too. */
function bounded(resources: unknown, bound: Bound, name: Compute): boolean {
  return (
    hasQuantity(resources, bound, name) || (bound === 'requests' && hasQuantity(resources, 'limits', name))
  );
}

const RESOURCE_FRAMEWORKS: FrameworkMapping[] = [
  nsa('resource-policies', 'Use resource policies: LimitRange, ResourceQuota and per-container limits'),
  mitre('T1499', 'Endpoint Denial of Service'),
];

function resourceCheck(opts: {
  id: string;
  bound: Bound;
  name: Compute;
  severity: Severity;
  description: string;
  frameworks?: FrameworkMapping[];
}): PodCheck {
  const { bound, name } = opts;
  const what = `${name === 'cpu' ? 'CPU' : 'memory'} ${bound === 'limits' ? 'limit' : 'request'}`;
  const field = `resources.${bound}.${name}`;
  return {
    id: opts.id,
    category: 'manifest',
    scope: 'pod',
    title: `Container without a ${what}`,
    severity: opts.severity,
    description: opts.description,
    remediation: `Set ${field} on every container and init container (for example \`${name}: ${
      name === 'cpu' ? '500m' : '256Mi'
    }\`), or set spec.resources.${bound}.${name} for the whole pod. A LimitRange in the namespace can supply defaults.`,
    frameworks: opts.frameworks ?? RESOURCE_FRAMEWORKS,
    check(pod) {
      // Pod-level resources (spec.resources, Kubernetes 1.32+) bound all containers together.
      if (bounded(pod.spec.resources, bound, name)) return [];
      let hits: Hit[] | undefined;
      for (const c of pod.containers) {
        // The API rejects resources on ephemeral containers: they share the pod's.
        if (c.type === 'ephemeralContainers' || bounded(c.container.resources, bound, name)) continue;
        (hits ??= []).push({
          message: `${containerLabel(c)} has no ${what} (${field})`,
          path: [...c.path, 'resources', bound, name],
        });
      }
      return hits ?? [];
    },
  };
}

export const cpuLimit = resourceCheck({
  id: 'KW-WL-001',
  bound: 'limits',
  name: 'cpu',
  severity: 'low',
  description:
    'Without a CPU limit a container can use every idle CPU of its node; a runaway or hijacked process ' +
    '(crypto-mining) then slows down every other pod there. CPU is compressible, so the damage is ' +
    'throttling rather than eviction, hence the low severity.',
  frameworks: [...RESOURCE_FRAMEWORKS, mitre('T1496', 'Resource Hijacking')],
});

export const memoryLimit = resourceCheck({
  id: 'KW-WL-002',
  bound: 'limits',
  name: 'memory',
  severity: 'medium',
  description:
    'Without a memory limit a container can consume all memory of its node; the kernel OOM killer and ' +
    'kubelet evictions then hit other pods, so one leaking or attacked workload takes its neighbours down.',
  frameworks: [...RESOURCE_FRAMEWORKS, mitre('T1496', 'Resource Hijacking')],
});

export const cpuRequest = resourceCheck({
  id: 'KW-WL-003',
  bound: 'requests',
  name: 'cpu',
  severity: 'low',
  description:
    'Without a CPU request (or limit, which it defaults to) the scheduler reserves no CPU for the container: ' +
    'pods get overcommitted onto busy nodes and are starved under contention.',
});

export const memoryRequest = resourceCheck({
  id: 'KW-WL-004',
  bound: 'requests',
  name: 'memory',
  severity: 'low',
  description:
    'Without a memory request (or limit, which it defaults to) the scheduler reserves no memory for the ' +
    'container: nodes get overcommitted and the pod is among the first evicted under memory pressure.',
});

// ---------------------------------------------------------------------------------------------------------
// Probes

const BATCH_KINDS = new Set(['Job', 'CronJob']);

/** Run-to-completion pods (Jobs, CronJobs, bare batch pods) have nothing for a probe to watch over. */
function runsToCompletion(pod: PodSpecRef): boolean {
  const rp = pod.spec.restartPolicy;
  return BATCH_KINDS.has(pod.resource.object.kind) || rp === 'Never' || rp === 'OnFailure';
}

function probeCheck(opts: {
  id: string;
  field: 'livenessProbe' | 'readinessProbe';
  title: string;
  description: string;
}): PodCheck {
  const { field } = opts;
  return {
    id: opts.id,
    category: 'manifest',
    scope: 'pod',
    title: opts.title,
    severity: 'low',
    description: opts.description,
    remediation: `Add ${field} (httpGet, tcpSocket, grpc or exec) to every long-running container.`,
    frameworks: [mitre('T1499', 'Endpoint Denial of Service')],
    check(pod) {
      if (runsToCompletion(pod)) return [];
      let hits: Hit[] | undefined;
      for (const c of pod.containers) {
        // Init containers run to completion; ephemeral containers cannot have probes.
        if (c.type !== 'containers') continue;
        const probe = c.container[field];
        if (isRecord(probe) && Object.keys(probe).length > 0) continue;
        (hits ??= []).push({ message: `${containerLabel(c)} has no ${field}`, path: [...c.path, field] });
      }
      return hits ?? [];
    },
  };
}

export const livenessProbe = probeCheck({
  id: 'KW-WL-005',
  field: 'livenessProbe',
  title: 'Container without a liveness probe',
  description:
    'Without a liveness probe the kubelet only notices a crashed process, not a hung or deadlocked one: a ' +
    'container that stops serving (for example after resource exhaustion) stays in place until someone ' +
    'restarts it. Jobs, CronJobs and init containers are not checked.',
});

export const readinessProbe = probeCheck({
  id: 'KW-WL-006',
  field: 'readinessProbe',
  title: 'Container without a readiness probe',
  description:
    'Without a readiness probe a pod receives Service traffic as soon as its containers start, before it can ' +
    'serve, and keeps receiving it while overloaded; rollouts can replace healthy pods with broken ones. ' +
    'Jobs, CronJobs and init containers are not checked.',
});

// ---------------------------------------------------------------------------------------------------------
// Service accounts

/** The pod's service account as written (`serviceAccountName`, or the deprecated `serviceAccount`). */
function serviceAccountField(
  spec: Record<string, unknown>,
): 'serviceAccountName' | 'serviceAccount' | undefined {
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '')
    return 'serviceAccountName';
  if (typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') return 'serviceAccount';
  return undefined;
}

function serviceAccountName(spec: Record<string, unknown>): string {
  const field = serviceAccountField(spec);
  return field ? String(spec[field]) : 'default';
}

function saKey(namespace: unknown, name: string): string {
  return `${typeof namespace === 'string' ? namespace : ''}\u0000${name}`;
}

/** automountServiceAccountToken of every ServiceAccount in the scan, indexed once per scan (context). */
const serviceAccountIndex = new WeakMap<CheckContext, Map<string, unknown>>();

function serviceAccountsOf(ctx: CheckContext): Map<string, unknown> {
  let index = serviceAccountIndex.get(ctx);
  if (!index) {
    index = new Map();
    for (const r of ctx.resources) {
      const o = r.object;
      if (o.kind !== 'ServiceAccount' || typeof o.metadata.name !== 'string') continue;
      index.set(saKey(o.metadata.namespace, o.metadata.name), o.automountServiceAccountToken);
    }
    serviceAccountIndex.set(ctx, index);
  }
  return index;
}

export const serviceAccountTokenAutomount: PodCheck = {
  id: 'KW-WL-007',
  category: 'manifest',
  scope: 'pod',
  title: 'Service account token mounted automatically',
  severity: 'medium',
  description:
    'Unless automountServiceAccountToken is false on the pod or its ServiceAccount, every container gets a ' +
    'Kubernetes API token at /var/run/secrets/kubernetes.io/serviceaccount. Most applications never call the ' +
    'API; for them the token only helps an attacker who compromises the container to move on into the cluster.',
  remediation:
    'Set automountServiceAccountToken: false in the pod spec, or on the ServiceAccount (the pod inherits it ' +
    'unless it sets the field itself). Pods that need the API can mount a projected, audience-bound token.',
  frameworks: [
    cis('5.1.6', 'Ensure that Service Account Tokens are only mounted where necessary'),
    nsa('pod-security', 'Protecting Pod service account tokens'),
    mitre('T1528', 'Steal Application Access Token'),
  ],
  check(pod, ctx) {
    const own = pod.spec.automountServiceAccountToken;
    if (own === false) return [];
    const sa = serviceAccountName(pod.spec);
    const path = [...pod.path, 'automountServiceAccountToken'];
    if (own === true) {
      return [{ message: `pod sets automountServiceAccountToken: true for service account "${sa}"`, path }];
    }
    const index = serviceAccountsOf(ctx);
    const key = saKey(pod.resource.object.metadata.namespace, sa);
    const inherited = index.get(key);
    if (inherited === false) return [];
    const why = index.has(key)
      ? `neither the pod nor ServiceAccount "${sa}" sets automountServiceAccountToken: false`
      : `the pod does not set automountServiceAccountToken: false and ServiceAccount "${sa}" is not in the scanned manifests`;
    return [{ message: `the API token of service account "${sa}" is mounted: ${why}`, path }];
  },
};

export const defaultServiceAccount: PodCheck = {
  id: 'KW-WL-008',
  category: 'manifest',
  scope: 'pod',
  title: 'Pod uses the default service account',
  severity: 'low',
  description:
    'Every pod of a namespace that does not name a service account runs as "default". Permissions granted ' +
    'to that account (often by a chart or an operator) then reach every such pod, and audit logs cannot tell ' +
    'the workloads apart.',
  remediation:
    'Create a dedicated ServiceAccount per workload and set spec.serviceAccountName to it; leave the default ' +
    'account without RoleBindings and with automountServiceAccountToken: false.',
  frameworks: [
    cis('5.1.5', 'Ensure that default service accounts are not actively used'),
    nsa('pod-security', 'Protecting Pod service account tokens'),
    mitre('T1528', 'Steal Application Access Token'),
  ],
  check(pod) {
    const field = serviceAccountField(pod.spec);
    if (field && pod.spec[field] !== 'default') return [];
    return [
      {
        message: field
          ? `pod runs as the default service account (${field}: default)`
          : 'pod runs as the default service account (serviceAccountName is not set)',
        path: [...pod.path, field ?? 'serviceAccountName'],
      },
    ];
  },
};

// ---------------------------------------------------------------------------------------------------------
// Namespaces

/** Namespaced kinds commonly found in application manifests. */
export const NAMESPACED_KINDS: readonly string[] = [
  ...WORKLOAD_KINDS,
  'Service',
  'ConfigMap',
  'Secret',
  'Role',
  'RoleBinding',
  'ServiceAccount',
  'Ingress',
  'NetworkPolicy',
  'PersistentVolumeClaim',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
];

const NAMESPACE_FRAMEWORKS: FrameworkMapping[] = [
  cis('5.7.4', 'The default namespace should not be used'),
  nsa('namespaces', 'Use namespaces to isolate resources'),
];

export const defaultNamespace: ResourceCheck = {
  id: 'KW-WL-009',
  category: 'manifest',
  scope: 'resource',
  kinds: NAMESPACED_KINDS,
  title: 'Resource in the default namespace',
  severity: 'medium',
  description:
    'The default namespace is where everything without a home ends up: RBAC, NetworkPolicies, quotas and ' +
    'Pod Security admission labels are rarely set up for it, so workloads there share one flat trust boundary.',
  remediation: 'Set metadata.namespace to a dedicated namespace for the application.',
  frameworks: NAMESPACE_FRAMEWORKS,
  check(res) {
    if (res.object.metadata.namespace !== 'default') return [];
    return [{ message: `${res.object.kind} is in the default namespace`, path: ['metadata', 'namespace'] }];
  },
};

export const namespaceNotSet: ResourceCheck = {
  id: 'KW-WL-010',
  category: 'manifest',
  scope: 'resource',
  kinds: NAMESPACED_KINDS,
  title: 'Namespace not set',
  severity: 'low',
  description:
    'A manifest without metadata.namespace lands in whatever namespace it is applied to: the default ' +
    'namespace unless `kubectl -n`, the kubeconfig context, Helm or Kustomize set one. Where it ends up ' +
    'depends on who applies it.',
  remediation:
    'Set metadata.namespace explicitly, or let the tool that renders the manifests set it (Kustomize ' +
    '`namespace:`, Helm `{{ .Release.Namespace }}`) and scan the rendered output.',
  frameworks: NAMESPACE_FRAMEWORKS,
  check(res) {
    const ns = res.object.metadata.namespace;
    if (typeof ns === 'string' && ns !== '') return [];
    return [
      {
        message: `${res.object.kind} has no namespace: metadata.namespace is not set, so it goes to whatever namespace it is applied to (default unless one is given)`,
        path: ['metadata', 'namespace'],
      },
    ];
  },
};

// ---------------------------------------------------------------------------------------------------------
// hostPath volumes

/** Absolute, normalised host path without a trailing slash; undefined for relative or non-POSIX paths. */
export function normaliseHostPath(p: string): string | undefined {
  if (!p.startsWith('/')) return undefined;
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** `dir` is `path` itself or one of its ancestors. */
function coversPath(dir: string, path: string): boolean {
  return dir === path || dir === '/' || (path.startsWith(dir) && path.charCodeAt(dir.length) === 47); /* / */
}

function mountedBy(pod: PodSpecRef, volume: string): string {
  const names: string[] = [];
  for (const c of pod.containers) {
    const mounts = c.container.volumeMounts;
    if (Array.isArray(mounts) && mounts.some((m) => isRecord(m) && m.name === volume))
      names.push(`"${c.name}"`);
  }
  return names.length ? `mounted by ${names.join(', ')}` : 'not mounted by any container yet';
}

/**
 * One hit per hostPath volume for which `describe` returns a description (what the path exposes). The hit
 * points at the volume's hostPath.path.
 */
function hostPathHits(pod: PodSpecRef, describe: (path: string) => string | undefined): Hit[] {
  const volumes = pod.spec.volumes;
  if (!Array.isArray(volumes)) return [];
  let hits: Hit[] | undefined;
  for (let i = 0; i < volumes.length; i++) {
    const v: unknown = volumes[i];
    if (!isRecord(v) || !isRecord(v.hostPath)) continue;
    const raw = v.hostPath.path;
    if (typeof raw !== 'string' || raw === '') continue;
    const what = describe(normaliseHostPath(raw) ?? raw);
    if (!what) continue;
    const name = typeof v.name === 'string' ? v.name : `#${i}`;
    (hits ??= []).push({
      message: `hostPath volume "${name}" mounts ${what} (${mountedBy(pod, name)})`,
      path: [...pod.path, 'volumes', i, 'hostPath', 'path'],
    });
  }
  return hits ?? [];
}

/** Sockets of Docker, containerd, CRI-O, Podman and cri-dockerd at their default locations. */
const RUNTIME_SOCKETS = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/containerd/containerd.sock',
  '/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
  '/run/crio/crio.sock',
  '/var/run/podman/podman.sock',
  '/run/podman/podman.sock',
  '/var/run/cri-dockerd.sock',
  '/run/cri-dockerd.sock',
  '/var/run/dockershim.sock',
  '/run/dockershim.sock',
  // Docker's embedded containerd, and k3s/RKE2's containerd.
  '/var/run/docker/containerd/containerd.sock',
  '/run/docker/containerd/containerd.sock',
  '/run/k3s/containerd/containerd.sock',
];
/** Runtime sockets elsewhere (rootless Podman under /run/user/UID, MicroK8s, custom data roots). */
const RUNTIME_SOCKET_NAME = /\/(?:docker|containerd|crio|podman|cri-dockerd|dockershim)\.sock$/;
/** Windows named pipes of Docker and containerd. */
const RUNTIME_PIPE = /^[\\/]{2}\.[\\/]pipe[\\/](?:docker_engine|containerd-containerd)$/i;

/** The runtime socket a host path exposes (itself, or a socket inside it), or undefined. */
export function runtimeSocketIn(path: string): string | undefined {
  if (RUNTIME_SOCKET_NAME.test(path) || RUNTIME_PIPE.test(path)) return path;
  if (!path.startsWith('/')) return undefined;
  for (const socket of RUNTIME_SOCKETS) if (coversPath(path, socket)) return socket;
  return undefined;
}

function describeRuntimeSocket(path: string): string | undefined {
  const socket = runtimeSocketIn(path);
  if (!socket) return undefined;
  return socket === path
    ? `the container runtime socket ${socket}`
    : `${path}, which holds the container runtime socket ${socket}`;
}

export const runtimeSocketMount: PodCheck = {
  id: 'KW-WL-011',
  category: 'manifest',
  scope: 'pod',
  title: 'Container runtime socket mounted',
  severity: 'critical',
  description:
    'Access to the Docker, containerd, CRI-O or Podman socket is root on the node: through it a container can ' +
    'start a privileged container with the host filesystem mounted, or read and change every other container. ' +
    'Mounting a directory that holds the socket (/var/run, /run) is the same; a read-only mount does not help, ' +
    'since the socket can still be connected to.',
  remediation:
    'Remove the hostPath volume pointing at the runtime socket or its directory. Build images with rootless ' +
    'builders (BuildKit rootless, Kaniko), and read container metadata through the Kubernetes API instead.',
  frameworks: [
    cis('5.2.12', 'Minimize the admission of HostPath volumes'),
    pss('baseline/hostPathVolumes', 'HostPath Volumes'),
    nsa('pod-security', 'Hardening container environments'),
    mitre('T1610', 'Deploy Container'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    return hostPathHits(pod, describeRuntimeSocket);
  },
};

interface SensitivePath {
  path: string;
  why: string;
  /** Also flag paths inside it (every file below is sensitive), not only the path and its ancestors. */
  subtree: boolean;
}

/** Host paths that give away the node or its credentials. Parents of these are flagged too. */
const SENSITIVE_PATHS: readonly SensitivePath[] = [
  { path: '/', why: 'the whole host filesystem', subtree: false },
  { path: '/etc', why: 'host configuration, password hashes and kubelet configuration', subtree: false },
  { path: '/etc/kubernetes', why: 'cluster PKI and admin kubeconfigs', subtree: true },
  { path: '/proc', why: 'every host process, its environment and memory', subtree: false },
  { path: '/sys', why: 'kernel, cgroup and device settings', subtree: false },
  { path: '/root', why: "root's home directory (SSH keys, cloud credentials)", subtree: true },
  { path: '/home', why: 'user home directories (SSH keys, cloud credentials)', subtree: true },
  {
    path: '/var/lib/kubelet',
    why: "kubelet credentials and every pod's volumes, Secrets included",
    subtree: true,
  },
  { path: '/var/lib/etcd', why: 'the etcd database holding every Secret of the cluster', subtree: true },
];

/** Why a host path is sensitive, or undefined. */
export function sensitiveHostPath(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  for (const s of SENSITIVE_PATHS) {
    if (path === s.path) return `${s.path}: ${s.why}`;
    if (coversPath(path, s.path)) return `${path}, which contains ${s.path}: ${s.why}`;
    if (s.subtree && coversPath(s.path, path)) return `${path}, inside ${s.path}: ${s.why}`;
  }
  return undefined;
}

export const sensitiveHostPathMount: PodCheck = {
  id: 'KW-WL-012',
  category: 'manifest',
  scope: 'pod',
  title: 'Sensitive host path mounted',
  severity: 'high',
  description:
    'A hostPath volume of /, /etc, /proc, /sys, /root, /home, /var/lib/kubelet (or a parent of one) exposes ' +
    'node credentials, other pods’ Secrets and kernel settings to the container; with write access it is an ' +
    'escape to the node. Read-only mounts still leak credentials.',
  remediation:
    'Remove the hostPath volume, or mount only the specific file or directory the workload needs, read-only ' +
    '(volumeMounts[].readOnly: true). Prefer configMap, secret, emptyDir or CSI volumes.',
  frameworks: [
    cis('5.2.12', 'Minimize the admission of HostPath volumes'),
    pss('baseline/hostPathVolumes', 'HostPath Volumes'),
    nsa('pod-security', 'Hardening container environments'),
    mitre('T1611', 'Escape to Host'),
    mitre('T1552.001', 'Unsecured Credentials: Credentials In Files'),
  ],
  check(pod) {
    return hostPathHits(pod, sensitiveHostPath);
  },
};

export const workloadChecks: Array<PodCheck | ResourceCheck> = [
  cpuLimit,
  memoryLimit,
  cpuRequest,
  memoryRequest,
  livenessProbe,
  readinessProbe,
  serviceAccountTokenAutomount,
  defaultServiceAccount,
  defaultNamespace,
  namespaceNotSet,
  runtimeSocketMount,
  sensitiveHostPathMount,
];
