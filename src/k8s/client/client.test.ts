// Tests of KubeClient against the local HTTPS stand-in API server (test/fixtures/k8s-api/stand-in.ts),
// because no real Kubernetes API server can run on this machine. The stand-in uses real TLS with a
// throwaway cluster CA, verifies client certificates / bearer tokens / basic auth as the API server does,
// and serves real payload shapes (Lists with continue, watch event lines, 401/403/410 Status bodies).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HAVE_OPENSSL, makePki, pkiTest, type Pki } from '../../../test/fixtures/k8s-api/pki.js';
import { StandInApiServer } from '../../../test/fixtures/k8s-api/stand-in.js';
import { KubeClient } from './client.js';
import { loadKubeConfig } from './kubeconfig.js';
import { PATHS, resourcePath } from './paths.js';
import { KubeApiError, type KubeObject } from './types.js';
import { WatchLineError, type WatchEvent } from './watch-lines.js';

let pki: Pki;
let server: StandInApiServer;
let root: string;
const clients: KubeClient[] = [];
const NS = PATHS.namespaces;
const VAP = PATHS.validatingAdmissionPolicies;
const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64');

before(async () => {
  if (!HAVE_OPENSSL) return; // every TLS test skips (see pkiTest)
  pki = makePki();
  root = mkdtempSync(join(tmpdir(), 'kubeward-client-'));
  server = await StandInApiServer.start({
    pki,
    tokens: ['good-token'],
    basic: { username: 'admin', password: 'pw' },
  });
  server.seed(NS, 'namespace-list.json');
  server.seed(VAP, 'validatingadmissionpolicy-list.json');
});

after(async () => {
  if (!HAVE_OPENSSL) return;
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(pki.dir, { recursive: true, force: true });
});

let n = 0;
/** A kubeconfig for the stand-in with the given cluster extras and user; returns a client from it. */
function clientFor(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
  opts = {},
): KubeClient {
  const d = join(root, String(n++));
  mkdirSync(d);
  const file = join(d, 'config');
  writeFileSync(
    file,
    stringify({
      clusters: [
        {
          name: 'standin',
          cluster: { server: server.url, 'certificate-authority-data': b64(pki.ca), ...cluster },
        },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'standin', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  const c = new KubeClient(loadKubeConfig({ path: file }), opts);
  clients.push(c);
  return c;
}

const certUser = (): Record<string, unknown> => ({
  'client-certificate-data': b64(pki.client.cert),
  'client-key-data': b64(pki.client.key),
});
const names = (items: KubeObject[]): string[] => items.map((i) => i.metadata?.name ?? '?');

test('resource paths for core and group resources', () => {
  assert.equal(NS, '/api/v1/namespaces');
  assert.equal(VAP, '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies');
  assert.equal(
    resourcePath({ version: 'v1', resource: 'configmaps', namespace: 'kube-system', name: 'kube-proxy' }),
    '/api/v1/namespaces/kube-system/configmaps/kube-proxy',
  );
  assert.equal(
    resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'a' }),
    '/apis/apps/v1/namespaces/a/deployments',
  );
  assert.throws(
    () => resourcePath({ version: 'v1', resource: 'pods', namespace: '../../secrets' }),
    /invalid namespace/,
  );
  assert.throws(() => resourcePath({ version: 'v1', resource: 'pods', name: 'a/b' }), /invalid name/);
});

pkiTest(
  'client certificate auth; list follows continue pages and keeps the List resourceVersion',
  async () => {
    const c = clientFor(certUser());
    const before = server.requests.length;
    const list = await c.list(NS, { limit: 2 });
    assert.equal(list.kind, 'NamespaceList');
    assert.deepEqual(names(list.items).sort(), [
      'default',
      'kube-public',
      'kube-system',
      'legacy',
      'payments',
    ]);
    assert.equal(list.resourceVersion, server.resourceVersion);
    const reqs = server.requests.slice(before);
    assert.equal(reqs.length, 3, 'five items in pages of two');
    assert.deepEqual(
      reqs.map((r) => r.auth),
      ['cert', 'cert', 'cert'],
    );
    assert.equal(reqs[0]!.query.get('continue'), null);
    assert.ok(reqs[1]!.query.get('continue'));
    const policies = await c.list(VAP, { labelSelector: 'app.kubernetes.io/managed-by=kubeward' });
    assert.deepEqual(names(policies.items), ['no-host-network']);
    assert.equal(server.requests.at(-1)!.query.get('labelSelector'), 'app.kubernetes.io/managed-by=kubeward');
    const one = (await c.get(`${NS}/payments`)) as KubeObject;
    assert.equal(one.kind, 'Namespace');
    assert.equal((one.metadata?.labels ?? {})['pod-security.kubernetes.io/enforce'], 'restricted');
  },
);

pkiTest('an expired continue token (410) restarts the list from the top', async () => {
  const c = clientFor(certUser());
  const before = server.requests.length;
  let compacted = false;
  server.onRequest = (rec) => {
    if (!compacted && rec.query.get('continue')) {
      compacted = true;
      // etcd compaction past the snapshot the token points at (the collection moved on meanwhile).
      server.upsert(NS, { metadata: { name: 'moved-on' } });
      server.compact();
    }
  };
  try {
    const list = await c.list(NS, { limit: 2 });
    assert.equal(list.items.length, 6, 'the restarted list sees the newer object');
  } finally {
    server.remove(NS, 'moved-on');
    server.onRequest = undefined;
  }
  const statuses = server.requests
    .slice(before)
    .map((r) => `${r.status}${r.query.get('continue') ? '+c' : ''}`);
  assert.deepEqual(statuses, ['200', '410+c', '200', '200+c', '200+c']);
});

pkiTest('401, 403 and 404 become KubeApiErrors carrying the Status', async () => {
  const anonymous = clientFor({});
  await assert.rejects(
    anonymous.list(NS),
    (e: unknown) =>
      e instanceof KubeApiError &&
      e.status === 401 &&
      e.reason === 'Unauthorized' &&
      /Unauthorized/.test(e.message),
  );
  const rogue = clientFor({
    'client-certificate-data': b64(pki.rogueClient.cert),
    'client-key-data': b64(pki.rogueClient.key),
  });
  await assert.rejects(
    rogue.list(NS),
    (e: unknown) => e instanceof KubeApiError && e.status === 401,
    'a cert from another CA is not a user',
  );
  const wrongToken = clientFor({ token: 'stolen' });
  await assert.rejects(
    wrongToken.get(`${NS}/default`),
    (e: unknown) => e instanceof KubeApiError && e.status === 401,
  );
  server.tokens.add('viewer');
  server.forbidden.add('viewer');
  const viewer = clientFor({ token: 'viewer' });
  await assert.rejects(
    viewer.list(NS),
    (e: unknown) =>
      e instanceof KubeApiError &&
      e.status === 403 &&
      e.reason === 'Forbidden' &&
      /cannot list resource "namespaces"/.test(e.message),
  );
  const ok = clientFor({ token: 'good-token' });
  await assert.rejects(
    ok.get(`${NS}/nope`),
    (e: unknown) => e instanceof KubeApiError && e.status === 404 && e.reason === 'NotFound',
  );
  const basic = clientFor({ username: 'admin', password: 'pw' });
  assert.equal(((await basic.get(`${NS}/default`)) as KubeObject).metadata?.name, 'default');
  assert.equal(server.requests.at(-1)!.auth, 'basic');
});

pkiTest(
  'TLS: the cluster CA is required, tls-server-name is verified, insecure-skip-tls-verify skips',
  async () => {
    const otherCa = clientFor({ token: 'good-token' }, { 'certificate-authority-data': b64(pki.otherCa) });
    await assert.rejects(
      otherCa.list(NS),
      (e: unknown) => !(e instanceof KubeApiError) && /certificate/i.test(String((e as Error).cause ?? e)),
    );
    const named = clientFor({ token: 'good-token' }, { 'tls-server-name': 'kubernetes.default.svc' });
    assert.equal((await named.list(NS)).items.length, 5);
    const wrongName = clientFor({ token: 'good-token' }, { 'tls-server-name': 'wrong.example.com' });
    await assert.rejects(wrongName.list(NS), (e: unknown) =>
      /wrong\.example\.com|altnames/i.test(String((e as Error).cause ?? e)),
    );
    const insecure = clientFor(
      { token: 'good-token' },
      { 'certificate-authority-data': null, 'insecure-skip-tls-verify': true },
    );
    assert.equal((await insecure.list(NS)).items.length, 5);
  },
);

pkiTest('a rotated token file is re-read after a 401 and the request retried once', async () => {
  const d = mkdtempSync(join(root, 'tok-'));
  writeFileSync(join(d, 'token'), 'rotating-1');
  server.tokens.add('rotating-1');
  const c = clientFor({ tokenFile: join(d, 'token') });
  await c.list(NS);
  server.tokens.delete('rotating-1');
  server.tokens.add('rotating-2');
  writeFileSync(join(d, 'token'), 'rotating-2');
  const before = server.requests.length;
  assert.equal((await c.list(NS)).items.length, 5);
  assert.deepEqual(
    server.requests.slice(before).map((r) => `${r.status}:${r.token}`),
    ['401:rotating-1', '200:rotating-2'],
  );
  // A token that stays wrong is retried once only, then reported.
  server.tokens.delete('rotating-2');
  writeFileSync(join(d, 'token'), 'revoked');
  const mark = server.requests.length;
  await assert.rejects(c.list(NS), (e: unknown) => e instanceof KubeApiError && e.status === 401);
  assert.deepEqual(
    server.requests.slice(mark).map((r) => `${r.status}:${r.token}`),
    ['401:rotating-2', '401:revoked'],
  );
});

pkiTest('exec plugin credentials: re-run when the server rejects the cached token', async () => {
  const d = mkdtempSync(join(root, 'exec-'));
  const script = join(d, 'plugin');
  writeFileSync(script, '#!/bin/sh\necho run >> "$0.runs"\ncat "$0.out"\n');
  chmodSync(script, 0o755);
  const out = (token: string): void =>
    writeFileSync(
      `${script}.out`,
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token },
      }),
    );
  const runs = (): number => readFileSync(`${script}.runs`, 'utf8').trim().split('\n').length;
  server.tokens.add('exec-1');
  out('exec-1');
  const c = clientFor({
    exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script, interactiveMode: 'Never' },
  });
  await c.list(NS);
  await c.list(NS);
  assert.equal(runs(), 1, 'no expirationTimestamp: cached until rejected');
  server.tokens.delete('exec-1');
  server.tokens.add('exec-2');
  out('exec-2');
  assert.equal((await c.list(NS)).items.length, 5);
  assert.equal(runs(), 2);
  assert.equal(server.requests.at(-1)!.token, 'exec-2');
});

/** Collects watch events until `until` returns true for the list so far. */
async function collectWatch(
  it: AsyncGenerator<WatchEvent>,
  until: (evs: WatchEvent[]) => boolean,
): Promise<WatchEvent[]> {
  const evs: WatchEvent[] = [];
  for await (const ev of it) {
    evs.push(ev);
    if (until(evs)) break;
  }
  return evs;
}

pkiTest(
  'watch from a list resourceVersion: changes, bookmarks and the query the API server expects',
  async () => {
    const c = clientFor(certUser());
    const list = await c.list(NS);
    const it = c.watch(NS, list.resourceVersion, { timeoutSeconds: 60 });
    const got = collectWatch(it, (evs) => evs.length === 4);
    await server.waitForWatches(NS);
    const q = server.requests.at(-1)!.query;
    assert.equal(q.get('watch'), '1');
    assert.equal(q.get('resourceVersion'), list.resourceVersion);
    assert.equal(q.get('allowWatchBookmarks'), 'true');
    assert.equal(q.get('timeoutSeconds'), '60');
    server.upsert(NS, {
      metadata: { name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
    });
    server.upsert(NS, {
      metadata: { name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
    server.bookmark(NS);
    server.remove(NS, 'team-a');
    const evs = await got;
    assert.deepEqual(
      evs.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'BOOKMARK', 'DELETED'],
    );
    const mod = evs[1]!;
    assert.ok(mod.type === 'MODIFIED');
    assert.equal(mod.object.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    const bm = evs[2]!;
    assert.ok(bm.type === 'BOOKMARK' && bm.resourceVersion === mod.object.metadata?.resourceVersion);
    // Leaving the loop closed the stream.
    await server.waitForNoWatches(NS);
    // A compacted resourceVersion yields a 410 ERROR event (the informer relists on it).
    server.compact();
    const gone = await collectWatch(c.watch(NS, list.resourceVersion), () => false);
    assert.equal(gone.length, 1);
    assert.ok(
      gone[0]!.type === 'ERROR' && gone[0]!.status.code === 410 && gone[0]!.status.reason === 'Expired',
    );
  },
);

pkiTest(
  'hostile watch streams: oversized and malformed lines are skipped or refused, cut streams throw',
  async () => {
    const c = clientFor(certUser());
    const skipped: WatchLineError[] = [];
    const ac = new AbortController();
    const got = collectWatch(
      c.watch(NS, server.resourceVersion, {
        maxEventBytes: 4096,
        onMalformed: (e) => skipped.push(e),
        signal: ac.signal,
      }),
      (evs) => evs.length === 2,
    );
    await server.waitForWatches(NS);
    server.upsert(NS, { metadata: { name: 'before-junk' } });
    server.writeRaw(
      NS,
      `{"type":"ADDED","object":{"metadata":{"name":"huge","resourceVersion":"1","x":"${'A'.repeat(10_000)}"}}}\n`,
    );
    server.writeRaw(NS, 'this is not json\n');
    server.writeRaw(NS, '{"type":"ADDED","object":{"metadata":{"resourceVersion":"5"}}}\n');
    server.writeRaw(NS, '\r\n   \n');
    server.upsert(NS, { metadata: { name: 'after-junk' } });
    const evs = await got;
    assert.deepEqual(
      evs.map((e) => (e.type === 'ADDED' ? e.object.metadata?.name : e.type)),
      ['before-junk', 'after-junk'],
    );
    assert.equal(skipped.length, 3);
    assert.match(skipped[0]!.message, /larger than 4096 bytes/);
    assert.ok(skipped[0]!.bytes > 10_000);
    assert.match(skipped[1]!.message, /not JSON/);
    assert.match(skipped[2]!.message, /no metadata\.name/);

    // Without onMalformed the first bad line ends the watch with the error.
    await server.waitForNoWatches(NS);
    const strict = collectWatch(c.watch(NS, server.resourceVersion), () => false);
    await server.waitForWatches(NS);
    server.writeRaw(NS, '{"type":\n');
    await assert.rejects(strict, WatchLineError);

    // A connection cut in the middle of an event is an error, never half an event.
    await server.waitForNoWatches(NS);
    const cut = collectWatch(c.watch(NS, server.resourceVersion), () => false);
    await server.waitForWatches(NS);
    server.dropWatches({ midEvent: true });
    await assert.rejects(cut);
  },
);

pkiTest('an endless line never grows memory past the limit and the watch stops on abort', async () => {
  const path = resourcePath({ group: 'example.com', version: 'v1', resource: 'endless' });
  server.seed(path, 'namespace-list.json');
  let sent = 0;
  server.hookWatch(path, (res) => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const timer = setInterval(() => {
      res.write(chunk);
      sent += chunk.length;
    }, 1);
    res.on('close', () => clearInterval(timer));
  });
  const c = clientFor(certUser());
  const ac = new AbortController();
  const skipped: WatchLineError[] = [];
  const evs = collectWatch(
    c.watch(path, '1', { maxEventBytes: 256 * 1024, signal: ac.signal, onMalformed: (e) => skipped.push(e) }),
    () => false,
  );
  while (sent < 2 * 1024 * 1024) await new Promise((r) => setTimeout(r, 10));
  const heapBefore = process.memoryUsage().heapUsed;
  while (sent < 6 * 1024 * 1024) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  assert.deepEqual(await evs, [], 'abort ends the watch quietly');
  // Bytes were discarded as they came: the heap did not grow by the 4 MiB streamed in between.
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 3 * 1024 * 1024);
  assert.equal(skipped.length, 0, 'the line never ended, so nothing was reported yet');
});

pkiTest(
  'responses larger than maxResponseBytes, and lists larger than maxListBytes, are refused',
  async () => {
    // Three ~2 KB objects: each page of one fits easily, all pages together exceed the 5000-byte list bound.
    const path = resourcePath({ version: 'v1', resource: 'configmaps' });
    server.seed(path, 'configmap-list.json');
    for (const name of ['k8s-api', 'kube-root-ca.crt', 'kube-proxy']) {
      server.upsert(path, { metadata: { name, namespace: 'big' }, data: { pad: 'x'.repeat(2000) } });
    }
    const paged = clientFor(certUser(), {}, { maxListBytes: 5000 });
    assert.equal(
      ((await paged.get(`/api/v1/namespaces/big/configmaps/k8s-api`)) as KubeObject).metadata?.name,
      'k8s-api',
    );
    await assert.rejects(
      paged.list(path, { limit: 1 }),
      (e: unknown) => e instanceof KubeApiError && /list larger than 5000 bytes/.test(e.message),
    );
    const oneNs = await clientFor(certUser()).list(
      resourcePath({ version: 'v1', resource: 'configmaps', namespace: 'kube-system' }),
    );
    assert.deepEqual(names(oneNs.items), ['kube-proxy']);
    const c = clientFor(certUser(), {}, { maxResponseBytes: 1000 });
    await assert.rejects(
      c.list(NS),
      (e: unknown) => e instanceof KubeApiError && /larger than 1000 bytes/.test(e.message),
    );
  },
);

pkiTest('a server that ignores timeoutSeconds cannot hold a watch open forever', async () => {
  const path = resourcePath({ group: 'example.com', version: 'v1', resource: 'chatty' });
  server.seed(path, 'namespace-list.json');
  server.hookWatch(path, (res) => {
    // Valid bookmarks forever, never ending the stream.
    const line =
      JSON.stringify({
        type: 'BOOKMARK',
        object: { kind: 'Namespace', apiVersion: 'v1', metadata: { resourceVersion: '1' } },
      }) + '\n';
    const timer = setInterval(() => res.write(line), 5);
    res.on('close', () => clearInterval(timer));
  });
  const c = clientFor(certUser(), {}, { watchGraceMs: 300 });
  const t0 = Date.now();
  const evs = await collectWatch(c.watch(path, '1', { timeoutSeconds: 1 }), () => false);
  const took = Date.now() - t0;
  assert.ok(evs.length > 10 && evs.every((e) => e.type === 'BOOKMARK'));
  assert.ok(took >= 1200 && took < 3000, `ended by the client-side deadline after ${took} ms`);
});

pkiTest('an unreachable server is an error, not a hang', async () => {
  const c = new KubeClient({
    ...clientFor({ token: 'good-token' }).connection,
    server: 'https://127.0.0.1:1',
  });
  clients.push(c);
  await assert.rejects(
    c.list(NS),
    (e: unknown) =>
      !(e instanceof KubeApiError) &&
      /ECONNREFUSED/.test(String((e as Error & { code?: string }).code ?? (e as Error).cause ?? e)),
  );
});
