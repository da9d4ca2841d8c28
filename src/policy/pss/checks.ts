/**
 * The Pod Security Standards checks of k8s.io/pod-security-admission (policy/check_*.go), ported as pure
 * functions over plain pod spec / pod metadata objects (decoded JSON or YAML, as the API server sees them).
 *
 * Every check keeps upstream's check ID, level, versioned variants (`MinimumVersion`), `OverrideCheckIDs`
 * and the exact ForbiddenReason / ForbiddenDetail wording, so results and admission messages match what a
 * cluster running pod-security-admission reports. Field errors (`withOptions`/`withFieldErrors`) are not
 * produced: they never appear in admission messages.
 */

export type PssLevel = 'privileged' | 'baseline' | 'restricted';

/** Upstream check IDs. */
export type PssCheckId =
  | 'allowPrivilegeEscalation'
  | 'appArmorProfile'
  | 'capabilities_baseline'
  | 'capabilities_restricted'
  | 'hostNamespaces'
  | 'hostPathVolumes'
  | 'hostPorts'
  | 'hostProbesAndHostLifecycle'
  | 'privileged'
  | 'procMount'
  | 'procMount_restricted'
  | 'restrictedVolumes'
  | 'runAsNonRoot'
  | 'runAsUser'
  | 'seLinuxOptions'
  | 'seccompProfile_baseline'
  | 'seccompProfile_restricted'
  | 'sysctls'
  | 'windowsHostProcess';

/** Upstream `policy.CheckResult`. */
export interface CheckOutcome {
  allowed: boolean;
  forbiddenReason: string;
  forbiddenDetail: string;
}

type Obj = Record<string, unknown>;
export type CheckPodFn = (podMeta: Obj, podSpec: Obj) => CheckOutcome;

export interface VersionedCheck {
  /** Minor of the policy version (major is always 1) from which this variant applies. */
  minimumVersion: number;
  /** Name of the upstream Go function, for traceability and tests. */
  fnName: string;
  checkPod: CheckPodFn;
  /** Baseline checks this restricted variant replaces (upstream `OverrideCheckIDs`). */
  overrideCheckIDs?: readonly PssCheckId[];
}

export interface CheckDef {
  id: PssCheckId;
  level: 'baseline' | 'restricted';
  versions: readonly VersionedCheck[];
}

// ---------------------------------------------------------------------------------------------------------
// Helpers (policy/helpers.go, policy/visitor.go)

const ALLOWED: CheckOutcome = Object.freeze({ allowed: true, forbiddenReason: '', forbiddenDetail: '' });

function forbidden(reason: string, detail: string): CheckOutcome {
  return { allowed: false, forbiddenReason: reason, forbiddenDetail: detail };
}

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A Go string field: absent or null is "". */
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined || v === null ? '' : String(v);
}

/** `"a", "b"` */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** sets.NewString(...).List(): unique, sorted bytewise. */
function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(byteOrder);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's %q for the strings met here (JSON escaping matches it for printable text). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

interface Container {
  name: string;
  c: Obj;
  sc: Obj | undefined;
}

/** visitContainers: init containers, then containers, then ephemeral containers. */
function containers(spec: Obj): Container[] {
  const out: Container[] = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const item of list(spec[key])) {
      const c = obj(item);
      if (!c) continue;
      out.push({ name: str(c.name), c, sc: obj(c.securityContext) });
    }
  }
  return out;
}

function podSC(spec: Obj): Obj | undefined {
  return obj(spec.securityContext);
}

/** relaxPolicyForUserNamespacePod (unconditional since policy v1.35). */
function inUserNamespace(spec: Obj): boolean {
  return spec.hostUsers === false;
}

function isWindows(spec: Obj): boolean {
  return obj(spec.os)?.name === 'windows';
}

/** `pod and containers "a", "b"` style setter list. */
function containerSetter(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Baseline

/** check_privileged.go */
function privileged_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const bad = containers(spec)
    .filter((c) => c.sc?.privileged === true)
    .map((c) => c.name);
  if (bad.length === 0) return ALLOWED;
  return forbidden('privileged', `${containerSetter(bad)} must not set securityContext.privileged=true`);
}

/** check_hostNamespaces.go */
function hostNamespaces_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const set: string[] = [];
  if (spec.hostNetwork === true) set.push('hostNetwork=true');
  if (spec.hostPID === true) set.push('hostPID=true');
  if (spec.hostIPC === true) set.push('hostIPC=true');
  if (set.length === 0) return ALLOWED;
  return forbidden('host namespaces', set.join(', '));
}

/** capabilities_allowed_1_0 */
export const BASELINE_ALLOWED_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** check_capabilities_baseline.go */
function capabilitiesBaseline_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const bad: string[] = [];
  const caps: string[] = [];
  for (const c of containers(spec)) {
    const capabilities = obj(c.sc?.capabilities);
    if (!capabilities) continue;
    let valid = true;
    for (const cap of list(capabilities.add)) {
      const s = str(cap);
      if (!BASELINE_ALLOWED_CAPABILITIES.has(s)) {
        valid = false;
        caps.push(s);
      }
    }
    if (!valid) bad.push(c.name);
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'non-default capabilities',
    `${containerSetter(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`,
  );
}

/** check_hostPathVolumes.go */
function hostPathVolumes_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const bad: string[] = [];
  for (const item of list(spec.volumes)) {
    const v = obj(item);
    if (v && v.hostPath !== undefined && v.hostPath !== null) bad.push(str(v.name));
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden('hostPath volumes', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`);
}

/** check_hostPorts.go */
function hostPorts_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of containers(spec)) {
    let valid = true;
    for (const item of list(c.c.ports)) {
      const hostPort = obj(item)?.hostPort;
      if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
        valid = false;
        ports.push(String(hostPort));
      }
    }
    if (!valid) bad.push(c.name);
  }
  if (bad.length === 0) return ALLOWED;
  const uniquePorts = sortedSet(ports);
  return forbidden(
    'hostPort',
    `${containerSetter(bad)} ${pluralize('uses', 'use', bad.length)} ` +
      `${pluralize('hostPort', 'hostPorts', uniquePorts.length)} ${uniquePorts.join(', ')}`,
  );
}

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAppArmorAnnotation(v: string): boolean {
  return v.length === 0 || v === 'runtime/default' || v.startsWith('localhost/');
}

function allowedAppArmorType(profile: Obj): boolean {
  return profile.type === 'RuntimeDefault' || profile.type === 'Localhost';
}

/** check_appArmorProfile.go: the appArmorProfile fields and the deprecated beta annotations. */
function appArmorProfile_1_0(meta: Obj, spec: Obj): CheckOutcome {
  const setters: string[] = [];
  const badValues: string[] = [];
  const podProfile = obj(podSC(spec)?.appArmorProfile);
  if (podProfile && !allowedAppArmorType(podProfile)) {
    setters.push('pod');
    badValues.push(str(podProfile.type));
  }
  const bad: string[] = [];
  for (const c of containers(spec)) {
    const profile = obj(c.sc?.appArmorProfile);
    if (profile && !allowedAppArmorType(profile)) {
      bad.push(c.name);
      badValues.push(str(profile.type));
    }
  }
  if (bad.length > 0) setters.push(containerSetter(bad));

  const annotations: string[] = [];
  for (const [k, v] of Object.entries(obj(meta.annotations) ?? {})) {
    const value = str(v);
    if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !allowedAppArmorAnnotation(value)) {
      annotations.push(`${k}=${goQuote(value)}`);
    }
  }
  const values = sortedSet(badValues);
  if (annotations.length > 0) {
    annotations.sort(byteOrder);
    values.push(...annotations);
    setters.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (setters.length === 0) return ALLOWED;
  return forbidden(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
    `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
  );
}

const SELINUX_TYPES_1_0: ReadonlySet<string> = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
]);
const SELINUX_TYPES_1_31: ReadonlySet<string> = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

/** check_seLinuxOptions.go (seLinuxOptions1_0 / seLinuxOptions1_31 differ only in the allowed types). */
function seLinuxOptions(allowedTypes: ReadonlySet<string>): CheckPodFn {
  return (_meta, spec) => {
    const setters: string[] = [];
    const badTypes: string[] = [];
    let setUser = false;
    let setRole = false;
    const valid = (opts: Obj): boolean => {
      let ok = true;
      const type = str(opts.type);
      if (!allowedTypes.has(type)) {
        ok = false;
        badTypes.push(type);
      }
      if (str(opts.user).length > 0) {
        ok = false;
        setUser = true;
      }
      if (str(opts.role).length > 0) {
        ok = false;
        setRole = true;
      }
      return ok;
    };
    const podOpts = obj(podSC(spec)?.seLinuxOptions);
    if (podOpts && !valid(podOpts)) setters.push('pod');
    const bad: string[] = [];
    for (const c of containers(spec)) {
      const opts = obj(c.sc?.seLinuxOptions);
      if (opts && !valid(opts)) bad.push(c.name);
    }
    if (bad.length > 0) setters.push(containerSetter(bad));
    if (setters.length === 0) return ALLOWED;
    const data: string[] = [];
    const types = sortedSet(badTypes);
    if (types.length > 0) data.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
    return forbidden(
      'seLinuxOptions',
      `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
    );
  };
}

/** check_procMount_baseline.go procMount_1_0 (also the restricted check from v1.35). */
function procMount_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of containers(spec)) {
    const pm = c.sc?.procMount;
    if (pm === undefined || pm === null) continue;
    if (pm !== 'Default') {
      bad.push(c.name);
      types.push(str(pm));
    }
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'procMount',
    `${containerSetter(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
  );
}

/** check_procMount_baseline.go procMount1_35baseline: any value is allowed in a user namespace. */
function procMount1_35baseline(meta: Obj, spec: Obj): CheckOutcome {
  return inUserNamespace(spec) ? ALLOWED : procMount_1_0(meta, spec);
}

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validSeccompAnnotation(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

function validSeccompType(t: unknown): boolean {
  return t === 'Localhost' || t === 'RuntimeDefault';
}

/** check_seccompProfile_baseline.go seccompProfileBaseline_1_0: the alpha annotations. */
function seccompProfileBaseline_1_0(meta: Obj, spec: Obj): CheckOutcome {
  const annotations = obj(meta.annotations) ?? {};
  const bad: string[] = [];
  const check = (key: string): void => {
    if (!Object.prototype.hasOwnProperty.call(annotations, key)) return;
    const v = str(annotations[key]);
    if (!validSeccompAnnotation(v)) bad.push(`${key}=${goQuote(v)}`);
  };
  check(SECCOMP_POD_ANNOTATION);
  for (const c of containers(spec)) check(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name);
  if (bad.length === 0) return ALLOWED;
  const values = sortedSet(bad);
  return forbidden(
    'seccompProfile',
    `forbidden ${pluralize('annotation', 'annotations', values.length)} ${values.join(', ')}`,
  );
}

/** check_seccompProfile_baseline.go seccompProfileBaseline_1_19: the seccompProfile fields. */
function seccompProfileBaseline_1_19(_meta: Obj, spec: Obj): CheckOutcome {
  const setters: string[] = [];
  const badValues: string[] = [];
  const podProfile = obj(podSC(spec)?.seccompProfile);
  if (podProfile && !validSeccompType(podProfile.type)) {
    setters.push('pod');
    badValues.push(str(podProfile.type));
  }
  const bad: string[] = [];
  for (const c of containers(spec)) {
    const profile = obj(c.sc?.seccompProfile);
    if (profile && !validSeccompType(profile.type)) {
      bad.push(c.name);
      badValues.push(str(profile.type));
    }
  }
  if (bad.length > 0) setters.push(containerSetter(bad));
  if (setters.length === 0) return ALLOWED;
  return forbidden(
    'seccompProfile',
    `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
  );
}

/** Safe sysctls by the policy version that added them (check_sysctls.go). */
export const SYSCTLS_ADDED: ReadonlyArray<{ minimumVersion: number; names: readonly string[] }> = [
  {
    minimumVersion: 0,
    names: [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  },
  { minimumVersion: 27, names: ['net.ipv4.ip_local_reserved_ports'] },
  {
    minimumVersion: 29,
    names: [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ],
  },
  { minimumVersion: 32, names: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
  { minimumVersion: 37, names: ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'] },
];

/** Safe sysctls at a policy minor version (the posture checks use the newest set). */
export function sysctlsAllowedAt(minor: number): ReadonlySet<string> {
  return new Set(SYSCTLS_ADDED.filter((g) => g.minimumVersion <= minor).flatMap((g) => g.names));
}

function sysctlsCheck(minor: number): CheckPodFn {
  const allowed = sysctlsAllowedAt(minor);
  return (_meta, spec) => {
    const bad: string[] = [];
    for (const item of list(podSC(spec)?.sysctls)) {
      const name = str(obj(item)?.name);
      if (!allowed.has(name)) bad.push(name);
    }
    if (bad.length === 0) return ALLOWED;
    return forbidden('forbidden sysctls', bad.join(', '));
  };
}

function hostProcess(sc: Obj | undefined): boolean {
  return obj(sc?.windowsOptions)?.hostProcess === true;
}

/** check_windowsHostProcess.go */
function windowsHostProcess_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const bad = containers(spec)
    .filter((c) => hostProcess(c.sc))
    .map((c) => c.name);
  const setters: string[] = [];
  if (hostProcess(podSC(spec))) setters.push('pod');
  if (bad.length > 0) setters.push(containerSetter(bad));
  if (setters.length === 0) return ALLOWED;
  return forbidden(
    'hostProcess',
    `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
  );
}

function handlerHosts(handler: unknown, out: string[]): boolean {
  const h = obj(handler);
  if (!h) return false;
  let found = false;
  for (const action of ['httpGet', 'tcpSocket']) {
    const host = str(obj(h[action])?.host);
    if (host !== '') {
      out.push(host);
      found = true;
    }
  }
  return found;
}

/** check_hostProbesAndhostLifecycle.go hostProbesAndHostLifecycleV1Dot34 */
function hostProbesAndHostLifecycle_1_34(_meta: Obj, spec: Obj): CheckOutcome {
  const bad: string[] = [];
  const hosts: string[] = [];
  for (const c of containers(spec)) {
    const lifecycle = obj(c.c.lifecycle);
    let found = false;
    for (const h of [
      c.c.livenessProbe,
      c.c.readinessProbe,
      c.c.startupProbe,
      lifecycle?.postStart,
      lifecycle?.preStop,
    ]) {
      if (handlerHosts(h, hosts)) found = true;
    }
    if (found) bad.push(c.name);
  }
  if (bad.length === 0) return ALLOWED;
  const names = sortedSet(bad);
  const uniqueHosts = sortedSet(hosts);
  return forbidden(
    'probe or lifecycle host',
    `${containerSetter(names)} ${pluralize('uses', 'use', names.length)} ` +
      `${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', uniqueHosts.length)} ${joinQuote(uniqueHosts)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Restricted

/** Volume sources restricted allows (check_restrictedVolumes.go; `image` was added in place to the 1.0 function). */
const ALLOWED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
] as const;

/** Restricted in-tree sources, in upstream's switch order; anything else is "unknown". */
const RESTRICTED_VOLUME_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;

function present(v: Obj, key: string): boolean {
  return v[key] !== undefined && v[key] !== null;
}

/** check_restrictedVolumes.go restrictedVolumes_1_0 */
function restrictedVolumes_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const bad: string[] = [];
  const types: string[] = [];
  for (const item of list(spec.volumes)) {
    const v = obj(item) ?? {};
    if (ALLOWED_VOLUME_SOURCES.some((k) => present(v, k))) continue;
    bad.push(str(v.name));
    types.push(RESTRICTED_VOLUME_SOURCES.find((k) => present(v, k)) ?? 'unknown');
  }
  if (bad.length === 0) return ALLOWED;
  const uniqueTypes = sortedSet(types);
  return forbidden(
    'restricted volume types',
    `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ` +
      `${pluralize('restricted volume type', 'restricted volume types', uniqueTypes.length)} ${joinQuote(uniqueTypes)}`,
  );
}

/** check_allowPrivilegeEscalation.go allowPrivilegeEscalation_1_8 */
function allowPrivilegeEscalation_1_8(_meta: Obj, spec: Obj): CheckOutcome {
  const bad = containers(spec)
    .filter((c) => c.sc?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'allowPrivilegeEscalation != false',
    `${containerSetter(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  );
}

/** Wraps a Linux-only check: Windows pods (spec.os.name=windows) are allowed from policy v1.25. */
function exemptWindows(fn: CheckPodFn): CheckPodFn {
  return (meta, spec) => (isWindows(spec) ? ALLOWED : fn(meta, spec));
}

/** Wraps a check that is skipped for user-namespace pods (hostUsers: false) from policy v1.35. */
function exemptUserNamespace(fn: CheckPodFn): CheckPodFn {
  return (meta, spec) => (inUserNamespace(spec) ? ALLOWED : fn(meta, spec));
}

/** check_runAsNonRoot.go runAsNonRoot_1_0 */
function runAsNonRoot_1_0(_meta: Obj, spec: Obj): CheckOutcome {
  const setters: string[] = [];
  let podRunAsNonRoot = false;
  const podValue = podSC(spec)?.runAsNonRoot;
  if (podValue !== undefined && podValue !== null) {
    if (podValue !== true) setters.push('pod');
    else podRunAsNonRoot = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const v = c.sc?.runAsNonRoot;
    if (v !== undefined && v !== null) {
      if (v !== true) explicit.push(c.name);
    } else if (!podRunAsNonRoot) {
      implicit.push(c.name);
    }
  }
  if (explicit.length > 0) setters.push(containerSetter(explicit));
  if (setters.length > 0) {
    return forbidden(
      'runAsNonRoot != true',
      `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    );
  }
  if (implicit.length > 0) {
    return forbidden(
      'runAsNonRoot != true',
      `pod or ${containerSetter(implicit)} must set securityContext.runAsNonRoot=true`,
    );
  }
  return ALLOWED;
}

/** check_runAsUser.go runAsUser_1_23 */
function runAsUser_1_23(_meta: Obj, spec: Obj): CheckOutcome {
  const setters: string[] = [];
  if (podSC(spec)?.runAsUser === 0) setters.push('pod');
  const bad = containers(spec)
    .filter((c) => c.sc?.runAsUser === 0)
    .map((c) => c.name);
  if (bad.length > 0) setters.push(containerSetter(bad));
  if (setters.length === 0) return ALLOWED;
  return forbidden('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`);
}

/** check_seccompProfile_restricted.go seccompProfileRestricted_1_19 */
function seccompProfileRestricted_1_19(_meta: Obj, spec: Obj): CheckOutcome {
  const setters: string[] = [];
  const badValues: string[] = [];
  let podSet = false;
  const podProfile = obj(podSC(spec)?.seccompProfile);
  if (podProfile) {
    if (!validSeccompType(podProfile.type)) {
      setters.push('pod');
      badValues.push(str(podProfile.type));
    } else {
      podSet = true;
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const profile = obj(c.sc?.seccompProfile);
    if (profile) {
      if (!validSeccompType(profile.type)) {
        explicit.push(c.name);
        badValues.push(str(profile.type));
      }
    } else if (!podSet) {
      implicit.push(c.name);
    }
  }
  if (explicit.length > 0) setters.push(containerSetter(explicit));
  if (setters.length > 0) {
    return forbidden(
      'seccompProfile',
      `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
    );
  }
  if (implicit.length > 0) {
    return forbidden(
      'seccompProfile',
      `pod or ${containerSetter(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    );
  }
  return ALLOWED;
}

/** check_capabilities_restricted.go capabilitiesRestricted_1_22 */
function capabilitiesRestricted_1_22(_meta: Obj, spec: Obj): CheckOutcome {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps: string[] = [];
  for (const c of containers(spec)) {
    const caps = obj(c.sc?.capabilities);
    if (!caps) {
      missingDropAll.push(c.name);
      continue;
    }
    if (!list(caps.drop).some((d) => d === 'ALL')) missingDropAll.push(c.name);
    let added = false;
    for (const cap of list(caps.add)) {
      const s = str(cap);
      if (s !== 'NET_BIND_SERVICE') {
        added = true;
        forbiddenCaps.push(s);
      }
    }
    if (added) addingForbidden.push(c.name);
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(`${containerSetter(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden.length > 0) {
    details.push(
      `${containerSetter(addingForbidden)} must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return ALLOWED;
  return forbidden('unrestricted capabilities', details.join('; '));
}

// ---------------------------------------------------------------------------------------------------------
// Registry (policy/check_*.go init(): addCheck; policy/registry.go)

const sysctlVersions: VersionedCheck[] = SYSCTLS_ADDED.map((g) => ({
  minimumVersion: g.minimumVersion,
  fnName: g.minimumVersion === 0 ? 'sysctlsV1Dot0' : `sysctlsV1Dot${g.minimumVersion}`,
  checkPod: sysctlsCheck(g.minimumVersion),
}));

export const CHECKS: readonly CheckDef[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { minimumVersion: 8, fnName: 'allowPrivilegeEscalationV1Dot8', checkPod: allowPrivilegeEscalation_1_8 },
      {
        minimumVersion: 25,
        fnName: 'allowPrivilegeEscalationV1Dot25',
        checkPod: exemptWindows(allowPrivilegeEscalation_1_8),
      },
    ],
  },
  {
    id: 'appArmorProfile',
    level: 'baseline',
    versions: [{ minimumVersion: 0, fnName: 'appArmorProfileV1Dot0', checkPod: appArmorProfile_1_0 }],
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    versions: [
      { minimumVersion: 0, fnName: 'capabilitiesBaselineV1Dot0', checkPod: capabilitiesBaseline_1_0 },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      {
        minimumVersion: 22,
        fnName: 'capabilitiesRestrictedV1Dot22',
        checkPod: capabilitiesRestricted_1_22,
        overrideCheckIDs: ['capabilities_baseline'],
      },
      {
        minimumVersion: 25,
        fnName: 'capabilitiesRestrictedV1Dot25',
        checkPod: exemptWindows(capabilitiesRestricted_1_22),
        overrideCheckIDs: ['capabilities_baseline'],
      },
    ],
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    versions: [{ minimumVersion: 0, fnName: 'hostNamespacesV1Dot0', checkPod: hostNamespaces_1_0 }],
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    versions: [{ minimumVersion: 0, fnName: 'hostPathVolumesV1Dot0', checkPod: hostPathVolumes_1_0 }],
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    versions: [{ minimumVersion: 0, fnName: 'hostPortsV1Dot0', checkPod: hostPorts_1_0 }],
  },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    versions: [
      {
        minimumVersion: 34,
        fnName: 'hostProbesAndHostLifecycleV1Dot34',
        checkPod: hostProbesAndHostLifecycle_1_34,
      },
    ],
  },
  {
    id: 'privileged',
    level: 'baseline',
    versions: [{ minimumVersion: 0, fnName: 'privilegedV1Dot0', checkPod: privileged_1_0 }],
  },
  {
    id: 'procMount',
    level: 'baseline',
    versions: [
      { minimumVersion: 0, fnName: 'procMount_1_0', checkPod: procMount_1_0 },
      { minimumVersion: 35, fnName: 'procMount1_35baseline', checkPod: procMount1_35baseline },
    ],
  },
  {
    id: 'procMount_restricted',
    level: 'restricted',
    versions: [
      {
        minimumVersion: 35,
        fnName: 'procMount_1_0',
        checkPod: procMount_1_0,
        overrideCheckIDs: ['procMount'],
      },
    ],
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    versions: [
      {
        minimumVersion: 0,
        fnName: 'restrictedVolumesV1Dot0',
        checkPod: restrictedVolumes_1_0,
        overrideCheckIDs: ['hostPathVolumes'],
      },
    ],
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    versions: [
      { minimumVersion: 0, fnName: 'runAsNonRoot_1_0', checkPod: runAsNonRoot_1_0 },
      { minimumVersion: 35, fnName: 'runAsNonRoot_1_35', checkPod: exemptUserNamespace(runAsNonRoot_1_0) },
    ],
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    versions: [
      { minimumVersion: 23, fnName: 'runAsUser_1_23', checkPod: runAsUser_1_23 },
      { minimumVersion: 35, fnName: 'runAsUser_1_35', checkPod: exemptUserNamespace(runAsUser_1_23) },
    ],
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { minimumVersion: 0, fnName: 'seLinuxOptions1_0', checkPod: seLinuxOptions(SELINUX_TYPES_1_0) },
      { minimumVersion: 31, fnName: 'seLinuxOptions1_31', checkPod: seLinuxOptions(SELINUX_TYPES_1_31) },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [
      { minimumVersion: 0, fnName: 'seccompProfileBaseline_1_0', checkPod: seccompProfileBaseline_1_0 },
      { minimumVersion: 19, fnName: 'seccompProfileBaseline_1_19', checkPod: seccompProfileBaseline_1_19 },
    ],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      {
        minimumVersion: 19,
        fnName: 'seccompProfileRestrictedV1Dot19',
        checkPod: seccompProfileRestricted_1_19,
        overrideCheckIDs: ['seccompProfile_baseline'],
      },
      {
        minimumVersion: 25,
        fnName: 'seccompProfileRestrictedV1Dot25',
        checkPod: exemptWindows(seccompProfileRestricted_1_19),
        overrideCheckIDs: ['seccompProfile_baseline'],
      },
    ],
  },
  { id: 'sysctls', level: 'baseline', versions: sysctlVersions },
  {
    id: 'windowsHostProcess',
    level: 'baseline',
    versions: [{ minimumVersion: 0, fnName: 'windowsHostProcessV1Dot0', checkPod: windowsHostProcess_1_0 }],
  },
];

/** Upstream registry maxVersion: the highest MinimumVersion of any check; `latest` resolves to it. */
export const MAX_POLICY_MINOR: number = Math.max(
  ...CHECKS.flatMap((c) => c.versions.map((v) => v.minimumVersion)),
);

/** The variant of a check in force at a policy minor version, or undefined before its first version. */
export function variantAt(check: CheckDef, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const v of check.versions) if (v.minimumVersion <= minor) found = v;
  return found;
}

export interface ActiveCheck {
  id: PssCheckId;
  level: 'baseline' | 'restricted';
  variant: VersionedCheck;
}

const SORTED_CHECKS = [...CHECKS].sort((a, b) => byteOrder(a.id, b.id));

const cache = new Map<string, readonly ActiveCheck[]>();

/**
 * The checks evaluated for a level at a policy minor version, in upstream order (registry.go populate:
 * "Sort the IDs to maintain consistent error messages"): baseline checks sorted by ID, minus those
 * overridden by a restricted check in force at that version, then restricted checks sorted by ID.
 */
export function activeChecks(level: 'baseline' | 'restricted', minor: number): readonly ActiveCheck[] {
  const m = Math.min(minor, MAX_POLICY_MINOR);
  const key = `${level}:${m}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const baseline: ActiveCheck[] = [];
  const restricted: ActiveCheck[] = [];
  for (const check of SORTED_CHECKS) {
    const variant = variantAt(check, m);
    if (!variant) continue;
    (check.level === 'baseline' ? baseline : restricted).push({ id: check.id, level: check.level, variant });
  }
  let out: ActiveCheck[];
  if (level === 'baseline') {
    out = baseline;
  } else {
    const overridden = new Set(restricted.flatMap((c) => c.variant.overrideCheckIDs ?? []));
    out = [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
  }
  const frozen = Object.freeze(out);
  cache.set(key, frozen);
  return frozen;
}
