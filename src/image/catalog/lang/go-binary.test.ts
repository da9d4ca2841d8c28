import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GoBuildInfoScanner, parseGoBuildInfo } from './go-binary.js';

// The streaming scanner must return exactly what parseGoBuildInfo returns for the whole content, however
// the content is cut into writes: it runs on a layer's tar stream, where chunk boundaries fall anywhere.

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

/** A 32-byte header (flags: 2 = inline strings, 0 = pre-1.18 pointers) followed by `rest`. */
function header(flags: number, ...rest: Buffer[]): Buffer {
  const h = Buffer.alloc(32);
  MAGIC.copy(h);
  h[14] = 8;
  h[15] = flags;
  return Buffer.concat([h, ...rest]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string): Buffer => Buffer.concat([varint(Buffer.byteLength(s)), Buffer.from(s)]);

const MODINFO =
  '0123456789abcdef' +
  'path\texample.com/svc\nmod\texample.com/svc\tv1.4.0\th1:x\ndep\tgolang.org/x/net\tv0.7.0\th1:y\n' +
  '\n0123456789abcdef';

/** Seeded, so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

/** Feeds `bin` to a scanner in writes cut at random points (many of them tiny), from chunks with offsets. */
function scan(bin: Buffer, seed: number): ReturnType<GoBuildInfoScanner['result']> {
  const next = rng(seed);
  const s = new GoBuildInfoScanner();
  let at = 0;
  while (at < bin.length) {
    const n = next() < 0.3 ? 1 + Math.floor(next() * 20) : 1 + Math.floor(next() * 9000);
    const end = Math.min(bin.length, at + n);
    // The part sits inside a larger chunk, as the tar reader hands it over.
    const pad = Math.floor(next() * 7);
    const chunk = Buffer.concat([Buffer.alloc(pad, 0xff), bin.subarray(at, end), Buffer.alloc(3, 0xff)]);
    s.write(chunk, pad, pad + (end - at));
    at = end;
  }
  return s.result();
}

function agree(name: string, bin: Buffer): void {
  const whole = parseGoBuildInfo(bin);
  for (let seed = 1; seed <= 40; seed++) assert.deepEqual(scan(bin, seed), whole, `${name}, seed ${seed}`);
  const once = new GoBuildInfoScanner();
  once.write(bin, 0, bin.length);
  assert.deepEqual(once.result(), whole, `${name}, one write`);
  // Every write size from 1 to 17 bytes, so each boundary position meets the header and its strings.
  for (let size = 1; size <= 17; size++) {
    const s = new GoBuildInfoScanner();
    for (let at = 0; at < bin.length; at += size) s.write(bin, at, Math.min(bin.length, at + size));
    assert.deepEqual(s.result(), whole, `${name}, writes of ${size}`);
  }
}

test('scanner agrees with the whole-content parser on a real Go binary', () => {
  const bin = readFileSync(new URL('./testdata/go-app', import.meta.url));
  assert.equal(parseGoBuildInfo(bin)?.goVersion, 'go1.19.8');
  agree('testdata/go-app', bin);
});

test('scanner agrees on headers at aligned offsets after unaligned decoys', () => {
  const body = header(2, str('go1.22.1'), str(MODINFO), Buffer.alloc(40));
  const decoy = Buffer.concat([Buffer.alloc(5), MAGIC, Buffer.alloc(13)]); // 5 + 14 + 13 = 32: aligned after
  for (const lead of [0, 16, 4096, 4096 + 16 * 7]) {
    agree(`lead ${lead}`, Buffer.concat([Buffer.alloc(lead), body]));
    agree(`decoy then lead ${lead}`, Buffer.concat([decoy, Buffer.alloc(lead), body]));
  }
  const info = parseGoBuildInfo(Buffer.concat([decoy, body]));
  assert.equal(info?.mainVersion, 'v1.4.0');
  assert.deepEqual(info?.deps, [{ path: 'golang.org/x/net', version: 'v0.7.0' }]);
});

test('scanner agrees when only an unaligned header exists, and without any header', () => {
  agree('unaligned only', Buffer.concat([Buffer.alloc(8), header(2, str('go1.22.1'), str(MODINFO))]));
  agree('no header', Buffer.alloc(70_000, 0xff));
  agree('empty', Buffer.alloc(0));
});

test('scanner agrees on legacy (pre-1.18) headers and on content cut short anywhere', () => {
  agree('legacy', Buffer.concat([Buffer.alloc(64), header(0), Buffer.alloc(64)]));
  const full = Buffer.concat([Buffer.alloc(48), header(2, str('go1.22.1'), str(MODINFO))]);
  for (let cut = 48; cut <= full.length; cut += 7) agree(`cut at ${cut}`, full.subarray(0, cut));
});

test('scanner agrees on hostile lengths without keeping what they claim', () => {
  const huge = header(2, varint(64 * 1024 * 1024), Buffer.alloc(100));
  agree('first length over the bound', huge);
  agree(
    'second length over the bound',
    header(2, str('go1.22.1'), varint(32 * 1024 * 1024), Buffer.alloc(50)),
  );
  agree('unterminated varint', header(2, Buffer.alloc(12, 0x80), Buffer.alloc(20)));
  // A first string of 3 MiB that the content does not hold: the scanner keeps what arrives, no more.
  const claim = header(2, varint(3 * 1024 * 1024), Buffer.alloc(200_000, 0x41));
  agree('first string longer than the content', claim);
});
