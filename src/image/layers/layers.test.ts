import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { analyzeLayer, normalizeEntryPath } from './analyze-layer.js';
import { decompressLayer, detectCompression } from './decompress.js';
import { squash } from './squash.js';
import { GoBuildInfoScanner, parseGoBuildInfo } from '../catalog/lang/go-binary.js';
import { tarLayer } from '../../../test/support/oci-builder.js';
import { commandWorks, integration } from '../../../test/support/integration.js';

const wantedAll = (_p: string): boolean => true;
const analyze = (tar: Buffer, wanted = wantedAll) =>
  analyzeLayer(decompressLayer(Readable.from([tar])), { wanted });

test('normalizeEntryPath: the fast path agrees with full POSIX normalisation on fuzzed names', () => {
  // Reference: normalise as an absolute path, strip the root and trailing slashes, refuse any `..` left.
  const reference = (name: string): string | undefined => {
    const n = posix
      .normalize('/' + name.replace(/\\/g, '/'))
      .replace(/^\/+/, '')
      .replace(/\/+$/, '');
    if (n === '' || n === '.') return '';
    return n.split('/').includes('..') ? undefined : n;
  };
  const parts = ['a', '.', '..', '/', '\\', 'b.c', '...', '.wh.', ' ', 'é'];
  let seed = 7;
  const next = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let i = 0; i < 50_000; i++) {
    let name = '';
    for (let j = 0, n = 1 + next(10); j < n; j++) name += parts[next(parts.length)];
    assert.equal(normalizeEntryPath(name), reference(name), JSON.stringify(name));
  }
});

test('normalizeEntryPath keeps paths inside the root', () => {
  assert.equal(normalizeEntryPath('./etc/passwd'), 'etc/passwd');
  assert.equal(normalizeEntryPath('/usr//lib/'), 'usr/lib');
  assert.equal(normalizeEntryPath('a/../b'), 'b');
  assert.equal(normalizeEntryPath('../../etc/shadow'), 'etc/shadow'); // clamped at the root, never above it
});

test('only wanted files are read; whiteouts and opaque directories hide lower layers', async () => {
  const base = await tarLayer([
    { path: 'etc/', type: 'directory' },
    { path: 'etc/os-release', content: 'ID=debian\n' },
    { path: 'var/lib/dpkg/status', content: 'Package: a\n' },
    { path: 'opt/app/x.txt', content: 'x' },
    { path: 'opt/app/y.txt', content: 'y' },
    { path: 'usr/bin/big', content: Buffer.alloc(1000) },
    { path: 'usr/bin/su', content: 'elf', mode: 0o4755 },
  ]);
  const upper = await tarLayer([
    { path: 'var/lib/dpkg/.wh.status' },
    { path: 'opt/app/.wh..wh..opq' },
    { path: 'opt/app/z.txt', content: 'z' },
    { path: 'etc/os-release', content: 'ID=alpine\n' },
  ]);
  const wanted = (p: string) => !p.startsWith('usr/bin/big');
  const l0 = await analyze(gzipSync(base), wanted);
  assert.ok(!l0.files.has('usr/bin/big'), 'unwanted file not read');
  assert.deepEqual(
    l0.setuid.map((s) => s.path),
    ['usr/bin/su'],
  );
  const l1 = await analyze(upper, wanted);
  const fs = squash([l0, l1]);
  assert.equal(fs.get('etc/os-release')?.content.toString(), 'ID=alpine\n');
  assert.equal(fs.get('etc/os-release')?.layer, 1);
  assert.equal(fs.get('var/lib/dpkg/status'), undefined);
  assert.deepEqual([...fs.paths((p) => p.startsWith('opt/'))], ['opt/app/z.txt']);
  assert.equal(fs.setuid.get('usr/bin/su')?.layer, 0);
});

test('symlinks are followed within the root, loops end', async () => {
  const layer = await tarLayer([
    { path: 'usr/lib/os-release', content: 'ID=debian\n' },
    { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { path: 'lib', type: 'symlink', linkname: 'usr/lib' },
    { path: 'loop1', type: 'symlink', linkname: 'loop2' },
    { path: 'loop2', type: 'symlink', linkname: 'loop1' },
    { path: 'escape', type: 'symlink', linkname: '../../../../usr/lib/os-release' },
  ]);
  const fs = squash([await analyze(layer)]);
  assert.equal(fs.get('etc/os-release')?.content.toString(), 'ID=debian\n');
  assert.equal(fs.get('lib/os-release')?.content.toString(), 'ID=debian\n');
  assert.equal(fs.get('loop1'), undefined);
  assert.equal(fs.get('escape')?.content.toString(), 'ID=debian\n'); // clamped to the root
});

test('compression is detected from magic bytes: gzip, zstd, none', async (t) => {
  const tar = await tarLayer([{ path: 'a', content: 'hello' }]);
  assert.equal(detectCompression(gzipSync(tar)), 'gzip');
  assert.equal(detectCompression(tar), 'none');
  assert.equal((await analyze(tar)).files.get('a')?.content.toString(), 'hello');
  if (
    !integration(
      t,
      'zstd-layers',
      commandWorks('zstd', ['--version']),
      'zstd not installed (apt-get install zstd)',
    )
  )
    return;
  const z = spawnSync('zstd', ['-q', '-c'], { input: tar });
  assert.equal(detectCompression(z.stdout), 'zstd');
  assert.equal((await analyze(z.stdout)).files.get('a')?.content.toString(), 'hello');
});

test('a truncated or corrupt layer rejects instead of hanging', async () => {
  const tar = gzipSync(await tarLayer([{ path: 'a', content: 'x'.repeat(5000) }]));
  await assert.rejects(analyze(tar.subarray(0, tar.length / 2)));
  const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 7)]);
  await assert.rejects(analyze(garbage));
});

test('a streaming scanner reduces a file as the layer streams, to what reduce gives for its bytes', async () => {
  const go = readFileSync(new URL('../catalog/lang/testdata/go-app', import.meta.url));
  const tar = gzipSync(
    await tarLayer([
      { path: 'usr/bin/app', content: go, mode: 0o755 },
      { path: 'usr/bin/other', content: Buffer.alloc(300_000, 7), mode: 0o755 },
      { path: 'usr/bin/empty', content: Buffer.alloc(0), mode: 0o755 },
      { path: 'etc/os-release', content: 'ID=debian\n' },
    ]),
  );
  const wanted = (p: string) => p.startsWith('usr/bin/') || p === 'etc/os-release';
  // As takeInventory's: binaries keep only what was extracted, other wanted files their bytes.
  const reduce = (p: string, content: Buffer) =>
    p.startsWith('usr/bin/')
      ? { content: Buffer.alloc(0), extracted: parseGoBuildInfo(content) }
      : { content };
  const reduceOnly = (p: string) => p.startsWith('usr/bin/');
  let scanners = 0;
  const scanner = () => {
    scanners++;
    return new GoBuildInfoScanner();
  };
  const read = await analyzeLayer(decompressLayer(Readable.from([tar])), { wanted, reduce, reduceOnly });
  const streamed = await analyzeLayer(decompressLayer(Readable.from([tar])), {
    wanted,
    reduce,
    reduceOnly,
    scanner,
  });
  assert.equal(scanners, 3, 'one scanner per reduce-only file');
  assert.equal(
    (streamed.files.get('usr/bin/app')?.extracted as { goVersion?: string })?.goVersion,
    'go1.19.8',
  );
  for (const path of ['usr/bin/app', 'usr/bin/other', 'usr/bin/empty', 'etc/os-release']) {
    const a = read.files.get(path);
    const b = streamed.files.get(path);
    assert.ok(a && b, path);
    assert.deepEqual(b.extracted, a.extracted, path);
    assert.deepEqual([b.content, b.mode, b.size], [a.content, a.mode, a.size], path);
  }
  assert.equal(streamed.files.get('etc/os-release')?.content.toString(), 'ID=debian\n');
});
