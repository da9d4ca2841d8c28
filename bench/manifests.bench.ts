// Manifest scan benchmark: 10,000 generated resources (100 files of 100) through exactly the pipeline of
// `kubeward scan manifests DIR --format json`: loadManifests + scanResources(ALL_CHECKS) + renderJson.
// Target: 10,000 resources in under 2 s on one core. Compared with merely YAML-parsing the same files.
//
//   npm run bench                      # every benchmark (bench/run.ts)
//   taskset -c 0 npm run bench         # "one core", as recorded in docs/benchmarks.md
//   node --import tsx bench/run.ts manifests
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubewardConfig } from '../src/core/config.js';
import { summarize } from '../src/core/finding.js';
import { loadManifests } from '../src/k8s/load.js';
import { scanResources } from '../src/posture/scan.js';
import { ALL_CHECKS, checkCatalogue } from '../src/posture/checks/index.js';
import { renderJson } from '../src/report/json.js';
import { generateManifests } from './generate.js';

const RESOURCES = 10_000;
const PER_FILE = 100;
const TARGET_MS = 2000;
const WARM_RUNS = 3;

/** As a platform team would configure it: KW-IMG-004 then runs too. */
const CONFIG: KubewardConfig = { registries: { allowed: ['ghcr.io/acme/*', 'registry.k8s.io/**'] } };

interface ScanTiming {
  loadMs: number;
  scanMs: number;
  renderMs: number;
  totalMs: number;
  resources: number;
  findings: number;
  jsonBytes: number;
}

/** One `kubeward scan manifests DIR --format json`, minus process start-up and argument parsing. */
function scanOnce(dir: string): ScanTiming {
  const t0 = performance.now();
  const loaded = loadManifests([dir], { cwd: dir });
  const t1 = performance.now();
  const result = scanResources(loaded.resources, { config: CONFIG, checks: ALL_CHECKS });
  const t2 = performance.now();
  const json = renderJson({
    tool: { name: 'kubeward', version: 'bench' },
    target: 'manifests',
    findings: result.findings,
    rules: checkCatalogue(),
    warnings: [...loaded.warnings, ...result.warnings],
    summary: summarize(result.findings),
  });
  const t3 = performance.now();
  return {
    loadMs: t1 - t0,
    scanMs: t2 - t1,
    renderMs: t3 - t2,
    totalMs: t3 - t0,
    resources: loaded.resources.length,
    findings: result.findings.length,
    jsonBytes: json.length,
  };
}

/** Baseline: read and YAML-parse the same files into plain values, without positions (no LineCounter). */
function parseOnce(files: readonly string[]): { ms: number; documents: number } {
  const t0 = performance.now();
  let documents = 0;
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.toJS() !== null) documents++;
    }
  }
  return { ms: performance.now() - t0, documents };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const ms = (x: number): string => `${x.toFixed(0).padStart(6)} ms`;
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-bench-manifests-'));
  try {
    const set = generateManifests({ dir, resources: RESOURCES, perFile: PER_FILE });
    console.log(
      `manifest scan: ${set.resources} resources in ${set.files.length} files ` +
        `(${(set.bytes / 1048576).toFixed(1)} MiB), ${ALL_CHECKS.length} checks; ` +
        `node ${process.version}, ${availableParallelism()} usable core(s) of ${cpus().length}, ` +
        `load average ${loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')}`,
    );

    // First run in a fresh process: what one CLI invocation pays (cold JIT, cold caches).
    const cpu0 = process.cpuUsage();
    const cold = scanOnce(dir);
    const cpu = process.cpuUsage(cpu0);
    const coldCpuMs = (cpu.user + cpu.system) / 1000;
    const rssAfterCold = process.resourceUsage().maxRSS;
    if (cold.resources !== RESOURCES)
      throw new Error(`loaded ${cold.resources} resources, expected ${RESOURCES}`);
    const parseCold = parseOnce(set.files);

    // Warm: alternate the two so that neither benefits from running last.
    const warmScan: ScanTiming[] = [];
    const warmParse: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      warmScan.push(scanOnce(dir));
      warmParse.push(parseOnce(set.files).ms);
    }
    const warm = median(warmScan.map((s) => s.totalMs));
    const parseWarm = median(warmParse);

    const rate = (t: number): string =>
      `${Math.round((RESOURCES / t) * 1000).toLocaleString('en-US')} resources/s`;
    console.log(
      `  scan, cold (one CLI run)   ${ms(cold.totalMs)}  ${rate(cold.totalMs)}  ` +
        `(load ${cold.loadMs.toFixed(0)} ms, checks ${cold.scanMs.toFixed(0)} ms, JSON ${cold.renderMs.toFixed(0)} ms)`,
    );
    // CPU time is what a busy machine inflates least (other processes stretch wall time, not CPU time).
    console.log(`  scan, cold, CPU time       ${ms(coldCpuMs)}  (user + system, all threads incl. GC)`);
    console.log(`  scan, warm (median of ${WARM_RUNS})   ${ms(warm)}  ${rate(warm)}`);
    console.log(
      `  findings ${cold.findings.toLocaleString('en-US')}, JSON report ${(cold.jsonBytes / 1048576).toFixed(1)} MiB`,
    );
    console.log(
      `  YAML parse only            ${ms(parseCold.ms)} cold, ${parseWarm.toFixed(0)} ms warm ` +
        `(${parseCold.documents} documents; parseAllDocuments + toJS, no positions)`,
    );
    console.log(
      `  scan/parse ratio: ${(cold.totalMs / parseCold.ms).toFixed(2)} cold, ${(warm / parseWarm).toFixed(2)} warm`,
    );
    console.log(
      `  peak RSS: ${mib(rssAfterCold)} after the cold scan, ${mib(process.resourceUsage().maxRSS)} at the end`,
    );
    console.log(
      `  target ${TARGET_MS} ms for ${RESOURCES} resources; ratio to target: ${(cold.totalMs / TARGET_MS).toFixed(2)} ` +
        `(<1 is better; cold run)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
