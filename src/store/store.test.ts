import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { UserError } from '../core/errors.js';
import { integration } from '../../test/support/integration.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../../test/support/postgres.js';
import { openStore, parseStoreUrl } from './open.js';
import { migrationNames } from './migrations.js';
import type { Store, StoredFinding, StoredPackage, VulnDbStamp } from './types.js';

const repo = { registry: 'registry.example:5000', repository: 'acme/api' };
const T = (s: string): Date => new Date(`2026-01-0${s}T00:00:00.000Z`);
const stamp: VulnDbStamp = { importedAt: '2026-01-01T00:00:00.000Z', version: 'osv:test' };

const pkgs: StoredPackage[] = [
  {
    type: 'deb',
    name: 'libssl3',
    version: '3.0.11-1~deb12u2',
    ecosystem: 'Debian:12',
    purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12',
    source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
    layerDigest: 'sha256:aaaa',
  },
  { type: 'pypi', name: 'requests', version: '2.19.0', ecosystem: 'PyPI', purl: 'pkg:pypi/requests@2.19.0' },
];

function finding(over: Partial<StoredFinding> = {}): StoredFinding {
  return {
    advisoryId: 'CVE-2023-5678',
    packageName: 'libssl3',
    packageVersion: '3.0.11-1~deb12u2',
    ecosystem: 'Debian:12',
    purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2',
    severity: 'medium',
    kev: false,
    fixable: false,
    ...over,
  };
}

/** How a suite gets a fresh, empty store location (a new file or a new database). */
type Fresh = () => Promise<string>;

/** The contract every backend meets; run below against SQLite and PostgreSQL. */
function contract(fresh: Fresh, ready: (t: TestContext) => boolean): void {
  const withStore = async (t: TestContext, fn: (s: Store, url: string) => Promise<void>): Promise<void> => {
    if (!ready(t)) return;
    const url = await fresh();
    const s = await openStore(url);
    try {
      await fn(s, url);
    } finally {
      await s.close();
    }
  };

  test('migrations are idempotent: reopening (also concurrently) keeps the data and migrates nothing', async (t) => {
    await withStore(t, async (s, url) => {
      await s.setState('k', 'v');
      const [a, b] = await Promise.all([openStore(url), openStore(url)]);
      assert.equal(await a.getState('k'), 'v');
      assert.equal(await b.getState('k'), 'v');
      await a.close();
      await b.close();
      const c = await openStore(url);
      assert.equal(await c.getState('k'), 'v');
      await c.close();
      assert.ok(migrationNames().length >= 1);
    });
  });

  test('upsertTags reports new, moved and removed tags and keeps first/last seen', async (t) => {
    await withStore(t, async (s) => {
      const c1 = await s.upsertTags(
        repo,
        [
          { tag: 'v1', digest: 'sha256:1' },
          { tag: 'latest', digest: 'sha256:1' },
          { tag: 'old', digest: 'sha256:0' },
        ],
        T('1'),
      );
      assert.equal(c1.added.length, 3);
      assert.deepEqual([c1.moved, c1.removed, c1.unchanged], [[], [], 0]);
      const c2 = await s.upsertTags(
        repo,
        [
          { tag: 'v1', digest: 'sha256:1' },
          { tag: 'latest', digest: 'sha256:2' },
          { tag: 'v2', digest: 'sha256:2' },
        ],
        T('2'),
      );
      assert.deepEqual(c2.added, [{ tag: 'v2', digest: 'sha256:2' }]);
      assert.deepEqual(c2.moved, [{ tag: 'latest', from: 'sha256:1', to: 'sha256:2' }]);
      assert.deepEqual(c2.removed, [{ tag: 'old', digest: 'sha256:0' }]);
      assert.equal(c2.unchanged, 1);
      const tags = await s.tags(repo);
      assert.deepEqual(
        tags.map((x) => [x.tag, x.digest]),
        [
          ['latest', 'sha256:2'],
          ['v1', 'sha256:1'],
          ['v2', 'sha256:2'],
        ],
      );
      const v1 = tags.find((x) => x.tag === 'v1');
      assert.equal(v1?.firstSeen, T('1').toISOString());
      assert.equal(v1?.lastSeen, T('2').toISOString());
      const all = await s.tags(repo, { includeRemoved: true });
      assert.equal(all.find((x) => x.tag === 'old')?.removed, true);
      // A partial listing removes nothing; a removed tag coming back is "added" again.
      const c3 = await s.upsertTags(repo, [{ tag: 'old', digest: 'sha256:0' }], T('3'), { complete: false });
      assert.deepEqual(c3.added, [{ tag: 'old', digest: 'sha256:0' }]);
      assert.equal(c3.removed.length, 0);
      assert.equal((await s.tags(repo)).length, 4);
      await assert.rejects(s.upsertTags(repo, [{ tag: '', digest: 'x' }]), UserError);
      await assert.rejects(s.upsertTags({ registry: '', repository: 'x' }, []), UserError);
    });
  });

  test('markRepositoryDeleted removes the tags; a new listing brings the repository back', async (t) => {
    await withStore(t, async (s) => {
      await s.upsertTags(repo, [{ tag: 'v1', digest: 'sha256:1' }], T('1'));
      await s.upsertTags(
        { registry: repo.registry, repository: 'other' },
        [{ tag: 'x', digest: 'sha256:9' }],
        T('1'),
      );
      await s.markRepositoryDeleted(repo, T('2'));
      const repos = await s.repositories(repo.registry);
      assert.deepEqual(
        repos.map((r) => [r.repository, r.deletedAt]),
        [
          ['acme/api', T('2').toISOString()],
          ['other', undefined],
        ],
      );
      assert.deepEqual(await s.tags(repo), []);
      await s.markRepositoryDeleted({ registry: 'nowhere', repository: 'none' });
      const back = await s.upsertTags(repo, [{ tag: 'v1', digest: 'sha256:1' }], T('3'));
      assert.deepEqual(back.added, [{ tag: 'v1', digest: 'sha256:1' }]);
      assert.equal((await s.repositories()).find((r) => r.repository === 'acme/api')?.deletedAt, undefined);
    });
  });

  test('images: save, has, missing, get, count, replace and load in batches', async (t) => {
    await withStore(t, async (s) => {
      assert.equal(await s.hasImage('sha256:a'), false);
      await s.saveImage('sha256:a', {
        repo,
        os: { name: 'debian', version: '12' },
        configDigest: 'sha256:cfg',
        platform: 'linux/amd64',
        layers: ['sha256:aaaa', 'sha256:bbbb'],
        packages: [...pkgs, { ...pkgs[1]!, locations: ['/x'], licenses: ['MIT'] } as StoredPackage],
        scannedAt: T('1'),
      });
      assert.equal(await s.hasImage('sha256:a'), true);
      const img = await s.getImage('sha256:a');
      assert.deepEqual(img, {
        digest: 'sha256:a',
        registry: repo.registry,
        repository: repo.repository,
        os: { name: 'debian', version: '12' },
        configDigest: 'sha256:cfg',
        platform: 'linux/amd64',
        layers: ['sha256:aaaa', 'sha256:bbbb'],
        // Locations and licences are not kept: only what matching needs.
        packages: [pkgs[0], pkgs[1], pkgs[1]],
        scannedAt: T('1').toISOString(),
      });
      assert.equal(await s.getImage('sha256:none'), undefined);
      for (const d of ['sha256:e', 'sha256:b', 'sha256:d', 'sha256:c'])
        await s.saveImage(d, { repo, packages: [pkgs[1]!], scannedAt: T('2') });
      // Saving again replaces the inventory.
      await s.saveImage('sha256:a', { repo, packages: [pkgs[0]!], scannedAt: T('3') });
      assert.deepEqual((await s.getImage('sha256:a'))?.packages, [pkgs[0]]);
      assert.equal(await s.imageCount(), 5);
      assert.deepEqual(await s.missingImages(['sha256:z', 'sha256:a', 'sha256:y', 'sha256:z', 'sha256:e']), [
        'sha256:z',
        'sha256:y',
      ]);
      const batches: string[][] = [];
      for await (const b of s.loadInventories({ batchSize: 2 })) batches.push(b.map((x) => x.digest));
      assert.deepEqual(batches, [['sha256:a', 'sha256:b'], ['sha256:c', 'sha256:d'], ['sha256:e']]);
      const picked: string[] = [];
      for await (const b of s.loadInventories({ digests: ['sha256:d', 'sha256:q', 'sha256:b'] }))
        picked.push(...b.map((x) => x.digest));
      assert.deepEqual(picked, ['sha256:b', 'sha256:d']);
      await assert.rejects(s.saveImage('', { repo, packages: [] }), UserError);
    });
  });

  test('replaceFindings diffs on the finding key and records appeared, fixed and disappeared events', async (t) => {
    await withStore(t, async (s) => {
      await s.saveImage('sha256:a', { repo, packages: pkgs });
      const other = finding({
        advisoryId: 'GHSA-x',
        packageName: 'requests',
        packageVersion: '2.19.0',
        ecosystem: 'PyPI',
        severity: 'high',
      });
      const d1 = await s.replaceFindings('sha256:a', [finding(), other], stamp, T('1'));
      assert.deepEqual(
        d1.appeared.map((f) => f.advisoryId),
        ['CVE-2023-5678', 'GHSA-x'],
      );
      assert.deepEqual([d1.disappeared, d1.fixed], [[], []]);
      // The same findings again: no change, no event.
      const d2 = await s.replaceFindings('sha256:a', [other, finding()], stamp, T('2'));
      assert.deepEqual(d2, { appeared: [], disappeared: [], fixed: [] });
      // A fix is published for one; the other is no longer matched.
      const fixedNow = finding({ fixable: true, fixedVersion: '3.0.13-1~deb12u1', kev: true, epss: 0.125 });
      const d3 = await s.replaceFindings(
        'sha256:a',
        [fixedNow],
        { importedAt: '2026-01-03T00:00:00.000Z' },
        T('3'),
      );
      assert.deepEqual(d3.fixed, [fixedNow]);
      assert.deepEqual(
        d3.disappeared.map((f) => f.advisoryId),
        ['GHSA-x'],
      );
      assert.deepEqual(await s.findings('sha256:a'), [fixedNow]);
      const ev = await s.events();
      assert.deepEqual(
        ev.map((e) => [e.kind, e.advisoryId, e.at]),
        [
          ['appeared', 'CVE-2023-5678', T('1').toISOString()],
          ['appeared', 'GHSA-x', T('1').toISOString()],
          ['fixed', 'CVE-2023-5678', T('3').toISOString()],
          ['disappeared', 'GHSA-x', T('3').toISOString()],
        ],
      );
      assert.equal(ev[0]?.dbVersion, 'osv:test');
      assert.equal(ev[3]?.dbImportedAt, '2026-01-03T00:00:00.000Z');
      assert.equal(ev[3]?.dbVersion, undefined);
      assert.ok(ev.every((e, i) => i === 0 || e.id > (ev[i - 1]?.id ?? 0)));
      assert.deepEqual(
        (await s.events({ afterId: ev[1]!.id })).map((e) => e.kind),
        ['fixed', 'disappeared'],
      );
      assert.equal((await s.events({ since: T('2') })).length, 2);
      assert.equal((await s.events({ limit: 1 })).length, 1);
      assert.equal((await s.events({ imageDigest: 'sha256:none' })).length, 0);
      await assert.rejects(
        s.replaceFindings('sha256:unknown', [finding()], stamp),
        /no image sha256:unknown/,
      );
      // A failed batch writes nothing.
      await s.saveImage('sha256:b', { repo, packages: pkgs });
      await assert.rejects(
        s.replaceFindingsMany(
          [
            { digest: 'sha256:b', findings: [finding()] },
            { digest: 'sha256:missing', findings: [] },
          ],
          stamp,
        ),
      );
      assert.deepEqual(await s.findings('sha256:b'), []);
      assert.equal((await s.events()).length, 4);
    });
  });

  test('report filters by severity, KEV, fixability and repository, newest scan first, with tags', async (t) => {
    await withStore(t, async (s) => {
      await s.upsertTags(
        repo,
        [
          { tag: 'v1', digest: 'sha256:old' },
          { tag: 'v2', digest: 'sha256:new' },
        ],
        T('1'),
      );
      await s.upsertTags(
        { registry: repo.registry, repository: 'mirror' },
        [{ tag: 'm', digest: 'sha256:new' }],
        T('1'),
      );
      await s.saveImage('sha256:old', { repo, packages: pkgs, scannedAt: T('1') });
      await s.saveImage('sha256:new', { repo, packages: pkgs, scannedAt: T('2') });
      await s.saveImage('sha256:clean', { repo, packages: pkgs, scannedAt: T('3') });
      await s.saveImage('sha256:elsewhere', {
        repo: { registry: 'ghcr.io', repository: 'x/y' },
        packages: pkgs,
        scannedAt: T('4'),
      });
      await s.replaceFindings(
        'sha256:old',
        [finding({ severity: 'low' }), finding({ advisoryId: 'CVE-2', severity: 'critical', kev: true })],
        stamp,
      );
      await s.replaceFindings(
        'sha256:new',
        [finding({ severity: 'high', fixable: true, fixedVersion: '9' })],
        stamp,
      );
      await s.replaceFindings('sha256:elsewhere', [finding({ severity: 'medium' })], stamp);
      const all = await s.report();
      assert.deepEqual(
        all.map((r) => r.digest),
        ['sha256:elsewhere', 'sha256:new', 'sha256:old'],
      );
      assert.deepEqual(all[1]?.tags, [
        { registry: repo.registry, repository: 'acme/api', tag: 'v2' },
        { registry: repo.registry, repository: 'mirror', tag: 'm' },
      ]);
      assert.deepEqual(
        all[2]?.findings.map((f) => f.severity),
        ['critical', 'low'],
      );
      assert.ok(all[0]?.matchedAt);
      assert.deepEqual(
        (await s.report({ minSeverity: 'high' })).map((r) => [r.digest, r.findings.length]),
        [
          ['sha256:new', 1],
          ['sha256:old', 1],
        ],
      );
      assert.deepEqual(
        (await s.report({ kev: true })).map((r) => r.findings[0]?.advisoryId),
        ['CVE-2'],
      );
      assert.deepEqual(
        (await s.report({ fixable: true })).map((r) => r.digest),
        ['sha256:new'],
      );
      assert.deepEqual(
        (await s.report({ registry: 'ghcr.io' })).map((r) => r.digest),
        ['sha256:elsewhere'],
      );
      // An image counts for a repository it is tagged in, not only the one it was first seen in.
      assert.deepEqual(
        (await s.report({ registry: repo.registry, repository: 'mirror' })).map((r) => r.digest),
        ['sha256:new'],
      );
      assert.deepEqual(
        (await s.report({ limit: 1 })).map((r) => r.digest),
        ['sha256:elsewhere'],
      );
      assert.deepEqual(await s.report({ minSeverity: 'critical', fixable: true }), []);
    });
  });

  test('scan state is a key/value map that overwrites', async (t) => {
    await withStore(t, async (s) => {
      assert.equal(await s.getState('registry:x:lastPass'), undefined);
      await s.setState('registry:x:lastPass', 'a');
      await s.setState('registry:x:lastPass', 'b');
      assert.equal(await s.getState('registry:x:lastPass'), 'b');
    });
  });

  test('hostile values round-trip: huge strings, odd unicode, SQL metacharacters, big inventories', async (t) => {
    await withStore(t, async (s) => {
      const odd = '𝔘𝔫𝔦😀\u202e\u0301\'";--DROP TABLE images;\\n\n\t%_\\';
      const huge = 'x'.repeat(1 << 20) + odd;
      const r = { registry: `reg-${odd}`, repository: `repo/${odd}` };
      const c = await s.upsertTags(r, [{ tag: `t-${odd}`, digest: `sha256:${odd}` }], T('1'));
      assert.deepEqual(c.added, [{ tag: `t-${odd}`, digest: `sha256:${odd}` }]);
      assert.deepEqual(
        (await s.tags(r)).map((x) => [x.tag, x.digest]),
        [[`t-${odd}`, `sha256:${odd}`]],
      );
      const big: StoredPackage[] = Array.from({ length: 20000 }, (_, i) => ({
        type: 'npm',
        name: i === 0 ? huge : `p${i}-${odd}\u0000`,
        version: `${i}.0.0`,
        ecosystem: 'npm',
        purl: `pkg:npm/p${i}@${i}.0.0`,
        layerDigest: `sha256:${i % 7}`,
      }));
      await s.saveImage(`sha256:${odd}`, {
        repo: r,
        os: { name: odd, version: odd },
        layers: [odd],
        packages: big,
      });
      const back = await s.getImage(`sha256:${odd}`);
      assert.deepEqual(back?.packages, big);
      assert.deepEqual(back?.os, { name: odd, version: odd });
      const f = finding({ advisoryId: `CVE-${odd}`, packageName: odd, title: huge, purl: odd });
      await s.replaceFindings(`sha256:${odd}`, [f], stamp);
      assert.deepEqual(await s.findings(`sha256:${odd}`), [f]);
      assert.equal(
        (await s.report({ registry: r.registry, repository: r.repository }))[0]?.findings[0]?.title,
        huge,
      );
      await s.setState(odd, huge);
      assert.equal(await s.getState(odd), huge);
      // NUL: refused in names (PostgreSQL text cannot hold it), replaced in finding text — alike on both.
      await assert.rejects(s.upsertTags(r, [{ tag: 'a\0b', digest: 'sha256:1' }]), UserError);
      await assert.rejects(s.saveImage('sha256:\0', { repo: r, packages: [] }), UserError);
      await assert.rejects(s.setState('k', 'a\0'), UserError);
      assert.equal(await s.hasImage('sha256:\0'), false);
      assert.equal(await s.getImage('sha256:\0'), undefined);
      assert.deepEqual(await s.missingImages(['sha256:\0']), ['sha256:\0']);
      assert.equal(await s.getState('k\0'), undefined);
      const nul = finding({ packageName: 'evil\0pkg', title: 't\0' });
      const d1 = await s.replaceFindings(`sha256:${odd}`, [nul], stamp);
      assert.equal(d1.appeared[0]?.packageName, 'evil\uFFFDpkg');
      assert.deepEqual(await s.findings(`sha256:${odd}`), [
        { ...nul, packageName: 'evil\uFFFDpkg', title: 't\uFFFD' },
      ]);
      const d2 = await s.replaceFindings(`sha256:${odd}`, [{ ...nul }], stamp);
      assert.deepEqual(d2, { appeared: [], disappeared: [], fixed: [] });
    });
  });

  test('concurrent writers: two stores on one database interleave without lost updates or duplicate events', async (t) => {
    await withStore(t, async (s, url) => {
      const s2 = await openStore(url);
      try {
        await s.saveImage('sha256:shared', { repo, packages: pkgs });
        const findings = Array.from({ length: 50 }, (_, i) => finding({ advisoryId: `CVE-2026-${i}` }));
        const work: Promise<unknown>[] = [];
        for (let i = 0; i < 20; i++) {
          const st = i % 2 ? s : s2;
          work.push(
            st.upsertTags(
              { registry: repo.registry, repository: `r${i % 4}` },
              [{ tag: `t${i}`, digest: `sha256:${i}` }],
              T('1'),
              { complete: false },
            ),
          );
          work.push(st.saveImage(`sha256:img${i}`, { repo, packages: pkgs }));
          work.push(st.replaceFindings('sha256:shared', findings, stamp));
          work.push(st.setState(`k${i % 3}`, String(i)));
        }
        await Promise.all(work);
        // Every concurrent replace of the same findings after the first is a no-op: 50 events, not 1000.
        assert.equal((await s.events({ limit: 5000 })).length, 50);
        assert.equal((await s2.findings('sha256:shared')).length, 50);
        assert.equal(await s.imageCount(), 21);
        let tags = 0;
        for (let r = 0; r < 4; r++)
          tags += (await s2.tags({ registry: repo.registry, repository: `r${r}` })).length;
        assert.equal(tags, 20);
      } finally {
        await s2.close();
      }
    });
  });
}

describe('store on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-store-'));
  let n = 0;
  after(() => rmSync(dir, { recursive: true, force: true }));
  contract(
    async () => join(dir, `s${++n}`, 'store.db'),
    () => true,
  );

  test('URLs: paths, sqlite:PATH, postgres://; other schemes and empty names are UserErrors', () => {
    assert.deepEqual(parseStoreUrl('/var/lib/kw.db'), { kind: 'sqlite', path: '/var/lib/kw.db' });
    assert.deepEqual(parseStoreUrl('sqlite:/tmp/a.db'), { kind: 'sqlite', path: '/tmp/a.db' });
    assert.deepEqual(parseStoreUrl('sqlite:///tmp/a.db'), { kind: 'sqlite', path: '/tmp/a.db' });
    assert.deepEqual(parseStoreUrl('sqlite::memory:'), { kind: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseStoreUrl(undefined, { XDG_CACHE_HOME: '/c' }), {
      kind: 'sqlite',
      path: '/c/kubeward/store.db',
    });
    assert.deepEqual(parseStoreUrl('postgresql://u:p@db:5432/kw'), {
      kind: 'postgres',
      url: 'postgresql://u:p@db:5432/kw',
    });
    for (const bad of [
      'mysql://db/kw',
      'http://x',
      'sqlite:',
      'postgres://',
      'postgres://u:secret@/kw',
      'a\0b',
    ])
      assert.throws(
        () => parseStoreUrl(bad),
        (e: unknown) => e instanceof UserError && !e.message.includes('secret'),
        bad,
      );
  });

  test('a file that is not a database, or a directory, is a UserError', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not sqlite '.repeat(100));
    await assert.rejects(
      openStore(junk),
      (e: unknown) => e instanceof UserError && /junk\.db/.test(e.message),
    );
    await assert.rejects(openStore(dir), UserError);
  });

  test('two processes writing one SQLite file concurrently both succeed, nothing lost or doubled', async () => {
    const path = join(dir, 'multi', 'store.db');
    const open = fileURLToPath(new URL('./open.ts', import.meta.url));
    // Each process saves N images and re-writes the findings of a shared image N times; N is large enough
    // for the two runs to overlap after their start-up.
    const N = 80;
    const child = (id: number): Promise<number | null> =>
      new Promise((done) => {
        const code = `
          const { openStore } = await import(${JSON.stringify(open)});
          const s = await openStore(${JSON.stringify(path)});
          const repo = { registry: 'r', repository: 'p${id}' };
          for (let i = 0; i < ${N}; i++) {
            await s.saveImage('sha256:p${id}-' + i, { repo, packages: [] });
            await s.upsertTags(repo, [{ tag: 't' + i, digest: 'sha256:p${id}-' + i }], new Date(), { complete: false });
            await s.saveImage('sha256:shared', { repo, packages: [] });
            const findings = Array.from({ length: 20 }, (_, k) => ({ advisoryId: 'CVE-' + k, packageName: 'p', packageVersion: '1',
              ecosystem: 'npm', purl: 'pkg:npm/p@1', severity: 'high', kev: false, fixable: false }));
            await s.replaceFindings('sha256:shared', findings, { importedAt: '' });
          }
          await s.close();`;
        const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
          stdio: 'inherit',
        });
        p.on('exit', (status) => done(status));
      });
    assert.deepEqual(await Promise.all([child(1), child(2)]), [0, 0]);
    const s = await openStore(path);
    try {
      assert.equal(await s.imageCount(), 2 * N + 1);
      assert.equal((await s.tags({ registry: 'r', repository: 'p1' })).length, N);
      assert.equal((await s.tags({ registry: 'r', repository: 'p2' })).length, N);
      assert.equal((await s.events({ imageDigest: 'sha256:shared' })).length, 20);
    } finally {
      await s.close();
    }
  });

  test('a store migrated by a newer kubeward is refused with a UserError', async () => {
    const path = join(dir, 'newer', 'store.db');
    await (await openStore(path)).close();
    const raw = new Database(path);
    raw
      .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
      .run('9999_future', new Date().toISOString());
    raw.close();
    await assert.rejects(openStore(path), (e: unknown) => e instanceof UserError && /newer/.test(e.message));
  });

  test('the SQLite file is in WAL mode and holds the schema', async () => {
    const path = join(dir, 'wal', 'store.db');
    const s = await openStore(`sqlite:${path}`);
    await s.close();
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    const names = (
      raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    raw.close();
    for (const tbl of [
      'registries',
      'repositories',
      'tags',
      'images',
      'findings',
      'finding_events',
      'scan_state',
    ])
      assert.ok(names.includes(tbl), tbl);
  });
});

describe('store on PostgreSQL (integration suite store-postgres)', () => {
  const unavailable = postgresUnavailable();
  let server: PostgresServer | undefined;
  let startError: string | undefined;
  let n = 0;
  before(() => {
    if (unavailable) return;
    try {
      server = startPostgres();
    } catch (e) {
      startError = (e as Error).message.split('\n')[0];
    }
  });
  after(() => server?.stop());
  contract(
    async () => (server as PostgresServer).createDatabase(`kw_${++n}`),
    (t) =>
      integration(
        t,
        'store-postgres',
        server !== undefined,
        unavailable ?? startError ?? 'server did not start',
      ),
  );

  test('an unreachable server is a UserError without the password', async (t) => {
    if (
      !integration(
        t,
        'store-postgres',
        server !== undefined,
        unavailable ?? startError ?? 'server did not start',
      )
    )
      return;
    const url = `postgres://kw:secret@localhost/none?host=${encodeURIComponent((server as PostgresServer).socketDir)}&port=1`;
    await assert.rejects(
      openStore(url),
      (e: unknown) => e instanceof UserError && !e.message.includes('secret'),
    );
  });
});
