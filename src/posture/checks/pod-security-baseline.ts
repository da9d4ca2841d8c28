import { getPath, isRecord, type FieldPath } from '../../k8s/resource.js';
import { containerLabel } from '../../k8s/pod-spec.js';
import {
  BASELINE_ALLOWED_CAPABILITIES,
  MAX_POLICY_MINOR,
  sysctlsAllowedAt,
} from '../../policy/pss/checks.js';
import type { ContainerRef, PodSpecRef } from '../../k8s/pod-spec.js';
import type { Hit, PodCheck } from '../check.js';
import { cis, mitre, nsa, pss } from './frameworks.js';

/**
 * Pod Security Standards, baseline level, with the semantics of k8s.io/pod-security-admission at policy
 * version `latest` (policy/check_*.go). Every container list is visited: containers, initContainers and
 * ephemeralContainers, as upstream's visitContainers does. Also home of the helpers shared by the restricted
 * and hardening checks (pod-security-restricted.ts, pod-security.ts).
 */

// ---------------------------------------------------------------------------------------------------------
// Shared helpers

export function record(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

export function containerSC(c: ContainerRef): Record<string, unknown> | undefined {
  return record(c.container.securityContext);
}

export function podSC(pod: PodSpecRef): Record<string, unknown> | undefined {
  return record(pod.spec.securityContext);
}

/**
 * The longest prefix of `path` present in the object: the field itself when it is set, otherwise the
 * nearest parent that should hold it (a container, its securityContext, the pod spec).
 */
export function nearest(pod: PodSpecRef, path: FieldPath): FieldPath {
  const root = pod.resource.object;
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    if (getPath(root, prefix) !== undefined) return prefix;
  }
  return [];
}

/** `spec.os.name: windows`: upstream exempts these pods from the Linux-only restricted controls (v1.25+). */
export function isWindowsPod(pod: PodSpecRef): boolean {
  return record(pod.spec.os)?.name === 'windows';
}

/** `spec.hostUsers: false`: the pod runs in a user namespace (relaxes some controls from policy v1.35). */
export function inUserNamespace(pod: PodSpecRef): boolean {
  return pod.spec.hostUsers === false;
}

export function quoted(items: readonly string[]): string {
  return items.map((s) => `"${s}"`).join(', ');
}

/** Names of the containers that do not set `field` in their own securityContext (so inherit the pod's). */
export function inheriting(pod: PodSpecRef, field: string): ContainerRef[] {
  return pod.containers.filter((c) => containerSC(c)?.[field] === undefined);
}

export function inheritNote(cs: readonly ContainerRef[]): string {
  return cs.length ? ` (inherited by ${cs.map((c) => `"${c.name}"`).join(', ')})` : '';
}

/** Shorthand for a pod-scoped manifest check. */
export function podCheck(def: Omit<PodCheck, 'category' | 'scope'>): PodCheck {
  return { category: 'manifest', scope: 'pod', ...def };
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String(x))) : [];
}

/** `securityContext.capabilities.add` / `.drop` of a container, as strings. */
export function capabilities(c: ContainerRef): { add: string[]; drop: string[] } {
  const caps = record(containerSC(c)?.capabilities);
  return { add: stringList(caps?.add), drop: stringList(caps?.drop) };
}

// ---------------------------------------------------------------------------------------------------------
// Host namespaces (policy/check_hostNamespaces.go): spec.hostNetwork / hostPID / hostIPC must be unset or false

function hostNamespaceCheck(opts: {
  id: string;
  field: 'hostNetwork' | 'hostPID' | 'hostIPC';
  title: string;
  description: string;
  cisId: string;
  cisName: string;
  extra?: ReturnType<typeof mitre>[];
}): PodCheck {
  const { field } = opts;
  return podCheck({
    id: opts.id,
    title: opts.title,
    severity: 'high',
    description: opts.description,
    remediation: `Remove spec.${field} from the pod template or set it to false; give the workload what it needs through a Service, volume or API instead of the host namespace.`,
    frameworks: [
      cis(opts.cisId, opts.cisName),
      pss('baseline/hostNamespaces', 'Host Namespaces'),
      nsa('pod-security', 'Pod security: privileged containers'),
      mitre('T1611', 'Escape to Host'),
      ...(opts.extra ?? []),
    ],
    check(pod) {
      if (pod.spec[field] !== true) return [];
      return [{ message: `pod sets ${field}: true`, path: [...pod.path, field] }];
    },
  });
}

export const hostNetwork = hostNamespaceCheck({
  id: 'KW-POD-002',
  field: 'hostNetwork',
  title: 'Pod shares the host network namespace',
  description:
    "With hostNetwork the pod uses the node's network stack: it can bind any node port, reach services " +
    'listening on localhost (kubelet, node exporters, cloud metadata proxies) and sniff node traffic, and ' +
    'NetworkPolicies no longer apply to it.',
  cisId: '5.2.5',
  cisName: 'Minimize the admission of containers wishing to share the host network namespace',
  extra: [mitre('T1046', 'Network Service Discovery')],
});

export const hostPID = hostNamespaceCheck({
  id: 'KW-POD-003',
  field: 'hostPID',
  title: 'Pod shares the host PID namespace',
  description:
    'With hostPID the containers see every process of the node, can read their environment and ' +
    '/proc/<pid>/root, and (as root) signal or ptrace them; entering PID 1\u2019s namespaces is a direct escape.',
  cisId: '5.2.3',
  cisName: 'Minimize the admission of containers wishing to share the host process ID namespace',
});

export const hostIPC = hostNamespaceCheck({
  id: 'KW-POD-004',
  field: 'hostIPC',
  title: 'Pod shares the host IPC namespace',
  description:
    'With hostIPC the containers share System V IPC and POSIX shared memory with every process of the node, ' +
    'so they can read or tamper with shared memory segments of host processes and other pods.',
  cisId: '5.2.4',
  cisName: 'Minimize the admission of containers wishing to share the host IPC namespace',
});

// ---------------------------------------------------------------------------------------------------------
// Capabilities (policy/check_capabilities_baseline.go)

/** Capabilities baseline allows in capabilities.add (capabilities_allowed_1_0; NET_RAW is not among them). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = BASELINE_ALLOWED_CAPABILITIES;

export const capabilitiesBaseline = podCheck({
  id: 'KW-POD-005',
  title: 'Container adds capabilities beyond the baseline set',
  severity: 'high',
  description:
    'Capabilities outside the runtime default set (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, NET_RAW, ' +
    'BPF, ...) hand out parts of root on the node: mounting filesystems, loading kernel modules, tracing other ' +
    'processes, rewriting network configuration. Most of them are known container escape paths.',
  remediation:
    'Remove the capability from securityContext.capabilities.add. Only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, ' +
    'FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT are allowed ' +
    'by the baseline level.',
  frameworks: [
    cis('5.2.9', 'Minimize the admission of containers with added capabilities'),
    pss('baseline/capabilities', 'Capabilities'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1611', 'Escape to Host'),
    mitre('T1068', 'Exploitation for Privilege Escalation'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const { add } = capabilities(c);
      const bad = add.filter((cap) => !BASELINE_CAPABILITIES.has(cap));
      const first = add.findIndex((cap) => !BASELINE_CAPABILITIES.has(cap));
      if (first < 0) continue;
      hits.push({
        message: `${containerLabel(c)} adds ${quoted(bad)}`,
        path: [...c.path, 'securityContext', 'capabilities', 'add', first],
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// HostPath volumes (policy/check_hostPathVolumes.go) and host ports (policy/check_hostPorts.go)

export const hostPathVolumes = podCheck({
  id: 'KW-POD-006',
  title: 'Pod uses a hostPath volume',
  severity: 'high',
  description:
    'A hostPath volume mounts a file or directory of the node into the pod. Depending on the path it leaks ' +
    'node credentials and other pods\u2019 data, or (writable) lets the container plant files the node executes; ' +
    'it also pins the pod to node-local state.',
  remediation:
    'Replace spec.volumes[].hostPath with a configMap, secret, emptyDir, persistentVolumeClaim or CSI volume. ' +
    'Node agents that truly need host files belong in a dedicated, privileged namespace.',
  frameworks: [
    cis('5.2.12', 'Minimize the admission of HostPath volumes'),
    pss('baseline/hostPathVolumes', 'HostPath Volumes'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    const volumes = pod.spec.volumes;
    if (!Array.isArray(volumes)) return [];
    const hits: Hit[] = [];
    volumes.forEach((v: unknown, i) => {
      if (!isRecord(v) || v.hostPath === undefined || v.hostPath === null) return;
      const name = typeof v.name === 'string' ? v.name : `#${i}`;
      const p = record(v.hostPath)?.path;
      hits.push({
        message: `volume "${name}" is a hostPath${typeof p === 'string' ? ` (${p})` : ''}`,
        path: [...pod.path, 'volumes', i, 'hostPath'],
      });
    });
    return hits;
  },
});

/** A port number as written (YAML numbers, or numeric strings left by templating). */
function portNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

export const hostPorts = podCheck({
  id: 'KW-POD-007',
  title: 'Container uses a host port',
  severity: 'medium',
  description:
    "A hostPort binds the port on the node's own address, bypassing Services and NetworkPolicies, exposing the " +
    'container beyond the cluster network and limiting the pod to one replica per node.',
  remediation:
    'Remove ports[].hostPort (or set it to 0) and expose the container through a Service (ClusterIP, NodePort ' +
    'or LoadBalancer) or an Ingress.',
  frameworks: [
    cis('5.2.13', 'Minimize the admission of containers which use HostPorts'),
    pss('baseline/hostPorts', 'Host Ports'),
    nsa('network-separation', 'Network separation and hardening'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const ports = c.container.ports;
      if (!Array.isArray(ports)) continue;
      ports.forEach((p: unknown, i) => {
        const hp = isRecord(p) ? portNumber(p.hostPort) : undefined;
        if (hp === undefined || hp === 0) return;
        hits.push({
          message: `${containerLabel(c)} uses hostPort ${hp}`,
          path: [...c.path, 'ports', i, 'hostPort'],
        });
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// AppArmor (policy/check_appArmorProfile.go): the appArmorProfile field and the beta annotation

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const ALLOWED_PROFILE_TYPES: ReadonlySet<unknown> = new Set(['RuntimeDefault', 'Localhost']);

export const appArmor = podCheck({
  id: 'KW-POD-008',
  title: 'AppArmor profile disabled or overridden',
  severity: 'medium',
  description:
    'On AppArmor hosts every container is confined by the runtime/default profile. Setting the profile to ' +
    'Unconfined (field) or `unconfined` (annotation) removes that mandatory access control layer, which blocks ' +
    'writes to /proc and /sys, mounts and other escape primitives.',
  remediation:
    'Remove securityContext.appArmorProfile or set its type to RuntimeDefault or Localhost (pod or container ' +
    'level); remove container.apparmor.security.beta.kubernetes.io/* annotations or set them to runtime/default ' +
    'or localhost/<profile>.',
  frameworks: [
    cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
    pss('baseline/appArmor', 'AppArmor'),
    nsa('pod-security', 'Pod security: hardening container environments'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    const podProfile = record(podSC(pod)?.appArmorProfile);
    if (podProfile && !ALLOWED_PROFILE_TYPES.has(podProfile.type)) {
      hits.push({
        message: `pod sets appArmorProfile.type: ${String(podProfile.type ?? '(empty)')}${inheritNote(inheriting(pod, 'appArmorProfile'))}`,
        path: nearest(pod, [...pod.path, 'securityContext', 'appArmorProfile', 'type']),
      });
    }
    for (const c of pod.containers) {
      const profile = record(containerSC(c)?.appArmorProfile);
      if (!profile || ALLOWED_PROFILE_TYPES.has(profile.type)) continue;
      hits.push({
        message: `${containerLabel(c)} sets appArmorProfile.type: ${String(profile.type ?? '(empty)')}`,
        path: nearest(pod, [...c.path, 'securityContext', 'appArmorProfile', 'type']),
      });
    }
    const annotations = record(pod.podMeta.annotations) ?? {};
    for (const [key, value] of Object.entries(annotations)) {
      if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
      const v = typeof value === 'string' ? value : String(value);
      if (v === '' || v === 'runtime/default' || v.startsWith('localhost/')) continue;
      hits.push({
        message: `annotation ${key} is "${v}"`,
        path: [...pod.podMetaPath, 'annotations', key],
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// SELinux (policy/check_seLinuxOptions.go, selinuxAllowedTypes1_31)

const SELINUX_TYPES: ReadonlySet<string> = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Problems of one seLinuxOptions object and the field to point at, or undefined when it is allowed. */
function seLinuxProblems(opts: Record<string, unknown>): { problems: string[]; field: string } | undefined {
  const problems: string[] = [];
  let field: string | undefined;
  const type = str(opts.type);
  if (!SELINUX_TYPES.has(type)) {
    problems.push(`type ${type}`);
    field = 'type';
  }
  for (const f of ['user', 'role'] as const) {
    const v = str(opts[f]);
    if (v === '') continue;
    problems.push(`${f} ${v}`);
    field ??= f;
  }
  return field ? { problems, field } : undefined;
}

export const seLinux = podCheck({
  id: 'KW-POD-009',
  title: 'Custom SELinux type, user or role',
  severity: 'medium',
  description:
    'SELinux confines containers to the container_t domain. Another type (spc_t, unconfined_t, ...) or a ' +
    'custom user or role lifts that confinement, giving the process the access of a privileged host service.',
  remediation:
    'Remove seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type unset or set it to ' +
    'container_t, container_init_t, container_kvm_t or container_engine_t (pod and container securityContext).',
  frameworks: [
    cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
    pss('baseline/seLinux', 'SELinux'),
    nsa('pod-security', 'Pod security: hardening container environments'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    const podOpts = record(podSC(pod)?.seLinuxOptions);
    const podBad = podOpts && seLinuxProblems(podOpts);
    if (podBad) {
      hits.push({
        message: `pod sets seLinuxOptions ${podBad.problems.join(', ')}${inheritNote(inheriting(pod, 'seLinuxOptions'))}`,
        path: nearest(pod, [...pod.path, 'securityContext', 'seLinuxOptions', podBad.field]),
      });
    }
    for (const c of pod.containers) {
      const opts = record(containerSC(c)?.seLinuxOptions);
      const bad = opts && seLinuxProblems(opts);
      if (!bad) continue;
      hits.push({
        message: `${containerLabel(c)} sets seLinuxOptions ${bad.problems.join(', ')}`,
        path: nearest(pod, [...c.path, 'securityContext', 'seLinuxOptions', bad.field]),
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// /proc mount type (policy/check_procMount_baseline.go, v1.35: relaxed for user-namespace pods)

export const procMountBaseline = podCheck({
  id: 'KW-POD-010',
  title: 'Container unmasks /proc',
  severity: 'high',
  description:
    'The runtime masks and makes read-only sensitive /proc paths (/proc/sys, /proc/sysrq-trigger, ' +
    '/proc/kcore, ...). procMount: Unmasked removes those protections, so a root process can change kernel ' +
    'settings of the node. Pods in a user namespace (hostUsers: false) are exempt at this level.',
  remediation:
    'Remove securityContext.procMount or set it to Default. If an unmasked /proc is required (nested ' +
    'containers), run the pod with hostUsers: false.',
  frameworks: [
    cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
    pss('baseline/procMount', '/proc Mount Type'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    if (inUserNamespace(pod)) return [];
    return procMountHits(pod);
  },
});

/** Containers that set procMount to anything but Default. */
export function procMountHits(pod: PodSpecRef): Hit[] {
  const hits: Hit[] = [];
  for (const c of pod.containers) {
    const pm = containerSC(c)?.procMount;
    if (pm === undefined || pm === null || pm === 'Default') continue;
    hits.push({
      message: `${containerLabel(c)} sets procMount: ${str(pm)}`,
      path: [...c.path, 'securityContext', 'procMount'],
    });
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------------------
// Seccomp (policy/check_seccompProfile_baseline.go, v1.19+: the field; the alpha annotations are ignored)

export const SECCOMP_TYPES: ReadonlySet<unknown> = new Set(['RuntimeDefault', 'Localhost']);

export const seccompBaseline = podCheck({
  id: 'KW-POD-011',
  title: 'Seccomp profile set to Unconfined',
  severity: 'medium',
  description:
    'A seccomp profile limits the system calls a container can make; RuntimeDefault blocks ~50 rarely ' +
    'needed, often exploited ones (keyctl, unshare, bpf, ...). seccompProfile.type: Unconfined turns the filter ' +
    'off and exposes the whole kernel syscall surface.',
  remediation:
    'Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost with a reviewed profile) at ' +
    'pod level, and remove container-level Unconfined overrides.',
  frameworks: [
    cis('5.7.2', 'Ensure that the seccomp profile is set to docker/default in your Pod definitions'),
    pss('baseline/seccomp', 'Seccomp'),
    nsa('pod-security', 'Pod security: hardening container environments'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    const podProfile = record(podSC(pod)?.seccompProfile);
    if (podProfile && !SECCOMP_TYPES.has(podProfile.type)) {
      hits.push({
        message: `pod sets seccompProfile.type: ${str(podProfile.type) || '(empty)'}${inheritNote(inheriting(pod, 'seccompProfile'))}`,
        path: nearest(pod, [...pod.path, 'securityContext', 'seccompProfile', 'type']),
      });
    }
    for (const c of pod.containers) {
      const profile = record(containerSC(c)?.seccompProfile);
      if (!profile || SECCOMP_TYPES.has(profile.type)) continue;
      hits.push({
        message: `${containerLabel(c)} sets seccompProfile.type: ${str(profile.type) || '(empty)'}`,
        path: nearest(pod, [...c.path, 'securityContext', 'seccompProfile', 'type']),
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Sysctls (policy/check_sysctls.go, newest allowed set)

/** The safe set at the newest policy version; the versioned table lives in src/policy/pss. */
export const SAFE_SYSCTLS: ReadonlySet<string> = sysctlsAllowedAt(MAX_POLICY_MINOR);

export const sysctls = podCheck({
  id: 'KW-POD-012',
  title: 'Unsafe sysctl set',
  severity: 'medium',
  description:
    'Only a few sysctls are namespaced and isolated per pod. Others change kernel behaviour for the whole ' +
    'node (memory, scheduling, networking of other pods) or weaken security mechanisms, and the kubelet must ' +
    'be told to allow them.',
  remediation:
    'Remove the sysctl from spec.securityContext.sysctls, or tune it on the node. Allowed: ' +
    [...SAFE_SYSCTLS].join(', ') +
    '.',
  frameworks: [
    pss('baseline/sysctls', 'Sysctls'),
    nsa('pod-security', 'Pod security: Pod Security enforcement'),
  ],
  check(pod) {
    const list = podSC(pod)?.sysctls;
    if (!Array.isArray(list)) return [];
    const hits: Hit[] = [];
    list.forEach((s: unknown, i) => {
      const name = isRecord(s) ? str(s.name) : '';
      if (SAFE_SYSCTLS.has(name)) return;
      hits.push({
        message: `pod sets sysctl ${name || '(no name)'}`,
        path: nearest(pod, [...pod.path, 'securityContext', 'sysctls', i, 'name']),
      });
    });
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Windows HostProcess (policy/check_windowsHostProcess.go)

function hostProcess(sc: Record<string, unknown> | undefined): boolean {
  return record(sc?.windowsOptions)?.hostProcess === true;
}

export const windowsHostProcess = podCheck({
  id: 'KW-POD-013',
  title: 'Windows HostProcess container',
  severity: 'critical',
  description:
    'A Windows HostProcess container runs directly on the node as a host process, with access to the host ' +
    'network, filesystem and (as SYSTEM) everything else: the Windows equivalent of a privileged container.',
  remediation:
    'Remove securityContext.windowsOptions.hostProcess (pod and containers) or set it to false; keep node ' +
    'management agents in a dedicated, privileged namespace.',
  frameworks: [
    cis('5.2.11', 'Minimize the admission of Windows HostProcess containers'),
    pss('baseline/hostProcess', 'HostProcess'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    if (hostProcess(podSC(pod))) {
      const inherit = pod.containers.filter(
        (c) => record(containerSC(c)?.windowsOptions)?.hostProcess === undefined,
      );
      hits.push({
        message: `pod sets windowsOptions.hostProcess: true${inheritNote(inherit)}`,
        path: [...pod.path, 'securityContext', 'windowsOptions', 'hostProcess'],
      });
    }
    for (const c of pod.containers) {
      if (!hostProcess(containerSC(c))) continue;
      hits.push({
        message: `${containerLabel(c)} sets windowsOptions.hostProcess: true`,
        path: [...c.path, 'securityContext', 'windowsOptions', 'hostProcess'],
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Probe and lifecycle hosts (policy/check_hostProbesAndhostLifecycle.go, v1.34+)

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLERS = ['postStart', 'preStop'] as const;
const HOST_ACTIONS = ['httpGet', 'tcpSocket'] as const;

export const probeHost = podCheck({
  id: 'KW-POD-014',
  title: 'Probe or lifecycle hook targets another host',
  severity: 'medium',
  description:
    'The kubelet runs httpGet and tcpSocket probes and lifecycle hooks from the node. A host field points ' +
    'those requests at an arbitrary address, letting the pod make the kubelet reach endpoints the pod itself ' +
    'cannot (node-local services, cloud metadata, other networks): a server-side request forgery.',
  remediation:
    'Remove host from httpGet and tcpSocket in livenessProbe, readinessProbe, startupProbe and ' +
    'lifecycle.postStart/preStop; the kubelet then targets the pod IP. Use httpHeaders Host for virtual hosts.',
  frameworks: [
    pss('baseline/hostProbesAndLifecycleHooks', 'Host Probes / Lifecycle Hooks'),
    nsa('pod-security', 'Pod security: Pod Security enforcement'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const targets: Array<{ at: FieldPath; handler: unknown }> = [
        ...PROBES.map((p) => ({ at: [p] as FieldPath, handler: c.container[p] })),
        ...HANDLERS.map((h) => ({
          at: ['lifecycle', h] as FieldPath,
          handler: record(c.container.lifecycle)?.[h],
        })),
      ];
      for (const { at, handler } of targets) {
        const h = record(handler);
        if (!h) continue;
        for (const action of HOST_ACTIONS) {
          const host = record(h[action])?.host;
          if (typeof host !== 'string' || host === '') continue;
          hits.push({
            message: `${containerLabel(c)} ${at.join('.')}.${action}.host is ${host}`,
            path: [...c.path, ...at, action, 'host'],
          });
        }
      }
    }
    return hits;
  },
});

export const baselineChecks: PodCheck[] = [
  hostNetwork,
  hostPID,
  hostIPC,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  appArmor,
  seLinux,
  procMountBaseline,
  seccompBaseline,
  sysctls,
  windowsHostProcess,
  probeHost,
];
