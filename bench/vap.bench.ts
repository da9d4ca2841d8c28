// ValidatingAdmissionPolicy benchmark: one admission request (a Deployment, then a Pod) against the 20-policy
// workload of src/policy/vap/testdata/workload.ts (labels, privileged, limits with quantities, registries and
// replica limits from params, host namespaces, non-root, latest tag, probes, hostPath... with variables,
// messageExpressions and matchConditions) through `createVapFamily(...).evaluate(request, ctx)`, with a fresh
// request object every time, as the webhook decodes one per call. Compared with one bare compiled CEL
// expression on an already-converted object in the same run (the floor a policy evaluation builds on).
// Target (issue 5): the whole in-process evaluation (PSS + VAP + images) p99 < 1 ms; this is the VAP share.
//
//   node --import tsx bench/run.ts vap
//   taskset -c 0 node --import tsx bench/run.ts vap      # "one core"
import { availableParallelism, cpus, loadavg } from 'node:os';
import type { AdmissionRequest } from '../src/admission/types.js';
import { compileCel } from '../src/policy/cel/index.js';
import { createVapFamily } from '../src/policy/vap/index.js';
import {
  WORKLOAD_POLICIES,
  workloadFamilyInput,
  workloadNamespaceLabels,
  workloadRequest,
} from '../src/policy/vap/testdata/workload.js';

const REQUESTS = 20_000;
const WARMUP = 2_000;
const TARGET_P99_US = 1000;
const BARE_ITERATIONS = 200_000;

const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const us = (x: number): string => `${x.toFixed(1).padStart(7)} µs`;

interface Figures {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Per-request CPU time (process-wide, so GC threads count): what a loaded machine inflates least. */
  cpuP50: number;
  cpuP99: number;
  cpuPerRequest: number;
}

/**
 * Wall-clock latency and CPU time of each evaluation, one at a time. Each request is built just before it is
 * evaluated and dropped after, as in the webhook: keeping them all alive would keep their converted CEL
 * forms alive too (cached by identity), and the garbage collector would copy and promote megabytes that a
 * server never retains.
 */
function measure(evaluate: (r: AdmissionRequest) => void, make: () => AdmissionRequest): Figures {
  for (let i = 0; i < WARMUP; i++) evaluate(make());
  const wall = new Float64Array(REQUESTS);
  const cpu = new Float64Array(REQUESTS);
  let cpuTotal = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const request = make();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    evaluate(request);
    wall[i] = (performance.now() - t0) * 1000;
    const c = process.cpuUsage(c0);
    cpu[i] = c.user + c.system;
    cpuTotal += cpu[i] as number;
  }
  wall.sort();
  cpu.sort();
  return {
    p50: quantile(wall, 0.5),
    p99: quantile(wall, 0.99),
    p999: quantile(wall, 0.999),
    max: wall[wall.length - 1] ?? NaN,
    cpuP50: quantile(cpu, 0.5),
    cpuP99: quantile(cpu, 0.99),
    cpuPerRequest: cpuTotal / REQUESTS,
  };
}

/** Minimum over rounds of the mean CPU time of one bare evaluation (the minimum is what load inflates least). */
function bareExpression(): number {
  const program = compileCel("object.spec.containers.all(c, c.image.startsWith('ghcr.io/acme/'))", {
    variables: ['object'],
  });
  const activation = { object: workloadRequest({ kind: 'Pod' }).object };
  if (program.evaluate(activation) !== false) throw new Error('bare expression: unexpected result');
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < BARE_ITERATIONS / 5; i++) program.evaluate(activation);
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, (cpu.user + cpu.system) / (BARE_ITERATIONS / 5));
  }
  return best;
}

export default function run(): void {
  const t0 = performance.now();
  const family = createVapFamily(workloadFamilyInput());
  const loadMs = performance.now() - t0;
  const ctx = { now: new Date(), namespaceLabels: workloadNamespaceLabels };
  console.log(
    `VAP: ${WORKLOAD_POLICIES} policies (parse + compile ${loadMs.toFixed(0)} ms), ${REQUESTS.toLocaleString('en-US')} ` +
      `fresh requests each after ${WARMUP} warm-up; node ${process.version}, ${availableParallelism()} usable ` +
      `core(s) of ${cpus().length}, load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
  );

  const bare = bareExpression();
  const results: [string, Figures][] = [];
  for (const [label, opts] of [
    ['Deployment, compliant', { kind: 'Deployment' }],
    ['Pod, compliant', { kind: 'Pod' }],
    ['Deployment, violating', { kind: 'Deployment', violating: true }],
  ] as const) {
    const sample = family.evaluate(workloadRequest(opts), ctx);
    if (
      !Array.isArray(sample) ||
      sample.length !== (opts.kind === 'Pod' ? WORKLOAD_POLICIES - 1 : WORKLOAD_POLICIES)
    )
      throw new Error(`${label}: unexpected evaluations`);
    const failing = sample.filter((e) => e.violations.length > 0 || e.error !== undefined);
    if ('violating' in opts !== failing.length > 0) throw new Error(`${label}: unexpected failures`);
    const figures = measure(
      (r) => family.evaluate(r, ctx),
      () => workloadRequest(opts),
    );
    results.push([label, figures]);
    console.log(
      `  ${label.padEnd(24)} wall p50 ${us(figures.p50)}  p99 ${us(figures.p99)}  p99.9 ${us(figures.p999)}  ` +
        `max ${us(figures.max)}\n  ${''.padEnd(24)} CPU  p50 ${us(figures.cpuP50)}  p99 ${us(figures.cpuP99)}  ` +
        `mean ${us(figures.cpuPerRequest)} (${(figures.cpuPerRequest / WORKLOAD_POLICIES).toFixed(1)} µs/policy; ` +
        `${failing.length} policies failing)`,
    );
  }
  console.log(
    `  bare CEL expression      ${us(bare)} CPU per evaluation (containers.all(startsWith) on a converted Pod; min of 5 rounds)`,
  );
  const [, main] = results[0] as [string, Figures];
  console.log(
    `  per request / bare expression: ${(main.cpuPerRequest / bare).toFixed(0)}× (CPU, Deployment compliant)`,
  );
  console.log(
    `  target p99 ${TARGET_P99_US} µs for the whole in-process evaluation; VAP p99 / target: ` +
      `${(main.p99 / TARGET_P99_US).toFixed(2)} wall, ${(main.cpuP99 / TARGET_P99_US).toFixed(2)} CPU ` +
      `(<1 is better; Deployment, compliant; wall p99 is only meaningful on an idle core)`,
  );
}
