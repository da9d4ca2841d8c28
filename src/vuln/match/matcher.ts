import type { Severity } from '../../core/severity.js';
import { isSeverity } from '../../core/severity.js';
import { tryCvssScore, type CvssScore } from '../cvss/index.js';
import { ecosystemBaseKey, ecosystemKey, normalizePackageName } from '../db/ecosystem.js';
import type { OsvRecord, OsvSeverity } from '../db/osv.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { Sqlite, VulnDb } from '../db/store.js';
import type { VersionComparator } from '../version/comparator.js';
import { comparatorFor as defaultComparatorFor } from '../version/index.js';
import { evaluateRangeWith, prepareRange, type CompareToVersion, type PreparedRange } from './evaluate.js';
import { semverComparator } from './semver.js';

/** One installed package to look up. */
export interface PackageQuery {
  /** OSV ecosystem, optionally scoped to a release: `Debian:12`, `Alpine:v3.20`, `PyPI`, `Go`. */
  ecosystem: string;
  name: string;
  version: string;
}

/** An advisory that affects the queried package version. */
export interface VulnMatch {
  id: string;
  aliases: string[];
  summary?: string;
  modified: string;
  published?: string;
  /** Ecosystem string of the advisory's affected entry (`Debian:12` for a `Debian:12` query, or `Debian`). */
  ecosystem: string;
  /** Lowest `fixed` event above the installed version in each matching range, ascending, deduplicated. */
  fixedVersions: string[];
  /** Lowest of {@link fixedVersions}. */
  fixed?: string;
  fixAvailable: boolean;
  /** OSV severity entries: the record's, plus those of the matching affected entries. */
  severity: OsvSeverity[];
  /** The preferred CVSS score (highest CVSS version present), when a vector could be scored. */
  cvss?: CvssScore;
  /** Severity from {@link cvss}, else from the database's own rating (GHSA `database_specific.severity`). */
  severityLevel?: Severity;
}

export interface PackageMatchResult {
  query: PackageQuery;
  matches: VulnMatch[];
  /** Why part of the evaluation could not be done (unknown ecosystem ordering, unparsable version). */
  warnings: string[];
}

export type ComparatorResolver = (ecosystem: string) => VersionComparator | undefined;

export interface MatchOptions {
  /** Ecosystem version orderings; default `comparatorFor` from src/vuln/version. */
  comparatorFor?: ComparatorResolver;
}

interface AdvisoryMeta {
  id: string;
  aliases: string[];
  summary?: string;
  modified: string;
  published?: string;
  severity: OsvSeverity[];
  dbSeverity?: string;
  /** Scored once per run; null when no vector could be scored. */
  cvss?: CvssScore | null;
}

interface PreparedAffected {
  ecosystem: string;
  versions: Set<string>;
  ranges: { range: PreparedRange; cmp: VersionComparator }[];
  severity: OsvSeverity[];
  /** Comparator of the ECOSYSTEM ordering, undefined when the ecosystem is unknown. */
  cmp: VersionComparator | undefined;
  /** ECOSYSTEM ranges that could not be evaluated for lack of a comparator. */
  unorderedRanges: number;
  /** Scored once per run from {@link severity}; null when none. */
  cvss?: CvssScore | null;
}

/** What is gathered for one advisory while evaluating a package. */
interface MatchAcc {
  adv: AdvisoryMeta;
  eco: string;
  fixed: Set<string>;
  sev: OsvSeverity[];
  cvss: CvssScore | null;
  cmp?: VersionComparator;
}

/** A candidate affected entry for a package: where to find its parsed form and its advisory. */
interface Candidate {
  affected: PreparedAffected;
  advisory: AdvisoryMeta;
  ecoKey: string;
}

/** Where candidates come from: the SQLite database or an in-memory record list. */
interface CandidateSource {
  /** Candidates for every (base ecosystem, normalized name) pair asked, keyed `base\0name`. */
  fetch(groups: Map<string, Set<string>>): Map<string, Candidate[]>;
}

const pairKey = (base: string, name: string): string => `${base}\0${name}`;

/**
 * Does the advisory's ecosystem apply to the query's? Same string; or the advisory is unscoped
 * (`Debian` applies to every release); or the query is unscoped (`Debian` asks about every release).
 */
function ecosystemApplies(advisoryKey: string, queryKey: string, baseKey: string): boolean {
  return advisoryKey === queryKey || advisoryKey === baseKey || queryKey === baseKey;
}

/** Versions as OSV writes them: Go's stdlib and toolchain are `1.21.0`, not `go1.21.0`. */
function osvVersion(baseKey: string, name: string, version: string): string {
  const v = version.trim();
  if (baseKey === 'go' && (name === 'stdlib' || name === 'toolchain') && /^go\d/.test(v)) return v.slice(2);
  return v;
}

function parseJsonList<T>(text: string | null | undefined): T[] {
  if (!text) return [];
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? (v as T[]) : [];
}

const CVSS_PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

/** The vector of the highest CVSS version present that scores (v4 over v3 over v2). */
function pickCvss(entries: readonly OsvSeverity[]): CvssScore | null {
  for (const type of CVSS_PREFERENCE) {
    for (const e of entries) {
      if (e.type !== type) continue;
      const s = tryCvssScore(e.score);
      if (s) return s;
    }
  }
  return null;
}

const cvssRank = (s: CvssScore | null | undefined): number => (s ? Number(s.version) : 0);

function cachedCvss(holder: { severity: OsvSeverity[]; cvss?: CvssScore | null }): CvssScore | null {
  if (holder.cvss === undefined) holder.cvss = holder.severity.length ? pickCvss(holder.severity) : null;
  return holder.cvss;
}

function dbSeverityLevel(s: string | undefined): Severity | undefined {
  if (!s) return undefined;
  const v = s.toLowerCase();
  if (v === 'moderate') return 'medium';
  if (v === 'none' || v === 'negligible' || v === 'unknown') return undefined;
  return isSeverity(v) ? v : undefined;
}

function dbSeverityOf(ds: unknown): string | undefined {
  if (typeof ds !== 'object' || ds === null) return undefined;
  const s = (ds as { severity?: unknown }).severity;
  return typeof s === 'string' ? s : undefined;
}

/**
 * Matches package inventories against OSV advisories. Keeps parsed affected entries, sorted range
 * events and comparators across calls, so repeated scans pay only for the lookups.
 */
export class Matcher {
  private readonly resolve: ComparatorResolver;
  private readonly comparators = new Map<string, VersionComparator | undefined>();
  private source: CandidateSource;

  constructor(
    private readonly from: VulnDb | readonly OsvRecord[],
    opts: MatchOptions = {},
  ) {
    this.resolve = opts.comparatorFor ?? defaultComparatorFor;
    this.source = this.makeSource();
  }

  private makeSource(): CandidateSource {
    return Array.isArray(this.from)
      ? new ListSource(this.from as readonly OsvRecord[], this)
      : new DbSource(this.from as VulnDb, this);
  }

  /** @internal Comparator for an ecosystem string, cached. */
  comparator(ecosystem: string): VersionComparator | undefined {
    const key = ecosystemKey(ecosystem);
    if (this.comparators.has(key)) return this.comparators.get(key);
    let c = this.resolve(ecosystem);
    if (!c && ecosystem.includes(':')) c = this.resolve(ecosystem.slice(0, ecosystem.indexOf(':')));
    this.comparators.set(key, c);
    return c;
  }

  /** @internal Parses and prepares one affected entry. */
  prepareAffected(
    ecosystem: string,
    rangesJson: unknown[],
    versions: string[],
    severity: OsvSeverity[],
  ): PreparedAffected {
    const cmp = this.comparator(ecosystem);
    const ranges: PreparedAffected['ranges'] = [];
    let unorderedRanges = 0;
    for (const r of rangesJson as { type: string; events: [] }[]) {
      const type = r.type === 'SEMVER' ? 'SEMVER' : r.type === 'ECOSYSTEM' ? 'ECOSYSTEM' : undefined;
      if (!type) continue;
      const rc = type === 'SEMVER' ? semverComparator : cmp;
      if (!rc) {
        unorderedRanges++;
        continue;
      }
      const prepared = prepareRange(r, rc);
      if (prepared) ranges.push({ range: prepared, cmp: rc });
    }
    return { ecosystem, versions: new Set(versions), ranges, severity, cmp, unorderedRanges };
  }

  /** Matches one package. */
  match(query: PackageQuery): VulnMatch[] {
    return this.matchAll([query])[0]?.matches ?? [];
  }

  /** Matches many packages with one lookup per ecosystem. Results are in query order. */
  matchAll(queries: readonly PackageQuery[]): PackageMatchResult[] {
    const groups = new Map<string, Set<string>>();
    const norm = queries.map((q) => {
      const baseKey = ecosystemBaseKey(q.ecosystem);
      const name = normalizePackageName(q.ecosystem, q.name);
      let set = groups.get(baseKey);
      if (!set) groups.set(baseKey, (set = new Set()));
      set.add(name);
      return {
        baseKey,
        name,
        ecoKey: ecosystemKey(q.ecosystem),
        version: osvVersion(baseKey, name, q.version),
      };
    });
    const candidates = this.source.fetch(groups);
    return queries.map((query, i) => {
      const n = norm[i] as (typeof norm)[number];
      return this.evaluate(query, n, candidates.get(pairKey(n.baseKey, n.name)) ?? []);
    });
  }

  private evaluate(
    query: PackageQuery,
    n: { baseKey: string; ecoKey: string; version: string },
    cands: readonly Candidate[],
  ): PackageMatchResult {
    const warnings = new Set<string>();
    const byId = new Map<string, MatchAcc>();
    const v = n.version;
    // Per comparator: whether v is valid, and compare(v, x) memoised (many advisories share versions).
    const perCmp = new Map<VersionComparator, CompareToVersion | null>();
    const against = (cmp: VersionComparator): CompareToVersion | null => {
      let f = perCmp.get(cmp);
      if (f === undefined) {
        if (cmp.valid(v)) {
          const memo = new Map<string, number>();
          f = (x) => {
            let r = memo.get(x);
            if (r === undefined) memo.set(x, (r = cmp.compare(v, x)));
            return r;
          };
        } else f = null;
        perCmp.set(cmp, f);
      }
      return f;
    };
    for (const c of cands) {
      if (!ecosystemApplies(c.ecoKey, n.ecoKey, n.baseKey)) continue;
      const a = c.affected;
      let affected = false;
      let evaluated = false;
      const fixed: string[] = [];
      for (const { range, cmp } of a.ranges) {
        const vs = against(cmp);
        if (!vs) {
          warnings.add(
            `version "${v}" is not a valid ${cmp.name} version; its ${range.type} ranges were not evaluated`,
          );
          continue;
        }
        evaluated = true;
        const verdict = evaluateRangeWith(vs, range);
        if (verdict.affected) {
          affected = true;
          if (verdict.fixed !== undefined) fixed.push(verdict.fixed);
        }
      }
      if (a.unorderedRanges)
        warnings.add(
          `no version ordering known for ecosystem "${a.ecosystem}"; only its listed versions were checked`,
        );
      if (!affected) affected = this.inVersions(v, a, evaluated);
      if (!affected) continue;
      let m = byId.get(c.advisory.id);
      if (!m) {
        m = { adv: c.advisory, eco: a.ecosystem, fixed: new Set(), sev: [], cvss: cachedCvss(c.advisory) };
        if (a.cmp) m.cmp = a.cmp;
        byId.set(c.advisory.id, m);
      }
      for (const f of fixed) m.fixed.add(f);
      if (a.severity.length) {
        m.sev.push(...a.severity);
        const ac = cachedCvss(a);
        if (cvssRank(ac) > cvssRank(m.cvss)) m.cvss = ac;
      }
    }
    const matches: VulnMatch[] = [];
    for (const m of byId.values()) {
      const cmp = m.cmp ?? semverComparator;
      const fixedVersions = [...m.fixed].sort((x, y) => cmp.compare(x, y));
      const severity = m.sev.length ? [...m.adv.severity, ...m.sev] : m.adv.severity;
      const cvss = m.cvss;
      const out: VulnMatch = {
        id: m.adv.id,
        aliases: m.adv.aliases,
        modified: m.adv.modified,
        ecosystem: m.eco,
        fixedVersions,
        fixAvailable: fixedVersions.length > 0,
        severity,
      };
      if (m.adv.summary !== undefined) out.summary = m.adv.summary;
      if (m.adv.published !== undefined) out.published = m.adv.published;
      if (fixedVersions[0] !== undefined) out.fixed = fixedVersions[0];
      if (cvss) out.cvss = cvss;
      const level = cvss?.severity ?? dbSeverityLevel(m.adv.dbSeverity);
      if (level) out.severityLevel = level;
      matches.push(out);
    }
    matches.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return { query, matches, warnings: [...warnings] };
  }

  /**
   * `IncludedInVersions`: the exact string; and, for entries whose ranges could not be evaluated, also a
   * version equal under the ecosystem's ordering (`1.0` == `1.0.0` in PEP 440). Where ranges were
   * evaluated the list is derived from them, so the linear comparator scan is skipped.
   */
  private inVersions(v: string, a: PreparedAffected, rangesEvaluated: boolean): boolean {
    if (!a.versions.size) return false;
    if (a.versions.has(v)) return true;
    if (rangesEvaluated) return false;
    const cmp = a.cmp;
    if (!cmp || !cmp.valid(v)) return false;
    for (const listed of a.versions) {
      try {
        if (cmp.compare(v, listed) === 0 && cmp.valid(listed)) return true;
      } catch {
        // a malformed listed version cannot equal a valid one
      }
    }
    return false;
  }
}

/** Bound on cached (ecosystem, name) lookups; past it the cache starts over. */
const MAX_CACHED_PAIRS = 500_000;

/** Candidates from the SQLite database: one query per base ecosystem, parsed rows cached by rowid. */
class DbSource implements CandidateSource {
  private conn: Sqlite | undefined;
  private generation = -1;
  private stmtPairs!: BetterSqlite3.Statement<[string, string]>;
  private stmtAffected!: BetterSqlite3.Statement<[string]>;
  private stmtAdvisories!: BetterSqlite3.Statement<[string]>;
  private readonly affected = new Map<number, PreparedAffected>();
  private readonly advisories = new Map<number, AdvisoryMeta>();
  private readonly rowsByPair = new Map<string, { rid: number; adv: number; ek: string }[]>();

  constructor(
    private readonly db: VulnDb,
    private readonly m: Matcher,
  ) {}

  private ensure(): void {
    const conn = this.db.reader();
    if (conn === this.conn && this.generation === this.db.generation) return;
    this.conn = conn;
    this.generation = this.db.generation;
    this.affected.clear();
    this.advisories.clear();
    this.rowsByPair.clear();
    this.stmtPairs = conn.prepare<[string, string]>(
      `SELECT rowid AS rid, advisory AS adv, eco_key AS ek, name FROM affected
       WHERE eco_base = ? AND withdrawn = 0 AND name IN (SELECT value FROM json_each(?))`,
    );
    this.stmtAffected = conn.prepare<[string]>(
      'SELECT rowid AS rid, ecosystem, ranges, versions, severity FROM affected WHERE rowid IN (SELECT value FROM json_each(?))',
    );
    this.stmtAdvisories = conn.prepare<[string]>(
      `SELECT pk, id, modified, published, summary, aliases, severity, database_specific AS ds FROM advisories
       WHERE pk IN (SELECT value FROM json_each(?))`,
    );
  }

  fetch(groups: Map<string, Set<string>>): Map<string, Candidate[]> {
    this.ensure();
    // Which (ecosystem, name) pairs have affected rows is cached too, misses included: a warm match (the
    // registry re-match, the webhook's repeated images) then runs no SQL at all.
    if (this.rowsByPair.size > MAX_CACHED_PAIRS) this.rowsByPair.clear();
    for (const [base, names] of groups) {
      const unknown = [...names].filter((n) => !this.rowsByPair.has(pairKey(base, n)));
      if (!unknown.length) continue;
      for (const n of unknown) this.rowsByPair.set(pairKey(base, n), []);
      const rows = this.stmtPairs.all(base, JSON.stringify(unknown)) as {
        rid: number;
        adv: number;
        ek: string;
        name: string;
      }[];
      for (const r of rows)
        this.rowsByPair.get(pairKey(base, r.name))?.push({ rid: r.rid, adv: r.adv, ek: r.ek });
    }
    const pairs: { rid: number; adv: number; ek: string; base: string; name: string }[] = [];
    for (const [base, names] of groups)
      for (const name of names)
        for (const r of this.rowsByPair.get(pairKey(base, name)) ?? []) pairs.push({ ...r, base, name });
    const missingAff = [...new Set(pairs.filter((p) => !this.affected.has(p.rid)).map((p) => p.rid))];
    for (let i = 0; i < missingAff.length; i += 10000) {
      const rows = this.stmtAffected.all(JSON.stringify(missingAff.slice(i, i + 10000))) as {
        rid: number;
        ecosystem: string;
        ranges: string;
        versions: string;
        severity: string | null;
      }[];
      for (const r of rows) {
        this.affected.set(
          r.rid,
          this.m.prepareAffected(
            r.ecosystem,
            parseJsonList(r.ranges),
            parseJsonList<string>(r.versions),
            parseJsonList<OsvSeverity>(r.severity),
          ),
        );
      }
    }
    const missingAdv = [...new Set(pairs.filter((p) => !this.advisories.has(p.adv)).map((p) => p.adv))];
    for (let i = 0; i < missingAdv.length; i += 10000) {
      const rows = this.stmtAdvisories.all(JSON.stringify(missingAdv.slice(i, i + 10000))) as {
        pk: number;
        id: string;
        modified: string;
        published: string | null;
        summary: string | null;
        aliases: string;
        severity: string;
        ds: string | null;
      }[];
      for (const r of rows) {
        const meta: AdvisoryMeta = {
          id: r.id,
          aliases: parseJsonList<string>(r.aliases),
          modified: r.modified,
          severity: parseJsonList<OsvSeverity>(r.severity),
        };
        if (r.published) meta.published = r.published;
        if (r.summary) meta.summary = r.summary;
        const dbs = r.ds ? dbSeverityOf(JSON.parse(r.ds)) : undefined;
        if (dbs) meta.dbSeverity = dbs;
        this.advisories.set(r.pk, meta);
      }
    }
    const out = new Map<string, Candidate[]>();
    for (const p of pairs) {
      const affected = this.affected.get(p.rid);
      const advisory = this.advisories.get(p.adv);
      if (!affected || !advisory) continue;
      const k = pairKey(p.base, p.name);
      let list = out.get(k);
      if (!list) out.set(k, (list = []));
      list.push({ affected, advisory, ecoKey: p.ek });
    }
    return out;
  }
}

/** Candidates from an in-memory record list, indexed once. Withdrawn records are left out. */
class ListSource implements CandidateSource {
  private readonly index = new Map<string, Candidate[]>();

  constructor(records: readonly OsvRecord[], m: Matcher) {
    for (const rec of records) {
      if (rec.withdrawn) continue;
      const meta: AdvisoryMeta = {
        id: rec.id,
        aliases: rec.aliases ?? [],
        modified: rec.modified,
        severity: rec.severity ?? [],
      };
      if (rec.published) meta.published = rec.published;
      if (rec.summary) meta.summary = rec.summary;
      const dbs = dbSeverityOf(rec.database_specific);
      if (dbs) meta.dbSeverity = dbs;
      for (const a of rec.affected ?? []) {
        if (!a.package) continue;
        const { ecosystem, name } = a.package;
        const k = pairKey(ecosystemBaseKey(ecosystem), normalizePackageName(ecosystem, name));
        let list = this.index.get(k);
        if (!list) this.index.set(k, (list = []));
        list.push({
          affected: m.prepareAffected(ecosystem, a.ranges ?? [], a.versions ?? [], a.severity ?? []),
          advisory: meta,
          ecoKey: ecosystemKey(ecosystem),
        });
      }
    }
  }

  fetch(groups: Map<string, Set<string>>): Map<string, Candidate[]> {
    const out = new Map<string, Candidate[]>();
    for (const [base, names] of groups) {
      for (const name of names) {
        const list = this.index.get(pairKey(base, name));
        if (list) out.set(pairKey(base, name), list);
      }
    }
    return out;
  }
}

const matchers = new WeakMap<object, Map<ComparatorResolver | undefined, Matcher>>();

/** The cached matcher for a source and comparator set (parsed entries are reused across calls). */
export function matcherFor(from: VulnDb | readonly OsvRecord[], opts: MatchOptions = {}): Matcher {
  let perSource = matchers.get(from);
  if (!perSource) matchers.set(from, (perSource = new Map()));
  let m = perSource.get(opts.comparatorFor);
  if (!m) perSource.set(opts.comparatorFor, (m = new Matcher(from, opts)));
  return m;
}

/** Advisories affecting one package version (withdrawn advisories never match). */
export function matchPackage(
  from: VulnDb | readonly OsvRecord[],
  query: PackageQuery,
  opts: MatchOptions = {},
): VulnMatch[] {
  return matcherFor(from, opts).match(query);
}

/** Advisories affecting each package of an inventory, with one lookup per ecosystem. */
export function matchPackages(
  from: VulnDb | readonly OsvRecord[],
  queries: readonly PackageQuery[],
  opts: MatchOptions = {},
): PackageMatchResult[] {
  return matcherFor(from, opts).matchAll(queries);
}
