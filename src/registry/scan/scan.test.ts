import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerAnalysis } from '../../image/layers/analyze-layer.js';
import type { StoredFinding } from '../../store/index.js';
import { PassLayerCache } from './layer-cache.js';
import { RetryBook } from './retry.js';
import { PushQueue, MAX_QUEUED_PUSHES } from './push-queue.js';
import { findingEvents } from './event-policy.js';
import { isUnreachable } from './pass.js';

const analysis = {} as LayerAnalysis;

test('PassLayerCache: a layer being fetched by one image is waited for by the next, never fetched twice', async () => {
  const cache = new PassLayerCache();
  const a = cache.reserve(['L1', 'L2']);
  await a.ready; // nothing held by others
  const b = cache.reserve(['L1', 'L3']);
  let bReady = false;
  void b.ready.then(() => (bReady = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(bReady, false, 'B waits for L1, which A is fetching');
  cache.set('L1|dpkg,apk', analysis);
  await new Promise((r) => setImmediate(r));
  assert.equal(bReady, true, 'analysed: B goes on and finds it in the cache');
  assert.equal(cache.get('L1|dpkg,apk'), analysis);
  // L2 was never analysed (A failed): releasing lets a waiter fetch it itself.
  const c = cache.reserve(['L2']);
  let cReady = false;
  void c.ready.then(() => (cReady = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(cReady, false);
  a.release();
  await c.ready;
  // A finished layer is not reserved again.
  const d = cache.reserve(['L1']);
  await d.ready;
  d.release();
  b.release();
  c.release();
  assert.equal(cache.size, 1);
});

test('PassLayerCache: bounded, least recently used evicted; an evicted layer can be reserved again', async () => {
  const cache = new PassLayerCache(2);
  cache.set('base|c', analysis);
  cache.set('app1|c', analysis);
  assert.equal(cache.get('base|c'), analysis); // base is now the most recent
  cache.set('app2|c', analysis); // evicts app1, not the shared base
  assert.equal(cache.size, 2);
  assert.equal(cache.analysed, 3);
  assert.equal(cache.get('app1|c'), undefined);
  assert.equal(cache.get('base|c'), analysis);
  const r = cache.reserve(['app1', 'base']);
  await r.ready;
  const other = cache.reserve(['app1']);
  let waiting = true;
  void other.ready.then(() => (waiting = false));
  await new Promise((res) => setImmediate(res));
  assert.equal(waiting, true, 'app1 is claimed again by the first reserver');
  r.release();
  await other.ready;
  other.release();
});

test('RetryBook: exponential backoff per key, capped, cleared on success', () => {
  const book = new RetryBook({ baseMs: 1000, maxMs: 5000 });
  assert.equal(book.due('r/a', 0), true);
  assert.equal(book.fail('r/a', 'x', 0).nextAttemptAt, 1000);
  assert.equal(book.due('r/a', 999), false);
  assert.equal(book.due('r/b', 999), true, 'other repositories go on');
  assert.equal(book.fail('r/a', 'x', 1000).nextAttemptAt, 3000);
  assert.equal(book.fail('r/a', 'x', 3000).nextAttemptAt, 7000);
  assert.equal(book.fail('r/a', 'x', 7000).nextAttemptAt, 12000, 'capped at maxMs');
  assert.equal(book.get('r/a')?.failures, 4);
  book.succeed('r/a');
  assert.equal(book.due('r/a', 0), true);
  assert.deepEqual(book.failing(), []);
});

test('PushQueue: wakes a waiter on push, bounded, wait ends on abort', async () => {
  const q = new PushQueue();
  const t0 = performance.now();
  const waiting = q.wait(10_000);
  q.push([{ repository: 'a', digest: 'sha256:x' }]);
  await waiting;
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(q.take().length, 1);
  assert.equal(q.size, 0);
  const ac = new AbortController();
  const w = q.wait(10_000, ac.signal);
  ac.abort();
  await w;
  q.push(Array.from({ length: MAX_QUEUED_PUSHES + 5 }, (_, i) => ({ repository: 'a', digest: `d${i}` })));
  assert.equal(q.size, MAX_QUEUED_PUSHES);
  assert.equal(q.dropped, 5);
  assert.equal(q.take()[0]?.digest, 'd5', 'the oldest are dropped');
});

const finding = (id: string, severity: StoredFinding['severity'], kev = false): StoredFinding => ({
  advisoryId: id,
  packageName: 'openssl',
  packageVersion: '3.0.11',
  ecosystem: 'Debian:12',
  purl: 'pkg:deb/debian/openssl@3.0.11',
  severity,
  kev,
  fixable: true,
  fixedVersion: '3.0.13',
});

test('findingEvents: new critical and new KEV findings, and their fixes, are events; the rest is not', () => {
  const image = { registry: 'r', repository: 'a', digest: 'sha256:x', tags: ['1'] };
  const at = new Date('2026-01-01T00:00:00Z');
  const ev = findingEvents(
    image,
    {
      appeared: [finding('C1', 'critical'), finding('H1', 'high'), finding('K1', 'medium', true)],
      disappeared: [finding('C0', 'critical'), finding('M0', 'medium')],
    },
    'scan',
    { minSeverity: 'critical' },
    at,
  );
  assert.deepEqual(
    ev.map((e) => [e.type, e.finding.id, e.type === 'finding.new' ? e.reasons : []]),
    [
      ['finding.new', 'C1', ['critical']],
      ['finding.new', 'K1', ['kev']],
      ['finding.fixed', 'C0', []],
    ],
  );
  const high = findingEvents(
    image,
    { appeared: [finding('H1', 'high')], disappeared: [] },
    'rematch',
    { minSeverity: 'high' },
    at,
  );
  assert.deepEqual(
    high.map((e) => e.type === 'finding.new' && e.reasons),
    [['severity']],
  );
});

test('isUnreachable: network failures stop a registry, a bad image does not', () => {
  assert.equal(isUnreachable(new Error('network error: connect ECONNREFUSED 127.0.0.1:5000')), true);
  assert.equal(
    isUnreachable(new Error('layer 1 (sha256:abc): reading blob sha256:abc failed: other side closed')),
    true,
  );
  assert.equal(isUnreachable(new Error('layer 0 (sha256:abc): invalid tar header')), false);
  assert.equal(isUnreachable(new Error('content digest mismatch: expected a, got b')), false);
});
