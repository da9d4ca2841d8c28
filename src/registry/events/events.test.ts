import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import {
  EventBus,
  jsonLinesSink,
  parseWebhookUrl,
  slackEscape,
  slackPayload,
  slackSink,
  webhookSink,
  type EventSink,
  type RegistryEvent,
} from './index.js';

const AT = '2026-01-01T00:00:00.000Z';
const moved = (tag: string): RegistryEvent => ({
  type: 'tag.moved',
  at: AT,
  registry: 'r.example',
  repository: 'acme/api',
  tag,
  from: `sha256:${'a'.repeat(64)}`,
  to: `sha256:${'b'.repeat(64)}`,
});

/** A real HTTP server answering with the statuses given in turn (or hanging for 'hang'). */
async function server(answers: Array<number | 'hang'>): Promise<{
  url: URL;
  bodies: unknown[];
  close: () => Promise<void>;
}> {
  const bodies: unknown[] = [];
  let i = 0;
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      const a = answers[Math.min(i++, answers.length - 1)];
      if (a === 'hang') return;
      res.writeHead(a ?? 200);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: new URL(`http://127.0.0.1:${port}/hook/SECRET`),
    bodies,
    close: () =>
      new Promise<void>((r) => {
        srv.close(() => r());
        srv.closeAllConnections();
      }),
  };
}

test('EventBus: emit never waits for a stuck sink; the other sinks still get every event', async () => {
  let stuckCalls = 0;
  const stuck: EventSink = {
    name: 'stuck',
    deliver: (_e, signal) =>
      new Promise((_resolve, reject) => {
        stuckCalls++;
        signal.addEventListener('abort', () => reject(new Error('aborted')));
      }),
  };
  const got: RegistryEvent[] = [];
  const fine: EventSink = { name: 'fine', deliver: async (e) => void got.push(...e) };
  const errors: string[] = [];
  const bus = new EventBus([stuck, fine], { onError: (s, e) => errors.push(`${s}: ${e.message}`) });
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) bus.emit(moved(`t${i}`));
  assert.ok(performance.now() - t0 < 50, 'emit returns at once');
  const f0 = performance.now();
  await bus.flush(200);
  assert.ok(performance.now() - f0 < 1000, 'flush gives up at its deadline');
  assert.equal(got.length, 100);
  assert.equal(stuckCalls, 1);
  assert.deepEqual(bus.stats().fine, { delivered: 100, failed: 0, dropped: 0 });
  assert.deepEqual(errors, ['stuck: aborted']);
});

test('EventBus: a throwing sink is counted, never crashes, and later batches still go out', async () => {
  let calls = 0;
  const flaky: EventSink = {
    name: 'flaky',
    deliver: async () => {
      if (calls++ === 0) throw new Error('boom');
    },
  };
  const bus = new EventBus([flaky], { batchSize: 1 });
  bus.emit([moved('a'), moved('b')]);
  await bus.flush(1000);
  assert.deepEqual(bus.stats().flaky, { delivered: 1, failed: 1, dropped: 0 });
});

test('EventBus: the queue per sink is bounded, dropping the oldest', async () => {
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow: EventSink = {
    name: 'slow',
    deliver: async (e) => {
      await gate;
      seen.push(...e.map((x) => (x.type === 'tag.moved' ? x.tag : '')));
    },
  };
  const bus = new EventBus([slow], { maxQueue: 3, batchSize: 10 });
  bus.emit(moved('first')); // taken by the sink at once
  for (const t of ['a', 'b', 'c', 'd', 'e']) bus.emit(moved(t));
  release();
  await bus.flush(1000);
  assert.deepEqual(seen, ['first', 'c', 'd', 'e']);
  assert.equal(bus.stats().slow?.dropped, 2);
});

test('jsonLinesSink: one JSON object per line', async () => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await jsonLinesSink(out).deliver([moved('a'), moved('b')], new AbortController().signal);
  const lines = Buffer.concat(chunks).toString().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.deepEqual(JSON.parse(lines[1] ?? ''), moved('b'));
});

test('webhookSink: POSTs the batch as JSON, retries 5xx, gives up on other 4xx, names only the origin', async () => {
  const s = await server([503, 500, 200]);
  try {
    const sink = webhookSink(s.url, { backoffMs: 5 });
    await sink.deliver([moved('a')], new AbortController().signal);
    assert.equal(s.bodies.length, 3);
    assert.deepEqual(s.bodies[2], { source: 'kubeward', events: [moved('a')] });
    assert.ok(!sink.name.includes('SECRET'));
  } finally {
    await s.close();
  }
  const bad = await server([404]);
  try {
    await assert.rejects(
      webhookSink(bad.url, { backoffMs: 5 }).deliver([moved('a')], new AbortController().signal),
      (e: Error) => /HTTP 404/.test(e.message) && !e.message.includes('SECRET'),
    );
    assert.equal(bad.bodies.length, 1, '404 is not retried');
  } finally {
    await bad.close();
  }
});

test('webhookSink: an endpoint that never answers times out per attempt', async () => {
  const s = await server(['hang']);
  try {
    const t0 = performance.now();
    await assert.rejects(
      webhookSink(s.url, { timeoutMs: 100, attempts: 2, backoffMs: 5 }).deliver(
        [moved('a')],
        new AbortController().signal,
      ),
      /timed out/,
    );
    assert.ok(performance.now() - t0 < 2000);
    assert.equal(s.bodies.length, 2);
  } finally {
    await s.close();
  }
});

test('slack: payload is escaped mrkdwn, one line per event, long batches summarised', async () => {
  assert.equal(slackEscape('<!channel> & <http://x|y>'), '&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
  const hostile: RegistryEvent = {
    type: 'scan.error',
    at: AT,
    registry: 'r.example',
    repository: 'acme/api',
    message: 'boom <!here>',
  };
  const p = slackPayload([hostile]);
  assert.ok(!p.text.includes('<!here>'));
  assert.ok(p.text.includes('&lt;!here&gt;'));
  const many = slackPayload(Array.from({ length: 40 }, (_, i) => moved(`t${i}`)));
  assert.equal(many.text.split('\n').length, 1 + 30 + 1);
  assert.ok(many.text.endsWith('… and 10 more events'));
  const s = await server([200]);
  try {
    await slackSink(s.url).deliver([moved('x')], new AbortController().signal);
    assert.deepEqual(Object.keys(s.bodies[0] as object), ['text']);
  } finally {
    await s.close();
  }
});

test('parseWebhookUrl: http(s) only', () => {
  assert.equal(
    parseWebhookUrl('https://hooks.slack.com/services/x', '--slack-webhook').host,
    'hooks.slack.com',
  );
  assert.throws(() => parseWebhookUrl('file:///etc/passwd', '--webhook'), /only http and https/);
  assert.throws(() => parseWebhookUrl('not a url', '--webhook'), /not a URL/);
});
