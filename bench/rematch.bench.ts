// Benchmark of re-matching stored inventories (src/store/rematch.ts): 1,000 images x 300 packages drawn
// from real Go, PyPI and crates.io advisories (../shared/data/osv), stored in a SQLite store, re-matched
// against the imported OSV data. Target: a whole pass under 5 s on one core. Baseline, in the same run:
// matching the same packages image by image with a Matcher, no store (what re-scanning would cost
// without pulling anything). Run: node --import tsx bench/rematch.bench.ts
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackageType } from '../src/image/catalog/package.js';
import { openStore, rematchAll, type StoredPackage } from '../src/store/index.js';
import { importOsv, openVulnDb } from '../src/vuln/db/index.js';
import { Matcher } from '../src/vuln/match/index.js';
import { queryFor } from '../src/vuln/scan/package-findings.js';

const SHARED =
  process.env.KUBEWARD_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const OSV = join(SHARED, 'osv');
const ECOSYSTEMS: Array<{ dir: string; type: PackageType; purl: string }> = [
  { dir: 'Go', type: 'golang', purl: 'golang' },
  { dir: 'PyPI', type: 'pypi', purl: 'pypi' },
  { dir: 'crates.io', type: 'cargo', purl: 'cargo' },
];
const IMAGES = 1000;
const PACKAGES = 300;
const TARGET_MS = 5000;

const missing = ECOSYSTEMS.filter((e) => !existsSync(join(OSV, e.dir)));
if (missing.length) {
  console.log(
    `skipped: no OSV data for ${missing.map((e) => e.dir).join(', ')} under ${OSV} (set KUBEWARD_SHARED_DATA)`,
  );
  process.exit(0);
}

// Wall time, and the CPU time of this process over the same span: on a shared machine the wall figure
// includes waiting for a core, the CPU figure is what the work costs on one core.
const line = (label: string, ms: number, cpuMs?: number, target?: number): void =>
  console.log(
    `${label.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(7)} s wall` +
      (cpuMs !== undefined ? ` ${(cpuMs / 1000).toFixed(2).padStart(6)} s cpu` : '') +
      (target
        ? `   target ${(target / 1000).toFixed(1)} s   ratio ${(ms / target).toFixed(2)} wall, ${((cpuMs ?? ms) / target).toFixed(2)} cpu`
        : ''),
  );
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

console.log(
  `node ${process.version}, ${availableParallelism()} usable cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const dir = mkdtempSync(join(tmpdir(), 'kw-bench-rematch-'));
try {
  const vdb = openVulnDb({ cacheDir: join(dir, 'vdb') });
  let t = performance.now();
  for (const e of ECOSYSTEMS) await importOsv(vdb, join(OSV, e.dir), { name: `osv:${e.dir}` });
  line('import Go, PyPI, crates.io (setup, not judged)', performance.now() - t);

  // The package pool: every (ecosystem, name) with advisories, at versions taken from their range events
  // (so ranges are really evaluated), plus as many names without advisories, as real images mostly hold.
  const rows = vdb
    .reader()
    .prepare(
      "SELECT ecosystem, name, ranges FROM affected WHERE withdrawn = 0 AND ecosystem IN ('Go', 'PyPI', 'crates.io')",
    )
    .all() as { ecosystem: string; name: string; ranges: string }[];
  // mulberry32: a plain LCG's low bits repeat too soon for `% n` picks from a pool of thousands.
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
  const byEco = new Map(ECOSYSTEMS.map((e) => [e.dir, e]));
  const versions = new Map<string, { ecosystem: string; name: string; versions: string[] }>();
  for (const r of rows) {
    const k = `${r.ecosystem}\0${r.name}`;
    let v = versions.get(k);
    if (!v) versions.set(k, (v = { ecosystem: r.ecosystem, name: r.name, versions: [] }));
    for (const range of JSON.parse(r.ranges) as { events: Record<string, string>[] }[])
      for (const ev of range.events) {
        const x = Object.values(ev)[0];
        if (x && x !== '0' && /^\d/.test(x)) v.versions.push(x);
      }
  }
  const pkg = (ecosystem: string, name: string, version: string): StoredPackage => {
    const e = byEco.get(ecosystem) as (typeof ECOSYSTEMS)[number];
    const ver = ecosystem === 'Go' ? `v${version}` : version;
    return {
      type: e.type,
      name,
      version: ver,
      ecosystem,
      purl: `pkg:${e.purl}/${name}@${ver}`,
      layerDigest: `sha256:${rand(40)}`,
    };
  };
  const pool: StoredPackage[] = [];
  for (const v of versions.values())
    for (let i = 0; i < 2; i++)
      pool.push(pkg(v.ecosystem, v.name, v.versions[rand(v.versions.length || 1)] ?? '1.0.0'));
  const known = pool.length;
  for (let i = 0; i < known; i++) pool.push(pkg(ECOSYSTEMS[i % 3]!.dir, `kw-clean-${i}`, '1.0.0'));
  // Images share base layers: 20 bases of 150 packages each, plus 150 packages of their own.
  const pick = (n: number): StoredPackage[] =>
    Array.from({ length: n }, () => pool[rand(pool.length)] as StoredPackage);
  const bases = Array.from({ length: 20 }, () => pick(PACKAGES / 2));
  const images = Array.from({ length: IMAGES }, (_, i) => [
    ...(bases[i % bases.length] as StoredPackage[]),
    ...pick(PACKAGES / 2),
  ]);
  const distinct = new Set(images.flat().map((p) => `${p.ecosystem}\0${p.name}\0${p.version}`)).size;
  console.log(
    `pool ${pool.length} packages (${known} with advisories); ${IMAGES} images x ${PACKAGES} packages, ${distinct} distinct`,
  );

  // KUBEWARD_BENCH_STORE=postgres://… measures an (empty) PostgreSQL database instead of a SQLite file.
  const store = await openStore(process.env.KUBEWARD_BENCH_STORE ?? join(dir, 'store.db'));
  console.log(`store: ${store.location.kind}`);
  const repo = { registry: 'bench.example', repository: 'apps' };
  t = performance.now();
  for (const [i, packages] of images.entries())
    await store.saveImage(`sha256:${String(i).padStart(64, '0')}`, { repo, packages });
  line(`store ${IMAGES} inventories (setup, not judged)`, performance.now() - t);

  // Baseline: the same packages matched image by image, no store (a fresh Matcher, cold like the re-match).
  const matcher = new Matcher(vdb);
  t = performance.now();
  let c = cpu();
  let baseMatches = 0;
  for (const packages of images)
    for (const r of matcher.matchAll(packages.map((p) => queryFor({ ...p, locations: [] }))))
      baseMatches += r.matches.length;
  const baseMs = performance.now() - t;
  const baseCpu = cpu() - c;

  c = cpu();
  const first = await rematchAll(store, vdb);
  const firstCpu = cpu() - c;
  c = cpu();
  const second = await rematchAll(store, vdb);
  const secondCpu = cpu() - c;
  console.log(
    `first pass: ${first.findings} findings, ${first.appeared} appeared events written; second pass: ${second.appeared + second.disappeared + second.fixed} events`,
  );
  if (first.findings > baseMatches)
    throw new Error(`re-match found ${first.findings} findings, baseline ${baseMatches}`);
  line('baseline: match per image, no store', baseMs, baseCpu);
  line(`rematchAll, first pass (writes every finding + event)`, first.ms, firstCpu, TARGET_MS);
  line(`rematchAll, unchanged database (reads, matches, no writes)`, second.ms, secondCpu, TARGET_MS);
  console.log(
    `first pass / baseline ${(first.ms / baseMs).toFixed(2)}; unchanged pass / baseline ${(second.ms / baseMs).toFixed(2)}`,
  );
  await store.close();
  vdb.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
