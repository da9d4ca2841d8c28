// Admission webhook benchmark. The webhook (PSS restricted + 20 VAP/CEL policies + image policies with an
// allow-list and mutable-tag check; no network) runs in its own process, as in production; autocannon drives
// it over TLS keep-alive at a fixed 200 and 1,000 requests/s (overallRate, coordinated-omission corrected).
// Compared with a bare HTTPS echo server (same TLS settings and certificate, same body) measured in the same
// run, so the ratio says what kubeward adds over TLS + HTTP in Node. Also: in-process `evaluateRequest`.
// Targets: webhook p99 < 10 ms at 1,000 req/s on one core; in-process p99 < 1 ms.
//
//   node --import tsx bench/run.ts admission
//   taskset -c 0 ... (the server child inherits the affinity: "one core")
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateServingCerts } from '../src/admission/install/certs.js';
import { createAdmissionServer } from '../src/admission/server.js';
import { TLS_BASE_OPTIONS } from '../src/admission/tls.js';
import type { AdmissionRequest } from '../src/admission/types.js';
import { evaluateRequest, type PolicySet } from '../src/policy/engine/index.js';
import { loadPolicySet } from '../src/policy/load/index.js';
import { compileVap } from '../src/policy/vap/index.js';

const SELF = fileURLToPath(import.meta.url);
const ROLE_ENV = 'KUBEWARD_BENCH_ADMISSION_ROLE';
const RATES = [200, 1000] as const;
const DURATION_S = 10;
const CONNECTIONS = 10;
const IN_PROCESS_RUNS = 20_000;

interface AutocannonResult {
  latency: { p50: number; p99: number; p99_9?: number; max: number; average: number };
  requests: { total: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** 20 VAP policies of the kinds clusters run: labels, images, limits, names, probes, CEL string/list/regex. */
const VALIDATIONS: readonly [string, string][] = [
  ["has(object.metadata.labels) && 'app' in object.metadata.labels", 'pods need an app label'],
  ["has(object.metadata.labels) && 'team' in object.metadata.labels", 'pods need a team label'],
  ["object.spec.containers.all(c, c.image.startsWith('ghcr.io/acme/'))", 'images come from ghcr.io/acme'],
  ['object.spec.containers.all(c, has(c.resources) && has(c.resources.limits))', 'containers need limits'],
  [
    "object.spec.containers.all(c, has(c.resources.limits) && 'memory' in c.resources.limits)",
    'memory limits',
  ],
  ['size(object.spec.containers) <= 10', 'at most 10 containers'],
  ["object.metadata.name.matches('^[a-z0-9-]+$')", 'names are lowercase'],
  ['object.spec.containers.all(c, has(c.readinessProbe))', 'readiness probes'],
  ['object.spec.containers.all(c, has(c.livenessProbe))', 'liveness probes'],
  ['!has(object.spec.hostNetwork) || object.spec.hostNetwork == false', 'no host network'],
  ["object.spec.containers.all(c, !c.image.endsWith(':latest'))", 'no latest tag'],
  ['object.spec.containers.all(c, c.name.size() <= 63)', 'short container names'],
  ["!has(object.spec.serviceAccountName) || object.spec.serviceAccountName != 'default'", 'no default SA'],
  ["object.metadata.labels.all(k, !k.startsWith('kubernetes.io/'))", 'no reserved label prefixes'],
  ['object.spec.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort)))', 'no host ports'],
  ['object.spec.containers.exists(c, c.name == object.metadata.labels.app) || true', 'main container'],
  [
    "object.spec.containers.map(c, c.image).all(i, i.contains('@sha256:') || i.contains(':'))",
    'tagged images',
  ],
  ['!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))', 'no hostPath'],
  ["object.metadata.labels.team in ['payments', 'search', 'shop']", 'known team'],
  ["string(size(object.spec.containers)) != '0'", 'has containers'],
];

function vapYaml(): string {
  return VALIDATIONS.map(([expression, message], i) =>
    [
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingAdmissionPolicy',
      'metadata:',
      `  name: bench-${i}`,
      'spec:',
      '  failurePolicy: Fail',
      '  matchConstraints:',
      '    resourceRules:',
      '      - apiGroups: [""]',
      '        apiVersions: ["v1"]',
      '        operations: ["CREATE", "UPDATE"]',
      '        resources: ["pods"]',
      '  validations:',
      `    - expression: ${JSON.stringify(expression)}`,
      `      message: ${JSON.stringify(message)}`,
      '---',
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingAdmissionPolicyBinding',
      'metadata:',
      `  name: bench-${i}`,
      'spec:',
      `  policyName: bench-${i}`,
      '  validationActions: [Deny]',
      '---',
    ].join('\n'),
  ).join('\n');
}

const IMAGE_POLICY = `apiVersion: kubeward.io/v1alpha1
kind: ImagePolicy
metadata:
  name: registries
spec:
  allowedRegistries: ["ghcr.io/acme"]
  forbidMutableTags:
    allowTags: ["v*"]
`;

export function writePolicies(dir: string): void {
  writeFileSync(join(dir, 'vap.yaml'), vapYaml());
  writeFileSync(join(dir, 'images.yaml'), IMAGE_POLICY);
}

function loadSet(dir: string): PolicySet {
  return loadPolicySet([dir], {
    cwd: dir,
    pss: { level: 'restricted', version: 'latest' },
    vap: ({ policies, bindings, params }) => compileVap({ policies, bindings, params }),
  }).set;
}

/** A compliant pod: every policy runs to completion and the request is allowed. */
function podRequest(uid: string): AdmissionRequest {
  const container = {
    name: 'api',
    image: 'ghcr.io/acme/api:v2.4.1',
    resources: { limits: { cpu: '500m', memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
  return {
    uid,
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    name: 'api-7d9f8',
    namespace: 'shop',
    operation: 'CREATE',
    userInfo: {
      username: 'system:serviceaccount:kube-system:replicaset-controller',
      groups: ['system:serviceaccounts'],
    },
    dryRun: false,
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-7d9f8', namespace: 'shop', labels: { app: 'api', team: 'shop' } },
      spec: {
        serviceAccountName: 'api',
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [container, { ...container, name: 'sidecar', image: 'ghcr.io/acme/proxy:v1.9.0' }],
      },
    },
  };
}

export function reviewBody(): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: podRequest('7f3c2a1e-bench'),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Child roles: the webhook and the echo server each run alone in their own process.

async function serveRole(role: string): Promise<void> {
  // Exit (rather than die) on SIGTERM so --cpu-prof can write its profile.
  process.on('SIGTERM', () => process.exit(0));
  const dir = process.env.KUBEWARD_BENCH_DIR ?? '';
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  let port: number;
  if (role === 'webhook') {
    const set = loadSet(join(dir, 'policies'));
    const server = createAdmissionServer({
      tlsCertFile: cert,
      tlsKeyFile: key,
      logger: () => {}, // decision logs would measure stderr, not the webhook
      evaluate: (r) =>
        evaluateRequest(r, set, {
          now: new Date(),
          namespaceLabels: () => undefined,
          deadline: Date.now() + 4000,
        }),
    });
    port = (await server.listen('127.0.0.1:0')).port;
  } else {
    const server = createServer(
      { ...TLS_BASE_OPTIONS, cert: readFileSync(cert), key: readFileSync(key), keepAliveTimeout: 5000 },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
          res.end(body);
        });
      },
    );
    port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
  }
  process.stdout.write(`PORT ${port}\n`);
}

/**
 * "One core": with taskset and two or more cores, the servers run pinned to core 0 and the load generator
 * (this process) to core 1, so autocannon does not steal the webhook's CPU.
 */
const PIN = availableParallelism() >= 2 && commandExists('taskset');

function commandExists(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function startChild(role: string, dir: string): Promise<{ child: ChildProcess; port: number }> {
  // KUBEWARD_BENCH_WEBHOOK_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the webhook child.
  const extra =
    role === 'webhook' ? (process.env.KUBEWARD_BENCH_WEBHOOK_NODE_ARGS ?? '').split(' ').filter(Boolean) : [];
  const argv = [...extra, ...process.execArgv, SELF];
  const [cmd, args] = PIN ? ['taskset', ['-c', '0', process.execPath, ...argv]] : [process.execPath, argv];
  const child = spawn(cmd, args, {
    env: { ...process.env, [ROLE_ENV]: role, KUBEWARD_BENCH_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${role} exited ${String(code)}`)));
  });
}

async function load(port: number, rate: number, body: string): Promise<AutocannonResult> {
  return autocannon({
    url: `https://127.0.0.1:${port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    overallRate: rate,
    duration: DURATION_S,
  });
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function inProcess(
  set: PolicySet,
): Promise<{ p50: number; p99: number; cpuUs: number; allowed: boolean }> {
  const req = podRequest('in-process');
  const ctx = { now: new Date(), namespaceLabels: () => undefined };
  let allowed = false;
  for (let i = 0; i < 2000; i++) allowed = (await evaluateRequest(req, set, ctx)).allowed;
  const times: number[] = [];
  // CPU time per evaluation is what a busy, shared machine inflates least (wall-time p99 includes preemption).
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < IN_PROCESS_RUNS; i++) {
    const t0 = performance.now();
    await evaluateRequest(req, set, ctx);
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    p50: pct(times, 50),
    p99: pct(times, 99),
    cpuUs: (cpu.user + cpu.system) / IN_PROCESS_RUNS,
    allowed,
  };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-bench-admission-'));
  const children: ChildProcess[] = [];
  try {
    const certs = generateServingCerts({ dnsNames: ['localhost'], days: 1 });
    writeFileSync(join(dir, 'tls.crt'), certs.cert);
    writeFileSync(join(dir, 'tls.key'), certs.key);
    const policies = join(dir, 'policies');
    mkdirSync(policies);
    writePolicies(policies);
    console.log(
      `  machine: ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}, ${availableParallelism()} usable core(s) of ${cpus().length}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `  policies: PSS restricted + ${VALIDATIONS.length} VAP (CEL) + 1 ImagePolicy (allow-list, mutable tags); compliant 2-container pod`,
    );

    const set = loadSet(policies);
    const ip = await inProcess(set);
    console.log(
      `  in-process evaluateRequest: p50 ${ip.p50.toFixed(3)} ms, p99 ${ip.p99.toFixed(3)} ms, mean CPU ${(ip.cpuUs / 1000).toFixed(3)} ms (${IN_PROCESS_RUNS} runs; allowed=${String(ip.allowed)})  target p99 < 1 ms: ${ip.p99 < 1 ? 'met' : 'MISSED'}`,
    );

    const body = reviewBody();
    if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    console.log(
      `  servers pinned to core 0, load generator to core 1: ${PIN ? 'yes' : 'no (taskset or a second core missing)'}`,
    );
    const webhook = await startChild('webhook', dir);
    children.push(webhook.child);
    const echo = await startChild('echo', dir);
    children.push(echo.child);
    // Warm both (JIT, TLS session setup) before measuring.
    await autocannon({
      url: `https://127.0.0.1:${webhook.port}/validate`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: CONNECTIONS,
      amount: 3000,
    });
    await autocannon({
      url: `https://127.0.0.1:${echo.port}/validate`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: CONNECTIONS,
      amount: 3000,
    });
    // Service time: one connection, one request at a time, no rate limit.
    for (const [name, port] of [
      ['webhook', webhook.port],
      ['TLS echo', echo.port],
    ] as const) {
      const r = await autocannon({
        url: `https://127.0.0.1:${port}/validate`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: 1,
        duration: 5,
      });
      console.log(
        `  sequential (1 connection): ${name} mean ${r.latency.average} ms, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (${r.requests.total} requests)`,
      );
    }
    for (const rate of RATES) {
      const e = await load(echo.port, rate, body);
      const w = await load(webhook.port, rate, body);
      const bad = w.errors + w.timeouts + w.non2xx;
      console.log(
        `  ${String(rate).padStart(5)} req/s  webhook p50 ${w.latency.p50} ms p99 ${w.latency.p99} ms (${w.requests.total} requests, ${bad} errors) | ` +
          `TLS echo p50 ${e.latency.p50} ms p99 ${e.latency.p99} ms | p99 ratio ${(w.latency.p99 / Math.max(e.latency.p99, 0.001)).toFixed(2)}` +
          (rate === 1000 ? `  target p99 < 10 ms: ${w.latency.p99 < 10 ? 'met' : 'MISSED'}` : ''),
      );
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

export default { run };

// Spawned as a child (see startChild): serve until killed.
const childRole = process.env[ROLE_ENV];
if (childRole && process.argv[1] === SELF) void serveRole(childRole);
