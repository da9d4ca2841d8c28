// Runs every bench/*.bench.ts (`npm run bench`, `make bench`); results are recorded in docs/benchmarks.md.
//
//   npm run bench                       # all benchmarks
//   npm run bench -- manifests          # those whose file name contains "manifests"
//   taskset -c 0 npm run bench          # pinned to one core (child processes inherit the affinity)
//
// Each benchmark runs in its own Node process, so that one's heap, JIT state and peak RSS do not leak into
// the next, and a benchmark calling process.exit cannot end the run. In that process its module is imported
// and its `run()` awaited: the default export (a function, or an object with `run`) or a named `run`. A
// module without one does its work when imported.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const CHILD_FLAG = '--run-one';

type RunFn = () => unknown;

/** The benchmark's `run`: `export default function run()`, `export default { run }` or `export function run()`. */
function runOf(mod: { default?: unknown; run?: unknown }): RunFn | undefined {
  const d = mod.default;
  if (typeof d === 'function') return d as RunFn;
  if (typeof d === 'object' && d !== null && typeof (d as { run?: unknown }).run === 'function')
    return (d as { run: RunFn }).run;
  if (typeof mod.run === 'function') return mod.run as RunFn;
  return undefined;
}

async function runOne(file: string): Promise<void> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; run?: unknown };
  await runOf(mod)?.();
}

function main(filters: string[]): number {
  const files = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort()
    .map((f) => join(BENCH_DIR, f));
  if (files.length === 0) {
    console.error(`no benchmark in ${BENCH_DIR} matches ${filters.join(', ')}`);
    return 1;
  }
  const failed: string[] = [];
  for (const file of files) {
    const name = relative(process.cwd(), file);
    console.log(`== ${name}`);
    const t0 = performance.now();
    // process.execArgv carries `--import tsx`.
    const r = spawnSync(process.execPath, [...process.execArgv, SELF, CHILD_FLAG, file], {
      stdio: 'inherit',
    });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    if (r.status !== 0) {
      failed.push(name);
      console.log(`== ${name} FAILED (exit ${String(r.status ?? r.signal)}, ${secs} s)\n`);
    } else {
      console.log(`== ${name} done in ${secs} s\n`);
    }
  }
  if (failed.length) console.error(`failed: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === CHILD_FLAG && args[1]) {
  await runOne(args[1]);
} else {
  process.exitCode = main(args);
}
