import type { CvssScore } from '../cvss/index.js';
import type { OsvAffected, OsvSeverity } from '../db/osv.js';
import { pickCvss } from './advisory-meta.js';
import { encodeVersionList } from './listed-versions.js';
import { encodeRanges, listedOutsideRanges, type FlatRanges } from './prepared.js';

/**
 * What the matcher reads of one affected entry, stored at import as JSON text (`affected_match.mrow`). The
 * candidate query concatenates these texts into one JSON text per ecosystem ({@link PackageRows}): a single
 * JSON.parse then replaces thousands of row objects and per-column parses.
 */
export type AffectedRow = [
  /** `affected.rowid`; -1 for an in-memory record. */
  rowid: number,
  /** The source's key of the advisory (the database's `advisories.pk`). */
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
  /** Never stored: set by a source to the ECOSYSTEM ranges it left out of `ranges` for lack of an ordering. */
  unordered?: number,
];

/** Positions in an {@link AffectedRow}. */
export const ROW = {
  rowid: 0,
  advisory: 1,
  ecosystem: 2,
  ranges: 3,
  versions: 4,
  trimmed: 5,
  severity: 6,
  cvss: 7,
  unordered: 8,
} as const;

/**
 * JSON with every character past ASCII escaped (`\u00e9`). The matcher's queries concatenate thousands of
 * stored texts into one string: a single accented summary would otherwise make all of it a two-byte string,
 * twice the memory, parsed by V8's slower two-byte path.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    NON_ASCII,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const NON_ASCII = /[\u007f-\uffff]/g;

/**
 * The candidate query's answer for one list of names: each row after the position of its name in the list,
 * a name's rows adjacent and in rowid order.
 */
export type PackageRows = (number | AffectedRow)[];

/** The `mrow` text of an affected entry: its {@link AffectedRow}. */
export function encodeAffectedRow(
  rowid: number,
  advisory: number,
  ecosystem: string,
  a: OsvAffected,
): string {
  const severity = a.severity?.length ? a.severity : null;
  const cvss = severity ? pickCvss(severity) : null;
  const ranges = encodeRanges(ecosystem, a.ranges ?? []);
  const listed = a.versions ?? [];
  const outside = listedOutsideRanges(ecosystem, ranges, listed);
  const fields = [
    String(rowid),
    String(advisory),
    asciiJson(ecosystem),
    asciiJson(ranges),
    asciiJson(encodeVersionList(outside)),
    outside.length < listed.length ? '1' : '0',
    asciiJson(severity),
    asciiJson(cvss),
  ];
  return `[${fields.join(',')}]`;
}
