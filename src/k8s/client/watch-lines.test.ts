// Tests of watch line splitting and event decoding on raw bytes (the stand-in API server's streams are
// covered in client.test.ts and informer.test.ts). The event lines come from test/fixtures/k8s-api.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../../../test/fixtures/k8s-api/stand-in.js';
import { parseWatchLine, splitLines, WatchLineError, type LineItem } from './watch-lines.js';

async function collect(chunks: Buffer[], max: number): Promise<LineItem[]> {
  async function* src(): AsyncGenerator<Buffer> {
    yield* chunks;
  }
  const out: LineItem[] = [];
  for await (const item of splitLines(src(), max)) out.push(item);
  return out;
}

const text = (items: LineItem[]): string[] =>
  items.map((i) => ('line' in i ? i.line.toString() + (i.partial ? '…' : '') : `<${i.oversized}>`));

test('lines are split across chunk boundaries; the unterminated tail is marked partial', async () => {
  const items = await collect(
    [Buffer.from('ab'), Buffer.from('c\nde'), Buffer.from('f\n\ng'), Buffer.from('h')],
    100,
  );
  assert.deepEqual(text(items), ['abc', 'def', '', 'gh…']);
});

test('an oversized line is dropped while streaming and reported once, later lines survive', async () => {
  const big = Buffer.alloc(50, 0x78);
  const items = await collect([Buffer.from('ok\n'), big, big, big, Buffer.from('xx\nnext\n')], 64);
  assert.deepEqual(text(items), ['ok', '<152>', 'next']);
  // An endless line never yields and never buffers beyond the limit: an oversized tail is still reported.
  assert.deepEqual(text(await collect([big, big], 64)), ['<100>']);
  // Exactly at the limit is fine.
  assert.deepEqual(text(await collect([Buffer.alloc(64, 0x61), Buffer.from('\n')], 64)), ['a'.repeat(64)]);
});

test('fixture stream decodes to typed events', () => {
  const lines = readFileSync(FIXTURES + 'watch-events.jsonl', 'utf8')
    .trim()
    .split('\n');
  const events = lines.map((l) => parseWatchLine(Buffer.from(l)));
  assert.deepEqual(
    events.map((e) => e.type),
    ['ADDED', 'MODIFIED', 'BOOKMARK', 'DELETED', 'ERROR'],
  );
  const [added, , bookmark, deleted, error] = events;
  assert.ok(added?.type === 'ADDED' && added.object.metadata?.name === 'team-a');
  assert.ok(bookmark?.type === 'BOOKMARK' && bookmark.resourceVersion === '1010');
  assert.ok(deleted?.type === 'DELETED' && deleted.object.metadata?.resourceVersion === '1011');
  assert.ok(error?.type === 'ERROR');
  assert.equal(error.status.code, 410);
  assert.equal(error.status.reason, 'Expired');
});

test('malformed lines are WatchLineErrors naming the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"type":"ADDED","object":{"metadata":{"na', /not JSON/],
    ['[1,2]', /lacks type or object/],
    ['{"type":"ADDED","object":"x"}', /lacks type or object/],
    [
      '{"type":"EXPLODED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}',
      /unknown watch event type "EXPLODED"/,
    ],
    ['{"type":"ADDED","object":{"metadata":{"resourceVersion":"1"}}}', /no metadata\.name/],
    ['{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}', /no metadata\.resourceVersion/],
    [
      '{"type":"ADDED","object":{"metadata":{"name":"a","namespace":7,"resourceVersion":"1"}}}',
      /non-string metadata\.namespace/,
    ],
    ['{"type":"BOOKMARK","object":{"metadata":{}}}', /BOOKMARK event has no metadata\.resourceVersion/],
    ['{"type":"ERROR","object":{"kind":"Pod"}}', /does not carry a Status/],
  ];
  for (const [line, re] of cases) {
    assert.throws(
      () => parseWatchLine(Buffer.from(line)),
      (e: unknown) => e instanceof WatchLineError && re.test(e.message),
      line,
    );
  }
});
