import type BetterSqlite3 from 'better-sqlite3';
import type { CvssScore } from '../cvss/index.js';
import { ecosystemKey } from '../db/ecosystem.js';
import type { OsvRange } from '../db/osv.js';
import type { Sqlite, VulnDb } from '../db/store.js';
import type { AdvisoryMeta } from './advisory-meta.js';
import {
  AdvisoryRef,
  setRangesFromRecord,
  setStoredRanges,
  type Candidate,
  type CandidatesByName,
  type CandidateSource,
} from './candidate.js';
import type { Comparators } from './comparators.js';
import { encodeVersionList } from './listed-versions.js';
import type { AffectedRow, PackageRows } from './stored-row.js';

/** Bound on cached (ecosystem, name) lookups; past it the cache starts over. */
const MAX_CACHED_PAIRS = 500_000;

/** Ids or names per json_each parameter, keeping each bound JSON text to a few hundred kilobytes. */
const CHUNK = 10_000;

/** Frozen like tryCvssScore's results: one object is shared by every finding of the advisory. */
function freezeCvss(s: CvssScore | null): CvssScore | null {
  return s ? Object.freeze(s) : null;
}

/**
 * Candidates from the SQLite database, in the form stored at import (events pre-sorted, CVSS pre-scored).
 * Per base ecosystem one query returns every affected entry of the asked names as a single JSON text (one
 * JSON.parse instead of thousands of row objects); the metadata of the advisories that matched comes the
 * same way in one more query. Built candidates are cached per package, misses included, so a warm match
 * (the registry re-match, the webhook's repeated images) runs no SQL at all.
 */
export class DbSource implements CandidateSource {
  private conn: Sqlite | undefined;
  private generation = -1;
  private stmtCandidates!: BetterSqlite3.Statement<[string, string]>;
  private stmtMeta!: BetterSqlite3.Statement<[string]>;
  private stmtRanges!: BetterSqlite3.Statement<[string]>;
  private stmtVersions!: BetterSqlite3.Statement<[number]>;
  private readonly advisories = new Map<number, AdvisoryRef>();
  /** Built candidates by base ecosystem and name, misses included (empty lists). */
  private readonly byBase = new Map<string, Map<string, Candidate[]>>();
  private cachedPairs = 0;
  private readonly ecoKeys = new Map<string, string>();

  constructor(
    private readonly db: VulnDb,
    private readonly cmps: Comparators,
  ) {}

  private ensure(): void {
    const conn = this.db.reader();
    if (conn === this.conn && this.generation === this.db.generation) return;
    this.conn = conn;
    this.generation = this.db.generation;
    this.advisories.clear();
    this.byBase.clear();
    this.cachedPairs = 0;
    // Names come in order, each with its rows in affected rowid order (the primary key's order: the plan
    // needs no sort), which fixes candidate order.
    this.stmtCandidates = conn
      .prepare<[string, string]>(
        `SELECT '[' || group_concat(pkg, ',') || ']' FROM (
           SELECT json_quote(m.name) || ',[' ||
                  group_concat(m.mrow, ',') || ']' AS pkg
             FROM affected_match m
            WHERE m.eco_base = ? AND m.name IN (SELECT value FROM json_each(?))
            GROUP BY m.name)`,
      )
      .pluck();
    this.stmtMeta = conn
      .prepare<[string]>(
        `SELECT '[' || group_concat(m.advisory || ',' || m.meta, ',') || ']'
           FROM advisory_match m WHERE m.advisory IN (SELECT value FROM json_each(?))`,
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
    const resort: { rowid: number; cand: Candidate }[] = [];
    for (const [base, names] of groups) {
      let byName = this.byBase.get(base);
      if (!byName) this.byBase.set(base, (byName = new Map()));
      const unknown: string[] = [];
      for (const n of names) {
        if (!byName.has(n)) {
          unknown.push(n);
          byName.set(n, []);
        }
      }
      this.cachedPairs += unknown.length;
      for (let i = 0; i < unknown.length; i += CHUNK) {
        const json = this.stmtCandidates.get(base, JSON.stringify(unknown.slice(i, i + CHUNK))) as
          string | null;
        if (!json) continue;
        const pkgs = JSON.parse(json) as PackageRows;
        for (let p = 0; p < pkgs.length; p += 2) {
          const list = byName.get(pkgs[p] as string) as Candidate[];
          for (const row of pkgs[p + 1] as AffectedRow[]) {
            const cand = this.candidate(row);
            list.push(cand);
            if (!setStoredRanges(cand, row[3], this.cmps)) resort.push({ rowid: row[0], cand });
          }
        }
      }
    }
    if (resort.length) this.prepareFromRecords(resort);
    return this.byBase;
  }

  private candidate(row: AffectedRow): Candidate {
    let advisory = this.advisories.get(row[1]);
    if (!advisory) this.advisories.set(row[1], (advisory = new AdvisoryRef(row[1])));
    const c: Candidate = {
      advisory,
      ecosystem: row[2],
      ecoKey: this.ecoKey(row[2]),
      ranges: [],
      versions: row[4],
      severity: row[6] ?? [],
      cvss: freezeCvss(row[7]),
      cmp: this.cmps.for(row[2]),
      unorderedRanges: 0,
    };
    if (row[5] === 1) {
      const rowid = row[0];
      c.allVersions = () => this.allVersions(rowid);
    }
    return c;
  }

  /** Lookup key of an ecosystem string; rows repeat a few strings thousands of times. */
  private ecoKey(ecosystem: string): string {
    let k = this.ecoKeys.get(ecosystem);
    if (k === undefined) this.ecoKeys.set(ecosystem, (k = ecosystemKey(ecosystem)));
    return k;
  }

  /** An entry's whole versions list, stored as the record's JSON array. */
  private allVersions(rowid: number): string | null {
    const json = this.stmtVersions.get(rowid) as string | undefined;
    return encodeVersionList(json ? (JSON.parse(json) as string[]) : []);
  }

  loadAdvisories(refs: readonly AdvisoryRef[]): void {
    const pks = refs.filter((r) => !r.decoded).map((r) => r.pk);
    for (let i = 0; i < pks.length; i += CHUNK) {
      const json = this.stmtMeta.get(JSON.stringify(pks.slice(i, i + CHUNK))) as string | null;
      const flat = json ? (JSON.parse(json) as (number | AdvisoryMeta)[]) : [];
      for (let j = 0; j < flat.length; j += 2) {
        const ref = this.advisories.get(flat[j] as number);
        const meta = flat[j + 1] as AdvisoryMeta;
        freezeCvss(meta.cvss);
        if (ref) ref.decoded = meta;
      }
    }
  }

  /**
   * Entries whose stored order does not apply to the matcher's comparators (a custom resolver): prepared
   * from the record's ranges instead.
   */
  private prepareFromRecords(resort: { rowid: number; cand: Candidate }[]): void {
    const stored = new Map<number, [string, string]>();
    for (let i = 0; i < resort.length; i += CHUNK) {
      const ids = resort.slice(i, i + CHUNK).map((r) => r.rowid);
      for (const [rid, ranges, versions] of this.stmtRanges.all(JSON.stringify(ids)) as [
        number,
        string,
        string,
      ][])
        stored.set(rid, [ranges, versions]);
    }
    for (const { rowid, cand } of resort) {
      const [ranges, versions] = stored.get(rowid) ?? ['[]', '[]'];
      if (cand.allVersions) {
        cand.versions = encodeVersionList(JSON.parse(versions) as string[]);
        delete cand.allVersions;
      }
      setRangesFromRecord(cand, JSON.parse(ranges) as OsvRange[]);
    }
  }
}
