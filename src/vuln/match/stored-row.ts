import type { CvssScore } from '../cvss/index.js';
import { ecosystemKey } from '../db/ecosystem.js';
import type { OsvAffected, OsvSeverity } from '../db/osv.js';
import { pickCvss } from './advisory-meta.js';
import { encodeVersionList } from './listed-versions.js';
import { encodeRanges, listedOutsideRanges, type FlatRanges } from './prepared.js';

/**
 * What the matcher reads of one affected entry, stored at import as the body of a JSON array
 * (`affected_match.mrow`). The candidate query concatenates these bodies, prefixed with the affected rowid
 * and advisory key, into one JSON text per ecosystem: a single JSON.parse then replaces thousands of row
 * objects and per-column parses.
 */
export type AffectedRow = [
  rowid: number,
  advisory: number,
  name: string,
  ecoKey: string,
  ecosystem: string,
  ranges: FlatRanges,
  /** {@link encodeVersionList} form of the listed versions outside `ranges` ({@link listedOutsideRanges}). */
  versions: string | null,
  /** 1 when `versions` leaves listed versions out: the whole list is the `affected.versions` column. */
  trimmed: 0 | 1,
  severity: OsvSeverity[] | null,
  /** The preferred score of `severity`. */
  cvss: CvssScore | null,
];

/** The `mrow` text of an affected entry: the {@link AffectedRow} fields after rowid and advisory. */
export function encodeAffectedRow(ecosystem: string, name: string, a: OsvAffected): string {
  const severity = a.severity?.length ? a.severity : null;
  const cvss = severity ? pickCvss(severity) : null;
  const ranges = encodeRanges(ecosystem, a.ranges ?? []);
  const listed = a.versions ?? [];
  const outside = listedOutsideRanges(ecosystem, ranges, listed);
  return [
    JSON.stringify(name),
    JSON.stringify(ecosystemKey(ecosystem)),
    JSON.stringify(ecosystem),
    JSON.stringify(ranges),
    JSON.stringify(encodeVersionList(outside)),
    outside.length < listed.length ? '1' : '0',
    JSON.stringify(severity),
    JSON.stringify(cvss),
  ].join(',');
}
