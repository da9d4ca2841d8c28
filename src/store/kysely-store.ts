import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Insertable, type Kysely } from 'kysely';
import { isSeverity, severityRank, type Severity } from '../core/severity.js';
import { UserError } from '../core/errors.js';
import { withFileLock } from './file-lock.js';
import { encodePackages, toInventory } from './inventory-codec.js';
import {
  findingRow,
  findingsHash,
  noNul,
  prepare,
  rowKey,
  toFinding,
  type Prepared,
} from './finding-rows.js';
import type { FindingEventsTable, FindingsTable, ImagesTable, StoreSchema } from './schema.js';
import type {
  EventFilter,
  FindingEvent,
  FindingEventKind,
  FindingsDiff,
  ImageInput,
  ImageReport,
  LoadOptions,
  ReportFilter,
  RepositoryRef,
  Store,
  StoredFinding,
  StoredInventory,
  StoredRepository,
  StoredTag,
  StoreLocation,
  TagChanges,
  TagDigest,
  VulnDbStamp,
} from './types.js';

type Db = Kysely<StoreSchema>;
type Dialect = 'sqlite' | 'postgres';

/** Values per statement: below SQLite's 32766 and PostgreSQL's 65535 bound parameters. */
const MAX_PARAMS = 30000;
/** Digests per `IN (…)` list. */
const IN_CHUNK = 500;

const iso = (d: Date): string => d.toISOString();

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows per multi-row INSERT for a table of `columns` columns. */
const rowsPerInsert = (columns: number): number =>
  Math.max(1, Math.min(1000, Math.floor(MAX_PARAMS / columns)));

function checkRepo(repo: RepositoryRef): void {
  if (!repo.registry || !repo.repository)
    throw new UserError('a repository needs a registry and a repository name');
  noNul('registry', repo.registry);
  noNul('repository', repo.repository);
}

/** The store over a kysely connection; the SQL is the same for SQLite and PostgreSQL except for locking. */
export class KyselyStore implements Store {
  constructor(
    readonly location: StoreLocation,
    private readonly db: Db,
    private readonly dialect: Dialect,
    /** SQLite: the file path, so that stores of one file in this process queue their writes. */
    private readonly lockKey = '',
    /** SQLite: the connection kysely drives, for prepared bulk inserts (see insertMany). */
    private readonly raw?: BetterSqlite3.Database,
  ) {}

  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  /**
   * One write transaction. On SQLite it is BEGIN IMMEDIATE: the write lock is taken up front, so two
   * processes never both read under a shared lock and then deadlock upgrading it (SQLITE_BUSY at once,
   * busy_timeout or not). On PostgreSQL rows are locked where the method needs it.
   */
  private async tx<T>(fn: (t: Db) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(fn);
    return withFileLock(this.lockKey, () => this.immediate(fn));
  }

  private async immediate<T>(fn: (t: Db) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (c) => {
      await sql`BEGIN IMMEDIATE`.execute(c);
      try {
        const r = await fn(c);
        await sql`COMMIT`.execute(c);
        return r;
      } catch (e) {
        await sql`ROLLBACK`.execute(c).catch(() => undefined);
        throw e;
      }
    });
  }

  async upsertTags(
    repo: RepositoryRef,
    tags: readonly TagDigest[],
    seenAt: Date = new Date(),
    opts: { complete?: boolean } = {},
  ): Promise<TagChanges> {
    checkRepo(repo);
    const at = iso(seenAt);
    const listed = new Map<string, string>();
    for (const t of tags) {
      noNul('tag', t.tag);
      noNul('digest', t.digest);
      if (!t.tag || !t.digest)
        throw new UserError(`tag listing of ${repo.registry}/${repo.repository}: empty tag or digest`);
      listed.set(t.tag, t.digest);
    }
    return this.tx(async (t) => {
      await t
        .insertInto('registries')
        .values({ name: repo.registry, first_seen: at })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      // On PostgreSQL the upsert also locks the repository row: concurrent listings of one repository
      // take turns, so each sees the tags the other wrote.
      await t
        .insertInto('repositories')
        .values({
          registry: repo.registry,
          name: repo.repository,
          first_seen: at,
          last_seen: at,
          deleted_at: null,
        })
        .onConflict((oc) => oc.columns(['registry', 'name']).doUpdateSet({ last_seen: at, deleted_at: null }))
        .execute();
      const existing = await t
        .selectFrom('tags')
        .select(['tag', 'digest', 'removed'])
        .where('registry', '=', repo.registry)
        .where('repository', '=', repo.repository)
        .execute();
      const before = new Map(existing.map((r) => [r.tag, r]));
      const changes: TagChanges = { added: [], moved: [], removed: [], unchanged: 0 };
      for (const [tag, digest] of listed) {
        const old = before.get(tag);
        if (!old || Number(old.removed) === 1) changes.added.push({ tag, digest });
        else if (old.digest !== digest) changes.moved.push({ tag, from: old.digest, to: digest });
        else changes.unchanged++;
      }
      if (opts.complete ?? true) {
        for (const r of existing)
          if (Number(r.removed) === 0 && !listed.has(r.tag))
            changes.removed.push({ tag: r.tag, digest: r.digest });
      }
      const rows = [...listed].map(([tag, digest]) => ({
        registry: repo.registry,
        repository: repo.repository,
        tag,
        digest,
        first_seen: at,
        last_seen: at,
        removed: 0,
      }));
      for (const part of chunks(rows, rowsPerInsert(7))) {
        await t
          .insertInto('tags')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['registry', 'repository', 'tag']).doUpdateSet((eb) => ({
              digest: eb.ref('excluded.digest'),
              last_seen: eb.ref('excluded.last_seen'),
              removed: 0,
            })),
          )
          .execute();
      }
      for (const part of chunks(changes.removed, IN_CHUNK)) {
        await t
          .updateTable('tags')
          .set({ removed: 1 })
          .where('registry', '=', repo.registry)
          .where('repository', '=', repo.repository)
          .where(
            'tag',
            'in',
            part.map((r) => r.tag),
          )
          .execute();
      }
      return changes;
    });
  }

  async markRepositoryDeleted(repo: RepositoryRef, at: Date = new Date()): Promise<void> {
    checkRepo(repo);
    await this.tx(async (t) => {
      await t
        .updateTable('repositories')
        .set({ deleted_at: iso(at) })
        .where('registry', '=', repo.registry)
        .where('name', '=', repo.repository)
        .where('deleted_at', 'is', null)
        .execute();
      await t
        .updateTable('tags')
        .set({ removed: 1 })
        .where('registry', '=', repo.registry)
        .where('repository', '=', repo.repository)
        .where('removed', '=', 0)
        .execute();
    });
  }

  async repositories(registry?: string): Promise<StoredRepository[]> {
    let q = this.db.selectFrom('repositories').selectAll();
    if (registry !== undefined) q = q.where('registry', '=', registry);
    const rows = await q.orderBy('registry').orderBy('name').execute();
    return rows.map((r) => {
      const out: StoredRepository = {
        registry: r.registry,
        repository: r.name,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      };
      if (r.deleted_at !== null) out.deletedAt = r.deleted_at;
      return out;
    });
  }

  async tags(repo: RepositoryRef, opts: { includeRemoved?: boolean } = {}): Promise<StoredTag[]> {
    let q = this.db
      .selectFrom('tags')
      .selectAll()
      .where('registry', '=', repo.registry)
      .where('repository', '=', repo.repository);
    if (!opts.includeRemoved) q = q.where('removed', '=', 0);
    const rows = await q.orderBy('tag').execute();
    return rows.map((r) => ({
      registry: r.registry,
      repository: r.repository,
      tag: r.tag,
      digest: r.digest,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      removed: Number(r.removed) === 1,
    }));
  }

  async hasImage(digest: string): Promise<boolean> {
    if (digest.includes('\0')) return false; // cannot be stored (see noNul)
    const r = await this.db
      .selectFrom('images')
      .select('digest')
      .where('digest', '=', digest)
      .executeTakeFirst();
    return r !== undefined;
  }

  async missingImages(digests: readonly string[]): Promise<string[]> {
    const unique = [...new Set(digests)];
    const present = new Set<string>();
    for (const part of chunks(
      unique.filter((d) => !d.includes('\0')),
      IN_CHUNK,
    )) {
      const rows = await this.db.selectFrom('images').select('digest').where('digest', 'in', part).execute();
      for (const r of rows) present.add(r.digest);
    }
    return unique.filter((d) => !present.has(d));
  }

  async saveImage(digest: string, image: ImageInput): Promise<void> {
    if (!digest) throw new UserError('an image needs a manifest digest');
    checkRepo(image.repo);
    for (const [what, v] of [
      ['digest', digest],
      ['os name', image.os?.name],
      ['os version', image.os?.version],
      ['config digest', image.configDigest],
      ['platform', image.platform],
    ] as const)
      noNul(what, v);
    const row: ImagesTable = {
      digest,
      registry: image.repo.registry,
      repository: image.repo.repository,
      os_name: image.os?.name ?? null,
      os_version: image.os?.version ?? null,
      config_digest: image.configDigest ?? null,
      platform: image.platform ?? null,
      layers: JSON.stringify(image.layers ?? []),
      package_count: image.packages.length,
      packages: encodePackages(image.packages),
      scanned_at: iso(image.scannedAt ?? new Date()),
      matched_at: null,
      findings_hash: null,
    };
    // A new inventory under the same digest keeps the image's findings and their fingerprint.
    const { matched_at: _m, findings_hash: _h, digest: _key, ...update } = row;
    await this.db
      .insertInto('images')
      .values(row)
      .onConflict((oc) => oc.column('digest').doUpdateSet(update))
      .execute();
  }

  async getImage(digest: string): Promise<StoredInventory | undefined> {
    if (digest.includes('\0')) return undefined;
    const r = await this.db.selectFrom('images').selectAll().where('digest', '=', digest).executeTakeFirst();
    return r ? toInventory(r) : undefined;
  }

  async imageCount(): Promise<number> {
    const r = await this.db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async *loadInventories(opts: LoadOptions = {}): AsyncIterable<StoredInventory[]> {
    const size = Math.max(1, opts.batchSize ?? 200);
    if (opts.digests) {
      for (const part of chunks([...new Set(opts.digests)].sort(), Math.min(size, IN_CHUNK))) {
        const rows = await this.db
          .selectFrom('images')
          .selectAll()
          .where('digest', 'in', part)
          .orderBy('digest')
          .execute();
        if (rows.length) yield rows.map(toInventory);
      }
      return;
    }
    // Keyset pagination: each batch is one indexed range read, however large the table.
    let after: string | undefined;
    for (;;) {
      let q = this.db.selectFrom('images').selectAll();
      if (after !== undefined) q = q.where('digest', '>', after);
      const rows = await q.orderBy('digest').limit(size).execute();
      if (rows.length === 0) return;
      after = rows[rows.length - 1]?.digest;
      yield rows.map(toInventory);
      if (rows.length < size) return;
    }
  }

  async replaceFindings(
    digest: string,
    findings: readonly StoredFinding[],
    stamp: VulnDbStamp,
    at: Date = new Date(),
  ): Promise<FindingsDiff> {
    const [d] = await this.replaceFindingsMany([{ digest, findings }], stamp, at);
    return d as FindingsDiff;
  }

  async replaceFindingsMany(
    items: ReadonlyArray<{ digest: string; findings: readonly StoredFinding[] }>,
    stamp: VulnDbStamp,
    at: Date = new Date(),
  ): Promise<FindingsDiff[]> {
    if (items.length === 0) return [];
    const when = iso(at);
    const digests = items.map((i) => i.digest);
    if (new Set(digests).size !== digests.length)
      throw new Error('replaceFindingsMany: an image is listed twice');
    // New rows per image, deduplicated on the finding key (the last one wins), and their fingerprint.
    const wanted = items.map((it) => {
      const m = new Map<string, { f: StoredFinding; p: Prepared }>();
      for (const f of it.findings) {
        const p = prepare(f);
        m.set(p.key, { f: p.f, p });
      }
      return { rows: m, hash: findingsHash(m) };
    });
    return this.tx(async (t) => {
      const stored = new Map<string, string | null>();
      for (const part of chunks(digests, IN_CHUNK)) {
        let q = t.selectFrom('images').select(['digest', 'findings_hash']).where('digest', 'in', part);
        // Two re-matches of one image must not both see the old findings and both record "appeared".
        if (this.dialect === 'postgres') q = q.orderBy('digest').forUpdate();
        for (const r of await q.execute()) stored.set(r.digest, r.findings_hash);
      }
      const missing = digests.find((d) => !stored.has(d));
      if (missing !== undefined)
        throw new Error(`store: no image ${missing}; saveImage() it before its findings`);
      // Only images whose fingerprint differs need their old rows; a null fingerprint means none exist.
      const toRead = digests.filter((d, i) => {
        const h = stored.get(d);
        return h !== null && h !== undefined && h !== wanted[i]?.hash;
      });
      const old = new Map<string, Map<string, FindingsTable>>();
      for (const part of chunks(toRead, IN_CHUNK)) {
        const rows = await t.selectFrom('findings').selectAll().where('image_digest', 'in', part).execute();
        for (const r of rows) {
          let m = old.get(r.image_digest);
          if (!m) old.set(r.image_digest, (m = new Map()));
          m.set(rowKey(r), r);
        }
      }
      const inserts: FindingsTable[] = [];
      const events: Array<Omit<FindingEventsTable, 'id'>> = [];
      const rewrite: Array<{ digest: string; hash: string; hadRows: boolean }> = [];
      const event = (digest: string, f: StoredFinding, kind: FindingEventKind): void => {
        events.push({
          at: when,
          image_digest: digest,
          advisory_id: f.advisoryId,
          ecosystem: f.ecosystem,
          package_name: f.packageName,
          package_version: f.packageVersion,
          kind,
          severity: f.severity,
          db_imported_at: stamp.importedAt,
          db_version: stamp.version ?? null,
        });
      };
      const diffs = items.map((it, i) => {
        const { rows: now, hash } = wanted[i] as (typeof wanted)[number];
        const diff: FindingsDiff = { appeared: [], disappeared: [], fixed: [] };
        const prevHash = stored.get(it.digest);
        if (prevHash === hash) return diff;
        const before = old.get(it.digest) ?? new Map<string, FindingsTable>();
        for (const [k, { f }] of now) {
          const prev = before.get(k);
          if (!prev) {
            diff.appeared.push(f);
            event(it.digest, f, 'appeared');
          } else if (Number(prev.fixable) === 0 && f.fixable) {
            diff.fixed.push(f);
            event(it.digest, f, 'fixed');
          }
        }
        for (const [k, prev] of before) {
          if (now.has(k)) continue;
          const f = toFinding(prev);
          diff.disappeared.push(f);
          event(it.digest, f, 'disappeared');
        }
        // An image whose findings changed at all is rewritten whole: simpler than per-key updates, and
        // unchanged images (the common re-match case) cost no write.
        rewrite.push({ digest: it.digest, hash, hadRows: before.size > 0 });
        for (const { f } of now.values()) inserts.push(findingRow(it.digest, f));
        return diff;
      });
      const toDelete = rewrite.filter((r) => r.hadRows).map((r) => r.digest);
      for (const part of chunks(toDelete, IN_CHUNK))
        await t.deleteFrom('findings').where('image_digest', 'in', part).execute();
      await this.insertMany(t, 'findings', inserts);
      await this.insertMany(t, 'finding_events', events);
      for (const r of rewrite)
        await t.updateTable('images').set({ findings_hash: r.hash }).where('digest', '=', r.digest).execute();
      for (const part of chunks(digests, IN_CHUNK))
        await t.updateTable('images').set({ matched_at: when }).where('digest', 'in', part).execute();
      return diffs;
    });
  }

  /**
   * Inserts many rows of one table inside the current transaction. SQLite: one prepared single-row
   * statement (compiled by kysely, so the SQL has one source) run per row — far cheaper than compiling
   * and preparing large multi-row statements. PostgreSQL: multi-row statements, one round trip per chunk.
   */
  private async insertMany<K extends 'findings' | 'finding_events'>(
    t: Db,
    table: K,
    rows: ReadonlyArray<Insertable<StoreSchema[K]>>,
  ): Promise<void> {
    const first = rows[0];
    if (!first) return;
    const columns = Object.keys(first);
    if (this.raw) {
      const compiled = t.insertInto(table).values(first).compile();
      let stmt = this.statements.get(compiled.sql);
      if (!stmt) this.statements.set(compiled.sql, (stmt = this.raw.prepare(compiled.sql)));
      for (const row of rows) {
        const r = row as Record<string, unknown>;
        stmt.run(columns.map((c) => r[c]));
      }
      return;
    }
    for (const part of chunks(rows, rowsPerInsert(columns.length)))
      await t.insertInto(table).values(part).execute();
  }

  async findings(digest: string): Promise<StoredFinding[]> {
    const rows = await this.db
      .selectFrom('findings')
      .selectAll()
      .where('image_digest', '=', digest)
      .orderBy('severity_rank', 'desc')
      .orderBy('advisory_id')
      .orderBy('package_name')
      .orderBy('package_version')
      .execute();
    return rows.map(toFinding);
  }

  async report(filter: ReportFilter = {}): Promise<ImageReport[]> {
    const limit = Math.max(1, filter.limit ?? 100);
    const minRank = filter.minSeverity ? severityRank(filter.minSeverity) : undefined;
    let q = this.db
      .selectFrom('images as i')
      .selectAll('i')
      .where((eb) => {
        let sub = eb
          .selectFrom('findings as f')
          .select('f.image_digest')
          .whereRef('f.image_digest', '=', 'i.digest');
        if (minRank !== undefined) sub = sub.where('f.severity_rank', '>=', minRank);
        if (filter.kev) sub = sub.where('f.kev', '=', 1);
        if (filter.fixable) sub = sub.where('f.fixable', '=', 1);
        return eb.exists(sub);
      });
    if (filter.registry !== undefined || filter.repository !== undefined) {
      q = q.where((eb) => {
        const own = [];
        let tagged = eb
          .selectFrom('tags as t')
          .select('t.digest')
          .whereRef('t.digest', '=', 'i.digest')
          .where('t.removed', '=', 0);
        if (filter.registry !== undefined) {
          own.push(eb('i.registry', '=', filter.registry));
          tagged = tagged.where('t.registry', '=', filter.registry);
        }
        if (filter.repository !== undefined) {
          own.push(eb('i.repository', '=', filter.repository));
          tagged = tagged.where('t.repository', '=', filter.repository);
        }
        return eb.or([eb.and(own), eb.exists(tagged)]);
      });
    }
    const images = await q.orderBy('i.scanned_at', 'desc').orderBy('i.digest').limit(limit).execute();
    if (images.length === 0) return [];
    const digests = images.map((r) => r.digest);
    const byDigest = new Map<string, ImageReport>();
    for (const r of images) {
      const rep: ImageReport = {
        digest: r.digest,
        registry: r.registry,
        repository: r.repository,
        tags: [],
        scannedAt: r.scanned_at,
        findings: [],
      };
      if (r.os_name !== null) rep.os = { name: r.os_name, version: r.os_version ?? '' };
      if (r.matched_at !== null) rep.matchedAt = r.matched_at;
      byDigest.set(r.digest, rep);
    }
    for (const part of chunks(digests, IN_CHUNK)) {
      let fq = this.db.selectFrom('findings').selectAll().where('image_digest', 'in', part);
      if (minRank !== undefined) fq = fq.where('severity_rank', '>=', minRank);
      if (filter.kev) fq = fq.where('kev', '=', 1);
      if (filter.fixable) fq = fq.where('fixable', '=', 1);
      const rows = await fq
        .orderBy('severity_rank', 'desc')
        .orderBy('advisory_id')
        .orderBy('package_name')
        .orderBy('package_version')
        .execute();
      for (const r of rows) byDigest.get(r.image_digest)?.findings.push(toFinding(r));
      const tags = await this.db
        .selectFrom('tags')
        .select(['digest', 'registry', 'repository', 'tag'])
        .where('digest', 'in', part)
        .where('removed', '=', 0)
        .orderBy('registry')
        .orderBy('repository')
        .orderBy('tag')
        .execute();
      for (const t of tags)
        byDigest.get(t.digest)?.tags.push({ registry: t.registry, repository: t.repository, tag: t.tag });
    }
    return [...byDigest.values()];
  }

  async events(filter: EventFilter = {}): Promise<FindingEvent[]> {
    let q = this.db.selectFrom('finding_events').selectAll();
    if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
    if (filter.since !== undefined) q = q.where('at', '>=', iso(filter.since));
    if (filter.imageDigest !== undefined) q = q.where('image_digest', '=', filter.imageDigest);
    const rows = await q
      .orderBy('id')
      .limit(Math.max(1, filter.limit ?? 1000))
      .execute();
    return rows.map((r) => {
      const e: FindingEvent = {
        id: Number(r.id),
        at: r.at,
        imageDigest: r.image_digest,
        advisoryId: r.advisory_id,
        packageName: r.package_name,
        packageVersion: r.package_version,
        ecosystem: r.ecosystem,
        kind: r.kind as FindingEventKind,
        severity: (isSeverity(r.severity) ? r.severity : 'medium') as Severity,
        dbImportedAt: r.db_imported_at,
      };
      if (r.db_version !== null) e.dbVersion = r.db_version;
      return e;
    });
  }

  async getState(key: string): Promise<string | undefined> {
    if (key.includes('\0')) return undefined;
    const r = await this.db
      .selectFrom('scan_state')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return r?.value;
  }

  async setState(key: string, value: string): Promise<void> {
    noNul('state key', key);
    noNul('state value', value);
    const updated_at = iso(new Date());
    await this.db
      .insertInto('scan_state')
      .values({ key, value, updated_at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at }))
      .execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
