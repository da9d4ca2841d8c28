import { createHash } from 'node:crypto';
import { UserError } from '../core/errors.js';
import { isSeverity, severityRank, type Severity } from '../core/severity.js';
import type { FindingsTable } from './schema.js';
import type { StoredFinding } from './types.js';

// How a StoredFinding becomes a row, a diff key and a fingerprint line, and back.

/**
 * PostgreSQL text cannot hold NUL (SQLite can): names with one are refused on both backends alike, so a
 * store behaves the same whichever database is behind it.
 */
export function noNul(what: string, value: string | undefined): void {
  if (value?.includes('\0')) throw new UserError(`${what} contains a NUL byte`);
}

const denul = (s: string): string => (s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s);

/**
 * Finding text comes from advisories and image contents, where a NUL is possible but meaningless: it is
 * replaced by U+FFFD (on both backends, and before keying, so re-matches stay stable).
 */
function denulFinding(f: StoredFinding): StoredFinding {
  const text = [f.advisoryId, f.packageName, f.packageVersion, f.ecosystem, f.purl, f.fixedVersion, f.title];
  if (!text.some((x) => x?.includes('\0'))) return f;
  const c: StoredFinding = {
    ...f,
    advisoryId: denul(f.advisoryId),
    packageName: denul(f.packageName),
    packageVersion: denul(f.packageVersion),
    ecosystem: denul(f.ecosystem),
    purl: denul(f.purl),
  };
  if (f.fixedVersion !== undefined) c.fixedVersion = denul(f.fixedVersion);
  if (f.title !== undefined) c.title = denul(f.title);
  return c;
}

export const findingKey = (f: {
  advisoryId: string;
  ecosystem: string;
  packageName: string;
  packageVersion: string;
}): string => `${f.advisoryId}\0${f.ecosystem}\0${f.packageName}\0${f.packageVersion}`;

export const rowKey = (r: FindingsTable): string =>
  `${r.advisory_id}\0${r.ecosystem}\0${r.package_name}\0${r.package_version}`;

export interface Prepared {
  /** The finding as stored (NULs replaced). */
  f: StoredFinding;
  key: string;
  /** The finding's line in the fingerprint. */
  line: string;
}

/**
 * Key and fingerprint line per finding object. A re-match hands the same finding objects for every image
 * sharing a package, so each is validated and serialised once.
 */
const prepared = new WeakMap<StoredFinding, Prepared>();

export function prepare(f: StoredFinding): Prepared {
  let p = prepared.get(f);
  if (!p) {
    const clean = denulFinding(f);
    const r = findingRow('', clean);
    const key = findingKey(clean);
    p = {
      f: clean,
      key,
      line: `${key}\0${r.purl}\0${r.severity}\0${r.fixed_version ?? '\u0001'}\0${r.fixable}\0${r.kev}\0${r.epss ?? '\u0001'}\0${r.title ?? '\u0001'}\n`,
    };
    prepared.set(f, p);
  }
  return p;
}

/** Fingerprint of a finding set: every stored column, in key order, so order of input does not matter. */
export function findingsHash(rows: Map<string, { f: StoredFinding; p: Prepared }>): string {
  const h = createHash('sha1');
  for (const k of [...rows.keys()].sort()) {
    h.update((rows.get(k) as { p: Prepared }).p.line);
  }
  return h.digest('hex');
}

export function findingRow(digest: string, f: StoredFinding): FindingsTable {
  if (!isSeverity(f.severity))
    throw new Error(`finding ${f.advisoryId}: unknown severity "${String(f.severity)}"`);
  return {
    image_digest: digest,
    advisory_id: f.advisoryId,
    ecosystem: f.ecosystem,
    package_name: f.packageName,
    package_version: f.packageVersion,
    purl: f.purl,
    severity: f.severity,
    severity_rank: severityRank(f.severity),
    fixed_version: f.fixedVersion ?? null,
    fixable: f.fixable ? 1 : 0,
    kev: f.kev ? 1 : 0,
    epss: f.epss ?? null,
    title: f.title ?? null,
  };
}

export function toFinding(r: FindingsTable): StoredFinding {
  const f: StoredFinding = {
    advisoryId: r.advisory_id,
    packageName: r.package_name,
    packageVersion: r.package_version,
    ecosystem: r.ecosystem,
    purl: r.purl,
    severity: (isSeverity(r.severity) ? r.severity : 'medium') as Severity,
    kev: Number(r.kev) === 1,
    fixable: Number(r.fixable) === 1,
  };
  if (r.fixed_version !== null) f.fixedVersion = r.fixed_version;
  if (r.epss !== null) f.epss = Number(r.epss);
  if (r.title !== null) f.title = r.title;
  return f;
}
