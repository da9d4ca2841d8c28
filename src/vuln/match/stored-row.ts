import type { CvssScore } from '../cvss/index.js';
import type { OsvAffected, OsvSeverity } from '../db/osv.js';
import { pickCvss } from './advisory-meta.js';
import { encodeVersionList } from './listed-versions.js';
import { encodeRanges, listedOutsideRanges, type FlatRanges } from './prepared.js';

/**
 * What the matcher reads of one affected entry, stored at import as the body of a JSON array
 * (`affected_match.mrow`). The candidate query concatenates these bodies, prefixed with the affected rowid
 * and advisory key, into one JSON text per ecosystem, each package's rows after its name ({@link
 * PackageRows}): a single JSON.parse then replaces thousands of row objects and per-column parses.
 */
export type AffectedRow = [
  rowid: number,
  advisory: number,
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

/** The candidate query's answer for one base ecosystem: each package name, then the rows of its entries. */
export type PackageRows = (string | AffectedRow[])[];

/** The `mrow` text of an affected entry: the {@link AffectedRow} fields after rowid and advisory. */
export function encodeAffectedRow(ecosystem: string, a: OsvAffected): string {
  const severity = a.severity?.length ? a.severity : null;
  const cvss = severity ? pickCvss(severity) : null;
  const ranges = encodeRanges(ecosystem, a.ranges ?? []);
  const listed = a.versions ?? [];
  const outside = listedOutsideRanges(ecosystem, ranges, listed);
  return [
    JSON.stringify(ecosystem),
    JSON.stringify(ranges),
    JSON.stringify(encodeVersionList(outside)),
    outside.length < listed.length ? '1' : '0',
    JSON.stringify(severity),
    JSON.stringify(cvss),
  ].join(',');
}
