// Admission webhook benchmark. The real `kubeward admission serve` (built CLI, PSS restricted + 20 VAP/CEL
// policies + an image policy with an allow-list and mutable-tag check; no network; decision logs on, to a file)
// runs in its own process pinned to one core, as in production. loadtest drives it over TLS keep-alive at a
// steady 200 and 1,000 requests/s: open loop, one request every 1/rate s whatever the answers, so a stall
// shows up as queueing in the latencies instead of slowing the sender down (coordinated omission), and a new
// keep-alive connection is opened whenever all are busy, as the API server's client does. Compared with a
// bare HTTPS echo server (same TLS settings and certificate, same body) measured in the same run, so the
// ratio says what kubeward adds over TLS + HTTP in Node. Also: in-process `evaluateRequest`.
// Targets: webhook p99 < 10 ms at 1,000 req/s on one core; in-process p99 < 1 ms.
//
// Why not autocannon: its `overallRate` lets each connection send its whole per-second quota back to back
// at the start of every second and then idle, so "1,000 req/s" is a saturation burst of 10 in flight for a
// third of each second; and its coordinated-omission correction takes 1/rate (requests per second) as the
// expected interval in milliseconds, rounded up to 1 ms, which adds phantom samples to every response
// slower than 1 ms.
//
//   make bench (builds first), or: npm run build && node --import tsx bench/run.ts admission
//   taskset -c 0 ... (the server child inherits the affinity: "one core")
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateServingCerts } from '../src/admission/install/certs.js';
import { TLS_BASE_OPTIONS } from '../src/admission/tls.js';
import type { AdmissionRequest } from '../src/admission/types.js';
import { evaluateRequest, type PolicySet } from '../src/policy/engine/index.js';
import { loadPolicySet } from '../src/policy/load/index.js';
import { compileVap } from '../src/policy/vap/index.js';

const SELF = fileURLToPath(import.meta.url);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ROLE_ENV = 'KUBEWARD_BENCH_ADMISSION_ROLE';
const RATES = [200, 1000] as const;
const DURATION_S = 10;
/** Runs per rate for the webhook (the echo server runs once per rate). */
const RUNS = Number(process.env.KUBEWARD_BENCH_ADMISSION_RUNS ?? 3);
const IN_PROCESS_RUNS = 20_000;

/** The part of loadtest's (v8) API and result used here; the package's own typings predate its promise API. */
interface LoadTestResult {
  totalRequests: number;
  totalErrors: number;
  effectiveRps: number;
  clients: number;
  maxLatencyMs: number;
  meanLatencyMs: number;
  percentiles: Record<'50' | '90' | '95' | '99', number>;
}
type LoadTest = (opts: Record<string, unknown>) => Promise<LoadTestResult>;
const { loadTest } = (await import('loadtest')) as unknown as { loadTest: LoadTest };

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
// The echo server's child role: it runs alone in its own process, like the webhook.

function serveEcho(): void {
  // Exit (rather than die) on SIGTERM so --cpu-prof can write its profile.
  process.on('SIGTERM', () => process.exit(0));
  const dir = process.env.KUBEWARD_BENCH_DIR ?? '';
  const server = createServer(
    {
      ...TLS_BASE_OPTIONS,
      cert: readFileSync(join(dir, 'tls.crt')),
      key: readFileSync(join(dir, 'tls.key')),
      keepAliveTimeout: 5000,
    },
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
  server.listen(0, '127.0.0.1', () => {
    process.stderr.write(
      `${JSON.stringify({ msg: 'listening', port: (server.address() as { port: number }).port })}\n`,
    );
  });
}

/**
 * "One core": with taskset and two or more cores, the servers run pinned to core 0 and the load generator
 * (this process) to core 1, so the generator does not steal the webhook's CPU.
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

interface Server {
  name: string;
  child: ChildProcess;
  port: number;
}

/**
 * Starts a server process whose stderr goes to `log` (the webhook's decision log: a file, as a container
 * runtime would collect it) and resolves once it has logged the port it listens on.
 */
async function startServer(
  name: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  log: string,
): Promise<Server> {
  const [cmd, args] = PIN ? ['taskset', ['-c', '0', process.execPath, ...argv]] : [process.execPath, argv];
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', openSync(log, 'w')] });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited ${child.exitCode}: ${readFileSync(log, 'utf8')}`);
    const m = /"msg":"(?:admission webhook )?listening".*?"port":(\d+)/.exec(readFileSync(log, 'utf8'));
    if (m) return { name, child, port: Number(m[1]) };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start: ${readFileSync(log, 'utf8')}`);
}

/** User + system CPU time of a process so far, in milliseconds (Linux /proc; undefined elsewhere). */
function cpuMsOf(pid: number | undefined): number | undefined {
  try {
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

interface LoadRun extends LoadTestResult {
  /** Server CPU time per request, µs (all threads: TLS, GC helpers). */
  cpuUsPerRequest?: number;
}

async function load(server: Server, rate: number, body: string, seconds = DURATION_S): Promise<LoadRun> {
  const cpu0 = cpuMsOf(server.child.pid);
  const r = await loadTest({
    url: `https://127.0.0.1:${server.port}/validate`,
    method: 'POST',
    contentType: 'application/json',
    body,
    requestsPerSecond: rate,
    maxSeconds: seconds,
    agentKeepAlive: true,
    insecure: true, // the servers' self-signed certificate
    quiet: true,
  });
  const cpu1 = cpuMsOf(server.child.pid);
  const run: LoadRun = r;
  if (cpu0 !== undefined && cpu1 !== undefined && r.totalRequests > 0)
    run.cpuUsPerRequest = ((cpu1 - cpu0) * 1000) / r.totalRequests;
  return run;
}

function describe(r: LoadRun): string {
  const p = r.percentiles;
  const cpu = r.cpuUsPerRequest === undefined ? '' : `, server CPU ${r.cpuUsPerRequest.toFixed(0)} µs/req`;
  return (
    `p50 ${p['50']} p90 ${p['90']} p99 ${p['99']} max ${r.maxLatencyMs} ms ` +
    `(${r.totalRequests} requests at ${r.effectiveRps}/s, ${r.totalErrors} errors, ${r.clients} connections${cpu})`
  );
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

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

    if (!existsSync(CLI))
      throw new Error(`no built CLI at ${CLI}: run \`npm run build\` (make bench builds first)`);
    const body = reviewBody();
    if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    console.log(
      `  servers pinned to core 0, load generator to core 1: ${PIN ? 'yes' : 'no (taskset or a second core missing)'}`,
    );
    // KUBEWARD_BENCH_WEBHOOK_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the webhook (it exits on SIGTERM).
    const nodeArgs = (process.env.KUBEWARD_BENCH_WEBHOOK_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const webhook = await startServer(
      'webhook',
      [
        ...nodeArgs,
        CLI,
        'admission',
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--tls-cert',
        join(dir, 'tls.crt'),
        '--tls-key',
        join(dir, 'tls.key'),
        '--policies',
        policies,
        '--pss',
        'restricted',
      ],
      // No --kubeconfig and no in-cluster variables: policies from files only.
      { ...process.env, KUBERNETES_SERVICE_HOST: '' },
      join(dir, 'webhook.log'),
    );
    children.push(webhook.child);
    const echo = await startServer(
      'TLS echo',
      [...process.execArgv, SELF],
      { ...process.env, [ROLE_ENV]: 'echo', KUBEWARD_BENCH_DIR: dir },
      join(dir, 'echo.log'),
    );
    children.push(echo.child);
    // Warm both (JIT, connections) before measuring.
    for (const s of [webhook, echo]) await load(s, 1000, body, 3);
    const decisions = (): number =>
      readFileSync(join(dir, 'webhook.log'), 'utf8').split('"msg":"admission decision"').length - 1;
    const before = decisions();
    for (const rate of RATES) {
      const e = await load(echo, rate, body);
      console.log(`  ${String(rate).padStart(5)} req/s  TLS echo:     ${describe(e)}`);
      const p99s: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const w = await load(webhook, rate, body);
        p99s.push(w.percentiles['99']);
        console.log(`  ${String(rate).padStart(5)} req/s  webhook run ${i + 1}: ${describe(w)}`);
      }
      const m = median(p99s);
      console.log(
        `  ${String(rate).padStart(5)} req/s  webhook p99 median of ${RUNS} runs ${m} ms, ratio to echo p99 ${(m / Math.max(e.percentiles['99'], 1)).toFixed(1)}` +
          (rate === 1000 ? `  target p99 < 10 ms: ${m < 10 ? 'met' : 'MISSED'}` : ''),
      );
    }
    console.log(`  decisions logged by the webhook during the measured runs: ${decisions() - before}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

export default { run };

// Spawned as a child (see startServer): serve until killed.
if (process.env[ROLE_ENV] === 'echo' && process.argv[1] === SELF) serveEcho();
