import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Package } from '../image/catalog/package.js';
import { importKev, importOsv, openVulnDb } from '../vuln/db/index.js';
import { scanPackages } from '../vuln/scan/package-findings.js';
import { openStore } from './open.js';
import { InventoryMatcher, matchInventory, rematchAll, vulnDbStamp } from './rematch.js';
import type { StoredPackage } from './types.js';
import { integration } from '../../test/support/integration.js';
import { postgresUnavailable, startPostgres } from '../../test/support/postgres.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kw-rematch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const deb = (name: string, version: string, source: string, srcVersion = version): StoredPackage => ({
  type: 'deb',
  name,
  version,
  ecosystem: 'Debian:12',
  purl: `pkg:deb/debian/${name}@${version}?distro=debian-12`,
  source: { name: source, version: srcVersion },
  layerDigest: 'sha256:base',
});
const bookworm: StoredPackage[] = [
  deb('libssl3', '3.0.11-1~deb12u2', 'openssl'),
  deb('openssl', '3.0.11-1~deb12u2', 'openssl'),
  deb('curl', '7.88.1-10+deb12u4', 'curl'),
  deb('zlib1g', '1:1.2.13.dfsg-1', 'zlib'),
];
const repo = { registry: 'registry.example', repository: 'shop/web' };

/** Writes the Debian fixture records, with `edit` applied, to a fresh directory for import. */
function debianRecords(
  name: string,
  edit: (id: string, rec: { affected: { ranges: { events: object[] }[] }[] }) => void,
): string {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  for (const id of ['DEBIAN-CVE-2022-0002', 'DEBIAN-CVE-2023-5678', 'DEBIAN-CVE-2024-0001']) {
    const rec = JSON.parse(readFileSync(join(FIXTURES, 'osv-debian', `${id}.json`), 'utf8')) as {
      modified: string;
      affected: { ranges: { events: object[] }[] }[];
    };
    edit(id, rec);
    rec.modified = '2026-02-01T00:00:00Z';
    writeFileSync(join(out, `${id}.json`), JSON.stringify(rec));
  }
  return out;
}

/** The whole story on one store: empty database, advisories arrive, nothing changes, advisories revised. */
async function scenario(name: string, storeUrl: string): Promise<void> {
  const vdb = openVulnDb({ cacheDir: join(dir, name, 'vdb') });
  const store = await openStore(storeUrl);
  try {
    await store.saveImage('sha256:web', { repo, os: { name: 'debian', version: '12' }, packages: bookworm });
    await store.saveImage('sha256:api', { repo, packages: bookworm.slice(2) });

    // No advisories yet: nothing is vulnerable.
    const r0 = await rematchAll(store, vdb, { at: new Date('2026-01-01T00:00:00Z'), batchSize: 1 });
    assert.deepEqual([r0.images, r0.packages, r0.appeared, r0.findings], [2, 6, 0, 0]);

    // Advisories and KEV arrive: openssl (fixable, KEV) and curl (no fix yet) appear; zlib is already fixed.
    cpSync(join(FIXTURES, 'osv-debian'), join(dir, name, 'osv-v1'), { recursive: true });
    await importOsv(vdb, join(dir, name, 'osv-v1'), {
      name: 'osv:debian',
      now: new Date('2026-01-02T00:00:00Z'),
    });
    await importKev(vdb, join(FIXTURES, 'kev-mini.json'));
    const r1 = await rematchAll(store, vdb, { at: new Date('2026-01-02T01:00:00Z') });
    assert.deepEqual([r1.images, r1.appeared, r1.disappeared, r1.fixed], [2, 4, 0, 0]);
    assert.equal(r1.db.importedAt, '2026-01-02T00:00:00.000Z');
    const web = await store.findings('sha256:web');
    assert.deepEqual(
      web.map((f) => [f.advisoryId, f.packageName, f.fixedVersion, f.kev, f.fixable]),
      [
        ['DEBIAN-CVE-2023-5678', 'libssl3', '3.0.13-1~deb12u1', true, true],
        ['DEBIAN-CVE-2023-5678', 'openssl', '3.0.13-1~deb12u1', true, true],
        ['DEBIAN-CVE-2024-0001', 'curl', undefined, false, false],
      ],
    );
    // The same verdicts an image scan gives for these packages.
    const scanned = scanPackages(
      bookworm.map((p) => ({ ...p, locations: [] }) as Package),
      vdb,
      { target: { name: 'web' } },
    ).findings;
    assert.deepEqual(
      scanned
        .map((f) => [f.checkId, f.vulnerability?.package.name, f.severity, f.vulnerability?.fixedVersion])
        .sort(),
      web.map((f) => [f.advisoryId, f.packageName, f.severity, f.fixedVersion]).sort(),
    );
    const events = await store.events();
    assert.deepEqual(events.map((e) => [e.imageDigest, e.kind, e.advisoryId, e.packageName]).sort(), [
      ['sha256:api', 'appeared', 'DEBIAN-CVE-2024-0001', 'curl'],
      ['sha256:web', 'appeared', 'DEBIAN-CVE-2023-5678', 'libssl3'],
      ['sha256:web', 'appeared', 'DEBIAN-CVE-2023-5678', 'openssl'],
      ['sha256:web', 'appeared', 'DEBIAN-CVE-2024-0001', 'curl'],
    ]);
    assert.ok(events.every((e) => e.dbImportedAt === '2026-01-02T00:00:00.000Z'));
    assert.equal(await store.getState('vulndb:importedAt'), '2026-01-02T00:00:00.000Z');
    assert.deepEqual(
      (await store.report({ kev: true })).map((r) => r.digest),
      ['sha256:web'],
    );

    // Nothing changed: a second pass writes no event.
    const r2 = await rematchAll(store, vdb);
    assert.deepEqual([r2.appeared, r2.disappeared, r2.fixed, r2.findings], [0, 0, 0, 4]);
    assert.equal((await store.events()).length, 4);

    // The advisories are revised: curl gets a fix above the installed version (still affected, now
    // fixable); openssl's fix turns out to predate the installed version (no longer affected).
    const v2 = debianRecords(join(name, 'osv-v2'), (id, rec) => {
      const range = rec.affected[0]!.ranges[0]!;
      if (id === 'DEBIAN-CVE-2024-0001') range.events = [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u5' }];
      if (id === 'DEBIAN-CVE-2023-5678') range.events = [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u1' }];
    });
    await importOsv(vdb, v2, { name: 'osv:debian', now: new Date('2026-02-01T00:00:00Z') });
    const r3 = await rematchAll(store, vdb, { at: new Date('2026-02-01T01:00:00Z') });
    assert.deepEqual([r3.appeared, r3.disappeared, r3.fixed], [0, 2, 2]);
    const later = await store.events({ since: new Date('2026-02-01T00:00:00Z') });
    assert.deepEqual(later.map((e) => [e.imageDigest, e.kind, e.packageName]).sort(), [
      ['sha256:api', 'fixed', 'curl'],
      ['sha256:web', 'disappeared', 'libssl3'],
      ['sha256:web', 'disappeared', 'openssl'],
      ['sha256:web', 'fixed', 'curl'],
    ]);
    assert.ok(later.every((e) => e.dbImportedAt === '2026-02-01T00:00:00.000Z'));
    assert.deepEqual(
      (await store.findings('sha256:web')).map((f) => [f.advisoryId, f.fixedVersion]),
      [['DEBIAN-CVE-2024-0001', '7.88.1-10+deb12u5']],
    );
    assert.equal(await store.getState('rematch:lastPass'), '2026-02-01T01:00:00.000Z');
  } finally {
    await store.close();
    vdb.close();
  }
}

test('a database update turns stored images vulnerable, then fixed, without pulling them (SQLite)', async () => {
  await scenario('sqlite', join(dir, 'sqlite', 'store.db'));
});

test('the same on PostgreSQL (integration suite store-postgres)', async (t) => {
  const unavailable = postgresUnavailable();
  if (!integration(t, 'store-postgres', !unavailable, unavailable ?? '')) return;
  const server = startPostgres();
  try {
    await scenario('postgres', await server.createDatabase('kw_rematch'));
  } finally {
    server.stop();
  }
});

test('InventoryMatcher matches each distinct package once and drops its cache when the database changes', async () => {
  const vdb = openVulnDb({ cacheDir: join(dir, 'vdb2') });
  try {
    const im = new InventoryMatcher(vdb);
    assert.deepEqual(im.matchMany([bookworm, bookworm]), [[], []]);
    await importOsv(vdb, join(FIXTURES, 'osv-debian'), { name: 'osv:debian' });
    const [a, b] = im.matchMany([bookworm, bookworm.slice(0, 1)]);
    assert.equal(a?.length, 3);
    assert.deepEqual(
      b?.map((f) => f.packageName),
      ['libssl3'],
    );
    assert.deepEqual(matchInventory(bookworm, vdb), a);
    assert.match(vulnDbStamp(vdb).version ?? '', /^osv:debian@/);
  } finally {
    vdb.close();
  }
});
