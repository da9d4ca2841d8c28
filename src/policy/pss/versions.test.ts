import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePss, resolvedMinor, type PssCheckResult, type PssVersion } from './evaluate.js';
import { activeChecks, MAX_POLICY_MINOR, type PssCheckId, type PssLevel } from './checks.js';

// The version table: the same pod evaluated at two policy versions gives different results exactly where
// upstream changed a check (new check, new variant, new override).

type Obj = Record<string, unknown>;

function results(spec: Obj, level: PssLevel, version: PssVersion, meta: Obj = {}): PssCheckResult[] {
  return evaluatePss(spec, meta, level, version);
}

function find(spec: Obj, id: PssCheckId, level: PssLevel, version: PssVersion, meta: Obj = {}) {
  return results(spec, level, version, meta).find((r) => r.id === id);
}

function allowedAt(spec: Obj, id: PssCheckId, level: PssLevel, version: PssVersion, meta: Obj = {}): boolean {
  const r = find(spec, id, level, version, meta);
  assert.ok(r, `${id} should run at ${level}:${version}`);
  return r.allowed;
}

function ids(level: 'baseline' | 'restricted', version: PssVersion): string[] {
  return activeChecks(level, resolvedMinor(version)).map((c) => c.id);
}

test('latest resolves to the newest registered check version; newer pinned versions are clamped', () => {
  assert.equal(MAX_POLICY_MINOR, 37);
  assert.equal(resolvedMinor('latest'), MAX_POLICY_MINOR);
  assert.equal(resolvedMinor('v1.99'), MAX_POLICY_MINOR);
  assert.equal(resolvedMinor('v1.0'), 0);
  assert.throws(() => resolvedMinor('v2.0' as PssVersion), /must be "latest" or "v1.x"/);
  assert.throws(() => resolvedMinor('v1.01' as PssVersion), /must be "latest" or "v1.x"/);
});

test('check sets per level and version, in upstream order (baseline by ID, then restricted by ID)', () => {
  const baselineLatest = [
    'appArmorProfile',
    'capabilities_baseline',
    'hostNamespaces',
    'hostPathVolumes',
    'hostPorts',
    'hostProbesAndHostLifecycle',
    'privileged',
    'procMount',
    'seLinuxOptions',
    'seccompProfile_baseline',
    'sysctls',
    'windowsHostProcess',
  ];
  assert.deepEqual(ids('baseline', 'latest'), baselineLatest);
  assert.deepEqual(ids('restricted', 'latest'), [
    'appArmorProfile',
    'hostNamespaces',
    'hostPorts',
    'hostProbesAndHostLifecycle',
    'privileged',
    'seLinuxOptions',
    'sysctls',
    'windowsHostProcess',
    'allowPrivilegeEscalation',
    'capabilities_restricted',
    'procMount_restricted',
    'restrictedVolumes',
    'runAsNonRoot',
    'runAsUser',
    'seccompProfile_restricted',
  ]);
  assert.deepEqual(
    ids('baseline', 'v1.33'),
    baselineLatest.filter((id) => id !== 'hostProbesAndHostLifecycle'),
  );
  // v1.0: no allowPrivilegeEscalation (1.8), seccompProfile_restricted (1.19), capabilities_restricted (1.22),
  // runAsUser (1.23), procMount_restricted (1.35); their baseline counterparts still run.
  assert.deepEqual(ids('restricted', 'v1.0'), [
    'appArmorProfile',
    'capabilities_baseline',
    'hostNamespaces',
    'hostPorts',
    'privileged',
    'procMount',
    'seLinuxOptions',
    'seccompProfile_baseline',
    'sysctls',
    'windowsHostProcess',
    'restrictedVolumes',
    'runAsNonRoot',
  ]);
  assert.deepEqual(evaluatePss({ containers: [] }, {}, 'privileged', 'latest'), []);
});

test('variants in force per version', () => {
  const variant = (level: 'baseline' | 'restricted', v: PssVersion, id: PssCheckId) =>
    activeChecks(level, resolvedMinor(v)).find((c) => c.id === id)?.variant.fnName;
  assert.equal(variant('baseline', 'v1.18', 'seccompProfile_baseline'), 'seccompProfileBaseline_1_0');
  assert.equal(variant('baseline', 'v1.19', 'seccompProfile_baseline'), 'seccompProfileBaseline_1_19');
  assert.equal(variant('restricted', 'v1.24', 'allowPrivilegeEscalation'), 'allowPrivilegeEscalationV1Dot8');
  assert.equal(variant('restricted', 'v1.25', 'allowPrivilegeEscalation'), 'allowPrivilegeEscalationV1Dot25');
  assert.equal(variant('restricted', 'v1.22', 'capabilities_restricted'), 'capabilitiesRestrictedV1Dot22');
  assert.equal(variant('restricted', 'v1.25', 'capabilities_restricted'), 'capabilitiesRestrictedV1Dot25');
  assert.equal(variant('baseline', 'v1.26', 'sysctls'), 'sysctlsV1Dot0');
  assert.equal(variant('baseline', 'v1.28', 'sysctls'), 'sysctlsV1Dot27');
  assert.equal(variant('baseline', 'v1.30', 'sysctls'), 'sysctlsV1Dot29');
  assert.equal(variant('baseline', 'v1.35', 'sysctls'), 'sysctlsV1Dot32');
  assert.equal(variant('baseline', 'latest', 'sysctls'), 'sysctlsV1Dot37');
  assert.equal(variant('baseline', 'v1.30', 'seLinuxOptions'), 'seLinuxOptions1_0');
  assert.equal(variant('baseline', 'v1.31', 'seLinuxOptions'), 'seLinuxOptions1_31');
  assert.equal(variant('baseline', 'v1.34', 'procMount'), 'procMount_1_0');
  assert.equal(variant('baseline', 'v1.35', 'procMount'), 'procMount1_35baseline');
  assert.equal(variant('restricted', 'v1.34', 'runAsNonRoot'), 'runAsNonRoot_1_0');
  assert.equal(variant('restricted', 'v1.35', 'runAsNonRoot'), 'runAsNonRoot_1_35');
  assert.equal(variant('restricted', 'v1.35', 'runAsUser'), 'runAsUser_1_35');
});

test('seccomp baseline: annotations before v1.19, the field from v1.19', () => {
  const meta = { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } };
  const annotated = { containers: [{ name: 'a' }] };
  assert.equal(allowedAt(annotated, 'seccompProfile_baseline', 'baseline', 'v1.18', meta), false);
  assert.equal(allowedAt(annotated, 'seccompProfile_baseline', 'baseline', 'v1.19', meta), true);
  const field = { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] };
  assert.equal(allowedAt(field, 'seccompProfile_baseline', 'baseline', 'v1.18'), true);
  assert.equal(allowedAt(field, 'seccompProfile_baseline', 'baseline', 'v1.19'), false);
  // restricted before v1.19 has no seccompProfile_restricted: a missing profile is fine
  assert.equal(
    find({ containers: [{ name: 'a' }] }, 'seccompProfile_restricted', 'restricted', 'v1.18'),
    undefined,
  );
  assert.equal(
    allowedAt({ containers: [{ name: 'a' }] }, 'seccompProfile_restricted', 'restricted', 'v1.19'),
    false,
  );
});

test('allowPrivilegeEscalation: from v1.8; Windows pods exempt from v1.25', () => {
  const linux = { containers: [{ name: 'a' }] };
  assert.equal(find(linux, 'allowPrivilegeEscalation', 'restricted', 'v1.7'), undefined);
  assert.equal(allowedAt(linux, 'allowPrivilegeEscalation', 'restricted', 'v1.8'), false);
  const windows = { os: { name: 'windows' }, containers: [{ name: 'a' }] };
  assert.equal(allowedAt(windows, 'allowPrivilegeEscalation', 'restricted', 'v1.24'), false);
  assert.equal(allowedAt(windows, 'allowPrivilegeEscalation', 'restricted', 'v1.25'), true);
});

test('capabilities: baseline check in restricted before v1.22, capabilities_restricted from v1.22, Windows exempt from v1.25', () => {
  const pod = { containers: [{ name: 'a', securityContext: { capabilities: { add: ['CHOWN'] } } }] };
  const v21 = results(pod, 'restricted', 'v1.21');
  assert.equal(v21.find((r) => r.id === 'capabilities_baseline')?.allowed, true);
  assert.equal(
    v21.find((r) => r.id === 'capabilities_restricted'),
    undefined,
  );
  const v22 = results(pod, 'restricted', 'v1.22');
  assert.equal(
    v22.find((r) => r.id === 'capabilities_baseline'),
    undefined,
  );
  assert.equal(v22.find((r) => r.id === 'capabilities_restricted')?.allowed, false);
  const windows = { os: { name: 'windows' }, containers: [{ name: 'a' }] };
  assert.equal(allowedAt(windows, 'capabilities_restricted', 'restricted', 'v1.24'), false);
  assert.equal(allowedAt(windows, 'capabilities_restricted', 'restricted', 'v1.25'), true);
});

test('seccompProfile_restricted: Windows pods exempt from v1.25', () => {
  const windows = { os: { name: 'windows' }, containers: [{ name: 'a' }] };
  assert.equal(allowedAt(windows, 'seccompProfile_restricted', 'restricted', 'v1.24'), false);
  assert.equal(allowedAt(windows, 'seccompProfile_restricted', 'restricted', 'v1.25'), true);
  // Windows exemption does not extend to baseline checks
  const hp = { os: { name: 'windows' }, containers: [{ name: 'a', securityContext: { privileged: true } }] };
  assert.equal(allowedAt(hp, 'privileged', 'restricted', 'latest'), false);
});

test('runAsUser: from v1.23', () => {
  const pod = { securityContext: { runAsUser: 0 }, containers: [{ name: 'a' }] };
  assert.equal(find(pod, 'runAsUser', 'restricted', 'v1.22'), undefined);
  assert.equal(allowedAt(pod, 'runAsUser', 'restricted', 'v1.23'), false);
});

test('sysctls: allowed set grows at v1.27, v1.29, v1.32, v1.37', () => {
  const pod = (name: string) => ({ securityContext: { sysctls: [{ name, value: '1' }] }, containers: [] });
  const steps: Array<[string, PssVersion, PssVersion]> = [
    ['net.ipv4.ip_local_reserved_ports', 'v1.26', 'v1.27'],
    ['net.ipv4.tcp_keepalive_time', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_fin_timeout', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_keepalive_intvl', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_keepalive_probes', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_rmem', 'v1.31', 'v1.32'],
    ['net.ipv4.tcp_wmem', 'v1.31', 'v1.32'],
    ['net.ipv4.tcp_slow_start_after_idle', 'v1.36', 'v1.37'],
    ['net.ipv4.tcp_notsent_lowat', 'v1.35', 'latest'],
  ];
  for (const [name, before, after] of steps) {
    assert.equal(allowedAt(pod(name), 'sysctls', 'baseline', before), false, `${name} at ${before}`);
    assert.equal(allowedAt(pod(name), 'sysctls', 'baseline', after), true, `${name} at ${after}`);
  }
  assert.equal(allowedAt(pod('kernel.shm_rmid_forced'), 'sysctls', 'baseline', 'v1.0'), true);
  assert.equal(allowedAt(pod('net.core.somaxconn'), 'sysctls', 'baseline', 'latest'), false);
});

test('seLinuxOptions: container_engine_t allowed from v1.31', () => {
  const pod = {
    containers: [{ name: 'a', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }],
  };
  assert.equal(allowedAt(pod, 'seLinuxOptions', 'baseline', 'v1.30'), false);
  assert.equal(
    find(pod, 'seLinuxOptions', 'baseline', 'v1.30')?.forbiddenDetail,
    'container "a" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
  );
  assert.equal(allowedAt(pod, 'seLinuxOptions', 'baseline', 'v1.31'), true);
});

test('hostProbesAndHostLifecycle: from v1.34', () => {
  const pod = {
    containers: [{ name: 'a', livenessProbe: { httpGet: { host: '169.254.169.254', port: 80 } } }],
  };
  assert.equal(find(pod, 'hostProbesAndHostLifecycle', 'baseline', 'v1.33'), undefined);
  assert.equal(allowedAt(pod, 'hostProbesAndHostLifecycle', 'baseline', 'v1.34'), false);
});

test('user namespaces (hostUsers: false): procMount relaxed for baseline, runAsNonRoot/runAsUser skipped from v1.35', () => {
  const unmasked = {
    hostUsers: false,
    containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }],
  };
  assert.equal(allowedAt(unmasked, 'procMount', 'baseline', 'v1.34'), false);
  assert.equal(allowedAt(unmasked, 'procMount', 'baseline', 'v1.35'), true);
  // restricted: procMount (1.0 variant) before v1.35; procMount_restricted overrides procMount from v1.35
  assert.equal(allowedAt(unmasked, 'procMount', 'restricted', 'v1.34'), false);
  assert.equal(find(unmasked, 'procMount', 'restricted', 'v1.35'), undefined);
  assert.equal(allowedAt(unmasked, 'procMount_restricted', 'restricted', 'v1.35'), false);
  // hostUsers: true is not relaxed
  assert.equal(allowedAt({ ...unmasked, hostUsers: true }, 'procMount', 'baseline', 'v1.35'), false);

  const root = { hostUsers: false, securityContext: { runAsUser: 0 }, containers: [{ name: 'a' }] };
  assert.equal(allowedAt(root, 'runAsNonRoot', 'restricted', 'v1.34'), false);
  assert.equal(allowedAt(root, 'runAsNonRoot', 'restricted', 'v1.35'), true);
  assert.equal(allowedAt(root, 'runAsUser', 'restricted', 'v1.34'), false);
  assert.equal(allowedAt(root, 'runAsUser', 'restricted', 'v1.35'), true);
  // capabilities are never relaxed
  assert.equal(allowedAt(root, 'capabilities_restricted', 'restricted', 'latest'), false);
});

test('changes upstream made in place (single v1.0 variant) apply at every version: image volumes, AppArmor fields', () => {
  const image = { containers: [], volumes: [{ name: 'v', image: { reference: 'x' } }] };
  assert.equal(allowedAt(image, 'restrictedVolumes', 'restricted', 'v1.0'), true);
  assert.equal(allowedAt(image, 'restrictedVolumes', 'restricted', 'latest'), true);
  const apparmor = { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [] };
  assert.equal(allowedAt(apparmor, 'appArmorProfile', 'baseline', 'v1.0'), false);
  assert.equal(allowedAt(apparmor, 'appArmorProfile', 'baseline', 'latest'), false);
});

test('restrictedVolumes overrides hostPathVolumes at every version', () => {
  const pod = { containers: [], volumes: [{ name: 'h', hostPath: { path: '/' } }] };
  for (const v of ['v1.0', 'v1.25', 'latest'] as const) {
    const r = results(pod, 'restricted', v);
    assert.equal(
      r.find((x) => x.id === 'hostPathVolumes'),
      undefined,
    );
    assert.equal(
      r.find((x) => x.id === 'restrictedVolumes')?.forbiddenDetail,
      'volume "h" uses restricted volume type "hostPath"',
    );
  }
});
