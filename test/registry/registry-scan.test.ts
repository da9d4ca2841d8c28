// Continuous registry scanning against Debian's real docker-registry (behind a counting proxy, so the tests
// see what the registry was asked for): a full pass, a second pass that pulls nothing, a moved tag, a deleted
// repository, a vulnerability database update that re-matches without any blob GET, report filters, a
// registry killed mid-pass and restarted, a scan triggered by the registry's push notifications (and a
// database update picked up by the watcher between passes), the same pass over a PostgreSQL store, and a
// watcher that survives a registry that is down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry/client.js';
import { openVulnDb, type VulnDb } from '../../src/vuln/db/store.js';
import { importOsv } from '../../src/vuln/db/import-osv.js';
import { importKev } from '../../src/vuln/db/feeds.js';
import { openStore, type Store } from '../../src/store/index.js';
import {
  createRegistryAccess,
  registrySourceFromFlag,
  type RegistrySource,
} from '../../src/registry/index.js';
import {
  PushQueue,
  RetryBook,
  registryImages,
  runPass,
  watch,
  type PassSummary,
  type ScanDeps,
} from '../../src/registry/scan/index.js';
import type { RegistryEvent } from '../../src/registry/events/index.js';
import { startNotificationReceiver } from '../../src/registry/notifications/index.js';
import { integration } from '../support/integration.js';
import { REPO_ROOT } from '../support/cli.js';
import { freePort, registryAvailable } from '../support/registry.js';
import { postgresUnavailable, startPostgres } from '../support/postgres.js';
import { pushImage, tarLayer, type BuiltImage } from '../support/oci-builder.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { startRegistryProcess, type RegistryProcess } from './registry-process.js';

const OSV = join(REPO_ROOT, 'test/fixtures/osv-debian');
const STATUS = [
  'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n',
  'Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u5\n',
  'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n',
].join('\n');

const available = registryAvailable();
const REASON = 'docker-registry not installed (apt-get install docker-registry)';
let reg: RegistryProcess | undefined;
let proxy: CountingProxy | undefined;
let work = '';
let vulnDb: VulnDb;
let store: Store;
let pusher: RegistryClient;
let base: Buffer;
const images = new Map<string, BuiltImage>();

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kubeward-regscan-'));
  // The first database knows the curl and zlib advisories; the openssl one arrives later as an "update".
  const first = join(work, 'osv-first');
  mkdirSync(first);
  for (const f of ['DEBIAN-CVE-2022-0002.json', 'DEBIAN-CVE-2024-0001.json'])
    copyFileSync(join(OSV, f), join(first, f));
  vulnDb = openVulnDb({ cacheDir: join(work, 'cache') });
  await importOsv(vulnDb, first, { name: 'osv:first' });
  await importKev(vulnDb, join(REPO_ROOT, 'test/fixtures/kev-mini.json'));
  store = await openStore(join(work, 'store.db'));
  base = await tarLayer([
    { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { path: 'var/lib/dpkg/status', content: STATUS },
  ]);
  if (!available) return;
  reg = await startRegistryProcess();
  proxy = await startCountingProxy(reg.host);
  pusher = new RegistryClient({ insecure: () => true, backoffMs: 10 });
});

after(async () => {
  await pusher?.close();
  await proxy?.close();
  await reg?.stop();
  await store?.close();
  vulnDb?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Pushes `repository:tag` = the shared Debian base layer + a small app layer of its own. */
async function push(repository: string, tag: string, app: string, appBytes = 2048): Promise<BuiltImage> {
  const layer = await tarLayer([{ path: `app/${app}.bin`, content: randomBytes(appBytes) }]);
  const img = await pushImage(
    pusher,
    { registry: reg!.host, repository },
    { layers: [{ tar: base }, { tar: layer }] },
    tag,
  );
  images.set(`${repository}:${tag}`, img);
  return img;
}

function source(opts: { concurrency?: number } = {}): RegistrySource {
  return registrySourceFromFlag(`http://${proxy!.host}`, { insecure: true, ...opts });
}

/** Deps as the CLI builds them, with a fast-failing client (the registry is local). */
function depsFor(src: RegistrySource, extra: Partial<ScanDeps> = {}): ScanDeps & { close(): Promise<void> } {
  const { client, limitsFor } = createRegistryAccess([src], {
    client: { retries: 2, backoffMs: 10, timeoutMs: 5000 },
  });
  return { store, vulnDb, client, limitsFor, ...extra, close: () => client.close() };
}

async function pass(src = source(), extra: Partial<ScanDeps> = {}): Promise<PassSummary> {
  const deps = depsFor(src, extra);
  try {
    return await runPass([src], deps);
  } finally {
    await deps.close();
  }
}

const blobsOf = (i: BuiltImage): string[] => [...i.layers.map((l) => l.descriptor.digest), digestOfConfig(i)];
function digestOfConfig(i: BuiltImage): string {
  return (JSON.parse(i.manifest.toString()) as { config: { digest: string } }).config.digest;
}

test('registry pass: full pass, then nothing pulled again, moved tag, deleted repository, DB update, report', async (t) => {
  if (!integration(t, 'registry-scan', available, REASON)) return;
  const api10 = await push('shop/api', '1.0', 'a1');
  const api11 = await push('shop/api', '1.1', 'a2');
  const web = await push('shop/web', '1.0', 'w1');

  await t.test('a full pass scans every digest, fetching each unique blob once', async () => {
    proxy!.reset();
    const s = await pass();
    assert.deepEqual(s.errors, []);
    assert.deepEqual(s.images, { scanned: 3, skipped: 0, failed: 0, deferred: 0 });
    assert.equal(s.repositories, 2);
    assert.equal(s.tags, 3);
    const gets = proxy!.blobGets().map((g) => g.digest);
    const unique = new Set([...blobsOf(api10), ...blobsOf(api11), ...blobsOf(web)]);
    assert.equal(gets.length, unique.size, 'every blob fetched exactly once (shared base layer once)');
    assert.deepEqual(new Set(gets), unique);
    const uniqueBytes = [api10, api11, web]
      .flatMap((i) => [
        ...i.layers.map((l) => [l.descriptor.digest, l.data.length] as const),
        [digestOfConfig(i), i.config.length] as const,
      ])
      .reduce((m, [d, n]) => m.set(d, n), new Map<string, number>());
    assert.equal(
      s.bytesFetched,
      [...uniqueBytes.values()].reduce((a, b) => a + b, 0),
    );
    const f = await store.findings(api10.manifestDigest);
    assert.deepEqual(
      f.map((x) => x.advisoryId),
      ['DEBIAN-CVE-2024-0001'],
    );
    assert.ok(!s.events.some((e) => e.type === 'finding.new'), 'a medium finding without KEV is no event');
  });

  await t.test('a second pass skips stored digests: no blob GET at all', async () => {
    proxy!.reset();
    const s = await pass();
    assert.deepEqual(s.images, { scanned: 0, skipped: 3, failed: 0, deferred: 0 });
    assert.equal(proxy!.blobGets().length, 0);
    assert.equal(s.bytesFetched, 0);
    assert.deepEqual(s.events, []);
  });

  await t.test('a moved tag is an event and only the new digest is pulled', async () => {
    const moved = await push('shop/api', '1.0', 'a3');
    proxy!.reset();
    const s = await pass();
    assert.deepEqual(s.images, { scanned: 1, skipped: 2, failed: 0, deferred: 0 });
    const ev = s.events.filter((e) => e.type === 'tag.moved');
    assert.equal(ev.length, 1);
    assert.deepEqual(
      { ...ev[0], at: undefined },
      {
        type: 'tag.moved',
        at: undefined,
        registry: proxy!.host,
        repository: 'shop/api',
        tag: '1.0',
        from: api10.manifestDigest,
        to: moved.manifestDigest,
      },
    );
    const gets = new Set(proxy!.blobGets().map((g) => g.digest));
    assert.deepEqual(gets, new Set(blobsOf(moved)));
    assert.ok(await store.hasImage(moved.manifestDigest));
  });

  await t.test('a deleted repository is an event, once', async () => {
    await pusher.deleteManifest({ registry: reg!.host, repository: 'shop/web' }, web.manifestDigest);
    const s = await pass();
    const ev = s.events.filter((e) => e.type === 'repository.deleted');
    assert.equal(ev.length, 1);
    assert.equal((ev[0] as Extract<RegistryEvent, { type: 'repository.deleted' }>).repository, 'shop/web');
    assert.ok((await store.repositories(proxy!.host)).find((r) => r.repository === 'shop/web')?.deletedAt);
    const again = await pass();
    assert.ok(!again.events.some((e) => e.type === 'repository.deleted'));
  });

  await t.test('a vulnerability database update re-matches stored images without any blob GET', async () => {
    await importOsv(vulnDb, join(OSV, 'DEBIAN-CVE-2023-5678.json'), { name: 'osv:update' });
    proxy!.reset();
    const s = await pass();
    assert.equal(proxy!.blobGets().length, 0, 'the registry saw no blob GET');
    assert.equal(s.bytesFetched, 0);
    assert.equal(s.rematch?.images, 4);
    const news = s.events.filter(
      (e): e is Extract<RegistryEvent, { type: 'finding.new' }> => e.type === 'finding.new',
    );
    assert.equal(news.length, 4, 'one new KEV finding per stored image');
    for (const e of news) {
      assert.equal(e.finding.id, 'DEBIAN-CVE-2023-5678');
      assert.equal(e.cause, 'rematch');
      assert.deepEqual(e.reasons, ['kev']);
      assert.equal(e.finding.fixedVersion, '3.0.13-1~deb12u1');
    }
    const tagged = news.find((e) => e.image.digest === api11.manifestDigest);
    assert.deepEqual(tagged?.image.tags, ['1.1']);
    const quiet = await pass();
    assert.equal(quiet.rematch, undefined, 'an unchanged database is not re-matched again');
  });

  await t.test('report filters: registry, repository glob, severity, KEV, fixable', async () => {
    const all = await registryImages(store);
    assert.equal(all.length, 4);
    assert.ok(
      all.every((i, k) => k === 0 || all[k - 1]!.scannedAt >= i.scannedAt),
      'newest first',
    );
    assert.equal((await registryImages(store, { registry: 'other.example:5000' })).length, 0);
    assert.equal((await registryImages(store, { registry: proxy!.host })).length, 4);
    assert.equal((await registryImages(store, { repository: 'shop/*' })).length, 4);
    assert.equal((await registryImages(store, { repository: 'shop/api' })).length, 3);
    assert.equal((await registryImages(store, { repository: '*/web' })).length, 1);
    assert.equal((await registryImages(store, { repository: 'nope/*' })).length, 0);
    for (const filter of [{ kev: true }, { fixable: true }, { minSeverity: 'high' as const }]) {
      const r = await registryImages(store, filter);
      assert.equal(r.length, 4);
      assert.deepEqual(
        new Set(r.flatMap((i) => i.findings.map((f) => f.advisoryId))),
        new Set(['DEBIAN-CVE-2023-5678']),
        JSON.stringify(filter),
      );
    }
  });
});

test('registry pass: a registry killed mid-pass is reported, the next pass completes', async (t) => {
  if (!integration(t, 'registry-scan-kill', available, REASON)) return;
  const pushed: BuiltImage[] = [];
  for (const name of ['a', 'b', 'c', 'd'])
    pushed.push(await push(`crash/${name}`, '1', `crash-${name}`, 256 * 1024));
  // One image at a time: the kill lands after the first image is stored, while the second is being pulled.
  const src = source({ concurrency: 1 });
  proxy!.reset();
  let blobGets = 0;
  proxy!.onRequest = (r) => {
    if (r.method === 'GET' && r.path.includes('/blobs/') && ++blobGets === 4) {
      proxy!.down = true;
      void reg!.kill();
    }
  };
  const events: RegistryEvent[] = [];
  const retry = new RetryBook({ baseMs: 0 });
  const s = await pass(src, { retry, onEvents: (e) => events.push(...e) });
  proxy!.onRequest = undefined;
  assert.equal(s.images.scanned, 1);
  assert.ok(s.images.failed >= 1, JSON.stringify(s.images));
  assert.equal(s.images.scanned + s.images.failed + s.images.deferred, 4);
  assert.ok(s.errors.length > 0);
  const errs = events.filter(
    (e): e is Extract<RegistryEvent, { type: 'scan.error' }> => e.type === 'scan.error',
  );
  assert.ok(errs.length > 0, 'scan.error events');
  assert.ok(
    errs.every((e) => e.attempt === 1 && e.retryAt),
    'with backoff',
  );

  const before: BuiltImage[] = [];
  for (const i of pushed) if (await store.hasImage(i.manifestDigest)) before.push(i);
  assert.equal(before.length, 1, 'one image was stored before the crash');

  await reg!.restart();
  proxy!.down = false;
  proxy!.reset();
  const next = await pass(src, { retry });
  assert.deepEqual(next.errors, []);
  assert.equal(next.images.scanned, 3, 'the rest is pulled');
  assert.equal(next.images.failed, 0);
  for (const i of pushed) assert.ok(await store.hasImage(i.manifestDigest));
  const refetched = proxy!.blobGets().filter((g) => g.digest === digestOfConfig(before[0]!));
  assert.deepEqual(refetched, [], 'the image stored before the crash is not pulled again');
  assert.equal(next.images.skipped, 1 + 2, 'stored before the crash, plus shop/api:1.0 and :1.1');
});

test('registry watch: a push notification from the registry triggers a scan of the pushed digest', async (t) => {
  if (!integration(t, 'registry-notifications', available, REASON)) return;
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const pushes = new PushQueue();
  const receiver = await startNotificationReceiver({
    listen: `127.0.0.1:${port}`,
    token,
    onPush: (p) => pushes.push(p),
  });
  const notifying = await startRegistryProcess({
    notify: { url: `http://127.0.0.1:${port}/notifications`, token },
  });
  const src = registrySourceFromFlag(`http://${notifying.host}`, { insecure: true });
  const events: RegistryEvent[] = [];
  const deps = depsFor(src, { onEvents: (e) => events.push(...e) });
  const stop = new AbortController();
  const summaries: Array<{ kind: string; s: PassSummary }> = [];
  let rematches = 0;
  let wake: (() => void) | undefined;
  const running = watch({
    sources: [src],
    deps,
    intervalMs: 3_600_000,
    dbCheckMs: 200,
    pushes,
    signal: stop.signal,
    onRematch: () => rematches++,
    onPass: (s, kind) => {
      summaries.push({ kind, s });
      wake?.();
    },
  });
  const until = async (pred: () => boolean, ms: number): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline)
        throw new Error(`timed out; summaries: ${JSON.stringify(summaries.map((x) => x.kind))}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
  };
  try {
    await until(() => summaries.length >= 1, 15_000);
    const img = await pushImage(
      pusher,
      { registry: notifying.host, repository: 'notify/app' },
      { layers: [{ tar: base }] },
      'v1',
    );
    await until(() => summaries.some((x) => x.kind === 'push' && x.s.images.scanned === 1), 20_000);
    assert.ok(await store.hasImage(img.manifestDigest), 'the pushed digest is stored');
    const tags = await store.tags({ registry: notifying.host, repository: 'notify/app' });
    assert.deepEqual(
      tags.map((x) => [x.tag, x.digest]),
      [['v1', img.manifestDigest]],
    );
    assert.ok(receiver.stats.envelopes >= 1);
    assert.equal(receiver.stats.rejected, 0);
    // Without the token nobody else can trigger scans.
    const res = await fetch(`http://127.0.0.1:${port}/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json' },
      body: '{"events":[]}',
    });
    assert.equal(res.status, 401);

    // Between passes the watcher notices a database update and re-matches, pulling nothing.
    const dir = join(work, 'osv-zlib');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'DEBIAN-CVE-2026-0100.json'),
      JSON.stringify({
        schema_version: '1.6.0',
        id: 'DEBIAN-CVE-2026-0100',
        modified: '2026-11-01T00:00:00Z',
        aliases: ['CVE-2026-0100'],
        summary: 'zlib: critical test advisory',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'zlib' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.2.13.dfsg-2' }] }],
          },
        ],
      }),
    );
    const before = deps.client.blobBytesFetched;
    await importOsv(vulnDb, dir, { name: 'osv:zlib' });
    await until(() => rematches > 0, 10_000);
    const ev = events.find(
      (e) => e.type === 'finding.new' && e.image.digest === img.manifestDigest && e.cause === 'rematch',
    );
    assert.ok(ev && ev.type === 'finding.new' && ev.finding.id === 'DEBIAN-CVE-2026-0100');
    assert.deepEqual(ev.reasons, ['critical']);
    assert.equal(deps.client.blobBytesFetched, before, 'nothing pulled');
  } finally {
    stop.abort();
    await running;
    await deps.close();
    await receiver.close();
    await notifying.stop();
  }
});

test('registry pass on PostgreSQL: full pass, nothing pulled again, a critical advisory re-matched without a pull', async (t) => {
  const pgUnavailable = postgresUnavailable();
  if (!integration(t, 'registry-postgres', available && !pgUnavailable, pgUnavailable ?? REASON)) return;
  const server = startPostgres();
  let pgStore: Store | undefined;
  try {
    pgStore = await openStore(await server.createDatabase('kw_registry_pass'));
    const src = source();
    proxy!.reset();
    const first = await pass(src, { store: pgStore });
    assert.deepEqual(first.errors, []);
    assert.ok(first.images.scanned >= 3);
    assert.equal(first.images.scanned, await pgStore.imageCount());
    const unique = new Set(proxy!.blobGets().map((g) => g.digest));
    assert.equal(proxy!.blobGets().length, unique.size, 'each blob fetched once');

    proxy!.reset();
    const second = await pass(src, { store: pgStore });
    assert.equal(second.images.scanned, 0);
    assert.equal(proxy!.blobGets().length, 0);

    // A new critical curl advisory: every stored image (all carry the Debian base) gets it, no image pulled.
    const dir = join(work, 'osv-critical');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'DEBIAN-CVE-2026-9999.json'),
      JSON.stringify({
        schema_version: '1.6.0',
        id: 'DEBIAN-CVE-2026-9999',
        modified: '2026-11-01T00:00:00Z',
        aliases: ['CVE-2026-9999'],
        summary: 'curl: critical test advisory',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'curl' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u6' }] }],
          },
        ],
      }),
    );
    await importOsv(vulnDb, dir, { name: 'osv:critical' });
    proxy!.reset();
    const third = await pass(src, { store: pgStore });
    assert.equal(proxy!.blobGets().length, 0, 'the registry saw no blob GET');
    assert.equal(third.rematch?.images, first.images.scanned);
    const news = third.events.filter(
      (e): e is Extract<RegistryEvent, { type: 'finding.new' }> => e.type === 'finding.new',
    );
    assert.equal(news.length, first.images.scanned);
    assert.ok(
      news.every(
        (e) =>
          e.finding.id === 'DEBIAN-CVE-2026-9999' && e.reasons[0] === 'critical' && e.cause === 'rematch',
      ),
    );
    const critical = await registryImages(pgStore, { minSeverity: 'critical' });
    assert.equal(critical.length, first.images.scanned);
  } finally {
    await pgStore?.close();
    server.stop();
  }
});

test('registry watch: survives a registry that is down (backoff), stops cleanly on abort', async () => {
  const port = await freePort(); // nothing listens there
  const src = registrySourceFromFlag(`http://127.0.0.1:${port}`, { insecure: true });
  const deps = depsFor(src, { retry: new RetryBook({ baseMs: 400, maxMs: 400 }) });
  const stop = new AbortController();
  const summaries: PassSummary[] = [];
  const failures: Error[] = [];
  const running = watch({
    sources: [src],
    deps,
    intervalMs: 100,
    signal: stop.signal,
    onPass: (s) => summaries.push(s),
    onError: (e) => failures.push(e),
  });
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = performance.now();
  stop.abort();
  await running;
  await deps.close();
  assert.ok(performance.now() - t0 < 2000, 'abort ends the loop promptly');
  assert.deepEqual(failures, [], 'no pass failed as a whole');
  assert.ok(summaries.length >= 5, `kept passing (${summaries.length} passes)`);
  const tried = summaries.filter((s) => s.errors.length > 0);
  const backedOff = summaries.filter((s) => s.errors.length === 0 && s.images.deferred === 1);
  assert.ok(tried.length >= 2, 'tried again after the backoff');
  assert.ok(backedOff.length >= 2, 'and skipped the registry while backing off');
  assert.match(tried[0]!.errors[0]!.message, /unreachable/);
  const ev = tried[0]!.events.find((e) => e.type === 'scan.error');
  assert.ok(ev && ev.type === 'scan.error' && ev.retryAt && ev.attempt === 1);
});
