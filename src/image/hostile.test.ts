// Hostile input: every image, archive, database and registry answer here was crafted to crash, hang, exhaust
// memory or escape the image root. Each must end in a clear one-line error or a (partial) result, in bounded
// time and memory. Registry cases use a local node:http server on 127.0.0.1 as the faithful stand-in: it
// speaks the OCI Distribution API, and the real docker-registry cannot be made to send these answers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, type Header } from 'tar-stream';
import Database from 'better-sqlite3';
import { analyzeLayer, type LayerAnalysis } from './layers/analyze-layer.js';
import { decompressLayer } from './layers/decompress.js';
import { squash, SquashedFs } from './layers/squash.js';
import { takeInventory, type Inventory } from './inventory.js';
import { ALL_CATALOGERS } from './catalog/index.js';
import { detectDistro } from './catalog/os-release.js';
import { dpkgCataloger } from './catalog/dpkg/cataloger.js';
import { apkCataloger } from './catalog/apk/cataloger.js';
import { rpmCataloger } from './catalog/rpm/cataloger.js';
import { parseRpmHeader } from './catalog/rpm/header.js';
import { scanJavaArchive } from './catalog/lang/java.js';
import { parseGoBuildInfo } from './catalog/lang/go-binary.js';
import { npmCataloger } from './catalog/lang/npm.js';
import type { Cataloger } from './catalog/cataloger.js';
import { openLocalArchive } from './source/local-archive.js';
import { openRegistryImage } from './source/registry-source.js';
import { parsePlatform, type ImageSource } from './source/image-source.js';
import { openImage, toUserError } from './open-image.js';
import { RegistryClient, RegistryError } from './registry/client.js';
import { digestOf } from './registry/digest.js';
import { UserError } from '../core/errors.js';
import { tarLayer, compress } from '../../test/support/oci-builder.js';
import { commandWorks, integration } from '../../test/support/integration.js';
import { kubeward, describeRun } from '../../test/support/cli.js';

const MiB = 1024 * 1024;
const PLATFORM = parsePlatform(undefined);

const scratch = mkdtempSync(join(tmpdir(), 'kubeward-hostile-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => {
  const d = join(scratch, String(dirCount++));
  mkdirSync(d, { recursive: true });
  return d;
};

// ---------------------------------------------------------------------------------------------------------
// helpers

/** A raw ustar header; `badChecksum` stores a wrong checksum, as a corrupted archive would. */
function ustarHeader(
  name: string,
  size: number,
  opts: { type?: string; linkname?: string; badChecksum?: boolean; mode?: number } = {},
): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(`${(opts.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(opts.type ?? '0', 156, 'latin1');
  if (opts.linkname) h.write(opts.linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  if (opts.badChecksum) sum += 1;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);
const END = Buffer.alloc(1024);

/** A tar through tar-stream's own writer, for entry types oci-builder's tarLayer does not make (hard links). */
async function tarOf(
  entries: Array<Partial<Header> & { name: string; content?: string | Buffer }>,
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const { content, ...h } of entries) p.entry({ mtime: new Date(0), ...h }, content ?? '');
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const wantAll = (): boolean => true;
const analyze = (
  input: Buffer | Readable,
  wanted: (p: string) => boolean = wantAll,
  maxFileBytes?: number,
): Promise<LayerAnalysis> =>
  analyzeLayer(decompressLayer(Buffer.isBuffer(input) ? Readable.from([input]) : input), {
    wanted,
    ...(maxFileBytes ? { maxFileBytes } : {}),
  });

/** An in-memory image source whose layers are the given blobs (or stream factories). */
function memorySource(layers: Array<Buffer | (() => Readable)>): ImageSource {
  return {
    kind: 'docker-archive',
    name: 'hostile',
    layers: layers.map((l, i) => ({
      digest: Buffer.isBuffer(l) ? digestOf(l) : `sha256:${String(i).padStart(64, '0')}`,
    })),
    openLayer: async (i) => {
      const l = layers[i];
      if (!l) throw new Error(`no layer ${i}`);
      return Buffer.isBuffer(l) ? Readable.from([l]) : l();
    },
    close: async () => {},
  };
}

const inventoryOf = (
  layers: Array<Buffer | (() => Readable)>,
  catalogers: readonly Cataloger[] = ALL_CATALOGERS,
): Promise<Inventory> => takeInventory(memorySource(layers), { catalogers });

/** Runs `fn`, sampling the resident set size; returns the result, wall time and peak RSS growth. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; rssGrowth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const start = Date.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, ms: Date.now() - start, rssGrowth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

/** A SquashedFs holding exactly these files (catalogers are tested without a tar in between). */
function fsWith(files: Record<string, string | Buffer>, extracted: Record<string, unknown> = {}): SquashedFs {
  const fs = new SquashedFs();
  fs.apply(
    {
      files: new Map(
        Object.entries(files).map(([p, c]) => [
          p,
          {
            path: p,
            content: Buffer.from(c),
            mode: 0o644,
            size: c.length,
            ...(p in extracted ? { extracted: extracted[p] } : {}),
          },
        ]),
      ),
      symlinks: new Map(),
      deleted: [],
      opaque: [],
      setuid: [],
      skipped: [],
      entries: 0,
    },
    0,
  );
  return fs;
}

/** Builds zips with Python's zipfile (an independent writer). `script` gets `z` (ZipFile) and `zipfile`. */
function pyZip(body: string): Buffer {
  const script = `
import io, sys, zipfile
buf = io.BytesIO()
def make(body_fn, level=6):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        body_fn(z)
    return b.getvalue()
${body}
sys.stdout.buffer.write(out)
`;
  const r = spawnSync('python3', ['-c', script], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout;
}

async function rejectsCleanly(p: Promise<unknown>, pattern: RegExp): Promise<Error> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => (caught = e),
  );
  assert.ok(caught instanceof Error, `rejected with a non-Error: ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes('\n'), `one line: ${caught.message}`);
  return caught;
}

// ---------------------------------------------------------------------------------------------------------
// tar layers

test('tar: traversal, absolute, ./ and PAX-long names stay inside the root', async () => {
  const long = `${'d'.repeat(120)}/${'e'.repeat(150)}/${'f'.repeat(200)}/os-release`;
  const layer = await tarLayer([
    { path: '../../etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
    { path: '/etc/shadow', content: 'root:!:1::::::\n' },
    { path: './etc/group', content: 'root:x:0:\n' },
    { path: long, content: 'ID=long\n' },
    { path: 'a/b/../../../../c', content: 'c' },
  ]);
  const a = await analyze(layer);
  const paths = [...a.files.keys()].sort();
  for (const p of paths) {
    assert.ok(!p.startsWith('/') && !p.split('/').includes('..') && !p.startsWith('./'), p);
  }
  assert.deepEqual(paths, ['c', 'etc/group', 'etc/passwd', 'etc/shadow', long].sort());
  assert.equal(a.files.get(long)?.content.toString(), 'ID=long\n', 'PAX path records are honoured');
});

test('tar: a hard link to a path outside the root links nothing outside it', async () => {
  const layer = await tarOf([
    { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' },
    { name: 'var/lib/dpkg/status', type: 'link', linkname: '../../../../etc/passwd' },
    { name: 'var/lib/apk/x', type: 'link', linkname: '/proc/self/environ' },
  ]);
  const a = await analyze(layer);
  // The link target is clamped into the image root: nothing there, so nothing is read from anywhere.
  assert.equal(a.files.get('var/lib/dpkg/status'), undefined);
  assert.equal(a.files.get('var/lib/apk/x'), undefined);
});

test('tar: a 1000-link symlink chain and a symlink loop on os-release end quickly', async () => {
  const entries: Array<{ path: string; type?: 'symlink'; linkname?: string; content?: string }> = [
    { path: 'chain/target', content: 'ID=chain\n' },
  ];
  for (let i = 0; i < 1000; i++)
    entries.push({ path: `chain/l${i}`, type: 'symlink', linkname: i === 999 ? 'target' : `l${i + 1}` });
  entries.push({ path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' });
  entries.push({ path: 'usr/lib/os-release', type: 'symlink', linkname: '/etc/os-release' });
  entries.push({ path: 'etc/debian_version', type: 'symlink', linkname: 'debian_version' });
  const start = Date.now();
  const fs = squash([await analyze(await tarLayer(entries))]);
  assert.equal(fs.get('chain/l0'), undefined, 'chains longer than the hop bound are not followed');
  assert.equal(fs.get('chain/l990')?.content.toString(), 'ID=chain\n', 'short chains still resolve');
  assert.equal(fs.get('etc/os-release'), undefined);
  assert.equal(detectDistro(fs), undefined);
  assert.ok(Date.now() - start < 5000);
});

test('tar: 200k empty entries in one layer finish quickly in bounded memory', async () => {
  const N = 200_000;
  const batch = 500;
  function* entries(): Generator<Buffer> {
    for (let i = 0; i < N; i += batch) {
      const hs: Buffer[] = [];
      for (let j = i; j < Math.min(N, i + batch); j++) hs.push(ustarHeader(`e/${j}`, 0));
      yield Buffer.concat(hs);
    }
    yield ustarHeader('etc/os-release', 10);
    yield Buffer.concat([Buffer.from('ID=alpine\n'), pad(10), END]);
  }
  const { value: inv, ms, rssGrowth } = await measured(() => inventoryOf([() => Readable.from(entries())]));
  assert.equal(inv.distro?.id, 'alpine', 'the entry after 200k empty ones is still seen');
  assert.ok(ms < 20_000, `took ${ms} ms`);
  assert.ok(rssGrowth < 150 * MiB, `RSS grew ${Math.round(rssGrowth / MiB)} MiB`);
});

test('tar: a wanted file declared larger than the cap is skipped with a reason, the rest is read', async () => {
  const big = 3 * MiB;
  const tar = Buffer.concat([
    ustarHeader('var/lib/dpkg/status', big),
    Buffer.alloc(big, 0x41),
    ustarHeader('etc/os-release', 10),
    Buffer.from('ID=debian\n'),
    pad(10),
    END,
  ]);
  const a = await analyze(tar, wantAll, MiB);
  assert.equal(a.files.get('var/lib/dpkg/status'), undefined);
  assert.match(a.skipped.find((s) => s.path === 'var/lib/dpkg/status')?.reason ?? '', /larger than/);
  assert.equal(a.files.get('etc/os-release')?.content.toString(), 'ID=debian\n');
});

test('tar: truncated archive, wrong header checksum, zstd garbage reject with one line', async () => {
  const noise = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 2654435761) >>> 24));
  const good = await tarLayer([{ path: 'var/lib/dpkg/status', content: noise }]);
  await rejectsCleanly(analyze(good.subarray(0, 2000)), /./);
  const gz = gzipSync(good);
  await rejectsCleanly(analyze(gz.subarray(0, gz.length - 4000)), /./);
  const badSum = Buffer.concat([
    ustarHeader('etc/os-release', 3, { badChecksum: true }),
    Buffer.alloc(512),
    END,
  ]);
  await rejectsCleanly(analyze(badSum), /tar header|checksum/i);
  const zgarbage = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(4096, 0xab)]);
  await rejectsCleanly(analyze(zgarbage), /./);
  // A zstd frame header only (declaring a content size) and nothing after it.
  const zheader = Buffer.from([
    0x28, 0xb5, 0x2f, 0xfd, 0x64, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  await rejectsCleanly(analyze(zheader), /./);
});

/** 1 GiB of zeros inside a tar, gzip-compressed as 1024 identical members (~1 MB on the wire). */
function gzipBomb(name: string, gib = 1): Buffer {
  const size = gib * 1024 * MiB;
  const zeros = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat([
    gzipSync(ustarHeader(name, size)),
    ...Array.from({ length: size / MiB }, () => zeros),
    gzipSync(Buffer.concat([ustarHeader('etc/os-release', 10), Buffer.from('ID=debian\n'), pad(10), END])),
  ]);
}

test('gzip bomb layer: 1 GiB of zeros streams through in bounded memory and time', async () => {
  const bomb = gzipBomb('opt/zeros.bin');
  assert.ok(bomb.length < 2 * MiB, `bomb is ${bomb.length} bytes`);
  const wantedBomb = gzipBomb('var/lib/dpkg/status');
  const { value: inv, ms, rssGrowth } = await measured(() => inventoryOf([bomb, wantedBomb]));
  assert.equal(inv.distro?.id, 'debian', 'entries after the bomb are read');
  assert.ok(
    inv.skipped.some((s) => s.path === 'var/lib/dpkg/status' && /larger than/.test(s.reason)),
    'a wanted file above the cap is reported as skipped',
  );
  assert.ok(ms < 30_000, `took ${ms} ms`);
  assert.ok(rssGrowth < 100 * MiB, `RSS grew ${Math.round(rssGrowth / MiB)} MiB`);
});

/**
 * Runs an inventory of one layer file in a separate node process (so a decoder that blocks the event loop
 * or balloons memory cannot take the test runner down) and reports its wall time and peak RSS growth.
 */
function inventoryInChild(
  layerFile: string,
  timeoutMs: number,
): { ms: number; rssGrowth: number; error?: string } {
  const script = `
    import { readFileSync } from 'node:fs';
    import { Readable } from 'node:stream';
    import { takeInventory } from ${JSON.stringify(new URL('./inventory.ts', import.meta.url).href)};
    import { ALL_CATALOGERS } from ${JSON.stringify(new URL('./catalog/index.ts', import.meta.url).href)};
    const data = readFileSync(${JSON.stringify(layerFile)});
    const base = process.memoryUsage().rss;
    let peak = base;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
    const timer = setInterval(sample, 10);
    const start = Date.now();
    let error;
    try {
      await takeInventory(
        { kind: 'docker-archive', name: 'x', layers: [{ digest: 'sha256:' + '0'.repeat(64) }],
          openLayer: async () => Readable.from([data]), close: async () => {} },
        { catalogers: ALL_CATALOGERS, onProgress: sample },
      );
    } catch (e) { error = e.message; }
    sample();
    clearInterval(timer);
    process.stdout.write(JSON.stringify({ ms: Date.now() - start, rssGrowth: peak - base, error }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    timeout: timeoutMs,
    encoding: 'utf8',
  });
  if (r.status === null) return { ms: timeoutMs, rssGrowth: Number.NaN, error: 'killed after the timeout' };
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { ms: number; rssGrowth: number; error?: string };
}

function zstdTar(name: string, size: number, args: string[]): string {
  const file = join(freshDir(), 'layer.tar.zst');
  const r = spawnSync(
    'sh',
    [
      '-c',
      `(cat; head -c ${size} /dev/zero; head -c 1024 /dev/zero) | zstd -q -c ${args.join(' ')} > ${file}`,
    ],
    { input: ustarHeader(name, size) },
  );
  assert.equal(r.status, 0, r.stderr.toString());
  return file;
}

// zstd is decoded block by block with backpressure (layers/zstd-stream.ts): a highly compressed layer
// cannot inflate beyond one block ahead of the consumer.
test('zstd bomb layer: 256 MiB of zeros decode in bounded memory', (t) => {
  if (!integration(t, 'zstd-bomb', commandWorks('zstd', ['--version']), 'zstd not installed')) return;
  const res = inventoryInChild(zstdTar('opt/zeros.bin', 256 * MiB, ['-3']), 15_000);
  assert.equal(res.error, undefined);
  assert.ok(res.ms < 10_000, `took ${res.ms} ms`);
  assert.ok(res.rssGrowth < 100 * MiB, `RSS grew ${Math.round(res.rssGrowth / MiB)} MiB`);
});

test('zstd bomb layer: a frame asking for a 256 MiB window is refused quickly', (t) => {
  if (!integration(t, 'zstd-window', commandWorks('zstd', ['--version']), 'zstd not installed')) return;
  const res = inventoryInChild(zstdTar('opt/zeros.bin', 256 * MiB, ['--long=28', '-1']), 8000);
  assert.match(res.error ?? '', /window/i);
  assert.ok(res.ms < 5000, `took ${res.ms} ms`);
});

// Known gap in src/image/layers/squash.ts (not changed by this suite): SquashedFs.removeUnder copies and
// scans every key of three maps once per whiteout/opaque marker, so whiteouts × entries is quadratic.
test('many whiteouts over many symlinks squash in bounded time', async () => {
  const N = 10_000;
  const lower: Array<{ path: string; type: 'symlink'; linkname: string }> = [];
  for (let i = 0; i < N; i++) lower.push({ path: `s/${i}`, type: 'symlink', linkname: 'x' });
  const upper: Array<{ path: string }> = [];
  for (let i = 0; i < N; i++) upper.push({ path: `s/.wh.${i}` });
  const l0 = await analyze(await tarLayer(lower));
  const l1 = await analyze(await tarLayer(upper));
  const start = Date.now();
  const fs = squash([l0, l1]);
  const ms = Date.now() - start;
  assert.equal(fs.symlinks.size, 0);
  assert.ok(ms < 500, `squash took ${ms} ms`);
});

// ---------------------------------------------------------------------------------------------------------
// catalogers

test('dpkg: a 50 MB single-line status and a 50 MB field value do not blow up', () => {
  const line = 'x'.repeat(50 * MiB);
  const start = Date.now();
  const r1 = dpkgCataloger.catalog(fsWith({ 'var/lib/dpkg/status': line }), {});
  assert.equal(r1.status, 'ok');
  assert.equal(r1.packages.length, 0);
  const r2 = dpkgCataloger.catalog(
    fsWith({
      'var/lib/dpkg/status': `Package: ${line}\nVersion: 1\nStatus: install ok installed\n\nPackage: ok\nVersion: 2\n`,
    }),
    {},
  );
  assert.deepEqual(
    r2.packages.map((p) => p.name.slice(0, 40)),
    ['ok'],
    'an absurd package name is dropped with a note',
  );
  assert.ok(r2.notes.some((n) => /too long|skipped/.test(n)));
  assert.ok(Date.now() - start < 10_000);
});

test('apk: binary garbage is skipped, not fatal', () => {
  const garbage = Buffer.alloc(4 * MiB);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  const r = apkCataloger.catalog(
    fsWith({ 'lib/apk/db/installed': Buffer.concat([garbage, Buffer.from('\n\nP:musl\nV:1.2.4-r2\n')]) }),
    {},
  );
  assert.equal(r.status, 'ok');
  assert.ok(r.packages.some((p) => p.name === 'musl' && p.version === '1.2.4-r2'));
});

function sqliteDb(setup: (db: Database.Database) => void): Buffer {
  const db = new Database(':memory:');
  try {
    setup(db);
    return db.serialize();
  } finally {
    db.close();
  }
}

test('rpm: not sqlite, garbage blobs, overflowing header counts, hostile schemas', () => {
  const notSqlite = rpmCataloger.catalog(fsWith({ 'var/lib/rpm/rpmdb.sqlite': Buffer.alloc(8192, 7) }), {});
  assert.equal(notSqlite.status, 'error');
  assert.ok(notSqlite.notes.every((n) => !n.includes('\n')));

  const garbage = sqliteDb((db) => {
    db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)');
    const ins = db.prepare('INSERT INTO Packages VALUES (?, ?)');
    for (let i = 1; i <= 5000; i++) ins.run(i, Buffer.alloc(i % 40, i & 0xff));
    ins.run(6000, 'text, not a blob');
    ins.run(6001, null);
    ins.run(6002, 42);
    // il = 0xffffffff, dl = 0xffffffff; il = 1 with an offset far past the data; a string without NUL
    const overflow = Buffer.alloc(8, 0xff);
    const offsetPast = Buffer.alloc(8 + 16 + 4);
    offsetPast.writeUInt32BE(1, 0);
    offsetPast.writeUInt32BE(4, 4);
    offsetPast.writeUInt32BE(1000, 8);
    offsetPast.writeUInt32BE(6, 12);
    offsetPast.writeInt32BE(0x7fffffff, 16);
    offsetPast.writeUInt32BE(1, 20);
    const noNul = Buffer.from(offsetPast);
    noNul.writeInt32BE(0, 16);
    noNul.fill(0x41, 24);
    ins.run(7000, overflow);
    ins.run(7001, offsetPast);
    ins.run(7002, noNul);
  });
  const start = Date.now();
  const r = rpmCataloger.catalog(fsWith({ 'var/lib/rpm/rpmdb.sqlite': garbage }), {});
  assert.equal(r.packages.length, 0);
  assert.ok(r.notes.length <= 101, `notes are bounded (${r.notes.length})`);
  assert.ok(Date.now() - start < 5000);
  assert.throws(() => parseRpmHeader(Buffer.alloc(8, 0xff), new Set([1000])), /out of range/);

  // A view named Packages that never ends (recursive CTE) must not hang the scan.
  const endless = sqliteDb((db) =>
    db.exec(
      'CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, zeroblob(16) AS blob FROM c',
    ),
  );
  const t0 = Date.now();
  const rv = rpmCataloger.catalog(fsWith({ 'var/lib/rpm/rpmdb.sqlite': endless }), {});
  assert.equal(rv.status, 'error');
  assert.ok(Date.now() - t0 < 5000);

  // A generated column allocating a huge blob per row.
  const generated = sqliteDb((db) => {
    db.exec(
      'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, seed INTEGER, blob BLOB AS (zeroblob(100000000)) VIRTUAL)',
    );
    db.exec('INSERT INTO Packages (hnum, seed) VALUES (1, 1), (2, 2)');
  });
  const before = process.memoryUsage().rss;
  const rg = rpmCataloger.catalog(fsWith({ 'var/lib/rpm/rpmdb.sqlite': generated }), {});
  assert.equal(rg.status, 'error');
  assert.match(rg.notes.join(' '), /generated/);
  assert.ok(process.memoryUsage().rss - before < 200 * MiB);
});

test('java: nested zip bomb, lying entry sizes, ../ names, 10k entries', async () => {
  // 10 jars of 10 jars of 100 MiB each: ~10 GiB when fully expanded, from a few hundred KB.
  const bomb = pyZip(`
inner = io.BytesIO()
with zipfile.ZipFile(inner, 'w', zipfile.ZIP_STORED) as z:
    z.writestr('zeros.bin', bytes(100 << 20))
j2 = inner.getvalue()
def l1(z):
    for i in range(10): z.writestr('lib/j%d.jar' % i, j2)
j1 = make(l1, 1)
def l0(z):
    z.writestr('META-INF/maven/g/top/pom.properties', 'groupId=g\\nartifactId=top\\nversion=1\\n')
    for i in range(10): z.writestr('BOOT-INF/lib/k%d.jar' % i, j1)
out = make(l0, 1)
`);
  assert.ok(bomb.length < 2 * MiB);
  const { value, ms, rssGrowth } = await measured(() => scanJavaArchive(bomb, 'app.jar'));
  assert.ok(
    value.some((a) => a.artifactId === 'top'),
    'what was found before the budget ran out is kept',
  );
  assert.ok(
    value.some((a) => a.incomplete),
    'a partial result says so',
  );
  assert.ok(ms < 15_000, `took ${ms} ms`);
  assert.ok(rssGrowth < 400 * MiB, `RSS grew ${Math.round(rssGrowth / MiB)} MiB`);

  // An entry declared tiny that inflates to 200 MiB.
  const liar = pyZip(`
def body(z):
    z.writestr('META-INF/maven/g/liar/pom.properties', bytes(200 << 20))
    z.writestr('META-INF/maven/g/ok/pom.properties', 'groupId=g\\nartifactId=ok\\nversion=2\\n')
out = bytearray(make(body, 9))
# patch the uncompressed size of the first entry in its local header and in the central directory
out[22:26] = (100).to_bytes(4, 'little')
cd = out.find(b'PK\\x01\\x02')
out[cd + 24:cd + 28] = (100).to_bytes(4, 'little')
out = bytes(out)
`);
  const l = await measured(() => scanJavaArchive(liar, 'liar.jar'));
  assert.deepEqual(
    l.value.map((a) => a.artifactId ?? `incomplete: ${a.incomplete}`),
    ['ok', 'incomplete: not read to the end: member META-INF/maven/g/liar/pom.properties is corrupt'],
    'the lying member is skipped and reported; the members after it are still read',
  );
  assert.ok(l.rssGrowth < 100 * MiB, `RSS grew ${Math.round(l.rssGrowth / MiB)} MiB`);
  assert.ok(l.ms < 10_000);

  const traversal = pyZip(`
def body(z):
    z.writestr('../../../../etc/evil.jar', b'not a zip')
    z.writestr('/abs/META-INF/maven/g/a/pom.properties', 'groupId=g\\nartifactId=a\\nversion=1\\n')
    z.writestr('META-INF/maven/g/b/pom.properties', 'groupId=g\\nartifactId=b\\nversion=1\\n')
out = make(body)
`);
  const tr = await scanJavaArchive(traversal, 'x.jar');
  assert.deepEqual(
    tr.map((a) => a.artifactId),
    ['b'],
  );

  const many = pyZip(`
def body(z):
    for i in range(10000): z.writestr('c/%d.class' % i, b'')
    z.writestr('META-INF/maven/g/many/pom.properties', 'groupId=g\\nartifactId=many\\nversion=3\\n')
out = make(body)
`);
  const m = await measured(() => scanJavaArchive(many, 'many.jar'));
  assert.deepEqual(
    m.value.map((a) => a.artifactId),
    ['many'],
  );
  assert.ok(m.ms < 10_000);
});

test('go: buildinfo magic with lengths past the end, overflowing varints', () => {
  const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
  const header = (flags: number): Buffer => {
    const h = Buffer.alloc(32);
    MAGIC.copy(h);
    h[15] = flags;
    return h;
  };
  const varint = (bytes: number[]): Buffer => Buffer.from(bytes);
  const cases = [
    Buffer.concat([header(2), varint([0xff, 0xff, 0xff, 0x7f]), Buffer.from('go1.22')]),
    Buffer.concat([header(2), varint(Array(10).fill(0xff) as number[])]),
    Buffer.concat([header(2), varint([0x80, 0x80, 0x80, 0x80, 0x10]), Buffer.from('x')]),
    Buffer.concat([header(2), varint([6]), Buffer.from('go1.22'), varint([0xff, 0xff, 0x7f])]),
    header(2).subarray(0, 20),
  ];
  for (const c of cases) {
    const info = parseGoBuildInfo(Buffer.concat([Buffer.alloc(16), c]));
    if (info) assert.ok(info.goVersion.length < 100 && info.deps.length === 0);
  }
});

test('npm: a 10 MB string package.json and deeply nested node_modules', async () => {
  const huge = JSON.stringify('x'.repeat(10 * MiB));
  const r = npmCataloger.catalog(fsWith({ 'node_modules/a/package.json': huge }), {});
  assert.equal(r.packages.length, 0);
  assert.equal(r.notes.length, 1);

  const deepJson = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
  const r2 = npmCataloger.catalog(fsWith({ 'node_modules/b/package.json': deepJson }), {});
  assert.equal(r2.packages.length, 0);

  const entries: Array<{ path: string; content?: string }> = [];
  let dir = '';
  for (let i = 0; i < 500; i++) {
    dir += `node_modules/p${i}/`;
    entries.push({
      path: `${dir}package.json`,
      content: JSON.stringify({ name: `p${i}`, version: '1.0.0' }),
    });
  }
  const start = Date.now();
  const inv = await inventoryOf([await tarLayer(entries)], [npmCataloger]);
  assert.equal(inv.packages.length, 500);
  assert.ok(Date.now() - start < 10_000);
});

// ---------------------------------------------------------------------------------------------------------
// image archives

function writeTar(dir: string, name: string, files: Array<{ path: string; content: string | Buffer }>) {
  return tarLayer(files).then((t) => {
    const p = join(dir, name);
    writeFileSync(p, t);
    return p;
  });
}

test('docker save: layer or config paths escaping the archive are refused with one line', async () => {
  const dir = freshDir();
  const cfg = JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { diff_ids: [] } });
  const layer = await tarLayer([{ path: 'etc/os-release', content: 'ID=debian\n' }]);
  const cases: Array<[string, unknown]> = [
    ['layer', [{ Config: 'config.json', Layers: ['../../../etc/passwd'] }]],
    ['abs-layer', [{ Config: 'config.json', Layers: ['/etc/passwd'] }]],
    ['config', [{ Config: '../../../etc/passwd', Layers: ['l.tar'] }]],
    ['config-obj', [{ Config: { x: 1 }, Layers: ['l.tar'] }]],
    ['layers-not-strings', [{ Config: 'config.json', Layers: [1, null] }]],
    ['null', null],
  ];
  for (const [name, manifest] of cases) {
    const p = await writeTar(dir, `${name}.tar`, [
      { path: 'manifest.json', content: JSON.stringify(manifest) },
      { path: 'config.json', content: cfg },
      { path: 'l.tar', content: layer },
      { path: 'etc/passwd', content: 'root:x:0:0\n' },
    ]);
    await rejectsCleanly(
      (async () => {
        const src = openLocalArchive(p, PLATFORM);
        return takeInventory(src, { catalogers: ALL_CATALOGERS });
      })().catch((e: unknown) => {
        assert.ok(e instanceof UserError, `${name}: ${String(e)}`);
        throw e;
      }),
      /./,
    );
  }
  const nullConfig = await writeTar(dir, 'null-config.tar', [
    { path: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', Layers: ['l.tar'] }]) },
    { path: 'config.json', content: 'null' },
    { path: 'l.tar', content: layer },
  ]);
  assert.throws(() => openLocalArchive(nullConfig, PLATFORM), UserError);
});

test('docker save: a 100 MB manifest.json is refused before it is read', async () => {
  const dir = freshDir();
  const p = join(dir, 'big.tar');
  const size = 100 * MiB;
  writeFileSync(p, Buffer.concat([ustarHeader('manifest.json', size), Buffer.alloc(size, 0x20), END]));
  const { value, rssGrowth } = await measured(async () => {
    try {
      openLocalArchive(p, PLATFORM);
      return undefined;
    } catch (e) {
      return e;
    }
  });
  assert.ok(value instanceof UserError, String(value));
  assert.match(value.message, /too large/);
  assert.ok(rssGrowth < 50 * MiB);
});

/** An OCI layout directory whose index.json is `index` (blobs added by `blobs`). */
function ociLayout(index: unknown, blobs: Buffer[] = []): string {
  const dir = freshDir();
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), typeof index === 'string' ? index : JSON.stringify(index));
  for (const b of blobs) writeFileSync(join(dir, 'blobs/sha256', digestOf(b).slice(7)), b);
  return dir;
}

test('OCI layout: traversal and absolute digests, index recursion, null documents, symlinked blobs', async () => {
  const m = (digest: string, mediaType = 'application/vnd.oci.image.manifest.v1+json') => ({
    schemaVersion: 2,
    manifests: [{ mediaType, digest, size: 2, platform: { os: 'linux', architecture: 'amd64' } }],
  });
  for (const digest of ['sha256:../../x', '/etc/passwd', `sha256:${'a'.repeat(63)}/`, 'sha256:']) {
    assert.throws(
      () => openLocalArchive(ociLayout(m(digest)), PLATFORM),
      (e: unknown) => {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, /invalid digest/);
        return true;
      },
    );
  }
  for (const doc of ['null', '{"manifests": {"0": 1}}', '{"manifests": "abc"}', '[]']) {
    assert.throws(() => openLocalArchive(ociLayout(doc), PLATFORM), UserError, doc);
  }
  // index -> index -> ... (a chain of 10 distinct nested indexes)
  const INDEX = 'application/vnd.oci.image.index.v1+json';
  const blobs: Buffer[] = [];
  let top = Buffer.from(JSON.stringify(m(`sha256:${'0'.repeat(64)}`)));
  blobs.push(top);
  for (let i = 0; i < 10; i++) {
    top = Buffer.from(JSON.stringify({ ...m(digestOf(top), INDEX), n: i }));
    blobs.push(top);
  }
  assert.throws(
    () => openLocalArchive(ociLayout(m(digestOf(top), INDEX), blobs), PLATFORM),
    (e: unknown) => e instanceof UserError && /nest/.test(e.message),
  );
  // An index that names itself (through a blob holding the same document).
  const selfish = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  assert.throws(
    () => openLocalArchive(ociLayout(m(digestOf(selfish), INDEX), [selfish]), PLATFORM),
    UserError,
  );

  // A manifest blob that is a symlink to /dev/zero, or to a file outside the layout: never read.
  const zeroDigest = `sha256:${'1'.repeat(64)}`;
  const dz = ociLayout(m(zeroDigest));
  symlinkSync('/dev/zero', join(dz, 'blobs/sha256', zeroDigest.slice(7)));
  const start = Date.now();
  assert.throws(() => openLocalArchive(dz, PLATFORM), UserError);
  assert.ok(Date.now() - start < 2000);
  const outside = join(freshDir(), 'secret.json');
  writeFileSync(outside, JSON.stringify({ schemaVersion: 2, config: {}, layers: [] }));
  const out = ociLayout(
    m(digestOf(Buffer.from(JSON.stringify({ schemaVersion: 2, config: {}, layers: [] })))),
  );
  symlinkSync(
    outside,
    join(
      out,
      'blobs/sha256',
      digestOf(Buffer.from(JSON.stringify({ schemaVersion: 2, config: {}, layers: [] }))).slice(7),
    ),
  );
  assert.throws(
    () => openLocalArchive(out, PLATFORM),
    (e: unknown) => e instanceof UserError && /outside|not a regular/.test(e.message),
  );

  // A config blob whose content does not match its digest is refused (not analysed).
  const cfg = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64' }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: digestOf(cfg),
        size: cfg.length,
      },
      layers: [],
    }),
  );
  const tampered = ociLayout(m(digestOf(manifest)), [manifest]);
  writeFileSync(join(tampered, 'blobs/sha256', digestOf(cfg).slice(7)), '{"os":"windows"}');
  assert.throws(
    () => openLocalArchive(tampered, PLATFORM),
    (e: unknown) => e instanceof UserError && /digest/.test(e.message),
  );
});

test('an image path that is a symlink to a directory is read as that directory, nothing else', async () => {
  const root = freshDir();
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/os-release'), 'ID=alpine\nVERSION_ID=3.20.0\n');
  symlinkSync('/etc/hostname', join(root, 'etc/hostname'));
  mkdirSync(join(root, 'lib/apk/db'), { recursive: true });
  symlinkSync('/dev/zero', join(root, 'lib/apk/db/installed'));
  const link = join(freshDir(), 'image.tar');
  symlinkSync(root, link);
  const { source } = await openImage(link);
  const inv = await takeInventory(source, { catalogers: ALL_CATALOGERS });
  assert.equal(inv.distro?.id, 'alpine');
  assert.equal(inv.packages.length, 0, 'the /dev/zero symlink is recorded, never followed on the host');
});

// ---------------------------------------------------------------------------------------------------------
// registry (local node:http stand-in on 127.0.0.1)

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; addr: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    addr,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const client = (extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient =>
  new RegistryClient({ insecure: () => true, retries: 1, backoffMs: 1, timeoutMs: 2000, ...extra });

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Opens `addr/a/b:v1` through the registry source, as the CLI does, and returns the one-line error. */
async function openError(addr: string, c: RegistryClient): Promise<UserError> {
  try {
    await openRegistryImage(`${addr}/a/b:v1`, c, PLATFORM);
  } catch (e) {
    const u = toUserError(e, `${addr}/a/b:v1`);
    assert.ok(u instanceof UserError, `not a user error: ${String(e)}`);
    assert.ok(!u.oneLine().includes('\n'));
    return u;
  }
  assert.fail('expected an error');
}

test('registry: 100,000 layers, oversized or lying config blob', async () => {
  const layer = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: `sha256:${'a'.repeat(64)}`,
    size: 1,
  };
  const bigCfg = Buffer.alloc(6 * MiB, 0x20);
  const manifests: Record<string, Buffer> = {
    many: Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: layer,
        layers: Array(100_000).fill(layer),
      }),
    ),
    // small enough for the manifest limit, far beyond any real image's layer count
    fivek: Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: layer,
        layers: Array(5000).fill({ digest: layer.digest, size: 1 }),
      }),
    ),
    bigcfg: Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { digest: digestOf(bigCfg), size: bigCfg.length },
        layers: [],
      }),
    ),
    liecfg: Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { digest: digestOf(bigCfg), size: 10 },
        layers: [],
      }),
    ),
    nullcfg: Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { digest: digestOf(Buffer.from('null')), size: 4 },
        layers: [],
      }),
    ),
    nulllayer: Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: layer, layers: [null, 7] }),
    ),
    badindex: Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: { a: 1 },
      }),
    ),
  };
  let tag = 'many';
  const { addr, close } = await serve((req, res) => {
    const url = req.url ?? '';
    if (url.includes('/manifests/')) {
      const body = manifests[tag] ?? Buffer.alloc(0);
      return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(body);
    }
    if (url.includes(`/blobs/${digestOf(Buffer.from('null'))}`)) return void res.writeHead(200).end('null');
    if (url.includes('/blobs/')) return void res.writeHead(200).end(bigCfg);
    res.writeHead(404).end();
  });
  const c = client();
  try {
    assert.match((await openError(addr, c)).message, /larger than|too many layers/);
    for (const [t, re] of [
      ['fivek', /layers/],
      ['bigcfg', /larger than/],
      ['liecfg', /declared size|larger than/],
      ['nullcfg', /config/],
      ['nulllayer', /layer|manifest/],
      ['badindex', /manifest|index/],
    ] as const) {
      tag = t;
      assert.match((await openError(addr, c)).message, re, t);
    }
  } finally {
    await c.close();
    await close();
  }
});

test('registry: hostile token endpoints and WWW-Authenticate realms', async () => {
  let mode = 'big';
  const { addr, close } = await serve((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/token')) {
      if (mode === 'big') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"token":"');
        const chunk = Buffer.alloc(MiB, 0x61);
        for (let i = 0; i < 50; i++) res.write(chunk);
        return void res.end('"}');
      }
      if (mode === 'invalid') return void res.writeHead(200).end('{"token": nope');
      if (mode === 'object') return void res.writeHead(200).end('{"token": {"a": 1}}');
      if (mode === 'crlf') return void res.writeHead(200).end('{"token": "abc\\r\\nX-Evil: 1"}');
      return void res.writeHead(200).end('null');
    }
    const realm =
      mode === 'file'
        ? 'file:///etc/passwd'
        : mode === 'js'
          ? 'javascript:alert(1)'
          : mode === 'garbage'
            ? '::::'
            : `http://${addr}/token`;
    res
      .writeHead(401, {
        'www-authenticate': `Bearer realm="${realm}",service="s",scope="repository:a/b:pull"`,
      })
      .end();
  });
  const c = client();
  try {
    for (const [m, re] of [
      ['big', /larger than/],
      ['invalid', /token.*JSON|JSON.*token/],
      ['object', /token/],
      ['crlf', /token/],
      ['null', /token/],
      ['file', /realm/],
      ['js', /realm/],
      ['garbage', /realm/],
    ] as const) {
      mode = m;
      const e = await openError(addr, client());
      assert.match(e.message, re, m);
    }
  } finally {
    await c.close();
    await close();
  }
});

test('registry: Link pagination that loops forever ends', async () => {
  let calls = 0;
  const { addr, close } = await serve((req, res) => {
    calls++;
    res
      .writeHead(200, {
        'content-type': 'application/json',
        link: `</v2/a/b/tags/list?last=x&n=1>; rel="next"`,
      })
      .end(JSON.stringify({ tags: ['x'] }));
  });
  const c = client();
  try {
    const start = Date.now();
    await assert.rejects(c.listTags({ registry: addr, repository: 'a/b' }, 1), (e: unknown) => {
      assert.ok(e instanceof RegistryError, String(e));
      assert.match(e.message, /pagination|loop/);
      return true;
    });
    await assert.rejects(c.catalog(addr, 1), RegistryError);
    assert.ok(calls < 10, `${calls} requests`);
    assert.ok(Date.now() - start < 5000);
  } finally {
    await c.close();
    await close();
  }
});

test('registry: a server that never sends the body (or headers) times out via timeoutMs', async () => {
  const held: ServerResponse[] = [];
  const { addr, close } = await serve((req, res) => {
    held.push(res);
    if (req.url?.includes('/manifests/noheaders')) return; // never answers at all
    res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': '1000' });
    res.flushHeaders();
    if (req.url?.includes('/blobs/')) res.write(Buffer.alloc(10)); // a few bytes, then silence
  });
  const c = client({ timeoutMs: 300 });
  const repo = { registry: addr, repository: 'a/b' };
  try {
    const start = Date.now();
    await assert.rejects(c.getManifest(repo, 'v1'), (e: unknown) => {
      assert.ok(e instanceof RegistryError, String(e));
      assert.match(e.message, /time/i);
      return true;
    });
    await assert.rejects(c.getManifest(repo, 'noheaders'), RegistryError);
    const blob = await c.fetchBlob(repo, { digest: `sha256:${'b'.repeat(64)}` });
    await assert.rejects(
      (async () => {
        for await (const _ of blob) void _;
      })(),
      (e: unknown) => e instanceof Error && /time/i.test(e.message),
    );
    assert.ok(Date.now() - start < 10_000, `took ${Date.now() - start} ms`);
  } finally {
    for (const r of held) r.destroy();
    await c.close();
    await close();
  }
});

// ---------------------------------------------------------------------------------------------------------
// CLI: `kubeward sbom` on hostile archives exits 2 with one line, or 0 with a partial inventory

/** Hostile archives for the CLI: the ones refused when opened, and the ones whose layer content is bad. */
async function hostileArchives(): Promise<{
  dir: string;
  open: Record<string, string>;
  layer: Record<string, string>;
}> {
  const dir = freshDir();
  const cfg = (ids: string[] = []) =>
    JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: ids } });
  const good = await tarLayer([
    { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' },
    { path: 'var/lib/dpkg/status', content: 'Package: a\nVersion: 1\nStatus: install ok installed\n' },
  ]);
  const save = async (
    name: string,
    manifest: unknown,
    extra: Array<{ path: string; content: string | Buffer }>,
  ) => writeTar(dir, name, [{ path: 'manifest.json', content: JSON.stringify(manifest) }, ...extra]);
  const withLayer = (name: string, layer: Buffer) =>
    save(
      name,
      [{ Config: 'c.json', Layers: ['l.tar'] }],
      [
        { path: 'c.json', content: cfg() },
        { path: 'l.tar', content: layer },
      ],
    );
  const open: Record<string, string> = {
    traversal: await save(
      'traversal.tar',
      [{ Config: 'c.json', Layers: ['../../../etc/passwd'] }],
      [{ path: 'c.json', content: cfg() }],
    ),
    nullcfg: await save(
      'nullcfg.tar',
      [{ Config: 'c.json', Layers: [] }],
      [{ path: 'c.json', content: 'null' }],
    ),
    notatar: join(dir, 'notatar.tar'),
    bigmanifest: join(dir, 'bigmanifest.tar'),
    // a valid archive of a hostile but well-formed layer: symlink loops and links out of the root
    loops: await withLayer(
      'loops.tar',
      await tarOf([
        { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
        { name: 'usr/lib/os-release', type: 'symlink', linkname: '/etc/os-release' },
        { name: 'var/lib/dpkg/status', type: 'link', linkname: '../../../../etc/shadow' },
        { name: '../../../../tmp/kubeward-hostile-escape', content: 'x' },
      ]),
    ),
  };
  writeFileSync(open.notatar!, Buffer.alloc(10_000, 0x5a));
  writeFileSync(
    open.bigmanifest!,
    Buffer.concat([ustarHeader('manifest.json', 9 * MiB), Buffer.alloc(9 * MiB), END]),
  );
  const zeroDigest = `sha256:${'1'.repeat(64)}`;
  open.devzero = ociLayout({
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_MANIFEST, digest: zeroDigest, size: 1 }],
  });
  symlinkSync('/dev/zero', join(open.devzero, 'blobs/sha256', zeroDigest.slice(7)));
  open.traversaldigest = ociLayout({
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_MANIFEST, digest: 'sha256:../../x' }],
  });
  const layer: Record<string, string> = {
    truncated: await withLayer('truncated.tar', compress(good, 'gzip').subarray(0, 100)),
    badsum: await withLayer('badsum.tar', Buffer.concat([ustarHeader('x', 0, { badChecksum: true }), END])),
    zstdgarbage: await withLayer(
      'zstd.tar',
      Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(4096, 0xab)]),
    ),
  };
  return { dir, open, layer };
}

function assertCleanExit(dir: string, cases: Record<string, string>): void {
  for (const [name, path] of Object.entries(cases)) {
    const r = kubeward(['sbom', path, '-o', join(dir, `${name}.cdx.json`)], { timeoutMs: 30_000 });
    const info = `${name}: ${describeRun(r)}`;
    assert.ok(r.code === 2 || r.code === 0, info);
    assert.ok(!/^\s+at /m.test(r.stderr), `no stack trace: ${info}`);
    if (r.code === 2) {
      assert.equal(r.stderr.trim().split('\n').length, 1, info);
      assert.match(r.stderr, /^kubeward: /, info);
      assert.doesNotMatch(r.stderr, /internal error/, info);
    }
  }
}

let archives: Awaited<ReturnType<typeof hostileArchives>> | undefined;

test('CLI: kubeward sbom on hostile archives exits 2 with one line, or 0 with a partial inventory', async () => {
  archives ??= await hostileArchives();
  assertCleanExit(archives.dir, archives.open);
  const loops = kubeward(['sbom', archives.open.loops!]);
  assert.equal(loops.code, 0, describeRun(loops));
  assert.ok(JSON.parse(loops.stdout), 'a partial inventory is still a valid SBOM');
});

// Needs two changes outside this suite's files (see the hand-over notes): inventory.ts wraps every layer
// failure in a plain Error (exit 3, "internal error"), and cli/commands/sbom.ts does not pass inventory
// errors through toUserError as image-scan.ts does.
test('CLI: kubeward sbom on an archive with a corrupt layer exits 2 with one line', async () => {
  archives ??= await hostileArchives();
  assertCleanExit(archives.dir, archives.layer);
});
