/** The subset of the OSV schema (https://ossf.github.io/osv-schema/) that kubeward stores and matches. */

export interface OsvSeverity {
  /** CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, ... */
  type: string;
  score: string;
}

/** One event of a range; exactly one of the keys is set. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  /** SEMVER, ECOSYSTEM or GIT. */
  type: string;
  repo?: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  severity?: OsvSeverity[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: { type: string; url: string }[];
  database_specific?: Record<string, unknown>;
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Optional text field; YAML read with the failsafe schema turns `null`/`~` into strings. */
function optText(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === 'null' || v === '~' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Version strings: YAML may hand over numbers when a file was read with a richer schema. */
function versionText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null || v === 'null') return [];
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  const out: string[] = [];
  for (const item of v) {
    const s = versionText(item);
    if (s === undefined) throw new Error(`${what} holds a non-string`);
    out.push(s);
  }
  return out;
}

function severityList(v: unknown, what: string): OsvSeverity[] | undefined {
  if (v === undefined || v === null || v === 'null') return undefined;
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v.map((s, i) => {
    if (!isObject(s) || typeof s.type !== 'string' || typeof s.score !== 'string')
      throw new Error(`${what}[${i}] needs string type and score`);
    return { type: s.type, score: s.score };
  });
}

function objectOrUndefined(v: unknown): Record<string, unknown> | undefined {
  return isObject(v) ? v : undefined;
}

/**
 * Checks the shape of a decoded OSV record and returns a clean copy of the parts kubeward uses. Throws an
 * Error describing the first problem; callers turn that into a warning and go on with the next record.
 */
export function parseOsvRecord(value: unknown): OsvRecord {
  if (!isObject(value)) throw new Error('record is not an object');
  const id = optText(value.id);
  if (!id) throw new Error('missing id');
  const modified = optText(value.modified);
  if (!modified) throw new Error(`${id}: missing modified`);
  const rec: OsvRecord = { id, modified };
  const schemaVersion = optText(value.schema_version);
  if (schemaVersion) rec.schema_version = schemaVersion;
  for (const k of ['published', 'withdrawn', 'summary', 'details'] as const) {
    const t = optText(value[k]);
    if (t !== undefined) rec[k] = t;
  }
  rec.aliases = stringList(value.aliases, `${id}: aliases`);
  const related = stringList(value.related, `${id}: related`);
  if (related.length) rec.related = related;
  const sev = severityList(value.severity, `${id}: severity`);
  if (sev) rec.severity = sev;
  const dbs = objectOrUndefined(value.database_specific);
  if (dbs) rec.database_specific = dbs;
  if (Array.isArray(value.references)) {
    rec.references = value.references
      .filter(isObject)
      .map((r) => ({ type: String(r.type ?? ''), url: String(r.url ?? '') }));
  }
  const affected = value.affected;
  if (affected !== undefined && affected !== null && affected !== 'null') {
    if (!Array.isArray(affected)) throw new Error(`${id}: affected is not a list`);
    rec.affected = affected.map((a, i) => parseAffected(a, `${id}: affected[${i}]`));
  }
  return rec;
}

function parseAffected(a: unknown, what: string): OsvAffected {
  if (!isObject(a)) throw new Error(`${what} is not an object`);
  const out: OsvAffected = {};
  if (a.package !== undefined && a.package !== null) {
    const p = a.package;
    if (!isObject(p)) throw new Error(`${what}.package is not an object`);
    const ecosystem = optText(p.ecosystem);
    const name = optText(p.name);
    // A package-less entry (GIT ranges only) is allowed; a half-filled package is not.
    if (ecosystem || name) {
      if (!ecosystem || !name) throw new Error(`${what}.package needs ecosystem and name`);
      out.package = { ecosystem, name };
      const purl = optText(p.purl);
      if (purl) out.package.purl = purl;
    }
  }
  if (a.ranges !== undefined && a.ranges !== null && a.ranges !== 'null') {
    if (!Array.isArray(a.ranges)) throw new Error(`${what}.ranges is not a list`);
    out.ranges = a.ranges.map((r, i) => parseRange(r, `${what}.ranges[${i}]`));
  }
  const versions = stringList(a.versions, `${what}.versions`);
  if (versions.length) out.versions = versions;
  const sev = severityList(a.severity, `${what}.severity`);
  if (sev) out.severity = sev;
  const es = objectOrUndefined(a.ecosystem_specific);
  if (es) out.ecosystem_specific = es;
  const ds = objectOrUndefined(a.database_specific);
  if (ds) out.database_specific = ds;
  return out;
}

function parseRange(r: unknown, what: string): OsvRange {
  if (!isObject(r)) throw new Error(`${what} is not an object`);
  const type = optText(r.type);
  if (!type) throw new Error(`${what}.type is missing`);
  if (!Array.isArray(r.events)) throw new Error(`${what}.events is not a list`);
  const events: OsvEvent[] = r.events.map((e, i) => {
    if (!isObject(e)) throw new Error(`${what}.events[${i}] is not an object`);
    const keys = EVENT_KEYS.filter((k) => e[k] !== undefined && e[k] !== null);
    const key = keys[0];
    if (keys.length !== 1 || key === undefined)
      throw new Error(`${what}.events[${i}] must hold exactly one of ${EVENT_KEYS.join(', ')}`);
    const v = versionText(e[key]);
    if (v === undefined || v === '') throw new Error(`${what}.events[${i}].${key} is not a version string`);
    return { [key]: v };
  });
  const out: OsvRange = { type: type.toUpperCase(), events };
  const repo = optText(r.repo);
  if (repo) out.repo = repo;
  return out;
}
