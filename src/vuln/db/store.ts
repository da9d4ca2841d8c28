import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../core/errors.js';

/**
 * Bumped whenever the table layout changes; an older file is rebuilt from scratch on the next import.
 * 2: advisory_match (match metadata, CVSS pre-scored) and affected.mrow (range events pre-sorted).
 * 3: affected_match (the matcher's rows, clustered by package), with sort keys of the range events and only
 *    the listed versions outside the ranges.
 */
export const SCHEMA_VERSION = 3;
export const DB_FILE_NAME = 'vuln.db';

export type Sqlite = Database.Database;

const SCHEMA = `
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  warning_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE advisories (
  pk INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  modified TEXT NOT NULL,
  published TEXT,
  withdrawn TEXT,
  summary TEXT,
  details TEXT,
  aliases TEXT NOT NULL,
  severity TEXT NOT NULL,
  database_specific TEXT,
  raw BLOB NOT NULL,
  UNIQUE (source, id)
);
CREATE INDEX advisories_id ON advisories (id);
CREATE TABLE aliases (
  alias TEXT NOT NULL,
  advisory INTEGER NOT NULL
);
CREATE INDEX aliases_alias ON aliases (alias);
CREATE INDEX aliases_advisory ON aliases (advisory);
CREATE TABLE affected (
  advisory INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  eco_key TEXT NOT NULL,
  eco_base TEXT NOT NULL,
  name TEXT NOT NULL,
  withdrawn INTEGER NOT NULL,
  ranges TEXT NOT NULL,
  versions TEXT NOT NULL,
  severity TEXT
);
CREATE INDEX affected_pkg ON affected (eco_base, name);
CREATE INDEX affected_advisory ON affected (advisory);
-- What the matcher reads of each affected entry of a record that is not withdrawn: mrow is a JSON array
-- (src/vuln/match/stored-row.ts). Clustered by package, so the lookup of a name reads a few adjacent pages of
-- small rows instead of hopping from an index into the wide affected rows.
CREATE TABLE affected_match (
  eco_base TEXT NOT NULL,
  name TEXT NOT NULL,
  affected INTEGER NOT NULL, -- affected.rowid
  advisory INTEGER NOT NULL,
  mrow TEXT NOT NULL,
  PRIMARY KEY (eco_base, name, affected)
) WITHOUT ROWID;
CREATE INDEX affected_match_advisory ON affected_match (advisory);
-- Apart from advisories so that matching reads a narrow table, not the wide rows holding details and raw.
CREATE TABLE advisory_match (
  advisory INTEGER PRIMARY KEY,
  meta TEXT NOT NULL
);
CREATE TABLE kev (
  cve_id TEXT PRIMARY KEY,
  vendor_project TEXT,
  product TEXT,
  vulnerability_name TEXT,
  date_added TEXT,
  short_description TEXT,
  required_action TEXT,
  due_date TEXT,
  known_ransomware_campaign_use TEXT,
  notes TEXT,
  cwes TEXT
);
CREATE TABLE epss (
  cve TEXT PRIMARY KEY,
  epss REAL NOT NULL,
  percentile REAL NOT NULL,
  date TEXT,
  model_version TEXT
);
`;

export interface VulnDbOptions {
  /** Directory holding vuln.db; default `$XDG_CACHE_HOME/kubeward`, else `~/.cache/kubeward`. */
  cacheDir?: string;
  /** Environment to read XDG_CACHE_HOME from (tests); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** `$XDG_CACHE_HOME/kubeward`, or `~/.cache/kubeward` when the variable is unset or not absolute. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'kubeward');
  return join(homedir(), '.cache', 'kubeward');
}

function createSchema(db: Sqlite): void {
  db.exec(SCHEMA);
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
}

function schemaVersionOf(db: Sqlite): number | undefined {
  try {
    const row = db.prepare('SELECT version FROM schema_version LIMIT 1').get() as
      { version: number } | undefined;
    return row?.version;
  } catch {
    return undefined;
  }
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The vulnerability database file. Readers use a read-only connection opened on demand. Every change
 * goes through {@link VulnDb.update}: it copies the current file to `vuln.db.tmp-<pid>`, applies the
 * change there, and renames the copy over the original only when the change succeeded. An interrupted
 * or failed import therefore leaves the previous database untouched and usable.
 */
export class VulnDb {
  readonly path: string;
  readonly cacheDir: string;
  private conn: Sqlite | undefined;
  private updating = false;
  /** Incremented after every successful update; matchers use it to drop their caches. */
  generation = 0;

  constructor(opts: VulnDbOptions = {}) {
    this.cacheDir = resolve(opts.cacheDir ?? defaultCacheDir(opts.env));
    this.path = join(this.cacheDir, DB_FILE_NAME);
  }

  /** Whether a database file exists yet. */
  get exists(): boolean {
    return existsSync(this.path);
  }

  /**
   * The read connection. When no database has been imported yet this is an empty in-memory database
   * with the current schema, so queries simply find nothing.
   */
  reader(): Sqlite {
    if (this.conn) return this.conn;
    if (!existsSync(this.path)) {
      const mem = new Database(':memory:');
      createSchema(mem);
      this.conn = mem;
      return mem;
    }
    let db: Sqlite;
    try {
      db = new Database(this.path, { readonly: true, fileMustExist: true });
      db.pragma('query_only = ON');
    } catch (e) {
      throw new UserError(`cannot open vulnerability database: ${(e as Error).message}`, {
        file: this.path,
      });
    }
    const v = schemaVersionOf(db);
    if (v !== SCHEMA_VERSION) {
      db.close();
      const age = v !== undefined && v < SCHEMA_VERSION ? 'an older' : 'an unknown';
      throw new UserError(
        `vulnerability database has ${age} format (schema ${v ?? 'unknown'}, this kubeward needs ${SCHEMA_VERSION}): run \`kubeward db update\` (or \`kubeward db import\`) to rebuild it`,
        { file: this.path },
      );
    }
    this.conn = db;
    return db;
  }

  /**
   * Runs `fn` against a private writable copy of the database inside one transaction, then atomically
   * replaces the database file with it. If `fn` throws (or the process dies) the copy is discarded.
   */
  async update<T>(fn: (w: Sqlite) => Promise<T> | T): Promise<T> {
    if (this.updating) throw new Error('vulnerability database: an update is already running');
    this.updating = true;
    const tmp = `${this.path}.tmp-${process.pid}`;
    let w: Sqlite | undefined;
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      this.removeStaleTemps();
      rmSync(tmp, { force: true });
      if (existsSync(this.path)) copyFileSync(this.path, tmp);
      w = new Database(tmp);
      if (schemaVersionOf(w) !== SCHEMA_VERSION) {
        // Missing, empty or an older layout: start from an empty database of the current schema.
        w.close();
        rmSync(tmp, { force: true });
        w = new Database(tmp);
        createSchema(w);
      }
      // The copy is private until renamed, so the journal needs no durability; fsync happens once below.
      w.pragma('journal_mode = MEMORY');
      w.pragma('synchronous = OFF');
      w.exec('BEGIN');
      let result: T;
      try {
        result = await fn(w);
        w.exec('COMMIT');
      } catch (e) {
        if (w.inTransaction) w.exec('ROLLBACK');
        throw e;
      }
      w.pragma('journal_mode = DELETE');
      w.close();
      w = undefined;
      const fd = openSync(tmp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.conn?.close();
      this.conn = undefined;
      renameSync(tmp, this.path);
      this.generation++;
      return result;
    } finally {
      if (w?.open) w.close();
      rmSync(tmp, { force: true });
      this.updating = false;
    }
  }

  /** Deletes `vuln.db.tmp-<pid>` files left by processes that died mid-import. */
  private removeStaleTemps(): void {
    const prefix = `${basename(this.path)}.tmp-`;
    for (const name of readdirSync(dirname(this.path))) {
      if (!name.startsWith(prefix)) continue;
      const pid = Number(name.slice(prefix.length));
      if (!Number.isInteger(pid) || pid === process.pid || isPidAlive(pid)) continue;
      rmSync(join(dirname(this.path), name), { force: true });
    }
  }

  close(): void {
    this.conn?.close();
    this.conn = undefined;
  }
}

/** Opens (lazily) the vulnerability database in `cacheDir` or the default cache directory. */
export function openVulnDb(opts: VulnDbOptions = {}): VulnDb {
  return new VulnDb(opts);
}
