// Deterministic synthetic manifests for the scan benchmark: N mixed resources (workloads, Services,
// Ingresses, RBAC, ConfigMaps, Secrets, NetworkPolicies, Namespaces) written as multi-document YAML files,
// with a realistic share of bad practice so that the checks actually report findings.
//
//   node --import tsx bench/generate.ts [out-dir] [resources] [per-file]
//
// The same seed always produces byte-identical files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface GenerateOptions {
  dir: string;
  /** Total resources (default 10,000). */
  resources?: number;
  /** Resources per file (default 100). */
  perFile?: number;
  seed?: number;
}

export interface GeneratedSet {
  dir: string;
  files: string[];
  resources: number;
  bytes: number;
  byKind: Record<string, number>;
}

/** Relative weights of the kinds in a generated set (sum 100: one file of 100 has about this mix). */
const KIND_WEIGHTS: ReadonlyArray<readonly [Kind, number]> = [
  ['Deployment', 20],
  ['Pod', 5],
  ['StatefulSet', 5],
  ['CronJob', 5],
  ['Service', 15],
  ['Ingress', 5],
  ['Role', 5],
  ['ClusterRole', 3],
  ['RoleBinding', 5],
  ['ClusterRoleBinding', 2],
  ['ConfigMap', 15],
  ['Secret', 5],
  ['NetworkPolicy', 5],
  ['Namespace', 5],
];

type Kind =
  | 'Deployment'
  | 'Pod'
  | 'StatefulSet'
  | 'CronJob'
  | 'Service'
  | 'Ingress'
  | 'Role'
  | 'ClusterRole'
  | 'RoleBinding'
  | 'ClusterRoleBinding'
  | 'ConfigMap'
  | 'Secret'
  | 'NetworkPolicy'
  | 'Namespace';

const NAMESPACES = 40;
const APPS = [
  'cart',
  'checkout',
  'catalog',
  'search',
  'billing',
  'auth',
  'notify',
  'ledger',
  'media',
  'report',
];
const REGISTRIES = ['ghcr.io/acme', 'ghcr.io/acme', 'ghcr.io/acme', 'docker.io/library', 'quay.io/partner'];

/** mulberry32: small, fast, and the same sequence on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private readonly rand: () => number;
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(seed: number) {
    this.rand = prng(seed);
    let sum = 0;
    this.cumulative = KIND_WEIGHTS.map(([, w]) => (sum += w));
    this.total = sum;
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  chance(p: number): boolean {
    return this.rand() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }

  kind(): Kind {
    const x = this.rand() * this.total;
    const i = this.cumulative.findIndex((c) => x < c);
    return (KIND_WEIGHTS[i] ?? KIND_WEIGHTS[0])?.[0] as Kind;
  }

  hex(len: number): string {
    let s = '';
    while (s.length < len) s += this.int(0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, len);
  }
}

/** Indents every line of `text` by `n` spaces. */
function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function image(g: Gen, app: string): string {
  const repo = `${g.pick(REGISTRIES)}/${app}`;
  const r = g.int(20);
  if (r === 0) return `${repo}:latest`;
  if (r === 1) return repo;
  const tag = `${1 + g.int(4)}.${g.int(20)}.${g.int(10)}`;
  return r < 10 ? `${repo}:${tag}@sha256:${g.hex(64)}` : `${repo}:${tag}`;
}

/** One container; roughly a third of them carry some bad practice. */
function container(g: Gen, app: string, name: string, batch: boolean): string {
  const lines = [`- name: ${name}`, `  image: ${image(g, app)}`];
  if (!batch) lines.push('  ports:', `    - containerPort: ${8000 + g.int(100)}`);
  lines.push('  env:', '    - name: LOG_LEVEL', '      value: info');
  if (g.chance(0.1)) lines.push('    - name: DB_PASSWORD', `      value: pw-${g.hex(12)}`);
  if (g.chance(0.3))
    lines.push(
      '    - name: API_TOKEN',
      '      valueFrom:',
      '        secretKeyRef:',
      `          name: ${app}-secrets`,
      '          key: token',
    );
  if (g.chance(0.8)) {
    lines.push('  resources:', '    requests:', '      cpu: 100m', '      memory: 128Mi', '    limits:');
    if (g.chance(0.6)) lines.push('      cpu: 500m');
    lines.push('      memory: 256Mi');
  }
  if (!batch && g.chance(0.7)) {
    lines.push('  readinessProbe:', '    httpGet: {path: /ready, port: 8080}');
    lines.push('  livenessProbe:', '    httpGet: {path: /live, port: 8080}');
  }
  const sc: string[] = [];
  if (g.chance(0.03)) sc.push('    privileged: true');
  if (g.chance(0.7)) sc.push('    allowPrivilegeEscalation: false', '    readOnlyRootFilesystem: true');
  if (g.chance(0.6)) sc.push('    capabilities:', '      drop: [ALL]');
  else if (g.chance(0.1)) sc.push('    capabilities:', '      add: [NET_ADMIN, SYS_TIME]');
  if (g.chance(0.5)) sc.push('    runAsNonRoot: true', `    runAsUser: ${10000 + g.int(1000)}`);
  if (sc.length) lines.push('  securityContext:', ...sc);
  return lines.join('\n');
}

function podSpec(g: Gen, app: string, batch: boolean): string {
  const lines: string[] = [];
  if (g.chance(0.6)) lines.push(`serviceAccountName: ${app}`);
  if (g.chance(0.4)) lines.push('automountServiceAccountToken: false');
  if (batch) lines.push('restartPolicy: OnFailure');
  if (g.chance(0.02)) lines.push('hostNetwork: true');
  if (g.chance(0.02)) lines.push('hostPID: true');
  if (g.chance(0.6)) lines.push('securityContext:', '  seccompProfile:', '    type: RuntimeDefault');
  lines.push('containers:');
  const n = 1 + (g.chance(0.25) ? 1 : 0);
  for (let i = 0; i < n; i++)
    lines.push(indent(container(g, app, i === 0 ? app : `${app}-sidecar`, batch), 2));
  const volumes: string[] = [];
  if (g.chance(0.02)) volumes.push('  - name: docker', '    hostPath: {path: /var/run/docker.sock}');
  if (g.chance(0.03)) volumes.push('  - name: logs', '    hostPath: {path: /var/log}');
  if (g.chance(0.3)) volumes.push('  - name: tmp', '    emptyDir: {}');
  if (volumes.length) lines.push('volumes:', ...volumes);
  return lines.join('\n');
}

function meta(name: string, ns: string | undefined, labels: Record<string, string>): string {
  const lines = ['metadata:', `  name: ${name}`];
  if (ns) lines.push(`  namespace: ${ns}`);
  lines.push('  labels:');
  for (const [k, v] of Object.entries(labels)) lines.push(`    ${k}: ${v}`);
  return lines.join('\n');
}

function resource(g: Gen, kind: Kind, i: number): string {
  const app = g.pick(APPS);
  const ns = g.chance(0.03) ? undefined : `team-${g.int(NAMESPACES)}`;
  const name = `${app}-${i}`;
  const labels = { app, 'app.kubernetes.io/part-of': 'bench' };
  const m = meta(name, ns, labels);
  const template = (batch: boolean): string =>
    [
      'template:',
      '  metadata:',
      `    labels: {app: ${app}}`,
      '  spec:',
      indent(podSpec(g, app, batch), 4),
    ].join('\n');
  switch (kind) {
    case 'Deployment':
      return [
        'apiVersion: apps/v1',
        'kind: Deployment',
        m,
        'spec:',
        `  replicas: ${1 + g.int(5)}`,
        `  selector: {matchLabels: {app: ${app}}}`,
        indent(template(false), 2),
      ].join('\n');
    case 'StatefulSet':
      return [
        'apiVersion: apps/v1',
        'kind: StatefulSet',
        m,
        'spec:',
        `  serviceName: ${name}`,
        `  selector: {matchLabels: {app: ${app}}}`,
        indent(template(false), 2),
      ].join('\n');
    case 'Pod':
      return ['apiVersion: v1', 'kind: Pod', m, 'spec:', indent(podSpec(g, app, g.chance(0.5)), 2)].join(
        '\n',
      );
    case 'CronJob':
      return [
        'apiVersion: batch/v1',
        'kind: CronJob',
        m,
        'spec:',
        `  schedule: "${g.int(60)} ${g.int(24)} * * *"`,
        '  jobTemplate:',
        '    spec:',
        indent(template(true), 6),
      ].join('\n');
    case 'Service': {
      const type = g.pick(['ClusterIP', 'ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer']);
      const lines = [
        'apiVersion: v1',
        'kind: Service',
        m,
        'spec:',
        `  type: ${type}`,
        `  selector: {app: ${app}}`,
      ];
      if (type === 'LoadBalancer' && g.chance(0.5)) lines.push('  loadBalancerSourceRanges: [10.0.0.0/8]');
      if (g.chance(0.01)) lines.push('  externalIPs: [203.0.113.10]');
      lines.push('  ports:', '    - name: http', '      port: 80', '      targetPort: 8080');
      return lines.join('\n');
    }
    case 'Ingress': {
      const host = `${app}-${i}.example.com`;
      const lines = ['apiVersion: networking.k8s.io/v1', 'kind: Ingress', m, 'spec:'];
      if (g.chance(0.7)) lines.push('  tls:', `    - hosts: [${host}]`, `      secretName: ${name}-tls`);
      lines.push(
        '  rules:',
        `    - host: ${host}`,
        '      http:',
        '        paths:',
        '          - path: /',
        '            pathType: Prefix',
        '            backend:',
        `              service: {name: ${app}, port: {number: 80}}`,
      );
      return lines.join('\n');
    }
    case 'Role':
    case 'ClusterRole': {
      const cluster = kind === 'ClusterRole';
      const rules = [
        'rules:',
        '  - apiGroups: [""]',
        '    resources: [configmaps, services]',
        '    verbs: [get, list]',
      ];
      if (g.chance(0.2))
        rules.push('  - apiGroups: [""]', '    resources: [secrets]', '    verbs: [get, list, watch]');
      if (g.chance(0.1)) rules.push('  - apiGroups: ["*"]', '    resources: ["*"]', '    verbs: ["*"]');
      if (g.chance(0.1))
        rules.push('  - apiGroups: [""]', '    resources: [pods/exec]', '    verbs: [create]');
      if (g.chance(0.1))
        rules.push('  - apiGroups: [apps]', '    resources: [deployments]', '    verbs: [create, patch]');
      return [
        'apiVersion: rbac.authorization.k8s.io/v1',
        `kind: ${kind}`,
        meta(name, cluster ? undefined : ns, labels),
        ...rules,
      ].join('\n');
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const cluster = kind === 'ClusterRoleBinding';
      const role = g.chance(0.05) ? 'cluster-admin' : `${app}-${Math.max(0, i - g.int(50))}`;
      const subject = g.chance(0.03)
        ? ['  - kind: Group', '    apiGroup: rbac.authorization.k8s.io', '    name: system:authenticated']
        : ['  - kind: ServiceAccount', `    name: ${app}`, `    namespace: ${ns ?? 'default'}`];
      return [
        'apiVersion: rbac.authorization.k8s.io/v1',
        `kind: ${kind}`,
        meta(name, cluster ? undefined : ns, labels),
        'roleRef:',
        '  apiGroup: rbac.authorization.k8s.io',
        `  kind: ${cluster || role === 'cluster-admin' ? 'ClusterRole' : 'Role'}`,
        `  name: ${role}`,
        'subjects:',
        ...subject,
      ].join('\n');
    }
    case 'ConfigMap': {
      const lines = [
        'apiVersion: v1',
        'kind: ConfigMap',
        m,
        'data:',
        '  LOG_LEVEL: info',
        `  REPLICAS: "${g.int(9)}"`,
      ];
      lines.push(`  SERVICE_URL: http://${app}.${ns ?? 'default'}.svc.cluster.local:8080`);
      if (g.chance(0.1)) lines.push(`  SMTP_PASSWORD: pw-${g.hex(16)}`);
      if (g.chance(0.3))
        lines.push(
          '  application.properties: |',
          `    server.port=8080`,
          `    spring.datasource.url=jdbc:postgresql://db.${ns ?? 'default'}:5432/${app}`,
          `    cache.ttl=${g.int(3600)}`,
        );
      return lines.join('\n');
    }
    case 'Secret': {
      const lines = ['apiVersion: v1', 'kind: Secret', m, 'type: Opaque'];
      if (g.chance(0.5)) lines.push('data:', `  token: ${Buffer.from(g.hex(24)).toString('base64')}`);
      else lines.push('stringData:', `  password: ${g.hex(20)}`);
      return lines.join('\n');
    }
    case 'NetworkPolicy': {
      const deny = g.chance(0.4);
      const lines = ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', m, 'spec:'];
      if (deny)
        lines.push('  podSelector: {}', `  policyTypes: [${g.chance(0.5) ? 'Ingress, Egress' : 'Ingress'}]`);
      else
        lines.push(
          `  podSelector: {matchLabels: {app: ${app}}}`,
          '  policyTypes: [Ingress]',
          '  ingress:',
          '    - from:',
          '        - podSelector: {matchLabels: {role: frontend}}',
          '      ports:',
          '        - port: 8080',
        );
      return lines.join('\n');
    }
    case 'Namespace':
      return [
        'apiVersion: v1',
        'kind: Namespace',
        meta(`team-${g.int(NAMESPACES)}`, undefined, { 'pod-security.kubernetes.io/enforce': 'baseline' }),
      ].join('\n');
  }
}

/** Writes the set into `dir` (created if needed) as files `manifests-000.yaml`, ... */
export function generateManifests(opts: GenerateOptions): GeneratedSet {
  const total = opts.resources ?? 10_000;
  const perFile = opts.perFile ?? 100;
  const g = new Gen(opts.seed ?? 20261127);
  mkdirSync(opts.dir, { recursive: true });
  const files: string[] = [];
  const byKind: Record<string, number> = {};
  let bytes = 0;
  for (let start = 0, f = 0; start < total; start += perFile, f++) {
    const docs: string[] = [`# generated by bench/generate.ts (file ${f})`];
    for (let i = start; i < Math.min(total, start + perFile); i++) {
      const kind = g.kind();
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      docs.push(`${i === start ? '' : '---\n'}${resource(g, kind, i)}`);
    }
    const file = join(opts.dir, `manifests-${String(f).padStart(3, '0')}.yaml`);
    const text = `${docs.join('\n')}\n`;
    writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    files.push(file);
  }
  return { dir: opts.dir, files, resources: total, bytes, byKind };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [dir = 'bench/out/manifests', resources = '10000', perFile = '100'] = process.argv.slice(2);
  const set = generateManifests({ dir, resources: Number(resources), perFile: Number(perFile) });
  console.log(
    `wrote ${set.resources} resources in ${set.files.length} files (${(set.bytes / 1048576).toFixed(1)} MiB) to ${dir}`,
  );
  console.log(
    Object.entries(set.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', '),
  );
}
