import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePss, type PssCheckResult, type PssVersion } from './evaluate.js';
import type { PssCheckId, PssLevel } from './checks.js';

// Control-by-control wording, mostly taken from upstream's policy/check_*_test.go cases.

type Obj = Record<string, unknown>;

function run(spec: Obj, level: PssLevel = 'restricted', version: PssVersion = 'latest', meta: Obj = {}) {
  return evaluatePss(spec, meta, level, version);
}

function result(results: PssCheckResult[], id: PssCheckId): PssCheckResult | undefined {
  return results.find((r) => r.id === id);
}

/** The result of check `id`; fails when the check did not run. */
function check(
  spec: Obj,
  id: PssCheckId,
  level: PssLevel = 'restricted',
  version: PssVersion = 'latest',
  meta: Obj = {},
) {
  const r = result(run(spec, level, version, meta), id);
  assert.ok(r, `check ${id} should run at ${level}:${version}`);
  return r;
}

function expectForbidden(r: PssCheckResult, reason: string, detail: string): void {
  assert.equal(r.allowed, false, `${r.id} should forbid`);
  assert.equal(r.forbiddenReason, reason);
  assert.equal(r.forbiddenDetail, detail);
}

function expectAllowed(r: PssCheckResult): void {
  assert.equal(r.allowed, true, `${r.id} should allow, got ${r.forbiddenReason}: ${r.forbiddenDetail}`);
  assert.equal(r.forbiddenReason, '');
  assert.equal(r.forbiddenDetail, '');
}

const sc = (name: string, securityContext?: Obj): Obj =>
  securityContext === undefined ? { name } : { name, securityContext };

test('privileged: reason and detail', () => {
  const spec = {
    containers: [sc('a'), sc('b', {}), sc('c', { privileged: false }), sc('d', { privileged: true })],
    initContainers: [sc('e', { privileged: true })],
  };
  // init containers are visited first
  expectForbidden(
    check(spec, 'privileged', 'baseline'),
    'privileged',
    'containers "e", "d" must not set securityContext.privileged=true',
  );
  expectForbidden(
    check({ containers: [sc('x', { privileged: true })] }, 'privileged', 'baseline'),
    'privileged',
    'container "x" must not set securityContext.privileged=true',
  );
  expectAllowed(check({ containers: [sc('a', { privileged: false })] }, 'privileged', 'baseline'));
});

test('hostNamespaces: reason and detail', () => {
  expectForbidden(
    check({ hostNetwork: true, hostPID: true, hostIPC: true, containers: [] }, 'hostNamespaces', 'baseline'),
    'host namespaces',
    'hostNetwork=true, hostPID=true, hostIPC=true',
  );
  expectForbidden(
    check({ hostNetwork: true, containers: [] }, 'hostNamespaces'),
    'host namespaces',
    'hostNetwork=true',
  );
  expectAllowed(check({ hostNetwork: false, containers: [] }, 'hostNamespaces'));
});

test('capabilities_baseline: reason and detail (TestCapabilitiesBaseline)', () => {
  const spec = {
    containers: [
      sc('a', { capabilities: { add: ['FOO', 'BAR'] } }),
      sc('b', { capabilities: { add: ['BAR', 'BAZ'] } }),
      sc('c', { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } }),
    ],
  };
  expectForbidden(
    check(spec, 'capabilities_baseline', 'baseline'),
    'non-default capabilities',
    'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add',
  );
  // NET_RAW is not in the baseline set
  expectForbidden(
    check(
      { containers: [sc('n', { capabilities: { add: ['NET_RAW'] } })] },
      'capabilities_baseline',
      'baseline',
    ),
    'non-default capabilities',
    'container "n" must not include "NET_RAW" in securityContext.capabilities.add',
  );
});

test('hostPathVolumes: reason and detail (baseline only; restricted overrides it)', () => {
  const spec = {
    containers: [],
    volumes: [
      { name: 'a', hostPath: { path: '/' } },
      { name: 'b', emptyDir: {} },
      { name: 'c', hostPath: {} },
    ],
  };
  expectForbidden(check(spec, 'hostPathVolumes', 'baseline'), 'hostPath volumes', 'volumes "a", "c"');
  assert.equal(result(run(spec, 'restricted'), 'hostPathVolumes'), undefined);
});

test('hostPorts: reason and detail (TestHostPort)', () => {
  const spec = {
    containers: [
      { name: 'a', ports: [{ containerPort: 80 }, { hostPort: 0 }] },
      { name: 'b', ports: [{ hostPort: 0 }, { hostPort: 20 }] },
      { name: 'c', ports: [{ hostPort: 0 }, { hostPort: 10 }, { hostPort: 30 }] },
    ],
  };
  expectForbidden(
    check(spec, 'hostPorts', 'baseline'),
    'hostPort',
    'containers "b", "c" use hostPorts 10, 20, 30',
  );
  expectForbidden(
    check({ containers: [{ name: 'x', ports: [{ hostPort: 8080 }] }] }, 'hostPorts', 'baseline'),
    'hostPort',
    'container "x" uses hostPort 8080',
  );
});

test('appArmorProfile: fields and annotations (TestCheckAppArmor_Forbidden)', () => {
  expectForbidden(
    check(
      { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [] },
      'appArmorProfile',
    ),
    'forbidden AppArmor profile',
    'pod must not set AppArmor profile type to "Unconfined"',
  );
  expectForbidden(
    check(
      {
        securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
        containers: [sc('foo', { appArmorProfile: { type: 'Unconfined' } })],
      },
      'appArmorProfile',
    ),
    'forbidden AppArmor profile',
    'container "foo" must not set AppArmor profile type to "Unconfined"',
  );
  const meta = {
    annotations: {
      'container.apparmor.security.beta.kubernetes.io/a': 'unconfined',
      'container.apparmor.security.beta.kubernetes.io/b': 'runtime/default',
      'container.apparmor.security.beta.kubernetes.io/c': 'localhost/foo',
      'container.apparmor.security.beta.kubernetes.io/d': '',
    },
  };
  expectForbidden(
    check(
      { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [sc('a')] },
      'appArmorProfile',
      'baseline',
      'latest',
      meta,
    ),
    'forbidden AppArmor profiles',
    'pod and annotation must not set AppArmor profile type to "Unconfined", ' +
      '"container.apparmor.security.beta.kubernetes.io/a="unconfined""',
  );
  expectAllowed(
    check(
      {
        securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } },
        containers: [sc('a')],
      },
      'appArmorProfile',
    ),
  );
});

test('seLinuxOptions: reason and detail (TestSELinuxOptions)', () => {
  expectForbidden(
    check({ securityContext: { seLinuxOptions: { user: 'bad' } }, containers: [] }, 'seLinuxOptions'),
    'seLinuxOptions',
    'pod set forbidden securityContext.seLinuxOptions: user may not be set',
  );
  const spec = {
    securityContext: { seLinuxOptions: { type: 'foo', role: 'r' } },
    containers: [
      sc('a', { seLinuxOptions: { type: 'container_t' } }),
      sc('b', { seLinuxOptions: { type: 'bar', user: 'u' } }),
    ],
  };
  expectForbidden(
    check(spec, 'seLinuxOptions', 'baseline'),
    'seLinuxOptions',
    'pod and container "b" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
  );
});

test('procMount: reason and detail (TestProcMount)', () => {
  const containers = [
    sc('a'),
    sc('b', {}),
    sc('c', { procMount: 'Default' }),
    sc('d', { procMount: 'Unmasked' }),
    sc('e', { procMount: 'other' }),
  ];
  expectForbidden(
    check({ containers, hostUsers: true }, 'procMount', 'baseline'),
    'procMount',
    'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
  );
  expectForbidden(
    check({ containers, hostUsers: true }, 'procMount_restricted', 'restricted'),
    'procMount',
    'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
  );
});

test('seccompProfile_baseline: field wording (v1.19+) and annotation wording (v1.0-v1.18)', () => {
  const spec = {
    securityContext: { seccompProfile: { type: 'Unconfined' } },
    containers: [
      sc('a', { seccompProfile: { type: 'Unconfined' } }),
      sc('b', { seccompProfile: { type: 'Foo' } }),
    ],
  };
  expectForbidden(
    check(spec, 'seccompProfile_baseline', 'baseline'),
    'seccompProfile',
    'pod and containers "a", "b" must not set securityContext.seccompProfile.type to "Foo", "Unconfined"',
  );
  const meta = {
    annotations: {
      'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
      'container.seccomp.security.alpha.kubernetes.io/a': 'docker/default',
      'container.seccomp.security.alpha.kubernetes.io/b': 'bad',
      'container.seccomp.security.alpha.kubernetes.io/zzz': 'not-a-container',
    },
  };
  expectForbidden(
    check({ containers: [sc('a'), sc('b')] }, 'seccompProfile_baseline', 'baseline', 'v1.18', meta),
    'seccompProfile',
    'forbidden annotations container.seccomp.security.alpha.kubernetes.io/b="bad", ' +
      'seccomp.security.alpha.kubernetes.io/pod="unconfined"',
  );
});

test('sysctls: reason and detail', () => {
  const spec = {
    securityContext: {
      sysctls: [{ name: 'a' }, { name: 'kernel.shm_rmid_forced' }, { name: 'b' }],
    },
    containers: [],
  };
  expectForbidden(check(spec, 'sysctls', 'baseline'), 'forbidden sysctls', 'a, b');
});

test('windowsHostProcess: reason and detail (TestWindowsHostProcess)', () => {
  const wo = (hostProcess?: boolean): Obj => ({
    windowsOptions: hostProcess === undefined ? {} : { hostProcess },
  });
  const spec = {
    securityContext: wo(true),
    containers: [
      sc('a'),
      sc('b', {}),
      sc('c', wo()),
      sc('d', wo(false)),
      sc('e', wo(true)),
      sc('f', wo(true)),
    ],
  };
  expectForbidden(
    check(spec, 'windowsHostProcess', 'baseline'),
    'hostProcess',
    'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true',
  );
});

test('hostProbesAndHostLifecycle: reason and detail', () => {
  const spec = {
    containers: [
      { name: 'b', livenessProbe: { httpGet: { host: 'evil.host', port: 80 } } },
      { name: 'a', lifecycle: { preStop: { tcpSocket: { host: 'bad.host', port: 1 } } } },
      { name: 'c', readinessProbe: { httpGet: { host: '', port: 80 } } },
    ],
  };
  expectForbidden(
    check(spec, 'hostProbesAndHostLifecycle', 'baseline'),
    'probe or lifecycle host',
    'containers "a", "b" use probe or lifecycle hosts "bad.host", "evil.host"',
  );
  expectForbidden(
    check(
      { containers: [{ name: 'x', startupProbe: { tcpSocket: { host: '10.0.0.1' } } }] },
      'hostProbesAndHostLifecycle',
    ),
    'probe or lifecycle host',
    'container "x" uses probe or lifecycle host "10.0.0.1"',
  );
});

test('restrictedVolumes: every restricted type named, sourceless volume is "unknown" (TestRestrictedVolumes)', () => {
  const types = [
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
    'portworxVolume',
    'photonPersistentDisk',
    'scaleIO',
    'storageos',
    'hostPath',
  ];
  const allowed = [
    'configMap',
    'csi',
    'downwardAPI',
    'emptyDir',
    'ephemeral',
    'image',
    'persistentVolumeClaim',
    'projected',
    'secret',
  ];
  const volumes: Obj[] = [
    ...allowed.map((t, i) => ({ name: `a${i + 1}`, [t]: {} })),
    ...types.map((t, i) => ({ name: `b${i + 1}`, [t]: {} })),
    { name: 'c1' },
  ];
  expectForbidden(
    check({ containers: [], volumes }, 'restrictedVolumes'),
    'restricted volume types',
    'volumes ' +
      '"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "c1"' +
      ' use restricted volume types ' +
      '"awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", ' +
      '"hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "unknown", "vsphereVolume"',
  );
  expectForbidden(
    check({ containers: [], volumes: [{ name: 'x', nfs: { server: 's', path: '/' } }] }, 'restrictedVolumes'),
    'restricted volume types',
    'volume "x" uses restricted volume type "nfs"',
  );
  expectAllowed(check({ containers: [], volumes: volumes.slice(0, allowed.length) }, 'restrictedVolumes'));
});

test('allowPrivilegeEscalation: reason and detail', () => {
  expectForbidden(
    check({ containers: [sc('a')] }, 'allowPrivilegeEscalation'),
    'allowPrivilegeEscalation != false',
    'container "a" must set securityContext.allowPrivilegeEscalation=false',
  );
  expectForbidden(
    check(
      {
        containers: [
          sc('a', { allowPrivilegeEscalation: true }),
          sc('b', { allowPrivilegeEscalation: false }),
          sc('c', {}),
        ],
      },
      'allowPrivilegeEscalation',
    ),
    'allowPrivilegeEscalation != false',
    'containers "a", "c" must set securityContext.allowPrivilegeEscalation=false',
  );
});

test('runAsNonRoot: explicit false and unset (TestRunAsNonRoot)', () => {
  expectForbidden(
    check({ containers: [sc('a'), sc('b', {})] }, 'runAsNonRoot'),
    'runAsNonRoot != true',
    'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
  );
  expectForbidden(
    check(
      {
        securityContext: { runAsNonRoot: false },
        containers: [
          sc('a'),
          sc('b', { runAsNonRoot: true }),
          sc('c', { runAsNonRoot: false }),
          sc('d', { runAsNonRoot: false }),
        ],
      },
      'runAsNonRoot',
    ),
    'runAsNonRoot != true',
    'pod and containers "c", "d" must not set securityContext.runAsNonRoot=false',
  );
  expectAllowed(check({ securityContext: { runAsNonRoot: true }, containers: [sc('a')] }, 'runAsNonRoot'));
});

test('runAsUser: reason and detail (TestRunAsUser)', () => {
  expectForbidden(
    check(
      {
        securityContext: { runAsUser: 0 },
        containers: [
          sc('a'),
          sc('b', { runAsUser: 1000 }),
          sc('c', { runAsUser: 0 }),
          sc('d', { runAsUser: 0 }),
        ],
      },
      'runAsUser',
    ),
    'runAsUser=0',
    'pod and containers "c", "d" must not set runAsUser=0',
  );
  expectAllowed(check({ securityContext: { runAsUser: 1000 }, containers: [sc('a')] }, 'runAsUser'));
});

test('seccompProfile_restricted: explicit bad value and unset (TestSeccompProfileRestricted)', () => {
  expectForbidden(
    check(
      { containers: [sc('a'), sc('b', { seccompProfile: { type: 'RuntimeDefault' } }), sc('c')] },
      'seccompProfile_restricted',
    ),
    'seccompProfile',
    'pod or containers "a", "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  );
  expectForbidden(
    check(
      {
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        containers: [sc('a'), sc('b', { seccompProfile: { type: 'Unconfined' } })],
      },
      'seccompProfile_restricted',
    ),
    'seccompProfile',
    'pod and container "b" must not set securityContext.seccompProfile.type to "Unconfined"',
  );
});

test('capabilities_restricted: drop ALL and add only NET_BIND_SERVICE (TestCapabilitiesRestricted)', () => {
  const spec = {
    containers: [
      sc('a'),
      sc('b', { capabilities: {} }),
      sc('c', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
      sc('d', { capabilities: { drop: ['ALL'], add: ['FOO', 'CHOWN'] } }),
      sc('e', { capabilities: { drop: ['all'], add: ['BAR'] } }),
    ],
  };
  expectForbidden(
    check(spec, 'capabilities_restricted'),
    'unrestricted capabilities',
    'containers "a", "b", "e" must set securityContext.capabilities.drop=["ALL"]; ' +
      'containers "d", "e" must not include "BAR", "CHOWN", "FOO" in securityContext.capabilities.add',
  );
});
