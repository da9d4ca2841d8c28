import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import yazl from 'yazl';
import { UserError } from '../../core/errors.js';
import { matchPackage } from '../match/index.js';
import {
  advisoriesByAlias,
  dbStatus,
  defaultCacheDir,
  downloadOsv,
  getAdvisory,
  importEpss,
  importKev,
  importOsv,
  lookupEpss,
  lookupKev,
  openVulnDb,
  osvZipUrl,
  updateOsv,
  type VulnDb,
} from './index.js';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const OSV_DIR = join(TESTDATA, 'osv');
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Builds a zip in memory. Names may use same-length placeholders that `patch` rewrites afterwards. */
async function makeZip(
  entries: [string, string | Buffer][],
  patch: [string, string][] = [],
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  let buf = Buffer.concat(chunks);
  // yazl refuses hostile names, so they are written over placeholders of the same length (name bytes
  // sit in the local header and the central directory and are not covered by the CRC).
  for (const [from, to] of patch) {
    assert.equal(from.length, to.length);
    let at = buf.indexOf(from);
    assert.ok(at >= 0, `placeholder ${from} not found`);
    while (at >= 0) {
      buf.write(to, at, 'latin1');
      at = buf.indexOf(from, at + 1);
    }
    buf = Buffer.from(buf);
  }
  return buf;
}

const rec = (id: string, name: string, fixed: string, extra: object = {}): string =>
  JSON.stringify({
    id,
    modified: '2024-03-01T00:00:00Z',
    aliases: [],
    affected: [
      {
        package: { ecosystem: 'npm', name },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
      },
    ],
    ...extra,
  });

const dirs: string[] = [];
function freshDb(): VulnDb {
  const d = mkdtempSync(join(tmpdir(), 'kw-vulndb-'));
  dirs.push(d);
  return openVulnDb({ cacheDir: d });
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ids = (db: VulnDb, ecosystem: string, name: string, version: string): string[] =>
  matchPackage(db, { ecosystem, name, version }).map((m) => m.id);

function leftovers(db: VulnDb): string[] {
  return readdirSync(db.cacheDir).filter((f) => f.includes('.tmp-'));
}

describe('database location', () => {
  test('XDG_CACHE_HOME, else ~/.cache/kubeward; cacheDir option wins', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/kubeward');
    assert.equal(defaultCacheDir({}), join(homedir(), '.cache', 'kubeward'));
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }), join(homedir(), '.cache', 'kubeward'));
    assert.equal(openVulnDb({ env: { XDG_CACHE_HOME: '/x/cache' } }).path, '/x/cache/kubeward/vuln.db');
    assert.equal(openVulnDb({ cacheDir: '/y' }).path, '/y/vuln.db');
  });

  test('an empty database answers queries with nothing', () => {
    const db = freshDb();
    assert.equal(db.exists, false);
    assert.deepEqual(ids(db, 'npm', 'x', '1.0.0'), []);
    const s = dbStatus(db);
    assert.equal(s.exists, false);
    assert.deepEqual(s.sources, []);
  });
});

describe('importOsv', () => {
  test('directory of JSON and YAML records; malformed ones are warnings, withdrawn ones kept', async () => {
    const db = freshDb();
    const now = new Date('2024-05-01T00:00:00Z');
    const r = await importOsv(db, OSV_DIR, { now });
    assert.equal(r.source, 'osv:osv');
    assert.equal(r.records, 3);
    assert.equal(r.withdrawn, 1);
    assert.equal(r.warnings.count, 4);
    const joined = r.warnings.samples.join('\n');
    for (const f of ['broken.json', 'no-id.json', 'bad-event.json', 'PYSEC-TEST-BAD.yaml'])
      assert.match(joined, new RegExp(f));
    assert.match(joined, /missing id/);
    assert.match(joined, /exactly one of/);

    const s = dbStatus(db, new Date('2024-05-01T01:00:00Z'));
    assert.equal(s.exists, true);
    assert.equal(s.sources.length, 1);
    assert.deepEqual(
      {
        name: s.sources[0]?.name,
        records: s.sources[0]?.records,
        warnings: s.sources[0]?.warnings,
        age: s.sources[0]?.ageSeconds,
      },
      { name: 'osv:osv', records: 3, warnings: 4, age: 3600 },
    );
    assert.equal(s.counts.advisories, 3);
    assert.equal(s.counts.withdrawn, 1);

    // Withdrawn GO-TEST-0002 is stored but never matched.
    assert.ok(getAdvisory(db, 'GO-TEST-0002')?.withdrawn);
    assert.deepEqual(ids(db, 'Go', 'example.com/mod', 'v1.1.0'), ['GO-TEST-0001']);
    assert.deepEqual(ids(db, 'Go', 'example.com/mod', 'v1.2.0'), []);

    // YAML read without type coercion: `fixed: 1.10` stays "1.10", not 1.1.
    const py = getAdvisory(db, 'PYSEC-TEST-1');
    assert.deepEqual(py?.affected?.[0]?.ranges?.[0]?.events, [{ introduced: '0' }, { fixed: '1.10' }]);
    assert.deepEqual(py?.affected?.[0]?.versions, ['1.0', '1.9']);
    assert.equal(getAdvisory(db, 'GO-TEST-0001')?.summary, 'Test advisory for a Go module');
    assert.deepEqual(advisoriesByAlias(db, 'CVE-2099-2000'), ['PYSEC-TEST-1']);
    db.close();
  });

  test('zip from a buffer and from a file; re-importing a source replaces it', async () => {
    const db = freshDb();
    const zip = await makeZip([
      ['a/NPM-1.json', rec('NPM-1', 'left-pad', '1.1.0')],
      ['a/NPM-2.json', rec('NPM-2', 'right-pad', '2.0.0')],
      ['README.txt', 'not a record'],
    ]);
    const r1 = await importOsv(db, zip, { name: 'osv:npm' });
    assert.equal(r1.records, 2);
    assert.equal(r1.warnings.count, 0);
    assert.deepEqual(ids(db, 'npm', 'left-pad', '1.0.0'), ['NPM-1']);

    const file = join(db.cacheDir, 'npm.zip');
    writeFileSync(file, await makeZip([['NPM-2.json', rec('NPM-2', 'right-pad', '2.0.0')]]));
    const r2 = await importOsv(db, file, { name: 'osv:npm' });
    assert.equal(r2.records, 1);
    assert.deepEqual(ids(db, 'npm', 'left-pad', '1.0.0'), [], 'records gone upstream are dropped');
    assert.deepEqual(ids(db, 'npm', 'right-pad', '1.0.0'), ['NPM-2']);
    assert.equal(dbStatus(db).sources.find((s) => s.name === 'osv:npm')?.location, file);
    db.close();
  });

  test('the same advisory from two sources matches once', async () => {
    const db = freshDb();
    await importOsv(db, await makeZip([['X.json', rec('GHSA-same', 'dup', '1.0.0')]]), { name: 'osv:one' });
    await importOsv(db, await makeZip([['X.json', rec('GHSA-same', 'dup', '1.0.0')]]), { name: 'osv:two' });
    assert.deepEqual(ids(db, 'npm', 'dup', '0.5.0'), ['GHSA-same']);
    assert.equal(dbStatus(db).counts.advisories, 1);
    db.close();
  });

  test('hostile zip: traversal and absolute names skipped, oversized entries skipped', async () => {
    const db = freshDb();
    const zip = await makeZip(
      [
        ['__/evil.json', rec('EVIL-1', 'evil', '1.0.0')],
        ['_abs.json', rec('EVIL-2', 'evil', '1.0.0')],
        ['ok/GOOD-1.json', rec('GOOD-1', 'good', '1.0.0')],
        ['big.json', rec('BIG-1', 'big', '1.0.0', { details: 'x'.repeat(5000) })],
      ],
      [
        ['__/evil.json', '../evil.json'],
        ['_abs.json', '/abs.json'],
      ],
    );
    const r = await importOsv(db, zip, { limits: { maxEntryBytes: 2000 } });
    assert.equal(r.records, 1);
    assert.equal(r.warnings.count, 3);
    const joined = r.warnings.samples.join('\n');
    assert.match(joined, /\.\.\/evil\.json: skipped: ".." in entry name/);
    assert.match(joined, /\/abs\.json: skipped: absolute entry name/);
    assert.match(joined, /big\.json: skipped: \d+ bytes is over the per-entry limit/);
    assert.deepEqual(ids(db, 'npm', 'evil', '0.1.0'), []);
    assert.deepEqual(ids(db, 'npm', 'good', '0.1.0'), ['GOOD-1']);
    db.close();
  });

  test('zip over the total-size or entry-count limit fails and changes nothing', async () => {
    const db = freshDb();
    await importOsv(db, await makeZip([['A.json', rec('KEEP-1', 'keep', '1.0.0')]]), { name: 'osv:keep' });
    const big = await makeZip([
      ['1.json', rec('T-1', 't', '1.0.0')],
      ['2.json', rec('T-2', 't', '1.0.0')],
      ['3.json', rec('T-3', 't', '1.0.0')],
    ]);
    await assert.rejects(
      importOsv(db, big, { limits: { maxTotalBytes: 400 } }),
      (e) => e instanceof UserError && /inflates past/.test(e.message),
    );
    await assert.rejects(
      importOsv(db, big, { limits: { maxEntries: 2 } }),
      (e) => e instanceof UserError && /3 entries/.test(e.message),
    );
    assert.deepEqual(ids(db, 'npm', 't', '0.1.0'), []);
    assert.deepEqual(ids(db, 'npm', 'keep', '0.1.0'), ['KEEP-1']);
    assert.deepEqual(leftovers(db), []);
    db.close();
  });

  test("the user's mistakes are UserErrors", async () => {
    const db = freshDb();
    await assert.rejects(
      importOsv(db, join(db.cacheDir, 'missing.zip')),
      (e) => e instanceof UserError && /not found/.test(e.message),
    );
    await assert.rejects(
      importOsv(db, Buffer.from('hello, not a zip')),
      (e) => e instanceof UserError && /not a zip/.test(e.message),
    );
    const txt = join(db.cacheDir, 'notes.txt');
    writeFileSync(txt, 'plain text');
    await assert.rejects(
      importOsv(db, txt),
      (e) => e instanceof UserError && /not a zip archive/.test(e.message),
    );
    const fake = join(db.cacheDir, 'fake.zip');
    writeFileSync(fake, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64)]));
    await assert.rejects(importOsv(db, fake), (e) => e instanceof UserError && /zip/.test(e.message));
    assert.equal(db.exists, false);
    db.close();
  });

  test('a database of an older schema asks for `kubeward db update`; the next import rebuilds it', async () => {
    const db = freshDb();
    const old = new Database(db.path);
    old.exec(
      'CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);',
    );
    old.close();
    assert.throws(
      () => matchPackage(db, { ecosystem: 'npm', name: 'left-pad', version: '1.0.0' }),
      (e) =>
        e instanceof UserError &&
        /older format \(schema 1, this kubeward needs \d+\): run `kubeward db update`/.test(e.message) &&
        e.where?.file === db.path,
    );
    db.close();
    const dir = join(db.cacheDir, 'osv');
    mkdirSync(dir);
    writeFileSync(join(dir, 'A-1.json'), rec('A-1', 'left-pad', '1.3.0'));
    await importOsv(db, dir);
    assert.deepEqual(ids(db, 'npm', 'left-pad', '1.0.0'), ['A-1']);
    db.close();
  });

  test('a failure mid-import leaves the previous database usable', async () => {
    const db = freshDb();
    await importOsv(db, await makeZip([['A.json', rec('OLD-1', 'pkg', '1.0.0')]]), { name: 'osv:npm' });
    const before = readFileSync(db.path);
    const zip = await makeZip([
      ['1.json', rec('NEW-1', 'pkg', '2.0.0')],
      ['2.json', rec('NEW-2', 'pkg', '2.0.0')],
      ['3.json', rec('NEW-3', 'pkg', '2.0.0')],
    ]);
    await assert.rejects(
      importOsv(db, zip, {
        name: 'osv:npm',
        onProgress: (n) => {
          if (n === 2) throw new Error('simulated crash');
        },
      }),
      /simulated crash/,
    );
    assert.deepEqual(readFileSync(db.path), before, 'file untouched');
    assert.deepEqual(ids(db, 'npm', 'pkg', '0.5.0'), ['OLD-1']);
    assert.deepEqual(leftovers(db), []);

    const ac = new AbortController();
    ac.abort();
    await assert.rejects(importOsv(db, zip, { name: 'osv:npm', signal: ac.signal }));
    assert.deepEqual(ids(db, 'npm', 'pkg', '0.5.0'), ['OLD-1']);
    db.close();
  });

  test('a process killed mid-import leaves the previous database usable', async () => {
    const db = freshDb();
    await importOsv(db, await makeZip([['A.json', rec('OLD-1', 'pkg', '1.0.0')]]), { name: 'osv:npm' });
    const zipFile = join(db.cacheDir, 'new.zip');
    writeFileSync(
      zipFile,
      await makeZip(
        Array.from(
          { length: 50 },
          (_, i) => [`${i}.json`, rec(`NEW-${i}`, 'pkg', '2.0.0')] as [string, string],
        ),
      ),
    );
    const script = `
      import { importOsv, openVulnDb } from ${JSON.stringify(join(REPO_ROOT, 'src/vuln/db/index.ts'))};
      const db = openVulnDb({ cacheDir: ${JSON.stringify(db.cacheDir)} });
      await importOsv(db, ${JSON.stringify(zipFile)}, { name: 'osv:npm', onProgress: (n) => { if (n === 20) process.kill(process.pid, 'SIGKILL'); } });
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    assert.equal(res.signal, 'SIGKILL', res.stderr);
    assert.equal(leftovers(db).length, 1, 'the dead import left its temp file');
    const fresh = openVulnDb({ cacheDir: db.cacheDir });
    assert.deepEqual(ids(fresh, 'npm', 'pkg', '0.5.0'), ['OLD-1']);
    // The next update sweeps the dead process's temp file.
    await importKev(fresh, join(TESTDATA, 'kev.json'));
    assert.deepEqual(leftovers(fresh), []);
    assert.deepEqual(ids(fresh, 'npm', 'pkg', '0.5.0'), ['OLD-1']);
    fresh.close();
    db.close();
  });
});

describe('KEV and EPSS', () => {
  test('importKev stores the catalogue and reports malformed entries', async () => {
    const db = freshDb();
    const r = await importKev(db, join(TESTDATA, 'kev.json'));
    assert.equal(r.records, 2);
    assert.equal(r.warnings.count, 1);
    assert.equal(r.version, '2024.01.01');
    const kev = lookupKev(db, ['CVE-2099-1000', 'CVE-2099-3000', 'CVE-2000-0001']);
    assert.equal(kev.size, 2);
    assert.deepEqual(kev.get('CVE-2099-1000'), {
      cveID: 'CVE-2099-1000',
      vendorProject: 'Example',
      product: 'mod',
      vulnerabilityName: 'Example RCE',
      dateAdded: '2023-12-01',
      dueDate: '2023-12-22',
      knownRansomwareCampaignUse: 'Known',
      requiredAction: 'Apply updates.',
    });
    assert.equal(dbStatus(db).sources[0]?.kind, 'kev');
    await assert.rejects(
      importKev(db, Buffer.from('{"foo": 1}')),
      (e) => e instanceof UserError && /KEV/.test(e.message),
    );
    await assert.rejects(importKev(db, Buffer.from('nope')), UserError);
    await assert.rejects(
      importKev(db, join(db.cacheDir, 'nope.json')),
      (e) => e instanceof UserError && /not found/.test(e.message),
    );
    assert.equal(lookupKev(db, ['CVE-2099-1000']).size, 1, 'failed imports change nothing');
    db.close();
  });

  test('importEpss reads the model/date comment line, plain or gzip', async () => {
    for (const gz of [false, true]) {
      const db = freshDb();
      const raw = readFileSync(join(TESTDATA, 'epss.csv'));
      const r = await importEpss(db, gz ? gzipSync(raw) : raw);
      assert.equal(r.records, 2);
      assert.equal(r.warnings.count, 2);
      assert.equal(r.version, 'v2023.03.01');
      assert.equal(r.date, '2024-01-05');
      const e = lookupEpss(db, ['CVE-2099-1000', 'CVE-2099-2000', 'CVE-2099-3000']);
      assert.deepEqual(e.get('CVE-2099-1000'), {
        cve: 'CVE-2099-1000',
        epss: 0.97123,
        percentile: 0.9995,
        date: '2024-01-05',
      });
      assert.equal(e.get('CVE-2099-2000')?.epss, 0.00043);
      assert.equal(e.has('CVE-2099-3000'), false);
      await assert.rejects(
        importEpss(db, Buffer.from('a,b,c\n1,2,3\n')),
        (err) => err instanceof UserError && /EPSS/.test(err.message),
      );
      db.close();
    }
  });

  test('status lists every source with counts and age', async () => {
    const db = freshDb();
    const t0 = new Date('2024-01-01T00:00:00Z');
    await importOsv(db, OSV_DIR, { now: t0, name: 'osv:fixtures' });
    await importKev(db, join(TESTDATA, 'kev.json'), { now: t0 });
    await importEpss(db, join(TESTDATA, 'epss.csv'), { now: t0 });
    const s = dbStatus(db, new Date('2024-01-02T00:00:00Z'));
    assert.deepEqual(
      s.sources.map((x) => [x.name, x.kind, x.records, x.ageSeconds]),
      [
        ['cisa-kev', 'kev', 2, 86400],
        ['first-epss', 'epss', 2, 86400],
        ['osv:fixtures', 'osv', 3, 86400],
      ],
    );
    assert.deepEqual([s.counts.kev, s.counts.epss], [2, 2]);
    assert.ok(s.sizeBytes > 0);
    db.close();
  });
});

describe('downloadOsv (local HTTP server)', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  let zip: Buffer;

  before(async () => {
    zip = await makeZip([
      [
        'DEBIAN-TEST-1.json',
        JSON.stringify({
          id: 'DEBIAN-TEST-1',
          modified: '2024-01-01T00:00:00Z',
          affected: [
            {
              package: { ecosystem: 'Debian:12', name: 'zlib' },
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.13' }] }],
            },
          ],
        }),
      ],
    ]);
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/Debian%3A12/all.zip') {
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
        res.end(zip);
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('URL encodes the ecosystem', () => {
    assert.equal(osvZipUrl('Debian:12', 'https://h/'), 'https://h/Debian%3A12/all.zip');
    assert.equal(
      osvZipUrl('crates.io'),
      'https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip',
    );
  });

  test('downloads all.zip per ecosystem; 404 is a UserError', async () => {
    const d = mkdtempSync(join(tmpdir(), 'kw-dl-'));
    dirs.push(d);
    const [got] = await downloadOsv(['Debian:12'], base, { destDir: d });
    assert.equal(got?.bytes, zip.length);
    assert.deepEqual(readFileSync(got?.path ?? ''), zip);
    assert.ok(seen.includes('/Debian%3A12/all.zip'));
    await assert.rejects(
      downloadOsv(['NoSuchEcosystem'], base, { destDir: d }),
      (e) => e instanceof UserError && /404/.test(e.message),
    );
    await assert.rejects(downloadOsv(['Debian:12'], base, { destDir: d, maxBytes: 10 }), /limit/);
    assert.deepEqual(
      readdirSync(d).filter((f) => f.includes('.part')),
      [],
    );
  });

  test('updateOsv downloads and imports atomically', async () => {
    const db = freshDb();
    const [r] = await updateOsv(db, ['Debian:12'], { baseUrl: base });
    assert.equal(r?.source, 'osv:Debian:12');
    assert.equal(r?.records, 1);
    assert.deepEqual(ids(db, 'Debian:12', 'zlib', '1.2.12'), ['DEBIAN-TEST-1']);
    await assert.rejects(updateOsv(db, ['Debian:12', 'Nope'], { baseUrl: base }), UserError);
    assert.deepEqual(ids(db, 'Debian:12', 'zlib', '1.2.12'), ['DEBIAN-TEST-1']);
    assert.equal(existsSync(join(db.cacheDir, 'osv', 'Debian_12.zip')), false, 'zips removed after import');
    db.close();
  });
});
