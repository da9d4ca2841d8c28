// Benchmark of the vulnerability database: import all of ../shared/data/osv, then match a synthetic
// 5,000-package inventory: first and warm runs in this process, then the first run of fresh processes (what
// one CLI run pays: no JIT warm-up, empty SQLite page cache). Run: node --import tsx bench/vuln-db.bench.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dbStatus, importOsv, openVulnDb } from '../src/vuln/db/index.js';
import { Matcher, type PackageQuery } from '../src/vuln/match/index.js';

const SHARED =
  process.env.KUBEWARD_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const OSV = join(SHARED, 'osv');
const IMPORT_TARGET_MS = 5000;
const MATCH_TARGET_MS = 100;
const INVENTORY = 5000;
/** Fresh processes that each match the inventory once (KW_BENCH_FRESH_RUNS). */
const FRESH_RUNS = Number(process.env.KW_BENCH_FRESH_RUNS ?? 9);
const SELF = fileURLToPath(import.meta.url);

// Child: open the database the parent built, match the inventory once, print the times as JSON.
const childArgs = process.argv.indexOf('--child=fresh-match');
if (childArgs >= 0) {
  const [cacheDir, inventoryFile] = process.argv.slice(childArgs + 1) as [string, string];
  const queries = JSON.parse(readFileSync(inventoryFile, 'utf8')) as PackageQuery[];
  const fresh = openVulnDb({ cacheDir });
  const t = performance.now();
  const u = process.cpuUsage();
  new Matcher(fresh).matchAll(queries);
  const cu = process.cpuUsage(u);
  console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (cu.user + cu.system) / 1000 }));
  process.exit(0);
}

if (!existsSync(OSV)) {
  console.log(`skipped: no OSV data at ${OSV} (set KUBEWARD_SHARED_DATA)`);
  process.exit(0);
}

const line = (label: string, ms: number, target: number): void =>
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms   target ${String(target).padStart(5)} ms   ratio ${(ms / target).toFixed(2)}`,
  );

const dir = mkdtempSync(join(tmpdir(), 'kw-bench-'));
try {
  const db = openVulnDb({ cacheDir: dir });
  const t0 = performance.now();
  const i0 = process.cpuUsage();
  const r = await importOsv(db, OSV, { name: 'osv:shared' });
  const importMs = performance.now() - t0;
  const iu = process.cpuUsage(i0);
  const st = dbStatus(db);
  console.log(
    `imported ${r.records} records (${r.withdrawn} withdrawn, ${r.warnings.count} warnings), ${st.counts.affected} affected rows, ${(st.sizeBytes / 1048576).toFixed(1)} MiB`,
  );
  line('import ../shared/data/osv', importMs, IMPORT_TARGET_MS);
  line('  same, CPU time', (iu.user + iu.system) / 1000, IMPORT_TARGET_MS);

  // Synthetic inventory of distinct packages, as an image or lock file would list them: two thirds are
  // packages that have advisories, at a version drawn from their range events (so ranges are really
  // evaluated), one third are names without any advisory.
  const rows = db
    .reader()
    .prepare('SELECT ecosystem, name, ranges FROM affected WHERE withdrawn = 0 ORDER BY rowid')
    .all() as { ecosystem: string; name: string; ranges: string }[];
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const byPackage = new Map<string, { ecosystem: string; name: string; versions: string[] }>();
  for (const row of rows) {
    const key = `${row.ecosystem}\0${row.name}`;
    let p = byPackage.get(key);
    if (!p) byPackage.set(key, (p = { ecosystem: row.ecosystem, name: row.name, versions: [] }));
    for (const r of JSON.parse(row.ranges) as { events: Record<string, string>[] }[])
      for (const e of r.events) {
        const v = Object.values(e)[0];
        if (v && v !== '0' && /^\d/.test(v)) p.versions.push(v);
      }
  }
  const packages = [...byPackage.values()];
  for (let i = packages.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [packages[i], packages[j]] = [
      packages[j] as (typeof packages)[number],
      packages[i] as (typeof packages)[number],
    ];
  }
  const inventory: PackageQuery[] = [];
  const known = Math.min(packages.length, Math.round((INVENTORY * 2) / 3));
  for (const p of packages.slice(0, known)) {
    const v = p.versions[rand(p.versions.length || 1)] ?? '1.0.0';
    inventory.push({ ecosystem: p.ecosystem, name: p.name, version: p.ecosystem === 'Go' ? `v${v}` : v });
  }
  for (let i = 0; inventory.length < INVENTORY; i++)
    inventory.push({
      ecosystem: ['Go', 'PyPI', 'crates.io'][i % 3] as string,
      name: `no-such-package-${i}`,
      version: '1.0.0',
    });

  // CPU time as well as wall time: on a shared, loaded machine the wall figure mostly measures the others.
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const matcher = new Matcher(db);
  const c0 = performance.now();
  const u0 = cpuMs();
  const first = matcher.matchAll(inventory);
  const coldCpuMs = cpuMs() - u0;
  const coldMs = performance.now() - c0;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let results = first;
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    const u = cpuMs();
    results = matcher.matchAll(inventory);
    cpuTimes.push(cpuMs() - u);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? NaN;
  const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)] ?? NaN;
  const matched = results.filter((x) => x.matches.length).length;
  const total = results.reduce((n, x) => n + x.matches.length, 0);
  const warned = results.filter((x) => x.warnings.length).length;
  console.log(
    `inventory ${inventory.length} packages: ${matched} vulnerable, ${total} matches, ${warned} with warnings`,
  );
  line(`match ${INVENTORY} packages, first run (cold caches)`, coldMs, MATCH_TARGET_MS);
  line(`  same, CPU time`, coldCpuMs, MATCH_TARGET_MS);
  line(`match ${INVENTORY} packages, warm (median of 15)`, median, MATCH_TARGET_MS);
  line(`  same, CPU time`, cpuMedian, MATCH_TARGET_MS);
  db.close();

  const inventoryFile = join(dir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(inventory));
  const fresh: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < FRESH_RUNS; i++) {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', SELF, '--child=fresh-match', dir, inventoryFile],
      { cwd: resolve(dirname(SELF), '..'), encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`fresh match child failed: ${child.stderr.slice(-500)}`);
    fresh.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as { ms: number; cpuMs: number });
  }
  const mid = <T>(xs: T[], by: (x: T) => number): number =>
    xs.map(by).sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  line(
    `match ${INVENTORY} packages, fresh process (median of ${FRESH_RUNS})`,
    mid(fresh, (f) => f.ms),
    MATCH_TARGET_MS,
  );
  line(
    `  same, CPU time (all threads)`,
    mid(fresh, (f) => f.cpuMs),
    MATCH_TARGET_MS,
  );
  console.log(`  fresh runs: ${fresh.map((f) => f.ms.toFixed(0)).join(', ')} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
