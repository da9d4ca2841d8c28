import type { CvssScore } from '../cvss/index.js';
import { ecosystemKey } from '../db/ecosystem.js';
import type { OsvAffected, OsvSeverity } from '../db/osv.js';
import { pickCvss } from './advisory-meta.js';
import { encodeVersionList } from './listed-versions.js';
import { encodeRanges, type FlatRanges } from './prepared.js';

/**
 * What the matcher reads of one affected entry, stored at import as the body of a JSON array
 * (`affected.mrow`). The candidate query concatenates these bodies, prefixed with rowid and advisory key,
 * into one JSON text per ecosystem: a single JSON.parse then replaces thousands of row objects and
 * per-column parses.
 */
export type AffectedRow = [
  rowid: number,
  advisory: number,
  name: string,
  ecoKey: string,
  ecosystem: string,
  ranges: FlatRanges,
  /** {@link encodeVersionList} form. */
  versions: string | null,
  severity: OsvSeverity[] | null,
  /** The preferred score of `severity`. */
  cvss: CvssScore | null,
];

/** The `mrow` text of an affected entry: the {@link AffectedRow} fields after rowid and advisory. */
export function encodeAffectedRow(ecosystem: string, name: string, a: OsvAffected): string {
  const severity = a.severity?.length ? a.severity : null;
  const cvss = severity ? pickCvss(severity) : null;
  return [
    JSON.stringify(name),
    JSON.stringify(ecosystemKey(ecosystem)),
    JSON.stringify(ecosystem),
    JSON.stringify(encodeRanges(ecosystem, a.ranges ?? [])),
    JSON.stringify(encodeVersionList(a.versions ?? [])),
    JSON.stringify(severity),
    JSON.stringify(cvss),
  ].join(',');
}
