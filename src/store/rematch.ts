import { severityRank, type Severity } from '../core/severity.js';
import type { Package } from '../image/catalog/package.js';
import { lookupEpss, lookupKev } from '../vuln/db/query.js';
import type { VulnDb } from '../vuln/db/store.js';
import { matcherFor, type Matcher, type VulnMatch } from '../vuln/match/matcher.js';
import { queryFor } from '../vuln/scan/package-findings.js';
import type { FindingsDiff, Store, StoredFinding, StoredPackage, VulnDbStamp } from './types.js';

export interface RematchOptions {
  /** Images read, matched and written per transaction (default 200). */
  batchSize?: number;
  /** Time recorded on the events; default now. */
  at?: Date;
  /** Severity of advisories with no CVSS vector or database rating (as in image scans: medium). */
  unknownSeverity?: Severity;
  /** Called after each batch with the images done so far. */
  onProgress?: (images: number) => void;
  signal?: AbortSignal;
}

export interface RematchResult {
  images: number;
  packages: number;
  /** Findings now stored over all images. */
  findings: number;
  appeared: number;
  disappeared: number;
  fixed: number;
  ms: number;
  db: VulnDbStamp;
}

/** What the database is, for events: the newest OSV import time and every source's name and time. */
export function vulnDbStamp(db: VulnDb): VulnDbStamp {
  // Read `sources` directly: dbStatus() also counts every advisory, which is slow on a full database.
  const rows = db
    .reader()
    .prepare(
      "SELECT name, imported_at AS at, record_count AS n FROM sources WHERE kind = 'osv' ORDER BY name",
    )
    .all() as { name: string; at: string; n: number }[];
  const importedAt = rows.reduce((max, r) => (r.at > max ? r.at : max), '');
  return { importedAt, version: rows.map((r) => `${r.name}@${r.at}#${r.n}`).join(',') };
}

const NO_LOCATIONS: string[] = [];

/** Everything the match of a package depends on (see queryFor: distribution packages match by source). */
const packageKey = (p: StoredPackage): string =>
  `${p.type}\0${p.ecosystem}\0${p.name}\0${p.version}\0${p.source?.name ?? ''}\0${p.source?.version ?? ''}`;

interface Enrichment {
  kev: boolean;
  epss?: number;
}

/**
 * Turns stored inventories into findings. One instance serves a whole re-match: the Matcher keeps parsed
 * advisories, and results are cached per distinct package, so a base-image package shared by a thousand
 * images is matched once. Findings carry the same id, severity and fixed version as an image scan
 * (src/vuln/scan/package-findings.ts) would give.
 */
export class InventoryMatcher {
  private readonly matcher: Matcher;
  private readonly results = new Map<string, VulnMatch[]>();
  private readonly enrich = new Map<string, Enrichment>();
  private readonly findings = new Map<string, Array<{ key: string; finding: StoredFinding }>>();
  private generation: number;

  constructor(
    private readonly db: VulnDb,
    private readonly unknownSeverity: Severity = 'medium',
  ) {
    this.matcher = matcherFor(db);
    this.generation = db.generation;
  }

  /** Findings of each inventory, in input order. All distinct packages are looked up in one batch. */
  matchMany(inventories: ReadonlyArray<readonly StoredPackage[]>): StoredFinding[][] {
    if (this.generation !== this.db.generation) {
      // The database was updated under us: cached verdicts are stale.
      this.results.clear();
      this.enrich.clear();
      this.findings.clear();
      this.generation = this.db.generation;
    }
    const todo = new Map<string, StoredPackage>();
    for (const inv of inventories)
      for (const p of inv) {
        const k = packageKey(p);
        if (!this.results.has(k)) todo.set(k, p);
      }
    if (todo.size) {
      const keys = [...todo.keys()];
      const queries = [...todo.values()].map((p) => queryFor({ ...p, locations: NO_LOCATIONS } as Package));
      const out = this.matcher.matchAll(queries);
      const cves = new Set<string>();
      out.forEach((r, i) => {
        this.results.set(keys[i] as string, r.matches);
        for (const m of r.matches) {
          const cve = cveOf(m);
          if (cve && !this.enrich.has(cve)) cves.add(cve);
        }
      });
      if (cves.size) {
        const kev = lookupKev(this.db, cves);
        const epss = lookupEpss(this.db, cves);
        for (const c of cves) {
          const e: Enrichment = { kev: kev.has(c) };
          const s = epss.get(c);
          if (s) e.epss = s.epss;
          this.enrich.set(c, e);
        }
      }
    }
    return inventories.map((inv) => this.findingsOf(inv));
  }

  private findingsOf(packages: readonly StoredPackage[]): StoredFinding[] {
    const out = new Map<string, StoredFinding>();
    for (const p of packages) {
      const k = packageKey(p);
      let list = this.findings.get(k);
      if (!list) this.findings.set(k, (list = this.toFindings(p, this.results.get(k) ?? [])));
      for (const f of list) if (!out.has(f.key)) out.set(f.key, f.finding);
    }
    // Most severe first, then by id; plain comparisons (localeCompare is slow and locale-dependent).
    return [...out.values()].sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        (a.advisoryId < b.advisoryId ? -1 : a.advisoryId > b.advisoryId ? 1 : 0),
    );
  }

  /**
   * The findings of one package, built once per distinct package and shared by every image holding it
   * (the objects are never mutated; the store keys its per-finding work on their identity).
   */
  private toFindings(
    p: StoredPackage,
    matches: readonly VulnMatch[],
  ): Array<{ key: string; finding: StoredFinding }> {
    return matches.map((m) => {
      const cve = cveOf(m);
      const e = cve ? this.enrich.get(cve) : undefined;
      const f: StoredFinding = {
        advisoryId: m.id,
        packageName: p.name,
        packageVersion: p.version,
        ecosystem: p.ecosystem,
        purl: p.purl,
        severity: m.severityLevel ?? this.unknownSeverity,
        kev: e?.kev ?? false,
        fixable: m.fixAvailable,
      };
      if (m.fixed !== undefined) f.fixedVersion = m.fixed;
      if (e?.epss !== undefined) f.epss = e.epss;
      if (m.summary !== undefined) f.title = m.summary;
      return { key: `${m.id}\0${p.ecosystem}\0${p.name}\0${p.version}`, finding: f };
    });
  }
}

/** The advisory's CVE id (itself or its first CVE alias): KEV and EPSS are keyed by it. */
function cveOf(m: VulnMatch): string | undefined {
  if (m.id.startsWith('CVE-')) return m.id;
  return m.aliases.find((a) => a.startsWith('CVE-'));
}

/** Findings for one inventory (e.g. right after a registry scan), ready for `store.replaceFindings`. */
export function matchInventory(
  packages: readonly StoredPackage[],
  db: VulnDb,
  opts: { unknownSeverity?: Severity } = {},
): StoredFinding[] {
  return new InventoryMatcher(db, opts.unknownSeverity).matchMany([packages])[0] ?? [];
}

/**
 * Re-matches every stored inventory against the current vulnerability database, without pulling any
 * image, and records what changed as finding events. Reads, matches and writes `batchSize` images at a
 * time (one read, one transaction per batch); records the database stamp as scan state
 * (`vulndb:importedAt`, `rematch:lastPass`) when done.
 */
export async function rematchAll(
  store: Store,
  db: VulnDb,
  opts: RematchOptions = {},
): Promise<RematchResult> {
  const t0 = performance.now();
  const at = opts.at ?? new Date();
  const stamp = vulnDbStamp(db);
  const im = new InventoryMatcher(db, opts.unknownSeverity);
  const result: RematchResult = {
    images: 0,
    packages: 0,
    findings: 0,
    appeared: 0,
    disappeared: 0,
    fixed: 0,
    ms: 0,
    db: stamp,
  };
  for await (const batch of store.loadInventories({ batchSize: opts.batchSize ?? 200 })) {
    opts.signal?.throwIfAborted();
    const found = im.matchMany(batch.map((b) => b.packages));
    const diffs: FindingsDiff[] = await store.replaceFindingsMany(
      batch.map((b, i) => ({ digest: b.digest, findings: found[i] ?? [] })),
      stamp,
      at,
    );
    for (const [i, b] of batch.entries()) {
      result.images++;
      result.packages += b.packages.length;
      result.findings += found[i]?.length ?? 0;
    }
    for (const d of diffs) {
      result.appeared += d.appeared.length;
      result.disappeared += d.disappeared.length;
      result.fixed += d.fixed.length;
    }
    opts.onProgress?.(result.images);
  }
  await store.setState('vulndb:importedAt', stamp.importedAt);
  await store.setState('rematch:lastPass', at.toISOString());
  result.ms = performance.now() - t0;
  return result;
}
