import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { UserError } from '../core/errors.js';
import { defaultCacheDir } from '../vuln/db/store.js';
import { withFileLock } from './file-lock.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import type { StoreSchema } from './schema.js';
import type { Store, StoreLocation } from './types.js';

export const STORE_FILE_NAME = 'store.db';

let memoryStores = 0;

/** `$XDG_CACHE_HOME/kubeward/store.db` (or `~/.cache/kubeward/store.db`), beside the vulnerability database. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultCacheDir(env), STORE_FILE_NAME);
}

/**
 * Reads a store URL: `postgres://…` / `postgresql://…` is a PostgreSQL server, `sqlite:PATH` (or
 * `sqlite://PATH`) and anything without a scheme is a SQLite file; empty means the default file. Any
 * other scheme is a UserError (a typo must not silently create a file named `mysql:/…`).
 */
export function parseStoreUrl(url: string | undefined, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const u = (url ?? '').trim();
  if (u === '') return { kind: 'sqlite', path: defaultStorePath(env) };
  if (u.includes('\0')) throw new UserError('store URL contains a NUL byte');
  if (/^postgres(ql)?:\/\//i.test(u)) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new UserError(`store URL ${redact(u)} is not a valid PostgreSQL URL`);
    }
    // A socket directory may be given as ?host=/dir instead of a host name.
    if (!parsed.hostname && !parsed.searchParams.get('host'))
      throw new UserError(`store URL ${redact(u)} names no host (postgres://user@host/database)`);
    return { kind: 'postgres', url: u };
  }
  if (/^sqlite:/i.test(u)) {
    let path = u.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new UserError(`store URL ${u} names no file (sqlite:PATH)`);
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u);
  if (scheme)
    throw new UserError(
      `store URL scheme "${scheme[1]}:" is not supported (use a file path, sqlite:PATH or postgres://)`,
    );
  return { kind: 'sqlite', path: resolve(u) };
}

/** The URL with its password replaced, for messages. */
function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * Opens the store named by `url` (see {@link parseStoreUrl}), creating it and applying pending migrations.
 * Problems reaching or reading it are UserErrors naming the location.
 */
export async function openStore(url?: string, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const location = parseStoreUrl(url, env);
  return location.kind === 'sqlite' ? openSqlite(location) : openPostgres(location);
}

async function openSqlite(location: { kind: 'sqlite'; path: string }): Promise<Store> {
  let raw: Database.Database;
  try {
    if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
    raw = new Database(location.path);
    // Several processes (scanner, server) share one file: WAL lets readers run beside the writer, and the
    // busy timeout makes a second writer wait for the lock instead of failing.
    raw.pragma('busy_timeout = 10000');
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
  } catch (e) {
    throw new UserError(`cannot open store ${location.path}: ${(e as Error).message}`);
  }
  const db = new Kysely<StoreSchema>({ dialect: new SqliteDialect({ database: raw }) });
  // In-memory databases are private to their connection: nothing to queue behind.
  const lockKey = location.path === ':memory:' ? `:memory:${++memoryStores}` : location.path;
  try {
    // SQLite DDL is transactional but kysely's migrator does not open a transaction there; one IMMEDIATE
    // transaction around it makes two processes creating the same new file take turns.
    await withFileLock(lockKey, async () => {
      raw.exec('BEGIN IMMEDIATE');
      try {
        await migrateToLatest(db, 'sqlite');
        raw.exec('COMMIT');
      } finally {
        if (raw.inTransaction) raw.exec('ROLLBACK');
      }
    });
  } catch (e) {
    await db.destroy();
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot open store ${location.path}: ${(e as Error).message}`);
  }
  return new KyselyStore(location, db, 'sqlite', lockKey, raw);
}

async function openPostgres(location: { kind: 'postgres'; url: string }): Promise<Store> {
  const pool = new pg.Pool({ connectionString: location.url, max: 4 });
  // An idle client losing its server must not crash the process; the next query reports the problem.
  pool.on('error', () => undefined);
  const db = new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) });
  try {
    try {
      await migrateToLatest(db, 'postgres');
    } catch (e) {
      // Two processes creating kysely's migration tables at the same moment: one loses the race on the
      // catalog; the tables exist now, and the migration lock orders the rest.
      if (!/already exists|duplicate key/i.test((e as Error).message)) throw e;
      await migrateToLatest(db, 'postgres');
    }
  } catch (e) {
    await db.destroy();
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot open store ${redact(location.url)}: ${(e as Error).message}`);
  }
  return new KyselyStore(location, db, 'postgres');
}
