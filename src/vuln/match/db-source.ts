import type BetterSqlite3 from 'better-sqlite3';
import type { OsvRange } from '../db/osv.js';
import type { Sqlite, VulnDb } from '../db/store.js';
import type { AdvisoryMeta } from './advisory-meta.js';
import {
  fitStoredRanges,
  setRangesFromRecord,
  type Candidate,
  type CandidatesByName,
  type CandidateSource,
} from './candidate.js';
import type { Comparators } from './comparators.js';
import { encodeVersionList } from './listed-versions.js';
import { ROW, type AffectedRow, type PackageRows } from './stored-row.js';

/** Bound on cached (ecosystem, name) lookups; past it the cache starts over. */
const MAX_CACHED_PAIRS = 500_000;

/** Ids or names per json_each parameter, keeping each bound JSON text to a few hundred kilobytes. */
const CHUNK = 10_000;

/**
 * Candidates from the SQLite database, in the form stored at import (events pre-sorted and keyed, CVSS
 * pre-scored). Per base ecosystem one query returns every affected entry of the asked names as a single JSON
 * text, whose parsed rows are the candidates (one JSON.parse, no object per entry); the metadata of the
 * advisories that matched comes the same way in one more query. Rows are cached per package, misses
 * included, so a warm match (the registry re-match, the webhook's repeated images) runs no SQL at all.
 */
export class DbSource implements CandidateSource {
  private conn: Sqlite | undefined;
  private generation = -1;
  private stmtCandidates!: BetterSqlite3.Statement<[string, string]>;
  private stmtMeta!: BetterSqlite3.Statement<[string]>;
  private stmtRanges!: BetterSqlite3.Statement<[string]>;
  private stmtVersions!: BetterSqlite3.Statement<[number]>;
  /** Match metadata by advisory key, of the advisories that matched so far. */
  private readonly metas = new Map<number, AdvisoryMeta>();
  /** Candidates by base ecosystem and name, misses included (empty lists). */
  private readonly byBase = new Map<string, Map<string, readonly Candidate[]>>();
  private cachedPairs = 0;

  constructor(
    private readonly db: VulnDb,
    private readonly cmps: Comparators,
  ) {}

  private ensure(): void {
    const conn = this.db.reader();
    if (conn === this.conn && this.generation === this.db.generation) return;
    this.conn = conn;
    this.generation = this.db.generation;
    this.metas.clear();
    this.byBase.clear();
    this.cachedPairs = 0;
    // For each asked name (json_each, outer by CROSS JOIN: one primary-key search per name, no temporary
    // index of the list), its rows in affected rowid order, each after the name's position in the list.
    this.stmtCandidates = conn
      .prepare<[string, string]>(
        `SELECT '[' || group_concat(j.key || ',' || m.mrow, ',') || ']'
           FROM json_each(?) j CROSS JOIN affected_match m ON m.eco_base = ? AND m.name = j.value`,
      )
      .pluck();
    this.stmtMeta = conn
      .prepare<[string]>(
        `SELECT '[' || group_concat(m.advisory || ',' || m.meta, ',') || ']'
           FROM json_each(?) j CROSS JOIN advisory_match m ON m.advisory = j.value`,
      )
      .pluck();
    this.stmtRanges = conn
      .prepare<[string]>(
        'SELECT rowid, ranges, versions FROM affected WHERE rowid IN (SELECT value FROM json_each(?))',
      )
      .raw();
    this.stmtVersions = conn.prepare<[number]>('SELECT versions FROM affected WHERE rowid = ?').pluck();
  }

  fetch(groups: Map<string, Set<string>>): Map<string, CandidatesByName> {
    this.ensure();
    if (this.cachedPairs > MAX_CACHED_PAIRS) {
      this.byBase.clear();
      this.cachedPairs = 0;
    }
    const resort: Candidate[] = [];
    for (const [base, names] of groups) {
      let cached = this.byBase.get(base);
      if (!cached) this.byBase.set(base, (cached = new Map()));
      const byName = cached;
      const unknown: string[] = [];
      // forEach, not for-of: no iterator result per name in code not yet optimised (see Matcher.matchAll).
      names.forEach((n) => {
        if (!byName.has(n)) {
          unknown.push(n);
          byName.set(n, NO_CANDIDATES);
        }
      });
      this.cachedPairs += unknown.length;
      for (let i = 0; i < unknown.length; i += CHUNK) {
        const asked = unknown.slice(i, i + CHUNK);
        const json = this.stmtCandidates.get(JSON.stringify(asked), base) as string | null;
        if (!json) continue;
        const found = JSON.parse(json) as PackageRows;
        let list: Candidate[] = [];
        for (let f = 0; f < found.length; f += 2) {
          // A name's rows are adjacent: a new position starts its list.
          if (f === 0 || found[f] !== found[f - 2])
            byName.set(asked[found[f] as number] as string, (list = []));
          const row = found[f + 1] as AffectedRow;
          list.push(row);
          // Frozen like tryCvssScore's results: one object is shared by every finding of the entry.
          if (row[ROW.cvss]) Object.freeze(row[ROW.cvss]);
          if (!fitStoredRanges(row, this.cmps)) resort.push(row);
        }
      }
    }
    if (resort.length) this.prepareFromRecords(resort);
    return this.byBase;
  }

  wholeVersions(c: Candidate): void {
    if (c[ROW.trimmed] === 1) setWholeList(c, this.stmtVersions.get(c[ROW.rowid]) as string | undefined);
  }

  loadAdvisories(keys: ReadonlySet<number>): void {
    const pks: number[] = [];
    keys.forEach((k) => {
      if (!this.metas.has(k)) pks.push(k);
    });
    for (let i = 0; i < pks.length; i += CHUNK) {
      const json = this.stmtMeta.get(JSON.stringify(pks.slice(i, i + CHUNK))) as string | null;
      const flat = json ? (JSON.parse(json) as (number | AdvisoryMeta)[]) : [];
      for (let j = 0; j < flat.length; j += 2) {
        const meta = flat[j + 1] as AdvisoryMeta;
        // Frozen like tryCvssScore's results: one object is shared by every finding of the advisory.
        if (meta.cvss) Object.freeze(meta.cvss);
        this.metas.set(flat[j] as number, meta);
      }
    }
  }

  meta(key: number): AdvisoryMeta | undefined {
    return this.metas.get(key);
  }

  /**
   * Entries whose stored order does not apply to the matcher's comparators (a custom resolver): prepared
   * from the record's ranges instead, with the whole versions list (the trimmed one fits only the import's
   * orderings).
   */
  private prepareFromRecords(resort: Candidate[]): void {
    const stored = new Map<number, [string, string]>();
    for (let i = 0; i < resort.length; i += CHUNK) {
      const ids = resort.slice(i, i + CHUNK).map((c) => c[ROW.rowid]);
      for (const [rid, ranges, versions] of this.stmtRanges.all(JSON.stringify(ids)) as [
        number,
        string,
        string,
      ][])
        stored.set(rid, [ranges, versions]);
    }
    for (const c of resort) {
      const [ranges, versions] = stored.get(c[ROW.rowid]) ?? ['[]', '[]'];
      if (c[ROW.trimmed] === 1) setWholeList(c, versions);
      setRangesFromRecord(c, JSON.parse(ranges) as OsvRange[], this.cmps.for(c[ROW.ecosystem]));
    }
  }
}

const NO_CANDIDATES: readonly Candidate[] = [];

/** Replaces a trimmed list by the whole one, stored as the record's JSON array (`affected.versions`). */
function setWholeList(c: Candidate, json: string | undefined): void {
  c[ROW.versions] = encodeVersionList(json ? (JSON.parse(json) as string[]) : []);
  c[ROW.trimmed] = 0;
}
