import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../core/errors.js';
import { WarningSink, type ImportWarnings } from './import-osv.js';
import type { Sqlite, VulnDb } from './store.js';

/** Largest KEV JSON or (decompressed) EPSS CSV accepted. */
const MAX_FEED_BYTES = 512 * 1024 * 1024;

export const KEV_SOURCE = 'cisa-kev';
export const EPSS_SOURCE = 'first-epss';

export interface FeedImportOptions {
  now?: Date;
  /** Source name in the sources table. */
  name?: string;
}

export interface FeedImportResult {
  source: string;
  records: number;
  warnings: ImportWarnings;
  /** KEV catalogVersion, or the EPSS model version. */
  version?: string;
  /** KEV dateReleased, or the EPSS score date (YYYY-MM-DD). */
  date?: string;
}

function readInput(input: string | Buffer, what: string): { data: Buffer; location: string } {
  if (Buffer.isBuffer(input)) return { data: input, location: '<buffer>' };
  try {
    return { data: readFileSync(input), location: resolve(input) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${what} file not found` : `cannot read ${what} file (${code})`, {
      file: input,
    });
  }
}

function maybeGunzip(data: Buffer, file: string): Buffer {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) return data;
  try {
    return gunzipSync(data, { maxOutputLength: MAX_FEED_BYTES });
  } catch (e) {
    throw new UserError(`cannot decompress gzip data: ${(e as Error).message}`, { file });
  }
}

function recordSource(
  w: Sqlite,
  name: string,
  kind: string,
  location: string,
  n: number,
  warnings: number,
  now: Date,
) {
  w.prepare(
    `INSERT INTO sources (name, kind, location, imported_at, record_count, warning_count) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
       imported_at = excluded.imported_at, record_count = excluded.record_count, warning_count = excluded.warning_count`,
  ).run(name, kind, location, now.toISOString(), n, warnings);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Imports the CISA Known Exploited Vulnerabilities catalogue (JSON feed), replacing the previous one. */
export async function importKev(
  db: VulnDb,
  input: string | Buffer,
  opts: FeedImportOptions = {},
): Promise<FeedImportResult> {
  const { data, location } = readInput(input, 'KEV');
  const text = maybeGunzip(data, location).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`KEV catalogue is not valid JSON: ${(e as Error).message}`, { file: location });
  }
  const vulns = (doc as { vulnerabilities?: unknown } | null)?.vulnerabilities;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(vulns))
    throw new UserError('not a CISA KEV catalogue (no "vulnerabilities" list)', { file: location });
  const meta = doc as { catalogVersion?: unknown; dateReleased?: unknown };
  const name = opts.name ?? KEV_SOURCE;
  return db.update((w) => {
    const sink = new WarningSink();
    w.exec('DELETE FROM kev');
    const ins = w.prepare(
      `INSERT OR REPLACE INTO kev (cve_id, vendor_project, product, vulnerability_name, date_added, short_description,
         required_action, due_date, known_ransomware_campaign_use, notes, cwes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let n = 0;
    vulns.forEach((v: unknown, i) => {
      const e = v as Record<string, unknown> | null;
      const cve = typeof e === 'object' && e !== null ? str(e.cveID) : null;
      if (!e || !cve || !/^CVE-\d{4}-\d+$/.test(cve)) {
        sink.add(`vulnerabilities[${i}]`, 'entry without a valid cveID');
        return;
      }
      ins.run(
        cve,
        str(e.vendorProject),
        str(e.product),
        str(e.vulnerabilityName),
        str(e.dateAdded),
        str(e.shortDescription),
        str(e.requiredAction),
        str(e.dueDate),
        str(e.knownRansomwareCampaignUse),
        str(e.notes),
        Array.isArray(e.cwes) ? JSON.stringify(e.cwes.filter((c) => typeof c === 'string')) : null,
      );
      n++;
    });
    recordSource(w, name, 'kev', location, n, sink.warnings.count, opts.now ?? new Date());
    const res: FeedImportResult = { source: name, records: n, warnings: sink.warnings };
    if (typeof meta.catalogVersion === 'string') res.version = meta.catalogVersion;
    if (typeof meta.dateReleased === 'string') res.date = meta.dateReleased;
    return res;
  });
}

/**
 * Imports a FIRST EPSS scores CSV (`cve,epss,percentile`, optionally led by the
 * `#model_version:...,score_date:...` comment line, optionally gzip-compressed), replacing the previous one.
 */
export async function importEpss(
  db: VulnDb,
  input: string | Buffer,
  opts: FeedImportOptions = {},
): Promise<FeedImportResult> {
  const { data, location } = readInput(input, 'EPSS');
  const text = maybeGunzip(data, location).toString('utf8');
  const lines = text.split(/\r?\n/);
  let i = 0;
  let model: string | undefined;
  let date: string | undefined;
  while (i < lines.length && (lines[i] ?? '').startsWith('#')) {
    const line = (lines[i] ?? '').slice(1);
    for (const part of line.split(',')) {
      const [k, ...rest] = part.split(':');
      const v = rest.join(':').trim();
      if (k?.trim() === 'model_version') model = v;
      if (k?.trim() === 'score_date') date = v.slice(0, 10);
    }
    i++;
  }
  const header = (lines[i] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const ci = header.indexOf('cve');
  const ei = header.indexOf('epss');
  const pi = header.indexOf('percentile');
  if (ci < 0 || ei < 0 || pi < 0)
    throw new UserError('not an EPSS CSV (expected a "cve,epss,percentile" header)', { file: location });
  i++;
  const name = opts.name ?? EPSS_SOURCE;
  return db.update((w) => {
    const sink = new WarningSink();
    w.exec('DELETE FROM epss');
    const ins = w.prepare(
      'INSERT OR REPLACE INTO epss (cve, epss, percentile, date, model_version) VALUES (?, ?, ?, ?, ?)',
    );
    let n = 0;
    for (; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line.trim() === '') continue;
      const cols = line.split(',');
      const cve = cols[ci]?.trim() ?? '';
      const epss = Number(cols[ei]);
      const pct = Number(cols[pi]);
      if (
        !/^CVE-\d{4}-\d+$/.test(cve) ||
        !Number.isFinite(epss) ||
        !Number.isFinite(pct) ||
        cols[ei]?.trim() === ''
      ) {
        sink.add(`line ${i + 1}`, 'malformed EPSS row');
        continue;
      }
      ins.run(cve, epss, pct, date ?? null, model ?? null);
      n++;
    }
    recordSource(w, name, 'epss', location, n, sink.warnings.count, opts.now ?? new Date());
    const res: FeedImportResult = { source: name, records: n, warnings: sink.warnings };
    if (model) res.version = model;
    if (date) res.date = date;
    return res;
  });
}
