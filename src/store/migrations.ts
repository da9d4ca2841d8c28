import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { UserError } from '../core/errors.js';

type Dialect = 'sqlite' | 'postgres';

/**
 * The migrations, in code so they ship in dist (a FileMigrationProvider would need the .js files at a
 * known path). Names sort in order of application; a released migration is never edited, only followed.
 * The few dialect differences (generated ids, binary columns) are decided here, not in the queries.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('registries')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('first_seen', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('repositories')
          .addColumn('registry', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('first_seen', 'text', (c) => c.notNull())
          .addColumn('last_seen', 'text', (c) => c.notNull())
          .addColumn('deleted_at', 'text')
          .addPrimaryKeyConstraint('repositories_pk', ['registry', 'name'])
          .execute();
        await db.schema
          .createTable('tags')
          .addColumn('registry', 'text', (c) => c.notNull())
          .addColumn('repository', 'text', (c) => c.notNull())
          .addColumn('tag', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('first_seen', 'text', (c) => c.notNull())
          .addColumn('last_seen', 'text', (c) => c.notNull())
          .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('tags_pk', ['registry', 'repository', 'tag'])
          .execute();
        await db.schema.createIndex('tags_digest').on('tags').column('digest').execute();
        await db.schema
          .createTable('images')
          .addColumn('digest', 'text', (c) => c.primaryKey())
          .addColumn('registry', 'text', (c) => c.notNull())
          .addColumn('repository', 'text', (c) => c.notNull())
          .addColumn('os_name', 'text')
          .addColumn('os_version', 'text')
          .addColumn('config_digest', 'text')
          .addColumn('platform', 'text')
          .addColumn('layers', 'text', (c) => c.notNull())
          .addColumn('package_count', 'integer', (c) => c.notNull())
          .addColumn('packages', blob, (c) => c.notNull())
          .addColumn('scanned_at', 'text', (c) => c.notNull())
          .addColumn('matched_at', 'text')
          .addColumn('findings_hash', 'text')
          .execute();
        await db.schema.createIndex('images_scanned').on('images').column('scanned_at').execute();
        await db.schema
          .createIndex('images_repository')
          .on('images')
          .columns(['registry', 'repository'])
          .execute();
        await db.schema
          .createTable('findings')
          .addColumn('image_digest', 'text', (c) => c.notNull())
          .addColumn('advisory_id', 'text', (c) => c.notNull())
          .addColumn('ecosystem', 'text', (c) => c.notNull())
          .addColumn('package_name', 'text', (c) => c.notNull())
          .addColumn('package_version', 'text', (c) => c.notNull())
          .addColumn('purl', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('severity_rank', 'integer', (c) => c.notNull())
          .addColumn('fixed_version', 'text')
          .addColumn('fixable', 'integer', (c) => c.notNull())
          .addColumn('kev', 'integer', (c) => c.notNull())
          .addColumn('epss', 'double precision')
          .addColumn('title', 'text')
          .addPrimaryKeyConstraint('findings_pk', [
            'image_digest',
            'advisory_id',
            'ecosystem',
            'package_name',
            'package_version',
          ])
          // SQLite: the key is the table (no rowid B-tree beside the key index): half the work per insert.
          .$call((b) => (dialect === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b))
          .execute();
        await db.schema
          .createTable('finding_events')
          .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('image_digest', 'text', (c) => c.notNull())
          .addColumn('advisory_id', 'text', (c) => c.notNull())
          .addColumn('ecosystem', 'text', (c) => c.notNull())
          .addColumn('package_name', 'text', (c) => c.notNull())
          .addColumn('package_version', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('db_imported_at', 'text', (c) => c.notNull())
          .addColumn('db_version', 'text')
          .execute();
        await db.schema.createIndex('finding_events_at').on('finding_events').column('at').execute();
        await db.schema
          .createIndex('finding_events_image')
          .on('finding_events')
          .column('image_digest')
          .execute();
        await db.schema
          .createTable('scan_state')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
}

/** Names of the migrations this kubeward knows, oldest first. */
export function migrationNames(): string[] {
  return Object.keys(migrations('sqlite')).sort();
}

/**
 * Brings the schema up to date. Safe to run on every open and from several processes at once: kysely's
 * migration lock serialises PostgreSQL; SQLite writers are serialised by the file lock (busy_timeout).
 * A database migrated by a newer kubeward (unknown migration names) is refused with a UserError.
 */
export async function migrateToLatest<T>(db: Kysely<T>, dialect: Dialect): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const msg = error instanceof Error ? error.message : String(error);
    if (/corrupted migrations|previously executed migration .* is missing/i.test(msg))
      throw new UserError(`store schema is newer than this kubeward understands (${msg})`);
    throw error;
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Whether the store tables exist (used by tests to check an open created them). */
export async function hasTable<T>(db: Kysely<T>, name: string): Promise<boolean> {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === name);
}
