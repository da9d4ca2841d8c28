import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indent, runCheck, pod } from './testkit.js';
import type { Check } from '../check.js';
import {
  hardeningChecks,
  lowGid,
  lowUid,
  netRawNotDropped,
  podSecurityChecks,
  privileged,
  readOnlyRootFilesystem,
} from './pod-security.js';
import {
  appArmor,
  capabilitiesBaseline,
  hostIPC,
  hostNetwork,
  hostPathVolumes,
  hostPID,
  hostPorts,
  probeHost,
  procMountBaseline,
  seccompBaseline,
  seLinux,
  sysctls,
  windowsHostProcess,
} from './pod-security-baseline.js';
import {
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsRootUser,
  seccompRestricted,
} from './pod-security-restricted.js';

// pod() puts `spec:` on line 6, so the first spec line is line 7.

/** Finding lines of `check` over `yaml`. */
function lines(check: Check, yaml: string): number[] {
  return runCheck(check, yaml).map((f) => f.location.line);
}

function messages(check: Check, yaml: string): string[] {
  return runCheck(check, yaml).map((f) => f.message);
}

/** A Deployment whose pod template spec is `specYaml`; the spec's first line is line 13. */
function deployment(specYaml: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  namespace: app
spec:
  selector:
    matchLabels: { app: d }
  template:
    metadata:
      labels: { app: d }
    spec:
${indent(specYaml, 6)}
`;
}

/** A CronJob whose pod template spec is `specYaml`; the spec's first line is line 12. */
function cronJob(specYaml: string): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
  namespace: app
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
${indent(specYaml, 10)}
`;
}

const APP = 'containers:\n  - name: app\n    image: nginx:1.27';

// ---------------------------------------------------------------------------------------------------------
// Catalogue shape

test('pod-security checks are KW-POD-001..025 in order, each mapped to PSS or CIS', () => {
  assert.deepEqual(
    podSecurityChecks.map((c) => c.id),
    Array.from({ length: 25 }, (_, i) => `KW-POD-${String(i + 1).padStart(3, '0')}`),
  );
  for (const c of podSecurityChecks) {
    assert.equal(c.scope, 'pod');
    assert.ok(
      c.frameworks.some((f) => f.framework === 'pss' || f.framework === 'cis-k8s'),
      `${c.id} maps to PSS or CIS`,
    );
    assert.ok(
      c.frameworks.some((f) => f.framework === 'nsa-cisa'),
      `${c.id} maps to the NSA/CISA guide`,
    );
  }
  for (const c of hardeningChecks) assert.ok(!c.frameworks.some((f) => f.framework === 'pss'), c.id);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-001 privileged

test('KW-POD-001 flags a privileged container at the privileged line', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx@sha256:${'a'.repeat(64)}
    securityContext:
      privileged: true`);
  const f = runCheck(privileged, yaml);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.checkId, 'KW-POD-001');
  assert.equal(f[0]?.location.line, 11);
  assert.match(f[0]?.message ?? '', /"app"/);
});

test('KW-POD-001 passes an unprivileged container', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    securityContext:
      privileged: false`);
  assert.deepEqual(runCheck(privileged, yaml), []);
});

test('KW-POD-001 covers ephemeral containers and names their kind', () => {
  const yaml = pod(`
${APP}
ephemeralContainers:
  - name: debug
    image: busybox
    securityContext: { privileged: true }`);
  assert.deepEqual(lines(privileged, yaml), [13]);
  assert.match(messages(privileged, yaml)[0] ?? '', /ephemeral container "debug"/);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-002..004 host namespaces

test('KW-POD-002/003/004 flag hostNetwork, hostPID and hostIPC set to true', () => {
  const yaml = pod(`
hostNetwork: true
hostPID: true
hostIPC: true
${APP}`);
  assert.deepEqual(lines(hostNetwork, yaml), [7]);
  assert.deepEqual(lines(hostPID, yaml), [8]);
  assert.deepEqual(lines(hostIPC, yaml), [9]);
  assert.deepEqual(messages(hostPID, yaml), ['pod sets hostPID: true']);
});

test('KW-POD-002/003/004 pass false and unset host namespaces', () => {
  const yaml = pod(`
hostNetwork: false
hostPID: false
${APP}`);
  for (const c of [hostNetwork, hostPID, hostIPC]) assert.deepEqual(runCheck(c, yaml), [], c.id);
});

test('KW-POD-002 checks Deployment templates', () => {
  assert.deepEqual(lines(hostNetwork, deployment(`hostNetwork: true\n${APP}`)), [13]);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-005 baseline capabilities

test('KW-POD-005 flags capabilities outside the baseline set, one finding per container', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    securityContext:
      capabilities:
        add:
          - CHOWN
          - SYS_ADMIN
          - NET_RAW
initContainers:
  - name: init
    image: busybox
    securityContext:
      capabilities: { add: [NET_ADMIN] }`);
  assert.deepEqual(lines(capabilitiesBaseline, yaml), [14, 20]);
  assert.deepEqual(messages(capabilitiesBaseline, yaml), [
    'container "app" adds "SYS_ADMIN", "NET_RAW"',
    'init container "init" adds "NET_ADMIN"',
  ]);
});

test('KW-POD-005 passes every capability of the baseline set', () => {
  const caps = [
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
  ];
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    securityContext:
      capabilities: { add: [${caps.join(', ')}] }`);
  assert.deepEqual(runCheck(capabilitiesBaseline, yaml), []);
});

test('KW-POD-005 compares names exactly, as upstream does (lower case and CAP_ prefixes are not allowed)', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    securityContext:
      capabilities: { add: [chown, CAP_CHOWN] }`);
  assert.equal(runCheck(capabilitiesBaseline, yaml).length, 1);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-006 hostPath, KW-POD-007 host ports

test('KW-POD-006 flags each hostPath volume at its hostPath key', () => {
  const yaml = pod(`
${APP}
volumes:
  - name: logs
    hostPath:
      path: /var/log
  - name: tmp
    emptyDir: {}
  - name: data
    hostPath: { path: /data }`);
  assert.deepEqual(lines(hostPathVolumes, yaml), [12, 17]);
  assert.match(messages(hostPathVolumes, yaml)[0] ?? '', /"logs" is a hostPath \(\/var\/log\)/);
});

test('KW-POD-006 passes pods without hostPath volumes', () => {
  assert.deepEqual(runCheck(hostPathVolumes, pod(`${APP}\nvolumes:\n  - name: tmp\n    emptyDir: {}`)), []);
});

test('KW-POD-007 flags non-zero host ports in any container and ignores 0', () => {
  const yaml = pod(`
initContainers:
  - name: init
    image: busybox
    ports:
      - containerPort: 53
        hostPort: 53
containers:
  - name: app
    image: nginx
    ports:
      - containerPort: 80
        hostPort: 0
      - containerPort: 443
        hostPort: 8443`);
  assert.deepEqual(lines(hostPorts, yaml), [12, 20]);
  assert.deepEqual(messages(hostPorts, yaml), [
    'init container "init" uses hostPort 53',
    'container "app" uses hostPort 8443',
  ]);
});

test('KW-POD-007 passes container ports without hostPort', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    ports: [{ containerPort: 80 }]`);
  assert.deepEqual(runCheck(hostPorts, yaml), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-008 AppArmor

test('KW-POD-008 flags Unconfined in the pod field, container field and annotation', () => {
  const yaml = pod(
    `
securityContext:
  appArmorProfile:
    type: Unconfined
containers:
  - name: app
    image: nginx
    securityContext:
      appArmorProfile: { type: Unconfined }
  - name: side
    image: nginx`,
    `name: p
  namespace: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/side: unconfined`,
  );
  assert.deepEqual(lines(appArmor, yaml), [7, 11, 16]);
  const msgs = messages(appArmor, yaml);
  assert.match(msgs.find((m) => m.startsWith('annotation')) ?? '', /side is "unconfined"/);
  assert.match(msgs.find((m) => m.startsWith('pod')) ?? '', /inherited by "side"/);
});

test('KW-POD-008 passes RuntimeDefault, Localhost, runtime/default, localhost/* and empty annotations', () => {
  const yaml = pod(
    `
securityContext:
  appArmorProfile: { type: RuntimeDefault }
containers:
  - name: app
    image: nginx
    securityContext:
      appArmorProfile: { type: Localhost, localhostProfile: k8s-app }`,
    `name: p
  namespace: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: localhost/k8s-app
    container.apparmor.security.beta.kubernetes.io/x: runtime/default
    container.apparmor.security.beta.kubernetes.io/y: ""
    other.example.com/profile: unconfined`,
  );
  assert.deepEqual(runCheck(appArmor, yaml), []);
});

test('KW-POD-008 reads annotations from the Deployment pod template, not the Deployment', () => {
  const yaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      containers:
        - name: app
          image: nginx
`;
  assert.deepEqual(lines(appArmor, yaml), [11]);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-009 SELinux

test('KW-POD-009 flags forbidden types and any user or role', () => {
  const yaml = pod(`
securityContext:
  seLinuxOptions:
    type: spc_t
containers:
  - name: app
    image: nginx
    securityContext:
      seLinuxOptions:
        level: s0:c1,c2
        role: sysadm_r`);
  assert.deepEqual(lines(seLinux, yaml), [9, 16]);
  assert.deepEqual(messages(seLinux, yaml), [
    'pod sets seLinuxOptions type spc_t',
    'container "app" sets seLinuxOptions role sysadm_r',
  ]);
});

test('KW-POD-009 passes the allowed types, including container_engine_t (v1.31), and a level', () => {
  for (const type of ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t', '""']) {
    const yaml = pod(`
securityContext:
  seLinuxOptions: { type: ${type}, level: "s0:c1,c2" }
${APP}`);
    assert.deepEqual(runCheck(seLinux, yaml), [], type);
  }
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-010 / KW-POD-021 procMount

const UNMASKED = `
containers:
  - name: app
    image: nginx
    securityContext:
      procMount: Unmasked
  - name: ok
    image: nginx
    securityContext:
      procMount: Default`;

test('KW-POD-010 flags procMount other than Default', () => {
  assert.deepEqual(lines(procMountBaseline, pod(UNMASKED)), [11]);
  assert.deepEqual(runCheck(procMountRestricted, pod(UNMASKED)), []);
});

test('KW-POD-010 relaxes user-namespace pods (v1.35); KW-POD-021 still flags them', () => {
  const yaml = pod(`hostUsers: false\n${UNMASKED}`);
  assert.deepEqual(runCheck(procMountBaseline, yaml), []);
  assert.deepEqual(lines(procMountRestricted, yaml), [13]);
  assert.deepEqual(messages(procMountRestricted, yaml), ['container "app" sets procMount: Unmasked']);
});

test('KW-POD-021 passes user-namespace pods with the default /proc', () => {
  assert.deepEqual(runCheck(procMountRestricted, pod(`hostUsers: false\n${APP}`)), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-011 / KW-POD-019 seccomp

test('KW-POD-011 flags Unconfined at pod level once, naming the containers that inherit it', () => {
  const yaml = pod(`
securityContext:
  seccompProfile:
    type: Unconfined
containers:
  - name: a
    image: nginx
  - name: b
    image: nginx
    securityContext:
      seccompProfile: { type: RuntimeDefault }
  - name: c
    image: nginx
    securityContext:
      seccompProfile: { type: Unconfined }`);
  assert.deepEqual(lines(seccompBaseline, yaml), [9, 20]);
  assert.deepEqual(messages(seccompBaseline, yaml), [
    'pod sets seccompProfile.type: Unconfined (inherited by "a")',
    'container "c" sets seccompProfile.type: Unconfined',
  ]);
  // The missing-profile control does not report what baseline already reports.
  assert.deepEqual(runCheck(seccompRestricted, yaml), []);
});

test('KW-POD-011 passes RuntimeDefault, Localhost and unset profiles', () => {
  const yaml = pod(`
securityContext:
  seccompProfile: { type: RuntimeDefault }
containers:
  - name: a
    image: nginx
    securityContext:
      seccompProfile: { type: Localhost, localhostProfile: p.json }
  - name: b
    image: nginx`);
  assert.deepEqual(runCheck(seccompBaseline, yaml), []);
  assert.deepEqual(runCheck(seccompRestricted, yaml), []);
});

test('KW-POD-019 flags each container without a profile when the pod sets none', () => {
  const yaml = pod(`
initContainers:
  - name: init
    image: busybox
containers:
  - name: a
    image: nginx
    securityContext:
      seccompProfile: { type: RuntimeDefault }
  - name: b
    image: nginx
    securityContext:
      runAsNonRoot: true`);
  assert.deepEqual(lines(seccompRestricted, yaml), [8, 17]);
  assert.deepEqual(messages(seccompRestricted, yaml), [
    'init container "init" has no seccompProfile (nor does the pod)',
    'container "b" has no seccompProfile (nor does the pod)',
  ]);
});

test('KW-POD-019 passes when every container sets a profile, and exempts Windows pods', () => {
  const yaml = pod(`
containers:
  - name: a
    image: nginx
    securityContext:
      seccompProfile: { type: RuntimeDefault }`);
  assert.deepEqual(runCheck(seccompRestricted, yaml), []);
  assert.deepEqual(runCheck(seccompRestricted, pod(`os: { name: windows }\n${APP}`)), []);
});

test('KW-POD-019 checks CronJob templates', () => {
  assert.deepEqual(lines(seccompRestricted, cronJob(APP)), [13]);
  assert.deepEqual(
    runCheck(
      seccompRestricted,
      cronJob(`securityContext:\n  seccompProfile: { type: RuntimeDefault }\n${APP}`),
    ),
    [],
  );
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-012 sysctls

test('KW-POD-012 flags sysctls outside the safe set, one finding each', () => {
  const yaml = pod(`
securityContext:
  sysctls:
    - name: kernel.shm_rmid_forced
      value: "1"
    - name: kernel.msgmax
      value: "65536"
    - name: net.core.somaxconn
      value: "1024"
${APP}`);
  assert.deepEqual(lines(sysctls, yaml), [11, 13]);
  assert.deepEqual(messages(sysctls, yaml), [
    'pod sets sysctl kernel.msgmax',
    'pod sets sysctl net.core.somaxconn',
  ]);
});

test('KW-POD-012 passes the newest safe sysctls (1.27, 1.29, 1.32, 1.37 additions)', () => {
  const safe = [
    'net.ipv4.ip_local_reserved_ports',
    'net.ipv4.tcp_keepalive_probes',
    'net.ipv4.tcp_fin_timeout',
    'net.ipv4.tcp_rmem',
    'net.ipv4.tcp_wmem',
    'net.ipv4.tcp_notsent_lowat',
    'net.ipv4.ip_unprivileged_port_start',
  ];
  const yaml = pod(`
securityContext:
  sysctls:
${safe.map((n) => `    - { name: ${n}, value: "1" }`).join('\n')}
${APP}`);
  assert.deepEqual(runCheck(sysctls, yaml), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-013 Windows HostProcess

test('KW-POD-013 flags hostProcess at pod and container level', () => {
  const yaml = pod(`
securityContext:
  windowsOptions:
    hostProcess: true
containers:
  - name: a
    image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    securityContext:
      windowsOptions: { hostProcess: true }
  - name: b
    image: mcr.microsoft.com/windows/nanoserver:ltsc2022`);
  assert.deepEqual(lines(windowsHostProcess, yaml), [9, 14]);
  assert.match(messages(windowsHostProcess, yaml)[0] ?? '', /inherited by "b"/);
});

test('KW-POD-013 passes hostProcess false or unset', () => {
  const yaml = pod(`
securityContext:
  windowsOptions: { hostProcess: false, runAsUserName: ContainerUser }
${APP}`);
  assert.deepEqual(runCheck(windowsHostProcess, yaml), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-014 probe and lifecycle hosts

test('KW-POD-014 flags host in probes and lifecycle handlers', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    readinessProbe:
      tcpSocket: { host: db.internal, port: 5432 }
    lifecycle:
      postStart:
        httpGet:
          host: 169.254.169.254
          path: /
          port: 80`);
  assert.deepEqual(lines(probeHost, yaml), [11, 15]);
  assert.deepEqual(messages(probeHost, yaml), [
    'container "app" readinessProbe.tcpSocket.host is db.internal',
    'container "app" lifecycle.postStart.httpGet.host is 169.254.169.254',
  ]);
});

test('KW-POD-014 passes probes without a host, with an empty host, and exec/grpc probes', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    livenessProbe:
      httpGet: { path: /healthz, port: 8080, httpHeaders: [{ name: Host, value: example.com }] }
    readinessProbe:
      tcpSocket: { host: "", port: 8080 }
    startupProbe:
      grpc: { port: 9090 }
    lifecycle:
      preStop:
        exec: { command: [sleep, "5"] }`);
  assert.deepEqual(runCheck(probeHost, yaml), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-015 volume types

test('KW-POD-015 flags non-allowed volume sources but leaves hostPath to KW-POD-006', () => {
  const yaml = pod(`
${APP}
volumes:
  - name: nfs
    nfs: { server: nfs.local, path: /export }
  - name: host
    hostPath: { path: /tmp }
  - name: disk
    awsElasticBlockStore:
      volumeID: vol-1`);
  assert.deepEqual(lines(restrictedVolumes, yaml), [12, 16]);
  assert.deepEqual(messages(restrictedVolumes, yaml), [
    'volume "nfs" is of type nfs',
    'volume "disk" is of type awsElasticBlockStore',
  ]);
});

test('KW-POD-015 passes every allowed source, and a volume without a source (defaulted to emptyDir)', () => {
  const yaml = pod(`
${APP}
volumes:
  - { name: a, configMap: { name: c } }
  - { name: b, csi: { driver: d } }
  - { name: c, downwardAPI: { items: [] } }
  - { name: d, emptyDir: {} }
  - { name: e, ephemeral: { volumeClaimTemplate: { spec: {} } } }
  - { name: f, image: { reference: "r:1" } }
  - { name: g, persistentVolumeClaim: { claimName: p } }
  - { name: h, projected: { sources: [] } }
  - { name: i, secret: { secretName: s } }
  - { name: j }`);
  assert.deepEqual(runCheck(restrictedVolumes, yaml), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-016 allowPrivilegeEscalation

test('KW-POD-016 flags missing and true allowPrivilegeEscalation, pointing at the nearest parent', () => {
  const yaml = pod(`
containers:
  - name: a
    image: nginx
  - name: b
    image: nginx
    securityContext:
      runAsNonRoot: true
  - name: c
    image: nginx
    securityContext:
      allowPrivilegeEscalation: true
  - name: d
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false`);
  assert.deepEqual(lines(allowPrivilegeEscalation, yaml), [8, 12, 17]);
  assert.deepEqual(messages(allowPrivilegeEscalation, yaml), [
    'container "a" does not set allowPrivilegeEscalation: false',
    'container "b" does not set allowPrivilegeEscalation: false',
    'container "c" sets allowPrivilegeEscalation: true',
  ]);
});

test('KW-POD-016 counts init and ephemeral containers and exempts Windows pods', () => {
  const yaml = pod(`
initContainers:
  - name: init
    image: busybox
containers:
  - name: app
    image: nginx
    securityContext: { allowPrivilegeEscalation: false }
ephemeralContainers:
  - name: debug
    image: busybox`);
  assert.deepEqual(lines(allowPrivilegeEscalation, yaml), [8, 15]);
  assert.deepEqual(runCheck(allowPrivilegeEscalation, pod(`os:\n  name: windows\n${APP}`)), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-017 runAsNonRoot

test('KW-POD-017 accepts pod-level runAsNonRoot: true for containers that do not override it', () => {
  const yaml = pod(`
securityContext:
  runAsNonRoot: true
containers:
  - name: a
    image: nginx
  - name: b
    image: nginx
    securityContext:
      runAsNonRoot: false`);
  assert.deepEqual(lines(runAsNonRoot, yaml), [15]);
  assert.deepEqual(messages(runAsNonRoot, yaml), ['container "b" sets runAsNonRoot: false']);
});

test('KW-POD-017 flags each container when neither it nor the pod sets runAsNonRoot', () => {
  const yaml = deployment(`
initContainers:
  - name: init
    image: busybox
containers:
  - name: a
    image: nginx
    securityContext:
      runAsNonRoot: true
  - name: b
    image: nginx
    securityContext:
      runAsUser: 10001`);
  assert.deepEqual(lines(runAsNonRoot, yaml), [14, 23]);
});

test('KW-POD-017 reports a pod-level false once, even when containers inherit it', () => {
  const yaml = pod(`
securityContext:
  runAsNonRoot: false
containers:
  - name: a
    image: nginx
  - name: b
    image: nginx
    securityContext: { runAsNonRoot: true }`);
  assert.deepEqual(lines(runAsNonRoot, yaml), [8]);
  assert.deepEqual(messages(runAsNonRoot, yaml), ['pod sets runAsNonRoot: false (inherited by "a")']);
});

test('KW-POD-017 and KW-POD-018 skip pods in a user namespace (hostUsers: false, v1.35)', () => {
  const yaml = pod(`
hostUsers: false
securityContext:
  runAsUser: 0
${APP}`);
  assert.deepEqual(runCheck(runAsNonRoot, yaml), []);
  assert.deepEqual(runCheck(runAsRootUser, yaml), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-018 runAsUser 0

test('KW-POD-018 flags runAsUser 0 at pod and container level', () => {
  const yaml = pod(`
securityContext:
  runAsUser: 0
containers:
  - name: a
    image: nginx
    securityContext:
      runAsUser: 10001
  - name: b
    image: nginx
    securityContext:
      runAsUser: 0`);
  assert.deepEqual(lines(runAsRootUser, yaml), [8, 17]);
  assert.deepEqual(messages(runAsRootUser, yaml), [
    'pod sets runAsUser: 0',
    'container "b" sets runAsUser: 0',
  ]);
});

test('KW-POD-018 passes non-zero and unset runAsUser', () => {
  const yaml = pod(`
securityContext:
  runAsUser: 1000
${APP}`);
  assert.deepEqual(runCheck(runAsRootUser, yaml), []);
  assert.deepEqual(runCheck(runAsRootUser, pod(APP)), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-020 restricted capabilities

test('KW-POD-020 requires drop ALL and allows adding only NET_BIND_SERVICE', () => {
  const yaml = pod(`
containers:
  - name: ok
    image: nginx
    securityContext:
      capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] }
  - name: nodrop
    image: nginx
  - name: lower
    image: nginx
    securityContext:
      capabilities:
        drop: [all]
  - name: chown
    image: nginx
    securityContext:
      capabilities:
        drop: [ALL]
        add:
          - NET_BIND_SERVICE
          - CHOWN`);
  assert.deepEqual(lines(capabilitiesRestricted, yaml), [12, 18, 26]);
  assert.deepEqual(messages(capabilitiesRestricted, yaml), [
    'container "nodrop" does not drop ALL',
    'container "lower" does not drop ALL',
    'container "chown" adds "CHOWN"',
  ]);
});

test('KW-POD-020 leaves capabilities beyond baseline to KW-POD-005 and exempts Windows pods', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx
    securityContext:
      capabilities: { drop: [ALL], add: [SYS_ADMIN] }`);
  assert.deepEqual(runCheck(capabilitiesRestricted, yaml), []);
  assert.equal(runCheck(capabilitiesBaseline, yaml).length, 1);
  assert.deepEqual(runCheck(capabilitiesRestricted, pod(`os: { name: windows }\n${APP}`)), []);
});

// ---------------------------------------------------------------------------------------------------------
// KW-POD-022..025 hardening

test('KW-POD-022 flags containers without readOnlyRootFilesystem: true', () => {
  const yaml = pod(`
containers:
  - name: a
    image: nginx
  - name: b
    image: nginx
    securityContext: { readOnlyRootFilesystem: false }
  - name: c
    image: nginx
    securityContext: { readOnlyRootFilesystem: true }`);
  assert.deepEqual(lines(readOnlyRootFilesystem, yaml), [8, 12]);
  assert.deepEqual(runCheck(readOnlyRootFilesystem, pod(`os: { name: windows }\n${APP}`)), []);
});

test('KW-POD-023 flags containers that keep NET_RAW and accepts ALL, NET_RAW or CAP_NET_RAW in drop', () => {
  const yaml = pod(`
containers:
  - name: keep
    image: nginx
    securityContext:
      capabilities:
        drop: [CHOWN]
  - name: all
    image: nginx
    securityContext: { capabilities: { drop: [ALL] } }
  - name: raw
    image: nginx
    securityContext: { capabilities: { drop: [NET_RAW] } }
  - name: cap
    image: nginx
    securityContext: { capabilities: { drop: [cap_net_raw] } }
  - name: added
    image: nginx
    securityContext: { capabilities: { add: [NET_RAW] } }`);
  assert.deepEqual(lines(netRawNotDropped, yaml), [12]);
  assert.deepEqual(messages(netRawNotDropped, yaml), ['container "keep" does not drop NET_RAW']);
});

test('KW-POD-024 reports a low pod-level UID once, for the containers that use it', () => {
  const yaml = pod(`
securityContext:
  runAsUser: 1000
containers:
  - name: a
    image: nginx
  - name: b
    image: nginx
    securityContext: { runAsUser: 20000 }
  - name: c
    image: nginx
    securityContext:
      runAsUser: 33`);
  assert.deepEqual(lines(lowUid, yaml), [8, 18]);
  assert.deepEqual(messages(lowUid, yaml), [
    'pod sets runAsUser: 1000 (used by "a")',
    'container "c" sets runAsUser: 33',
  ]);
});

test('KW-POD-024 passes high UIDs, overridden pod values, UID 0 (KW-POD-018) and user-namespace pods', () => {
  const high = pod(`
securityContext:
  runAsUser: 1000
containers:
  - name: a
    image: nginx
    securityContext: { runAsUser: 10000 }`);
  assert.deepEqual(runCheck(lowUid, high), []);
  assert.deepEqual(runCheck(lowUid, pod(`securityContext: { runAsUser: 0 }\n${APP}`)), []);
  assert.deepEqual(runCheck(lowUid, pod(`hostUsers: false\nsecurityContext: { runAsUser: 5 }\n${APP}`)), []);
  assert.deepEqual(runCheck(lowUid, pod(APP)), []);
});

test('KW-POD-025 flags low GIDs including the root group', () => {
  const yaml = cronJob(`
securityContext:
  runAsGroup: 0
containers:
  - name: a
    image: nginx
  - name: b
    image: nginx
    securityContext:
      runAsGroup: 10001`);
  assert.deepEqual(lines(lowGid, yaml), [13]);
  assert.deepEqual(messages(lowGid, yaml), ['pod sets runAsGroup: 0 (used by "a")']);
  assert.deepEqual(runCheck(lowGid, pod(`securityContext: { runAsGroup: 10001 }\n${APP}`)), []);
});

// ---------------------------------------------------------------------------------------------------------
// A fully restricted pod passes every check

test('a pod hardened to the restricted level passes every pod-security check', () => {
  const yaml = deployment(`
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  seccompProfile: { type: RuntimeDefault }
initContainers:
  - name: init
    image: busybox:1.36
    securityContext: &sc
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: { drop: [ALL] }
containers:
  - name: app
    image: nginx:1.27
    securityContext: *sc
    ports: [{ containerPort: 8080 }]
volumes:
  - name: tmp
    emptyDir: {}`);
  for (const c of podSecurityChecks) assert.deepEqual(messages(c, yaml), [], c.id);
});
