import type { Severity } from '../../core/severity.js';
import { isSeverity } from '../../core/severity.js';
import { tryCvssScore, type CvssScore } from '../cvss/index.js';
import type { OsvRecord, OsvSeverity } from '../db/osv.js';

/**
 * What a match reports about an advisory. The database stores it per advisory as JSON, CVSS already
 * scored: the v4.0 calculator costs milliseconds on first use, which a fresh CLI process would otherwise
 * pay on every scan.
 */
export interface AdvisoryMeta {
  id: string;
  aliases: string[];
  summary?: string;
  modified: string;
  published?: string;
  severity: OsvSeverity[];
  dbSeverity?: string;
  /** The preferred score of {@link severity}; null when no vector scores. */
  cvss: CvssScore | null;
}

const CVSS_PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

/** The vector of the highest CVSS version present that scores (v4 over v3 over v2). */
export function pickCvss(entries: readonly OsvSeverity[]): CvssScore | null {
  for (const type of CVSS_PREFERENCE) {
    for (const e of entries) {
      if (e.type !== type) continue;
      const s = tryCvssScore(e.score);
      if (s) return s;
    }
  }
  return null;
}

export function dbSeverityOf(ds: unknown): string | undefined {
  if (typeof ds !== 'object' || ds === null) return undefined;
  const s = (ds as { severity?: unknown }).severity;
  return typeof s === 'string' ? s : undefined;
}

/** A database's own rating (GHSA `database_specific.severity`) as a kubeward severity. */
export function dbSeverityLevel(s: string | undefined): Severity | undefined {
  if (!s) return undefined;
  const v = s.toLowerCase();
  if (v === 'moderate') return 'medium';
  if (v === 'none' || v === 'negligible' || v === 'unknown') return undefined;
  return isSeverity(v) ? v : undefined;
}

export function advisoryMeta(rec: OsvRecord): AdvisoryMeta {
  const severity = rec.severity ?? [];
  const meta: AdvisoryMeta = {
    id: rec.id,
    aliases: rec.aliases ?? [],
    modified: rec.modified,
    severity,
    cvss: severity.length ? pickCvss(severity) : null,
  };
  if (rec.published) meta.published = rec.published;
  if (rec.summary) meta.summary = rec.summary;
  const dbs = dbSeverityOf(rec.database_specific);
  if (dbs) meta.dbSeverity = dbs;
  return meta;
}
