import Database from 'better-sqlite3';
import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { osvEcosystem } from '../os-release.js';
import { parseRpmHeader, parseSourceRpm, RPMTAG } from './header.js';

const SQLITE_DB = ['var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite'];
/** Older formats: Berkeley DB (RHEL <= 8, CentOS 7, Amazon Linux 2) and NDB (SUSE). Not analysed yet. */
const LEGACY_DB = ['var/lib/rpm/Packages', 'var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages.db'];
const WANTED_TAGS = new Set<number>(Object.values(RPMTAG));
/** Bounds against hostile databases: far above any real image (a full RHEL install has ~2,000 packages). */
const MAX_ROWS = 200_000;
const MAX_NOTES = 100;

/** RHEL 9, Fedora, Rocky/Alma 9, Amazon Linux 2023 packages from the sqlite rpmdb. */
export const rpmCataloger: Cataloger = {
  name: 'rpm',
  wants: (p) => SQLITE_DB.includes(p) || LEGACY_DB.includes(p),
  catalog(fs, ctx): CatalogResult {
    const dbPath = SQLITE_DB.find((p) => fs.get(p));
    if (!dbPath) {
      const legacy = LEGACY_DB.find((p) => fs.get(p));
      if (legacy) {
        return {
          packages: [],
          status: 'not-analysed',
          notes: [
            `${legacy}: Berkeley DB/NDB rpm databases are not analysed yet; RPM packages of this image are not reported`,
          ],
        };
      }
      return { packages: [], status: 'ok', notes: [] };
    }
    const file = fs.get(dbPath);
    if (!file) return { packages: [], status: 'ok', notes: [] };
    let db: Database.Database;
    try {
      // Deserialised in memory: nothing from the image is written to disk.
      db = new Database(file.content, { readonly: true });
    } catch (e) {
      return {
        packages: [],
        status: 'error',
        notes: [`${dbPath}: not a readable sqlite database (${(e as Error).message})`],
      };
    }
    const packages: Package[] = [];
    const notes: string[] = [];
    let dropped = 0;
    const note = (n: string): void => {
      if (notes.length < MAX_NOTES) notes.push(n);
      else dropped++;
    };
    try {
      // Only a plain table is read: a view (e.g. an endless recursive query) or generated columns would
      // run code of the image's choosing inside the scanner.
      const schema = db
        .prepare("SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE")
        .all() as Array<{ type: string }>;
      if (schema.length !== 1 || schema[0]?.type !== 'table')
        throw new Error('Packages is not a plain table');
      const columns = db.prepare('PRAGMA table_xinfo(Packages)').all() as Array<{ hidden: number }>;
      if (columns.some((c) => c.hidden !== 0)) throw new Error('Packages has generated or hidden columns');
      const rows = db.prepare('SELECT hnum, blob FROM Packages LIMIT ?').iterate(MAX_ROWS + 1) as Iterable<{
        hnum: number;
        blob: unknown;
      }>;
      let count = 0;
      const distro = ctx.distro;
      const ecosystem = (distro && osvEcosystem(distro)) ?? 'Red Hat';
      const namespace = distro?.id ?? 'redhat';
      for (const row of rows) {
        if (++count > MAX_ROWS) {
          note(`${dbPath}: more than ${MAX_ROWS} packages; the rest is not read`);
          break;
        }
        let h;
        try {
          if (!(row.blob instanceof Uint8Array)) throw new Error('header is not a blob');
          h = parseRpmHeader(row.blob, WANTED_TAGS);
        } catch (e) {
          note(`${dbPath}: package #${String(row.hnum).slice(0, 20)}: ${(e as Error).message}`);
          continue;
        }
        const name = h.get(RPMTAG.NAME);
        const version = h.get(RPMTAG.VERSION);
        const release = h.get(RPMTAG.RELEASE);
        if (typeof name !== 'string' || typeof version !== 'string' || typeof release !== 'string') continue;
        if (name.length > 1024 || version.length > 1024 || release.length > 1024) {
          note(`${dbPath}: package #${String(row.hnum).slice(0, 20)}: name or version too long; skipped`);
          continue;
        }
        if (name === 'gpg-pubkey') continue; // imported signing keys are stored as pseudo-packages
        const epoch = h.get(RPMTAG.EPOCH);
        const arch = h.get(RPMTAG.ARCH);
        const evr = `${typeof epoch === 'number' && epoch > 0 ? `${epoch}:` : ''}${version}-${release}`;
        const srpm = h.get(RPMTAG.SOURCERPM);
        const source = typeof srpm === 'string' ? parseSourceRpm(srpm) : undefined;
        const qualifiers: Record<string, string> = {};
        if (typeof arch === 'string') qualifiers.arch = arch;
        if (typeof epoch === 'number' && epoch > 0) qualifiers.epoch = String(epoch);
        if (distro) qualifiers.distro = `${distro.id}-${distro.versionId}`;
        if (typeof srpm === 'string') qualifiers.upstream = srpm;
        const pkg: Package = {
          type: 'rpm',
          name,
          version: evr,
          ecosystem,
          purl: new PackageURL(
            'rpm',
            namespace,
            name,
            `${version}-${release}`,
            qualifiers,
            undefined,
          ).toString(),
          source: source
            ? {
                name: source.name,
                version: `${typeof epoch === 'number' && epoch > 0 ? `${epoch}:` : ''}${source.version}`,
              }
            : { name, version: evr },
          locations: [dbPath],
          layer: file.layer,
        };
        if (typeof arch === 'string') pkg.arch = arch;
        const license = h.get(RPMTAG.LICENSE);
        if (typeof license === 'string') pkg.licenses = [license];
        packages.push(pkg);
      }
    } catch (e) {
      return { packages, status: 'error', notes: [...notes, `${dbPath}: ${(e as Error).message}`] };
    } finally {
      db.close();
    }
    if (dropped) notes.push(`${dropped} more notes like these left out`);
    return { packages, status: 'ok', notes };
  },
};
