import { statSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import type { OsvRecord } from './osv.js';
import { SCHEMA_VERSION, type VulnDb } from './store.js';

export interface SourceStatus {
  name: string;
  /** osv, kev or epss. */
  kind: string;
  location: string;
  importedAt: string;
  records: number;
  warnings: number;
  /** Seconds since the import, relative to `now`. */
  ageSeconds: number;
}

export interface DbStatus {
  path: string;
  exists: boolean;
  schemaVersion: number;
  sizeBytes: number;
  sources: SourceStatus[];
  counts: { advisories: number; withdrawn: number; affected: number; kev: number; epss: number };
}

const count = (db: VulnDb, sql: string): number => (db.reader().prepare(sql).get() as { n: number }).n;

/** What the database holds: each imported source with its record count and age. */
export function dbStatus(db: VulnDb, now: Date = new Date()): DbStatus {
  const rows = db
    .reader()
    .prepare(
      'SELECT name, kind, location, imported_at, record_count, warning_count FROM sources ORDER BY name',
    )
    .all() as {
    name: string;
    kind: string;
    location: string;
    imported_at: string;
    record_count: number;
    warning_count: number;
  }[];
  return {
    path: db.path,
    exists: db.exists,
    schemaVersion: SCHEMA_VERSION,
    sizeBytes: db.exists ? statSync(db.path).size : 0,
    sources: rows.map((r) => ({
      name: r.name,
      kind: r.kind,
      location: r.location,
      importedAt: r.imported_at,
      records: r.record_count,
      warnings: r.warning_count,
      ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(r.imported_at)) / 1000)),
    })),
    counts: {
      advisories: count(db, 'SELECT COUNT(DISTINCT id) AS n FROM advisories'),
      withdrawn: count(db, 'SELECT COUNT(DISTINCT id) AS n FROM advisories WHERE withdrawn IS NOT NULL'),
      affected: count(db, 'SELECT COUNT(*) AS n FROM affected'),
      kev: count(db, 'SELECT COUNT(*) AS n FROM kev'),
      epss: count(db, 'SELECT COUNT(*) AS n FROM epss'),
    },
  };
}

/** The stored OSV record for an id (the most recently modified copy when several sources hold it). */
export function getAdvisory(db: VulnDb, id: string): OsvRecord | undefined {
  const row = db
    .reader()
    .prepare('SELECT raw FROM advisories WHERE id = ? ORDER BY modified DESC LIMIT 1')
    .get(id) as { raw: Buffer } | undefined;
  return row ? (JSON.parse(inflateRawSync(row.raw).toString('utf8')) as OsvRecord) : undefined;
}

/** Ids of advisories that list `alias` (e.g. a CVE id) among their aliases. */
export function advisoriesByAlias(db: VulnDb, alias: string): string[] {
  const rows = db
    .reader()
    .prepare(
      'SELECT DISTINCT a.id AS id FROM aliases x JOIN advisories a ON a.pk = x.advisory WHERE x.alias = ? ORDER BY a.id',
    )
    .all(alias) as { id: string }[];
  return rows.map((r) => r.id);
}

export interface KevEntry {
  cveID: string;
  vendorProject?: string;
  product?: string;
  vulnerabilityName?: string;
  dateAdded?: string;
  dueDate?: string;
  /** "Known" or "Unknown" in the CISA feed. */
  knownRansomwareCampaignUse?: string;
  requiredAction?: string;
}

export interface EpssEntry {
  cve: string;
  epss: number;
  percentile: number;
  date?: string;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** KEV entries for the given CVE ids (ids not in the catalogue are absent from the map). */
export function lookupKev(db: VulnDb, cves: Iterable<string>): Map<string, KevEntry> {
  const out = new Map<string, KevEntry>();
  const stmt = db.reader().prepare(
    `SELECT cve_id, vendor_project, product, vulnerability_name, date_added, due_date, known_ransomware_campaign_use, required_action
       FROM kev WHERE cve_id IN (SELECT value FROM json_each(?))`,
  );
  for (const part of chunks([...new Set(cves)], 5000)) {
    for (const r of stmt.all(JSON.stringify(part)) as Record<string, string | null>[]) {
      const e: KevEntry = { cveID: r.cve_id as string };
      if (r.vendor_project) e.vendorProject = r.vendor_project;
      if (r.product) e.product = r.product;
      if (r.vulnerability_name) e.vulnerabilityName = r.vulnerability_name;
      if (r.date_added) e.dateAdded = r.date_added;
      if (r.due_date) e.dueDate = r.due_date;
      if (r.known_ransomware_campaign_use) e.knownRansomwareCampaignUse = r.known_ransomware_campaign_use;
      if (r.required_action) e.requiredAction = r.required_action;
      out.set(e.cveID, e);
    }
  }
  return out;
}

/** EPSS scores for the given CVE ids. */
export function lookupEpss(db: VulnDb, cves: Iterable<string>): Map<string, EpssEntry> {
  const out = new Map<string, EpssEntry>();
  const stmt = db
    .reader()
    .prepare('SELECT cve, epss, percentile, date FROM epss WHERE cve IN (SELECT value FROM json_each(?))');
  for (const part of chunks([...new Set(cves)], 5000)) {
    for (const r of stmt.all(JSON.stringify(part)) as {
      cve: string;
      epss: number;
      percentile: number;
      date: string | null;
    }[]) {
      const e: EpssEntry = { cve: r.cve, epss: r.epss, percentile: r.percentile };
      if (r.date) e.date = r.date;
      out.set(r.cve, e);
    }
  }
  return out;
}
