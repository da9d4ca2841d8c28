/**
 * Where a failed Pod Security control points in the admitted object. The upstream checks only produce text
 * (`container "app" must set ...`), so the offending container or volume is recovered from the quoted names
 * in that text and mapped to a dotted field path. CI uses the path for the manifest line; the webhook puts
 * it in the denial message. A path that does not exist still resolves to its nearest parent's line.
 */
import type { PssCheckId } from '../pss/index.js';

type Obj = Record<string, unknown>;

function rec(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Field under a container's object for container-level controls. */
const CONTAINER_FIELD: Partial<Record<PssCheckId, string>> = {
  allowPrivilegeEscalation: 'securityContext.allowPrivilegeEscalation',
  appArmorProfile: 'securityContext.appArmorProfile',
  capabilities_baseline: 'securityContext.capabilities.add',
  capabilities_restricted: 'securityContext.capabilities',
  hostPorts: 'ports',
  hostProbesAndHostLifecycle: 'livenessProbe',
  privileged: 'securityContext.privileged',
  procMount: 'securityContext.procMount',
  procMount_restricted: 'securityContext.procMount',
  runAsNonRoot: 'securityContext.runAsNonRoot',
  runAsUser: 'securityContext.runAsUser',
  seLinuxOptions: 'securityContext.seLinuxOptions',
  seccompProfile_baseline: 'securityContext.seccompProfile',
  seccompProfile_restricted: 'securityContext.seccompProfile',
  windowsHostProcess: 'securityContext.windowsOptions.hostProcess',
};

/** Field under the pod spec for pod-level controls (or when no container is named). */
const POD_FIELD: Partial<Record<PssCheckId, string>> = {
  appArmorProfile: 'securityContext.appArmorProfile',
  runAsNonRoot: 'securityContext.runAsNonRoot',
  runAsUser: 'securityContext.runAsUser',
  seLinuxOptions: 'securityContext.seLinuxOptions',
  seccompProfile_baseline: 'securityContext.seccompProfile',
  seccompProfile_restricted: 'securityContext.seccompProfile',
  sysctls: 'securityContext.sysctls',
  windowsHostProcess: 'securityContext.windowsOptions.hostProcess',
};

/** Quoted names in an upstream detail (`containers "a", "b" must ...` → a, b). */
function quoted(detail: string): Set<string> {
  const out = new Set<string>();
  for (const m of detail.matchAll(/"((?:[^"\\]|\\.)*)"/g)) if (m[1] !== undefined) out.add(m[1]);
  return out;
}

function firstContainer(spec: Obj, names: Set<string>): string | undefined {
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const name = rec(list[i])?.name;
      if (typeof name === 'string' && names.has(name)) return `${key}[${i}]`;
    }
  }
  return undefined;
}

function firstVolume(spec: Obj, names: Set<string>, sub: string): string | undefined {
  const list = spec.volumes;
  if (!Array.isArray(list)) return undefined;
  for (let i = 0; i < list.length; i++) {
    const name = rec(list[i])?.name;
    if (typeof name === 'string' && names.has(name)) return `volumes[${i}]${sub}`;
  }
  return 'volumes';
}

/**
 * Dotted path (relative to the pod spec) of the field a failed control is about. `detail` is the upstream
 * forbidden detail; `podSpec` the evaluated spec.
 */
export function pssFieldInSpec(id: PssCheckId, detail: string, podSpec: Obj): string | undefined {
  const names = quoted(detail);
  switch (id) {
    case 'hostNamespaces':
      for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (podSpec[f] === true) return f;
      return 'hostNetwork';
    case 'hostPathVolumes':
      return firstVolume(podSpec, names, '.hostPath');
    case 'restrictedVolumes':
      return firstVolume(podSpec, names, '');
    default:
      break;
  }
  const containerSub = CONTAINER_FIELD[id];
  if (containerSub) {
    const c = firstContainer(podSpec, names);
    if (c) return `${c}.${containerSub}`;
  }
  return POD_FIELD[id] ?? (containerSub ? 'containers' : undefined);
}

/** Dotted path from the object root to its pod spec, by kind (as pod-security-admission extracts it). */
export function podSpecPrefix(kind: string): string {
  switch (kind) {
    case 'Pod':
      return 'spec';
    case 'PodTemplate':
      return 'template.spec';
    case 'CronJob':
      return 'spec.jobTemplate.spec.template.spec';
    default:
      return 'spec.template.spec';
  }
}

/** Splits a dotted path with `[i]` indexes into a field path (`a.b[0].c` → ['a','b',0,'c']). */
export function parseFieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
