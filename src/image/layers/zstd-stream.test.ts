import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createZstdDecompress } from './zstd-stream.js';
import { commandWorks, integration } from '../../../test/support/integration.js';

/** Compresses with the real zstd CLI. */
function zstd(data: Buffer, args: string[] = []): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

/** Decompresses through createZstdDecompress, fed in chunks of `chunk` bytes; counts output pieces. */
async function decode(data: Buffer, chunk: number): Promise<{ out: Buffer; maxPiece: number }> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  const d = Readable.from(parts).pipe(createZstdDecompress());
  const got: Buffer[] = [];
  let maxPiece = 0;
  for await (const c of d) {
    const b = c as Buffer;
    maxPiece = Math.max(maxPiece, b.length);
    got.push(b);
  }
  return { out: Buffer.concat(got), maxPiece };
}

/** Text-like data that compresses well but not to nothing. */
function sample(n: number): Buffer {
  const words = ['kube', 'ward', 'layer', 'tar', 'zstd', 'block', 'frame', '\n'];
  let s = '';
  let i = 0;
  while (s.length < n) s += words[(i++ * 7919) % words.length] + ' ';
  return Buffer.from(s.slice(0, n));
}

const zstdAvailable = (): boolean => commandWorks('zstd', ['--version']);

test('decodes what the zstd CLI writes: levels, checksums, multiple frames, any chunking', async (t) => {
  if (!integration(t, 'zstd-stream', zstdAvailable(), 'zstd not installed')) return;
  const text = sample(3 * 1024 * 1024);
  const noise = randomBytes(300 * 1024);
  const cases: Array<[string, Buffer, Buffer]> = [
    ['level 3 with checksum', text, zstd(text, ['-3'])],
    ['level 19, no checksum', text, zstd(text, ['-19', '--no-check'])],
    ['incompressible (raw blocks)', noise, zstd(noise)],
    ['empty input', Buffer.alloc(0), zstd(Buffer.alloc(0))],
    ['tiny frame (shorter than 18 bytes)', Buffer.from('a'), zstd(Buffer.from('a'))],
    [
      'two concatenated frames',
      Buffer.concat([text.subarray(0, 1000), noise]),
      Buffer.concat([zstd(text.subarray(0, 1000)), zstd(noise)]),
    ],
  ];
  for (const [name, plain, compressed] of cases) {
    for (const chunk of [1, 13, 4096, 1 << 20]) {
      if (chunk === 1 && compressed.length > 50_000) continue; // byte-at-a-time is slow, and proven on small inputs
      const { out } = await decode(compressed, chunk);
      assert.ok(out.equals(plain), `${name}, chunks of ${chunk}`);
    }
  }
});

test('skippable frames are dropped, including ones split across chunks', async (t) => {
  if (!integration(t, 'zstd-stream', zstdAvailable(), 'zstd not installed')) return;
  const skippable = Buffer.alloc(8 + 5000);
  skippable.writeUInt32LE(0x184d2a53, 0);
  skippable.writeUInt32LE(5000, 4);
  const body = sample(10_000);
  const data = Buffer.concat([skippable, zstd(body), skippable]);
  for (const chunk of [7, 1000, 1 << 20]) assert.ok((await decode(data, chunk)).out.equals(body));
});

test('a 64 MiB zero bomb is produced block by block, never in one piece', async (t) => {
  if (!integration(t, 'zstd-stream', zstdAvailable(), 'zstd not installed')) return;
  const bomb = zstd(Buffer.alloc(64 * 1024 * 1024), ['-3']);
  assert.ok(bomb.length < 100_000, `bomb is ${bomb.length} bytes`);
  const { out, maxPiece } = await decode(bomb, 64 * 1024);
  assert.equal(out.length, 64 * 1024 * 1024);
  assert.ok(maxPiece <= 128 * 1024, `largest output piece ${maxPiece} bytes`);
});

test('corrupt and truncated streams fail with a clear error', async (t) => {
  if (!integration(t, 'zstd-stream', zstdAvailable(), 'zstd not installed')) return;
  const good = zstd(sample(200_000));
  await assert.rejects(decode(good.subarray(0, good.length - 10), 4096), /zstd/);
  await assert.rejects(decode(Buffer.from('not zstd at all'), 4096), /invalid frame magic/);
  const reserved = Buffer.from(good);
  reserved[4] = (reserved[4] ?? 0) | 0x08;
  await assert.rejects(decode(reserved, 4096), /reserved bit/);
});
