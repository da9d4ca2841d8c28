// Tests of the list+watch informer against the local HTTPS stand-in API server
// (test/fixtures/k8s-api/stand-in.ts), because no real Kubernetes API server can run on this machine. The
// stand-in uses real TLS with client-certificate auth and serves real List and watch payloads; tests make
// it compact history (410 Gone), send bookmarks, cut connections and inject failures and junk.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { HAVE_OPENSSL, makePki, pkiTest, type Pki } from '../../../test/fixtures/k8s-api/pki.js';
import { StandInApiServer } from '../../../test/fixtures/k8s-api/stand-in.js';
import { backoffDelay } from './backoff.js';
import { KubeClient } from './client.js';
import { staticCredentials, type Credentials } from './credentials.js';
import {
  createInformer,
  objectKey,
  type Informer,
  type InformerChange,
  type InformerOptions,
} from './informer.js';
import { PATHS, resourcePath } from './paths.js';
import { KubeApiError, type KubeObject } from './types.js';
import { WatchLineError } from './watch-lines.js';

let pki: Pki;
let server: StandInApiServer;
const NS = PATHS.namespaces;
const VAP = PATHS.validatingAdmissionPolicies;
const cleanups: Array<() => Promise<void>> = [];
/** Informers of the running test; stopped after it so tests do not see each other's watches. */
const running: Array<Informer<KubeObject>> = [];

afterEach(async () => {
  for (const inf of running.splice(0)) await inf.stop();
  if (server) await server.waitForNoWatches(NS);
});

before(async () => {
  if (!HAVE_OPENSSL) return; // every TLS test skips (see pkiTest)
  pki = makePki();
  server = await StandInApiServer.start({ pki });
  server.seed(NS, 'namespace-list.json');
  server.seed(VAP, 'validatingadmissionpolicy-list.json');
});

after(async () => {
  if (!HAVE_OPENSSL) return;
  for (const c of cleanups.reverse()) await c();
  await server.close();
  rmSync(pki.dir, { recursive: true, force: true });
});

function client(
  creds: Credentials = { clientCertificate: { cert: pki.client.cert, key: pki.client.key } },
): KubeClient {
  const c = new KubeClient({
    server: server.url,
    ca: pki.ca,
    insecureSkipTlsVerify: false,
    credentials: staticCredentials(creds),
    namespace: 'default',
    origin: 'test',
  });
  cleanups.push(() => c.close());
  return c;
}

interface Harness {
  inf: Informer<KubeObject>;
  changes: string[];
  errors: Error[];
}

function start(opts: Partial<InformerOptions<KubeObject>> & { path: string }): Harness {
  const changes: string[] = [];
  const errors: Error[] = [];
  const inf = createInformer<KubeObject>({
    client: client(),
    backoff: { initialMs: 40, maxMs: 200 },
    onChange: (c: InformerChange<KubeObject>) => changes.push(`${c.type}:${c.object.metadata?.name}`),
    onError: (e) => errors.push(e),
    ...opts,
  });
  running.push(inf);
  return { inf, changes, errors };
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const names = (inf: Informer<KubeObject>): string[] =>
  inf
    .list()
    .map((o) => o.metadata?.name ?? '?')
    .sort();

test('backoff is exponential, jittered and capped', () => {
  const opts = { initialMs: 100, maxMs: 1000 };
  assert.equal(
    backoffDelay(0, opts, () => 0),
    50,
  );
  assert.equal(
    backoffDelay(0, opts, () => 1),
    100,
  );
  assert.equal(
    backoffDelay(2, opts, () => 1),
    400,
  );
  assert.equal(
    backoffDelay(10, opts, () => 1),
    1000,
    'capped',
  );
  assert.equal(
    backoffDelay(10_000, opts, () => 0.5),
    750,
    'huge attempt counts stay finite',
  );
  const spread = new Set(Array.from({ length: 20 }, () => backoffDelay(3, opts)));
  assert.ok(spread.size > 1, 'jitter spreads retries');
});

pkiTest('lists (paginated), syncs, then follows ADDED/MODIFIED/DELETED and bookmarks', async () => {
  const { inf, changes, errors } = start({ path: NS, pageSize: 2 });
  assert.equal(inf.hasSynced(), false);
  assert.equal(await inf.waitForSync(5000), true);
  assert.deepEqual(names(inf), ['default', 'kube-public', 'kube-system', 'legacy', 'payments']);
  assert.equal(
    inf.get(undefined, 'payments')?.metadata?.labels?.['pod-security.kubernetes.io/enforce'],
    'restricted',
  );
  assert.equal(inf.resourceVersion, server.resourceVersion);
  assert.equal(changes.length, 5, 'the initial list is reported as additions');
  changes.length = 0;

  await server.waitForWatches(NS);
  server.upsert(NS, { metadata: { name: 'team-a', labels: { env: 'dev' } } });
  server.upsert(NS, { metadata: { name: 'team-a', labels: { env: 'prod' } } });
  server.remove(NS, 'kube-public');
  await until('three changes', () => changes.length === 3);
  assert.deepEqual(changes, ['added:team-a', 'modified:team-a', 'deleted:kube-public']);
  assert.equal(inf.get(undefined, 'team-a')?.metadata?.labels?.env, 'prod');
  assert.equal(inf.get(undefined, 'kube-public'), undefined);
  assert.equal(inf.resourceVersion, server.resourceVersion);

  // A change elsewhere moves the global version; the bookmark tells this watch about it.
  server.upsert(VAP, { metadata: { name: 'unrelated' } });
  assert.notEqual(inf.resourceVersion, server.resourceVersion);
  server.bookmark(NS);
  await until('bookmark', () => inf.resourceVersion === server.resourceVersion);
  assert.equal(changes.length, 3, 'a bookmark is not a change');
  assert.deepEqual(errors, []);
  const q = server.requests.filter((r) => r.path === NS && r.query.get('watch')).at(-1)!.query;
  assert.equal(q.get('allowWatchBookmarks'), 'true');
  await inf.stop();
  assert.equal(server.watchCount(NS) <= 1, true);
  await server.waitForNoWatches(NS);
});

pkiTest('410 Gone after compaction relists and reports what changed while away', async () => {
  const { inf, changes, errors } = start({ path: NS });
  assert.equal(await inf.waitForSync(5000), true);
  await server.waitForWatches(NS);
  changes.length = 0;
  const listsBefore = server.requests.filter((r) => r.path === NS && !r.query.get('watch')).length;
  // Same tick: the informer cannot reconnect before all of this happened.
  server.dropWatches();
  server.upsert(NS, { metadata: { name: 'while-away' } });
  server.upsert(NS, { metadata: { name: 'payments', labels: { changed: 'yes' } } });
  server.remove(NS, 'legacy');
  server.compact();
  await until('relist', () => changes.length === 3);
  assert.deepEqual(changes.sort(), ['added:while-away', 'deleted:legacy', 'modified:payments']);
  assert.ok(names(inf).includes('while-away') && !names(inf).includes('legacy'));
  assert.equal(inf.get(undefined, 'payments')?.metadata?.labels?.changed, 'yes');
  const lists = server.requests.filter((r) => r.path === NS && !r.query.get('watch')).length;
  assert.equal(lists - listsBefore, 1, 'exactly one relist');
  assert.ok(
    server.requests.some((r) => r.path === NS && r.query.get('watch') && r.status === 200) &&
      errors.every((e) => !(e instanceof KubeApiError)),
    'the 410 itself is handled, not reported as a failure',
  );
  // Still watching afterwards.
  await server.waitForWatches(NS);
  server.upsert(NS, { metadata: { name: 'after-relist' } });
  await until('event after relist', () => inf.get(undefined, 'after-relist') !== undefined);
});

pkiTest(
  'a connection cut mid-event resumes from the last resourceVersion without losing or inventing events',
  async () => {
    const { inf, changes, errors } = start({ path: NS });
    assert.equal(await inf.waitForSync(5000), true);
    await server.waitForWatches(NS);
    changes.length = 0;
    const rv = inf.resourceVersion;
    server.dropWatches({ midEvent: true });
    server.upsert(NS, { metadata: { name: 'missed-while-cut' } });
    await until('replayed event', () => inf.get(undefined, 'missed-while-cut') !== undefined);
    assert.deepEqual(changes, ['added:missed-while-cut']);
    const rewatch = server.requests.filter((r) => r.path === NS && r.query.get('watch')).at(-1)!;
    assert.equal(rewatch.query.get('resourceVersion'), rv, 'resumed from the last version, no relist');
    assert.ok(errors.length >= 1, 'the cut is reported');
    assert.ok(
      errors.every((e) => !(e instanceof WatchLineError)),
      'half an event is not treated as an event',
    );
  },
);

pkiTest('malformed and oversized events are skipped and reported; the informer keeps going', async () => {
  const { inf, errors } = start({ path: NS, maxEventBytes: 2048 });
  assert.equal(await inf.waitForSync(5000), true);
  await server.waitForWatches(NS);
  server.writeRaw(NS, 'garbage\n');
  server.writeRaw(
    NS,
    `{"type":"ADDED","object":{"metadata":{"name":"big","resourceVersion":"9","pad":"${'x'.repeat(5000)}"}}}\n`,
  );
  server.writeRaw(NS, '{"type":"ADDED","object":{"metadata":{"name":"no-rv"}}}\n');
  server.writeRaw(NS, '{"type":"ERROR","object":{"kind":"Pod"}}\n');
  server.upsert(NS, { metadata: { name: 'survivor' } });
  await until('survivor', () => inf.get(undefined, 'survivor') !== undefined);
  assert.equal(errors.length, 4);
  assert.ok(errors.every((e) => e instanceof WatchLineError));
  assert.equal(inf.get(undefined, 'big'), undefined);
  assert.equal(inf.get(undefined, 'no-rv'), undefined);
  assert.equal(inf.hasSynced(), true);
});

pkiTest(
  'list failures retry with backoff until the server recovers; onChange exceptions are contained',
  async () => {
    server.failNext(VAP, 500, 503, 500);
    const t0 = Date.now();
    let thrown = 0;
    const { inf, errors } = start({
      path: VAP,
      onChange: () => {
        thrown++;
        throw new Error('consumer bug');
      },
    });
    assert.equal(await inf.waitForSync(5000), true);
    assert.ok(Date.now() - t0 >= 20 + 40 + 80 - 5, 'waited between attempts');
    const apiErrors = errors.filter((e) => e instanceof KubeApiError);
    assert.deepEqual(
      apiErrors.map((e) => (e as KubeApiError).status),
      [500, 503, 500],
    );
    assert.ok(thrown > 0 && errors.filter((e) => e.message === 'consumer bug').length === thrown);
    assert.ok(inf.list().length >= 2);
  },
);

pkiTest('unauthorized: never syncs, says why, and stops cleanly', async () => {
  const changes: string[] = [];
  const inf = createInformer({
    client: client({ authorization: 'Bearer nope' }),
    path: NS,
    backoff: { initialMs: 20, maxMs: 50 },
    onChange: (c) => changes.push(c.type),
  });
  assert.equal(await inf.waitForSync(300), false);
  assert.ok(inf.lastError instanceof KubeApiError && inf.lastError.status === 401);
  const pending = inf.waitForSync(60_000);
  await inf.stop();
  assert.equal(await pending, false, 'stop releases waiters');
  assert.equal(await inf.waitForSync(10), false);
  assert.deepEqual(changes, []);
});

pkiTest('streams that end (server timeout) are resumed; streams that end at once back off', async () => {
  const { inf } = start({ path: NS, watchTimeoutSeconds: 1 });
  assert.equal(await inf.waitForSync(5000), true);
  const watches = (): number => server.requests.filter((r) => r.path === NS && r.query.get('watch')).length;
  const w0 = watches();
  await until('rewatch after the server timeout', () => watches() > w0, 4000);
  server.upsert(NS, { metadata: { name: 'after-timeout' } });
  await until('event on the new watch', () => inf.get(undefined, 'after-timeout') !== undefined);
  await inf.stop();

  // A hostile server that accepts every watch and ends it immediately must not be hammered.
  const path = resourcePath({ group: 'example.com', version: 'v1', resource: 'slammers' });
  server.seed(path, 'namespace-list.json');
  server.hookWatch(path, (res) => res.end());
  const h = start({ path });
  assert.equal(await h.inf.waitForSync(5000), true);
  await new Promise((r) => setTimeout(r, 1000));
  const n = server.requests.filter((r) => r.path === path && r.query.get('watch')).length;
  assert.ok(n >= 3 && n <= 15, `backed off: ${n} watches in 1 s`);
  await h.inf.stop();
});

pkiTest('an unreachable API server is retried with capped backoff, not in a tight loop', async () => {
  const errors: Error[] = [];
  const base = client();
  const unreachable = new KubeClient({ ...base.connection, server: 'https://127.0.0.1:1' });
  cleanups.push(() => unreachable.close());
  const inf = createInformer({
    client: unreachable,
    path: NS,
    backoff: { initialMs: 40, maxMs: 200 },
    onError: (e) => errors.push(e),
  });
  running.push(inf);
  assert.equal(await inf.waitForSync(1000), false);
  assert.ok(errors.length >= 3 && errors.length <= 15, `${errors.length} attempts in 1 s`);
  assert.match(String((inf.lastError as Error & { code?: string }).code ?? inf.lastError), /ECONNREFUSED/);
});

pkiTest('namespaced objects are keyed namespace/name', async () => {
  assert.equal(objectKey({ metadata: { name: 'a', namespace: 'ns' } }), 'ns/a');
  assert.equal(objectKey({ metadata: { name: 'a' } }), 'a');
  assert.equal(objectKey({ metadata: {} }), undefined);
  const path = resourcePath({ version: 'v1', resource: 'configmaps' });
  server.seed(path, 'configmap-list.json');
  const { inf, changes } = start({ path });
  assert.equal(await inf.waitForSync(5000), true);
  assert.equal(inf.list().length, 3);
  assert.equal(inf.get('payments', 'kube-root-ca.crt')?.metadata?.resourceVersion, '845');
  assert.equal(inf.get('default', 'kube-root-ca.crt')?.metadata?.resourceVersion, '310');
  assert.equal(inf.get(undefined, 'kube-root-ca.crt'), undefined);
  await server.waitForWatches(path);
  changes.length = 0;
  server.remove(path, 'kube-root-ca.crt', 'payments');
  await until('delete', () => changes.length === 1);
  assert.equal(inf.get('payments', 'kube-root-ca.crt'), undefined);
  assert.ok(inf.get('default', 'kube-root-ca.crt'), 'same name in another namespace untouched');
});
