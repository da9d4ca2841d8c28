import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Check } from '../check.js';
import { runCheck, pod } from './testkit.js';
import {
  cpuLimit,
  cpuRequest,
  defaultNamespace,
  defaultServiceAccount,
  livenessProbe,
  memoryLimit,
  memoryRequest,
  namespaceNotSet,
  normaliseHostPath,
  readinessProbe,
  runtimeSocketIn,
  runtimeSocketMount,
  sensitiveHostPath,
  sensitiveHostPathMount,
  serviceAccountTokenAutomount,
  workloadChecks,
} from './workload.js';

const lines = (check: Check, yaml: string): number[] => runCheck(check, yaml).map((f) => f.location.line);

/** A Deployment around a pod spec (indented under template.spec), pod spec starting at line 12. */
function deployment(specYaml: string, kind = 'Deployment', ns = 'shop'): string {
  const body = specYaml
    .replace(/^\n+|\s+$/g, '')
    .split('\n')
    .map((l) => (l.trim() ? `      ${l}` : l))
    .join('\n');
  return `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: app
  namespace: ${ns}
spec:
  selector:
    matchLabels: { app: app }
  template:
    metadata:
      labels: { app: app }
    spec:
${body}
`;
}

// --- resources -------------------------------------------------------------------------------------------

test('KW-WL-001 flags containers and init containers without a CPU limit, at the nearest existing parent', () => {
  const yaml = pod(`
initContainers:
  - name: init
    image: busybox:1.36
containers:
  - name: app
    image: nginx:1.27
    resources:
      limits:
        memory: 1Gi
  - name: ok
    image: nginx:1.27
    resources:
      limits:
        cpu: 500m`);
  const f = runCheck(cpuLimit, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [8, 'init container "init" has no CPU limit (resources.limits.cpu)'],
      [14, 'container "app" has no CPU limit (resources.limits.cpu)'],
    ],
  );
  assert.equal(f[0]?.severity, 'low');
});

test('KW-WL-001/002 accept numeric quantities and reject empty or null ones', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx:1.27
    resources:
      limits:
        cpu: 1
        memory: ""`);
  assert.deepEqual(lines(cpuLimit, yaml), []);
  assert.deepEqual(lines(memoryLimit, yaml), [13]);
  assert.deepEqual(lines(memoryLimit, yaml.replace('memory: ""', 'memory:')), [13]);
});

test('KW-WL-002 flags a missing memory limit and passes when pod-level resources bound the pod', () => {
  const spec = `
containers:
  - name: app
    image: nginx:1.27`;
  assert.deepEqual(lines(memoryLimit, pod(spec)), [8]);
  assert.equal(runCheck(memoryLimit, pod(spec))[0]?.severity, 'medium');
  const podLevel = pod(`
resources:
  limits: { memory: 1Gi }
containers:
  - name: app
    image: nginx:1.27`);
  assert.deepEqual(lines(memoryLimit, podLevel), []);
  assert.deepEqual(lines(cpuLimit, podLevel), [10]);
  // A pod-level limit also stands in for the request.
  assert.deepEqual(lines(memoryRequest, podLevel), []);
});

test('KW-WL-001..004 ignore ephemeral containers (the API forbids resources on them)', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx:1.27
    resources:
      requests: { cpu: 100m, memory: 64Mi }
      limits: { cpu: 200m, memory: 128Mi }
ephemeralContainers:
  - name: debugger
    image: busybox:1.36`);
  for (const c of [cpuLimit, memoryLimit, cpuRequest, memoryRequest])
    assert.deepEqual(lines(c, yaml), [], c.id);
});

test('KW-WL-003/004 treat a limit as the request (Kubernetes defaults the request to the limit)', () => {
  const yaml = pod(`
containers:
  - name: limited
    image: nginx:1.27
    resources:
      limits: { cpu: 200m, memory: 128Mi }
  - name: unbounded
    image: nginx:1.27
    resources:
      requests: { cpu: 100m }`);
  assert.deepEqual(lines(cpuRequest, yaml), []);
  assert.deepEqual(
    runCheck(memoryRequest, yaml).map((f) => [f.location.line, f.message]),
    [[15, 'container "unbounded" has no memory request (resources.requests.memory)']],
  );
});

// --- probes ----------------------------------------------------------------------------------------------

test('KW-WL-005 flags a long-running container without livenessProbe, not init or ephemeral ones', () => {
  const yaml = pod(`
initContainers:
  - name: init
    image: busybox:1.36
containers:
  - name: app
    image: nginx:1.27
  - name: probed
    image: nginx:1.27
    livenessProbe:
      httpGet: { path: /healthz, port: 8080 }
  - name: empty
    image: nginx:1.27
    livenessProbe: {}
ephemeralContainers:
  - name: debugger
    image: busybox:1.36`);
  assert.deepEqual(
    runCheck(livenessProbe, yaml).map((f) => [f.location.line, f.message]),
    [
      [11, 'container "app" has no livenessProbe'],
      [19, 'container "empty" has no livenessProbe'],
    ],
  );
});

test('KW-WL-005/006 skip Jobs, CronJobs and run-to-completion pods', () => {
  const spec = `
restartPolicy: OnFailure
containers:
  - name: task
    image: ghcr.io/acme/task:1.0.0`;
  assert.deepEqual(lines(livenessProbe, deployment(spec, 'Job')), []);
  assert.deepEqual(lines(readinessProbe, pod(spec)), []);
  assert.deepEqual(lines(readinessProbe, pod(spec.replace('OnFailure', 'Never'))), []);
  assert.deepEqual(lines(readinessProbe, pod(spec.replace('OnFailure', 'Always'))), [9]);
  const cron = `apiVersion: batch/v1
kind: CronJob
metadata: { name: c, namespace: shop }
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: task
              image: ghcr.io/acme/task:1.0.0
`;
  assert.deepEqual(lines(livenessProbe, cron), []);
  assert.deepEqual(lines(readinessProbe, cron), []);
});

test('KW-WL-006 flags a missing readinessProbe and passes a probed container', () => {
  const spec = `
containers:
  - name: app
    image: nginx:1.27
    livenessProbe:
      tcpSocket: { port: 80 }`;
  assert.deepEqual(lines(readinessProbe, deployment(spec)), [14]);
  assert.deepEqual(
    lines(readinessProbe, deployment(`${spec}\n    readinessProbe:\n      grpc: { port: 9000 }`)),
    [],
  );
});

// --- service accounts ------------------------------------------------------------------------------------

const SA = (name: string, ns: string, automount?: boolean): string =>
  `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${
    automount === undefined ? '' : `automountServiceAccountToken: ${automount}\n`
  }---\n`;

test('KW-WL-007 flags a pod that mounts the token, at the pod spec when the field is missing', () => {
  const yaml = pod(`
serviceAccountName: web
containers:
  - name: app
    image: nginx:1.27`);
  const f = runCheck(serviceAccountTokenAutomount, yaml);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.location.line, 6);
  assert.match(f[0]?.message ?? '', /ServiceAccount "web" is not in the scanned manifests/);
  assert.equal(f[0]?.severity, 'medium');
});

test('KW-WL-007 passes when the pod sets automountServiceAccountToken: false', () => {
  const yaml = pod(`
automountServiceAccountToken: false
containers:
  - name: app
    image: nginx:1.27`);
  assert.deepEqual(lines(serviceAccountTokenAutomount, yaml), []);
});

test('KW-WL-007 inherits false from a ServiceAccount of the same name and namespace in the scan', () => {
  const spec = `
serviceAccountName: web
containers:
  - name: app
    image: nginx:1.27`;
  assert.deepEqual(lines(serviceAccountTokenAutomount, SA('web', 'app', false) + pod(spec)), []);
  // Other namespace, other name, or a ServiceAccount that does not disable it: still mounted.
  assert.deepEqual(lines(serviceAccountTokenAutomount, SA('web', 'other', false) + pod(spec)).length, 1);
  assert.deepEqual(lines(serviceAccountTokenAutomount, SA('api', 'app', false) + pod(spec)).length, 1);
  const f = runCheck(serviceAccountTokenAutomount, SA('web', 'app', true) + pod(spec));
  assert.match(f[0]?.message ?? '', /neither the pod nor ServiceAccount "web" sets/);
  // The default service account is looked up too.
  const noName = pod(`
containers:
  - name: app
    image: nginx:1.27`);
  assert.deepEqual(lines(serviceAccountTokenAutomount, SA('default', 'app', false) + noName), []);
  // The deprecated serviceAccount field names the account as well.
  assert.deepEqual(
    lines(
      serviceAccountTokenAutomount,
      SA('web', 'app', false) + pod(spec.replace('serviceAccountName', 'serviceAccount')),
    ),
    [],
  );
});

test('KW-WL-007 flags automountServiceAccountToken: true on the pod even when the ServiceAccount disables it', () => {
  const yaml =
    SA('web', 'app', false) +
    pod(`
serviceAccountName: web
automountServiceAccountToken: true
containers:
  - name: app
    image: nginx:1.27`);
  const f = runCheck(serviceAccountTokenAutomount, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [[15, 'pod sets automountServiceAccountToken: true for service account "web"']],
  );
});

test('KW-WL-007 indexes ServiceAccounts per scan, not across scans', () => {
  const spec = pod(`
serviceAccountName: web
containers:
  - name: app
    image: nginx:1.27`);
  assert.deepEqual(lines(serviceAccountTokenAutomount, SA('web', 'app', false) + spec), []);
  assert.equal(lines(serviceAccountTokenAutomount, spec).length, 1);
});

test('KW-WL-008 flags an unset or "default" service account and passes a dedicated one', () => {
  const unset = pod(`
containers:
  - name: app
    image: nginx:1.27`);
  assert.deepEqual(
    runCheck(defaultServiceAccount, unset).map((f) => [f.location.line, f.message]),
    [[6, 'pod runs as the default service account (serviceAccountName is not set)']],
  );
  const explicit = pod(`
serviceAccountName: default
containers:
  - name: app
    image: nginx:1.27`);
  assert.deepEqual(lines(defaultServiceAccount, explicit), [7]);
  assert.deepEqual(
    lines(defaultServiceAccount, explicit.replace('serviceAccountName', 'serviceAccount')),
    [7],
  );
  assert.deepEqual(lines(defaultServiceAccount, explicit.replace(': default', ': web')), []);
  assert.deepEqual(lines(defaultServiceAccount, deployment('serviceAccountName: ""\ncontainers: []')), [13]);
});

// --- namespaces ------------------------------------------------------------------------------------------

test('KW-WL-009 flags namespace: default on namespaced kinds only', () => {
  const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  namespace: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: r
  namespace: default
---
apiVersion: v1
kind: Service
metadata:
  name: s
  namespace: shop
`;
  const f = runCheck(defaultNamespace, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [[5, 'ConfigMap is in the default namespace']],
  );
  assert.equal(f[0]?.severity, 'medium');
  assert.deepEqual(lines(defaultNamespace, deployment('containers: []', 'Deployment', 'default')), [5]);
});

test('KW-WL-010 reports a missing namespace at metadata, with low severity and a clear message', () => {
  const yaml = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata:
      name: s
  - apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: d
      namespace: shop
`;
  const f = runCheck(namespaceNotSet, yaml);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.location.line, 6);
  assert.equal(f[0]?.severity, 'low');
  assert.match(f[0]?.message ?? '', /^Secret has no namespace: metadata.namespace is not set/);
  assert.deepEqual(lines(defaultNamespace, yaml), []);
});

// --- hostPath --------------------------------------------------------------------------------------------

test('normaliseHostPath resolves dots, doubled and trailing slashes, and rejects relative paths', () => {
  assert.equal(normaliseHostPath('/var/run/'), '/var/run');
  assert.equal(normaliseHostPath('//var//run/./docker.sock'), '/var/run/docker.sock');
  assert.equal(normaliseHostPath('/var/lib/../run/docker.sock'), '/var/run/docker.sock');
  assert.equal(normaliseHostPath('/'), '/');
  assert.equal(normaliseHostPath('var/run'), undefined);
});

test('runtimeSocketIn finds sockets, their directories and well-known socket names', () => {
  assert.equal(runtimeSocketIn('/var/run/docker.sock'), '/var/run/docker.sock');
  assert.equal(runtimeSocketIn('/run/containerd/containerd.sock'), '/run/containerd/containerd.sock');
  assert.equal(runtimeSocketIn('/var/run/crio/crio.sock'), '/var/run/crio/crio.sock');
  assert.equal(runtimeSocketIn('/run/podman/podman.sock'), '/run/podman/podman.sock');
  assert.equal(runtimeSocketIn('/var/run/cri-dockerd.sock'), '/var/run/cri-dockerd.sock');
  assert.equal(runtimeSocketIn('/var/run'), '/var/run/docker.sock');
  assert.equal(runtimeSocketIn('/run'), '/run/docker.sock');
  assert.equal(runtimeSocketIn('/var/run/docker'), '/var/run/docker/containerd/containerd.sock');
  assert.equal(runtimeSocketIn('/var/run/crio'), '/var/run/crio/crio.sock');
  assert.equal(runtimeSocketIn('/'), '/var/run/docker.sock');
  assert.equal(runtimeSocketIn('/run/user/1000/podman/podman.sock'), '/run/user/1000/podman/podman.sock');
  assert.equal(runtimeSocketIn('\\\\.\\pipe\\docker_engine'), '\\\\.\\pipe\\docker_engine');
  assert.equal(runtimeSocketIn('/var/run/secrets'), undefined);
  assert.equal(runtimeSocketIn('/run/containerd-data'), undefined);
  assert.equal(runtimeSocketIn('/var/log'), undefined);
  assert.equal(runtimeSocketIn('/var/run/docker.sock.bak'), undefined);
});

test('sensitiveHostPath covers the listed paths, their parents and credential subtrees only', () => {
  for (const p of ['/', '/etc', '/proc', '/sys', '/root', '/home', '/var/lib/kubelet']) {
    assert.ok(sensitiveHostPath(p)?.startsWith(`${p}:`), p);
  }
  assert.match(sensitiveHostPath('/var/lib') ?? '', /contains \/var\/lib\/kubelet/);
  assert.match(sensitiveHostPath('/var/lib/kubelet/pods') ?? '', /inside \/var\/lib\/kubelet/);
  assert.match(sensitiveHostPath('/home/alice/.ssh') ?? '', /inside \/home/);
  assert.match(sensitiveHostPath('/etc/kubernetes/admin.conf') ?? '', /cluster PKI/);
  for (const p of [
    '/etc/ssl/certs',
    '/etc/localtime',
    '/sys/fs/cgroup',
    '/proc/sys/net',
    '/var/log',
    '/data',
  ]) {
    assert.equal(sensitiveHostPath(p), undefined, p);
  }
  assert.equal(sensitiveHostPath('/homework'), undefined);
  assert.equal(sensitiveHostPath('/rootfs'), undefined);
});

test('KW-WL-011 flags runtime socket volumes at hostPath.path, naming the containers that mount them', () => {
  const yaml = pod(`
containers:
  - name: app
    image: docker:27-cli
    volumeMounts:
      - { name: sock, mountPath: /var/run/docker.sock }
volumes:
  - name: sock
    hostPath:
      path: /var/run/docker.sock
      type: Socket
  - name: unused
    hostPath: { path: /run/ }
  - name: data
    hostPath: { path: /srv/data }
  - name: config
    configMap: { name: c }`);
  const f = runCheck(runtimeSocketMount, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [
        15,
        'hostPath volume "sock" mounts the container runtime socket /var/run/docker.sock (mounted by "app")',
      ],
      [
        18,
        'hostPath volume "unused" mounts /run, which holds the container runtime socket /run/docker.sock (not mounted by any container yet)',
      ],
    ],
  );
  assert.equal(f[0]?.severity, 'critical');
});

test('KW-WL-011 passes pods without hostPath volumes', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx:1.27
volumes:
  - name: tmp
    emptyDir: {}`);
  assert.deepEqual(lines(runtimeSocketMount, yaml), []);
  assert.deepEqual(lines(sensitiveHostPathMount, yaml), []);
});

test('KW-WL-012 flags sensitive host paths and passes narrow, harmless ones', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx:1.27
volumes:
  - name: etc
    hostPath: { path: /etc/ }
  - name: certs
    hostPath: { path: /etc/ssl/certs }
  - name: kubelet
    hostPath: { path: /var/lib/kubelet/pods }
  - name: relative
    hostPath: { path: etc }`);
  const f = runCheck(sensitiveHostPathMount, yaml);
  assert.deepEqual(
    f.map((x) => x.location.line),
    [12, 16],
  );
  assert.match(f[0]?.message ?? '', /^hostPath volume "etc" mounts \/etc: host configuration/);
  assert.equal(f[0]?.severity, 'high');
});

// --- metadata and fixtures -------------------------------------------------------------------------------

test('workload checks have unique KW-WL ids, framework mappings and CIS ids where they apply', () => {
  const ids = workloadChecks.map((c) => c.id);
  assert.deepEqual(
    ids,
    Array.from({ length: 12 }, (_, i) => `KW-WL-${String(i + 1).padStart(3, '0')}`),
  );
  const cisOf = (c: Check) => c.frameworks.filter((f) => f.framework === 'cis-k8s').map((f) => f.id);
  assert.deepEqual(cisOf(serviceAccountTokenAutomount), ['5.1.6']);
  assert.deepEqual(cisOf(defaultServiceAccount), ['5.1.5']);
  assert.deepEqual(cisOf(defaultNamespace), ['5.7.4']);
  assert.deepEqual(cisOf(cpuLimit), []);
  for (const c of workloadChecks) assert.ok(c.frameworks.length > 0, c.id);
});
