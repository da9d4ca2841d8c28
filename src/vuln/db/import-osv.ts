import { closeSync, lstatSync, openSync, readSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../core/errors.js';
import { ecosystemBaseKey, ecosystemKey, normalizePackageName } from './ecosystem.js';
import { parseOsvRecord, type OsvRecord } from './osv.js';
import type { Sqlite, VulnDb } from './store.js';
import { DEFAULT_ZIP_LIMITS, looksLikeZip, readZipEntries, type ZipLimits } from './zip.js';
import { MAX_ALIAS_COUNT } from '../../core/yaml-source.js';
import { advisoryMeta } from '../match/advisory-meta.js';
import { asciiJson, encodeAffectedRow } from '../match/stored-row.js';

/** Malformed input met during an import: how many, and the first few for the message. */
export interface ImportWarnings {
  count: number;
  /** Up to {@link MAX_WARNING_SAMPLES} entries of the form `file: message`. */
  samples: string[];
}

export const MAX_WARNING_SAMPLES = 10;

export interface ImportOptions {
  /** Source name recorded in the sources table; default `osv:<file or directory name>`. */
  name?: string;
  /** Aborts the import; the database keeps its previous content. */
  signal?: AbortSignal;
  /** Called after each stored record; throwing aborts the import like `signal`. */
  onProgress?: (records: number) => void;
  limits?: Partial<ZipLimits>;
  /** Clock for `imported_at` (tests). */
  now?: Date;
}

export interface ImportResult {
  source: string;
  /** Records stored (withdrawn included). */
  records: number;
  withdrawn: number;
  /** Records skipped because a newer copy of the same id came first. */
  duplicates: number;
  warnings: ImportWarnings;
}

const RAW_DEFLATE = { level: 1, windowBits: 12, memLevel: 5 } as const;

/** Largest single record file read from a directory (same cap as a zip entry). */
const RECORD_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

export class WarningSink {
  readonly warnings: ImportWarnings = { count: 0, samples: [] };
  add(file: string, message: string): void {
    this.warnings.count++;
    if (this.warnings.samples.length < MAX_WARNING_SAMPLES) this.warnings.samples.push(`${file}: ${message}`);
  }
}

interface RawFile {
  name: string;
  data: Buffer;
}

function headOf(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const n = readSync(fd, b, 0, 4, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function* walkDirectory(root: string, limits: ZipLimits, sink: WarningSink): Generator<RawFile> {
  const stack = [root];
  let total = 0;
  while (stack.length) {
    const dir = stack.pop() as string;
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries.reverse()) {
      const p = join(dir, e.name);
      // Symlinks are not followed: no loops, nothing outside the tree.
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && RECORD_EXTENSIONS.has(extname(e.name).toLowerCase())) {
        const rel = relative(root, p);
        const size = lstatSync(p).size;
        if (size > limits.maxEntryBytes) {
          sink.add(rel, `skipped: ${size} bytes is over the per-file limit of ${limits.maxEntryBytes}`);
          continue;
        }
        total += size;
        if (total > limits.maxTotalBytes)
          throw new UserError(`directory holds more than ${limits.maxTotalBytes} bytes of records`, {
            file: root,
          });
        yield { name: rel, data: readFileSync(p) };
      }
    }
  }
}

/** Keeps `.json`/`.yaml` entries; other files (LICENSE, README) are not records. */
async function* recordEntries(entries: AsyncGenerator<RawFile>): AsyncGenerator<RawFile> {
  for await (const e of entries) if (RECORD_EXTENSIONS.has(extname(e.name).toLowerCase())) yield e;
}

async function* sourceFiles(
  source: string | Buffer,
  limits: ZipLimits,
  sink: WarningSink,
): AsyncGenerator<RawFile> {
  if (Buffer.isBuffer(source)) {
    if (!looksLikeZip(source)) throw new UserError('OSV data is not a zip archive');
    yield* recordEntries(readZipEntries(source, limits, (f, m) => sink.add(f, m)));
    return;
  }
  let st;
  try {
    st = statSync(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'OSV source not found' : `cannot read OSV source (${code})`, {
      file: source,
    });
  }
  if (st.isDirectory()) {
    yield* walkDirectory(source, limits, sink);
    return;
  }
  if (!st.isFile()) throw new UserError('OSV source is neither a file nor a directory', { file: source });
  let head: Buffer;
  try {
    head = headOf(source);
  } catch (e) {
    throw new UserError(`cannot read OSV source (${(e as NodeJS.ErrnoException).code})`, { file: source });
  }
  if (looksLikeZip(head)) {
    yield* recordEntries(readZipEntries(source, limits, (f, m) => sink.add(f, m)));
    return;
  }
  if (RECORD_EXTENSIONS.has(extname(source).toLowerCase())) {
    if (st.size > limits.maxEntryBytes) throw new UserError('OSV record file is too large', { file: source });
    yield { name: basename(source), data: readFileSync(source) };
    return;
  }
  throw new UserError('OSV source is not a zip archive, a directory or a .json/.yaml record', {
    file: source,
  });
}

/** Decodes one file into zero or more candidate records (a JSON array of records is accepted too). */
function decodeFile(file: RawFile): unknown[] {
  const ext = extname(file.name).toLowerCase();
  const text = file.data.toString('utf8');
  let value: unknown;
  if (ext === '.yaml' || ext === '.yml') {
    // failsafe keeps every scalar a string: `1.10` stays "1.10" instead of becoming the number 1.1.
    value = parseYaml(text, { schema: 'failsafe', maxAliasCount: MAX_ALIAS_COUNT, uniqueKeys: false });
  } else {
    value = JSON.parse(text);
  }
  return Array.isArray(value) ? value : [value];
}

/** Prepared statements used while importing OSV records into a writable database. */
export class OsvWriter {
  private readonly findExisting;
  private readonly deleteAffected;
  private readonly deleteAliases;
  private readonly deleteAdvisory;
  private readonly insertAdvisory;
  private readonly insertAffected;
  private readonly insertAffectedMatch;
  private readonly deleteAffectedMatch;
  private readonly insertAlias;
  private readonly insertMatchMeta;
  private readonly deleteMatchMeta;

  constructor(
    private readonly w: Sqlite,
    readonly source: string,
  ) {
    this.findExisting = w.prepare<[string, string], { pk: number; modified: string }>(
      'SELECT pk, modified FROM advisories WHERE source = ? AND id = ?',
    );
    this.deleteAffected = w.prepare('DELETE FROM affected WHERE advisory = ?');
    this.deleteAliases = w.prepare('DELETE FROM aliases WHERE advisory = ?');
    this.deleteAdvisory = w.prepare('DELETE FROM advisories WHERE pk = ?');
    this.insertAdvisory = w.prepare(
      `INSERT INTO advisories (source, id, modified, published, withdrawn, summary, details, aliases, severity, database_specific, raw)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAffected = w.prepare(
      `INSERT INTO affected (advisory, idx, ecosystem, eco_key, eco_base, name, withdrawn, ranges, versions, severity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAffectedMatch = w.prepare(
      'INSERT INTO affected_match (eco_base, name, affected, advisory, mrow) VALUES (?, ?, ?, ?, ?)',
    );
    this.deleteAffectedMatch = w.prepare('DELETE FROM affected_match WHERE advisory = ?');
    this.insertAlias = w.prepare('INSERT INTO aliases (alias, advisory) VALUES (?, ?)');
    this.insertMatchMeta = w.prepare('INSERT INTO advisory_match (advisory, meta) VALUES (?, ?)');
    this.deleteMatchMeta = w.prepare('DELETE FROM advisory_match WHERE advisory = ?');
  }

  /** Drops everything a previous import of this source stored: a source import is a full replacement. */
  clearSource(): void {
    const s = this.source;
    this.w
      .prepare('DELETE FROM affected WHERE advisory IN (SELECT pk FROM advisories WHERE source = ?)')
      .run(s);
    this.w
      .prepare('DELETE FROM affected_match WHERE advisory IN (SELECT pk FROM advisories WHERE source = ?)')
      .run(s);
    this.w
      .prepare('DELETE FROM aliases WHERE advisory IN (SELECT pk FROM advisories WHERE source = ?)')
      .run(s);
    this.w
      .prepare('DELETE FROM advisory_match WHERE advisory IN (SELECT pk FROM advisories WHERE source = ?)')
      .run(s);
    this.w.prepare('DELETE FROM advisories WHERE source = ?').run(s);
  }

  /** Stores one record; returns false when an equally new or newer copy of the id is already stored. */
  put(rec: OsvRecord): boolean {
    const existing = this.findExisting.get(this.source, rec.id);
    if (existing) {
      if (existing.modified >= rec.modified) return false;
      this.deleteAffected.run(existing.pk);
      this.deleteAffectedMatch.run(existing.pk);
      this.deleteAliases.run(existing.pk);
      this.deleteMatchMeta.run(existing.pk);
      this.deleteAdvisory.run(existing.pk);
    }
    // A 4 KiB window compresses these few-KiB records as well as the default 32 KiB one, and setting up the
    // smaller stream (once per record) takes a third less time; inflate with the default window reads it.
    const raw = deflateRawSync(JSON.stringify(rec), RAW_DEFLATE);
    const info = this.insertAdvisory.run(
      this.source,
      rec.id,
      rec.modified,
      rec.published ?? null,
      rec.withdrawn ?? null,
      rec.summary ?? null,
      rec.details ?? null,
      JSON.stringify(rec.aliases ?? []),
      JSON.stringify(rec.severity ?? []),
      rec.database_specific ? JSON.stringify(rec.database_specific) : null,
      raw,
    );
    const pk = Number(info.lastInsertRowid);
    const withdrawn = rec.withdrawn ? 1 : 0;
    // Withdrawn records never match: no match data, so their scores are not worth computing.
    if (!withdrawn) this.insertMatchMeta.run(pk, asciiJson(advisoryMeta(rec)));
    rec.affected?.forEach((a, idx) => {
      if (!a.package) return;
      const { ecosystem, name } = a.package;
      const normalized = normalizePackageName(ecosystem, name);
      const base = ecosystemBaseKey(ecosystem);
      const row = this.insertAffected.run(
        pk,
        idx,
        ecosystem,
        ecosystemKey(ecosystem),
        base,
        normalized,
        withdrawn,
        JSON.stringify(a.ranges ?? []),
        JSON.stringify(a.versions ?? []),
        a.severity ? JSON.stringify(a.severity) : null,
      );
      if (!withdrawn) {
        const rowid = Number(row.lastInsertRowid);
        this.insertAffectedMatch.run(base, normalized, rowid, pk, encodeAffectedRow(rowid, pk, ecosystem, a));
      }
    });
    for (const alias of new Set(rec.aliases ?? [])) this.insertAlias.run(alias, pk);
    return true;
  }

  recordSource(kind: string, location: string, records: number, warnings: number, now: Date): void {
    this.w
      .prepare(
        `INSERT INTO sources (name, kind, location, imported_at, record_count, warning_count) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
           imported_at = excluded.imported_at, record_count = excluded.record_count, warning_count = excluded.warning_count`,
      )
      .run(this.source, kind, location, now.toISOString(), records, warnings);
  }
}

export function defaultSourceName(source: string | Buffer): string {
  if (Buffer.isBuffer(source)) return 'osv';
  const b = basename(resolve(source)).replace(/\.zip$/i, '');
  return `osv:${b === 'all' ? basename(resolve(source, '..')) : b}`;
}

/**
 * Imports OSV records into an open writable database (inside {@link VulnDb.update}). Use {@link importOsv}
 * unless several sources must land in one atomic update.
 */
export async function importOsvInto(
  w: Sqlite,
  source: string | Buffer,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  const name = opts.name ?? defaultSourceName(source);
  const sink = new WarningSink();
  const writer = new OsvWriter(w, name);
  writer.clearSource();
  const result: ImportResult = {
    source: name,
    records: 0,
    withdrawn: 0,
    duplicates: 0,
    warnings: sink.warnings,
  };
  for await (const file of sourceFiles(source, limits, sink)) {
    opts.signal?.throwIfAborted();
    let values: unknown[];
    try {
      values = decodeFile(file);
    } catch (e) {
      sink.add(file.name, `not valid ${/\.ya?ml$/i.test(file.name) ? 'YAML' : 'JSON'}: ${firstLine(e)}`);
      continue;
    }
    for (const value of values) {
      let rec: OsvRecord;
      try {
        rec = parseOsvRecord(value);
      } catch (e) {
        sink.add(file.name, `malformed OSV record: ${firstLine(e)}`);
        continue;
      }
      if (writer.put(rec)) {
        result.records++;
        if (rec.withdrawn) result.withdrawn++;
        opts.onProgress?.(result.records);
      } else {
        result.duplicates++;
      }
    }
  }
  opts.signal?.throwIfAborted();
  const location = Buffer.isBuffer(source) ? '<buffer>' : resolve(source);
  writer.recordSource('osv', location, result.records, sink.warnings.count, opts.now ?? new Date());
  return result;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

/**
 * Imports OSV records from a zip archive (path or bytes), a directory tree of `.json`/`.yaml` records, or
 * a single record file. The import replaces what an earlier import of the same source name stored, and
 * is atomic: on any error the database keeps its previous content.
 */
export async function importOsv(
  db: VulnDb,
  source: string | Buffer,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  return db.update((w) => importOsvInto(w, source, opts));
}
