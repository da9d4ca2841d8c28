// Benchmark of the vulnerability database: import all of ../shared/data/osv, then match a synthetic
// 5,000-package inventory: first and warm runs in this process; then what one CLI run pays, on the built code
// (no JIT warm-up, empty SQLite page cache): the first match of a bare fresh process, and the match phase of
// `kubeward image scan --sbom` over the same inventory.
// Run: make bench (builds first), or: npm run build && node --import tsx bench/vuln-db.bench.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dbStatus, importOsv, openVulnDb } from '../src/vuln/db/index.js';
import { Matcher, type PackageQuery } from '../src/vuln/match/index.js';

const SHARED =
  process.env.KUBEWARD_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const OSV = join(SHARED, 'osv');
const IMPORT_TARGET_MS = 5000;
const MATCH_TARGET_MS = 100;
const INVENTORY = 5000;
/** Fresh processes of each kind that match the inventory once (KW_BENCH_FRESH_RUNS). */
const FRESH_RUNS = Number(process.env.KW_BENCH_FRESH_RUNS ?? 9);
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** A bare process on the built code: open the database, match once, print the times as JSON. */
const FRESH_CHILD = `
import { readFileSync } from 'node:fs';
const [dist, cacheDir, inventoryFile] = process.argv.slice(1);
const { openVulnDb } = await import(dist + 'vuln/db/index.js');
const { Matcher } = await import(dist + 'vuln/match/index.js');
const queries = JSON.parse(readFileSync(inventoryFile, 'utf8'));
const db = openVulnDb({ cacheDir });
const t = performance.now();
const u = process.cpuUsage();
new Matcher(db).matchAll(queries);
const cu = process.cpuUsage(u);
console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (cu.user + cu.system) / 1000 }));
`;

/**
 * Preloaded into a CLI run (--import): times each Matcher.matchAll call, the match phase, on stderr. It
 * patches the class the CLI uses, since a module is evaluated once per process.
 */
const cliHook = (dist: string): string => `
import { Matcher } from ${JSON.stringify(pathToFileURL(join(dist, 'vuln/match/matcher.js')).href)};
const matchAll = Matcher.prototype.matchAll;
Matcher.prototype.matchAll = function (queries) {
  const t = performance.now();
  const u = process.cpuUsage();
  const r = matchAll.call(this, queries);
  const cu = process.cpuUsage(u);
  process.stderr.write('KW_MATCH ' + JSON.stringify({ ms: performance.now() - t, cpuMs: (cu.user + cu.system) / 1000 }) + '\\n');
  return r;
};
`;

const PURL_TYPE: Record<string, string> = { Go: 'golang', PyPI: 'pypi', 'crates.io': 'cargo' };

/** The inventory as a CycloneDX SBOM, package URLs as the image catalogers write them. */
function inventorySbom(queries: readonly PackageQuery[]): string {
  const components = queries.map((q, i) => {
    const type = PURL_TYPE[q.ecosystem] as string;
    const slash = type === 'golang' ? q.name.lastIndexOf('/') : -1;
    const namespace =
      slash > 0 ? `${q.name.slice(0, slash).split('/').map(encodeURIComponent).join('/')}/` : '';
    const name = encodeURIComponent(slash > 0 ? q.name.slice(slash + 1) : q.name);
    const purl = `pkg:${type}/${namespace}${name}@${encodeURIComponent(q.version)}`;
    return { type: 'library', 'bom-ref': `c${i}`, name: q.name, version: q.version, purl };
  });
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components });
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

  if (!existsSync(join(DIST, 'cli', 'main.js')))
    throw new Error(`no built code at ${DIST}: run \`npm run build\` (make bench builds first)`);
  const inventoryFile = join(dir, 'inventory.json');
  const sbomFile = join(dir, 'inventory.cdx.json');
  const hookFile = join(dir, 'match-timer.mjs');
  writeFileSync(inventoryFile, JSON.stringify(inventory));
  writeFileSync(sbomFile, inventorySbom(inventory));
  writeFileSync(hookFile, cliHook(DIST));
  type Times = { ms: number; cpuMs: number };
  const bare: Times[] = [];
  const cli: Times[] = [];
  for (let i = 0; i < FRESH_RUNS; i++) {
    const b = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', FRESH_CHILD, DIST, dir, inventoryFile],
      {
        encoding: 'utf8',
      },
    );
    if (b.status !== 0) throw new Error(`fresh match process failed: ${b.stderr.slice(-500)}`);
    bare.push(JSON.parse(b.stdout.trim().split('\n').pop() ?? '') as Times);
    const scan = ['image', 'scan', '--sbom', sbomFile, '--cache-dir', dir, '--format', 'json'];
    const c = spawnSync(
      process.execPath,
      [
        '--import',
        pathToFileURL(hookFile).href,
        join(DIST, 'cli', 'main.js'),
        ...scan,
        '--output',
        join(dir, 'report.json'),
        '--fail-on',
        'none',
      ],
      { encoding: 'utf8' },
    );
    const timed = /KW_MATCH (.*)/.exec(c.stderr);
    if (c.status !== 0 || !timed)
      throw new Error(`kubeward image scan failed (${String(c.status)}): ${c.stderr.slice(-500)}`);
    cli.push(JSON.parse(timed[1] as string) as Times);
    // The CLI did the same work: one finding per match.
    const findings = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { findings: unknown[] })
      .findings;
    if (findings.length !== total)
      throw new Error(`image scan reported ${findings.length} findings, not ${total}`);
  }
  const mid = (xs: Times[], by: (x: Times) => number): number =>
    xs.map(by).sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const report = (label: string, xs: Times[]): void => {
    line(
      `${label} (median of ${FRESH_RUNS})`,
      mid(xs, (x) => x.ms),
      MATCH_TARGET_MS,
    );
    line(
      '  same, CPU time (all threads)',
      mid(xs, (x) => x.cpuMs),
      MATCH_TARGET_MS,
    );
    console.log(`  runs: ${xs.map((x) => x.ms.toFixed(0)).join(', ')} ms`);
  };
  report(`match ${INVENTORY} packages, fresh process`, bare);
  report('match phase of `image scan --sbom`', cli);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
