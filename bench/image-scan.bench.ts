// Benchmark of the image scan (issue: supply chain I). A realistic ~400 MB (uncompressed) image of six gzip
// layers is generated deterministically (seeded, no network) and cached under bench/out/, pushed to Debian's
// real docker-registry on 127.0.0.1, then, alternating five times each, in fresh child processes:
//   baseline = fetch every layer blob through RegistryClient.fetchBlob and gunzip it to a null sink;
//   scan     = openRegistryImage + takeInventory with ALL_CATALOGERS, no cache.
// Reported: the medians, scan / baseline (target <= 1.3) and the scan's peak RSS (target < 200 MB).
// Run alone: node --import tsx bench/image-scan.bench.ts   (bench/run.ts calls the default export's run()).
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { RegistryClient, type RepoRef } from '../src/image/registry/client.js';
import { MEDIA_TYPES, type Descriptor } from '../src/image/registry/media-types.js';
import { digestOf } from '../src/image/registry/digest.js';
import { openRegistryImage } from '../src/image/source/registry-source.js';
import { parsePlatform } from '../src/image/source/image-source.js';
import { takeInventory } from '../src/image/inventory.js';
import { GUNZIP_CHUNK_BYTES } from '../src/image/layers/decompress.js';
import { ALL_CATALOGERS } from '../src/image/catalog/index.js';
import { registryAvailable, startRegistry } from '../test/support/registry.js';
import { useBatchHeapGrowth } from '../src/cli/batch-heap.js';

/** Bump when the generator changes: the cached blobs under bench/out/ are keyed by it. */
const GENERATOR_VERSION = 'v2';
const SEED = 0x6b77_2026;
const RUNS = Number(process.env.KW_BENCH_RUNS ?? 5);
const RATIO_TARGET = 1.3;
const RSS_TARGET_MB = 200;
/** Layers fetched at once, in the baseline as in the scan (takeInventory's default; override to experiment). */
const CONCURRENCY = Number(process.env.KW_BENCH_CONCURRENCY ?? 3);

const SELF = fileURLToPath(import.meta.url);
const OUT_DIR = join(dirname(SELF), 'out', `image-scan-${GENERATOR_VERSION}`);
const REPOSITORY = 'bench/debian-app';
const TAG = GENERATOR_VERSION;

const MB = 1e6;
const KiB = 1024;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Deterministic content

/** mulberry32: small, fast, seeded; every generation decision comes from it. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  /** Log-uniform size between min and max: many small files, few large ones. */
  size(min: number, max: number): number {
    return Math.round(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Incompressible bytes: AES-256-CTR over zeros with a key derived from the seed (fast and reproducible). */
class RandomBytes {
  private readonly cipher;
  constructor(label: string) {
    const key = createHash('sha256').update(`${SEED}:${label}`).digest();
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }
  take(n: number): Buffer {
    return this.cipher.update(Buffer.alloc(n));
  }
}

const SYLLABLES = 'ka ri to mu se la po ne vi da gu ro fe zi bo na te lu mi sa qu ex in st ar on el ut'.split(
  ' ',
);

/** A pool of code-like text (compresses roughly 3-4x with gzip, like source and docs). */
function textPool(rng: Rng, bytes: number): Buffer {
  const words: string[] = [];
  for (let i = 0; i < 3000; i++) {
    let w = '';
    for (let s = rng.range(1, 4); s > 0; s--) w += rng.pick(SYLLABLES);
    words.push(w);
  }
  const kw = ['const', 'return', 'if', 'function', 'import', 'def', 'self', 'for', 'while', 'let', 'class'];
  const parts: string[] = [];
  let len = 0;
  while (len < bytes) {
    const indent = ' '.repeat(2 * rng.int(5));
    let line = indent + rng.pick(kw) + ' ';
    for (let n = rng.range(2, 9); n > 0; n--) {
      line += rng.pick(words) + rng.pick([' ', ' ', '_', '.', '(', ', ', ' = ', ') ', '; ']);
    }
    if (rng.chance(0.1)) line += String(rng.int(100000));
    line += '\n';
    parts.push(line);
    len += line.length;
  }
  return Buffer.from(parts.join(''), 'latin1');
}

interface Gen {
  rng: Rng;
  rand: RandomBytes;
  pool: Buffer;
}

function text(g: Gen, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  while (at < n) {
    const len = Math.min(n - at, g.rng.range(4 * KiB, 256 * KiB));
    const from = g.rng.int(g.pool.length - len);
    g.pool.copy(out, at, from, from + len);
    at += len;
  }
  return out;
}

/** Machine code look-alike: 4 KiB blocks, about 55% random, 25% strings, 20% zero padding. */
function binary(g: Gen, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let at = 0; at < n; at += 4096) {
    const len = Math.min(4096, n - at);
    const r = g.rng.next();
    if (r < 0.55) g.rand.take(len).copy(out, at);
    else if (r < 0.8) text(g, len).copy(out, at);
  }
  return out;
}

/** Data files: 40% are incompressible (already-compressed assets, archives), the rest text. */
function data(g: Gen, n: number): Buffer {
  return g.rng.chance(0.4) ? g.rand.take(n) : text(g, n);
}

function version(rng: Rng): string {
  return `${rng.int(5)}.${rng.int(30)}.${rng.int(20)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Layers

interface Entry {
  path: string;
  content?: Buffer;
  mode?: number;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

/** What the generator put in the image, checked against the scan's results. */
interface Expected {
  dpkg: number;
  npm: number;
  python: number;
  goBinaries: number;
  jars: number;
}

class LayerBuilder {
  readonly entries: Entry[] = [];
  bytes = 0;
  private readonly dirs = new Set<string>();
  file(path: string, content: Buffer, mode = 0o644): void {
    this.dir(dirname(path));
    this.entries.push({ path, content, mode });
    this.bytes += content.length;
  }
  symlink(path: string, linkname: string): void {
    this.dir(dirname(path));
    this.entries.push({ path, type: 'symlink', linkname });
  }
  whiteout(path: string): void {
    this.dir(dirname(path));
    this.entries.push({ path, content: Buffer.alloc(0) });
  }
  private dir(d: string): void {
    if (d === '.' || d === '' || this.dirs.has(d)) return;
    this.dir(dirname(d));
    this.dirs.add(d);
    this.entries.push({ path: d + '/', type: 'directory', mode: 0o755 });
  }
}

const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n' +
  'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n';

const DEB_NAMES = (
  'adduser apt base-files base-passwd bash bsdutils ca-certificates coreutils curl dash debconf ' +
  'debian-archive-keyring debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip ' +
  'hostname init-system-helpers libacl1 libapt-pkg6.0 libattr1 libaudit1 libblkid1 libbz2-1.0 libc-bin ' +
  'libc6 libcap-ng0 libcom-err2 libcrypt1 libcurl4 libdb5.3 libdebconfclient0 libext2fs2 libffi8 ' +
  'libgcc-s1 libgcrypt20 libgmp10 libgnutls30 libgpg-error0 libgssapi-krb5-2 libhogweed6 libidn2-0 ' +
  'libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libldap-2.5-0 liblz4-1 liblzma5 libmd0 ' +
  'libmount1 libnettle8 libnghttp2-14 libp11-kit0 libpam-modules libpam0g libpcre2-8-0 libpsl5 ' +
  'librtmp1 libsasl2-2 libseccomp2 libselinux1 libsemanage2 libsepol2 libsmartcols1 libss2 libssh2-1 ' +
  'libssl3 libstdc++6 libsystemd0 libtasn1-6 libtinfo6 libudev1 libunistring2 libuuid1 libxxhash0 ' +
  'libzstd1 login logsave mawk mount ncurses-base ncurses-bin openssl passwd perl-base python3 ' +
  'python3.11 sed sysvinit-utils tar tzdata usr-is-merged util-linux zlib1g'
).split(' ');

function dpkgStanza(rng: Rng, name: string): string {
  const src = rng.chance(0.3) ? `Source: ${name.replace(/\d.*$/, '') || name} (${version(rng)}-1)\n` : '';
  const lines = [
    `Package: ${name}`,
    'Status: install ok installed',
    `Priority: ${rng.pick(['required', 'important', 'optional'])}`,
    `Section: ${rng.pick(['libs', 'utils', 'admin', 'net', 'python', 'perl', 'shells'])}`,
    `Installed-Size: ${rng.range(20, 40000)}`,
    'Maintainer: Debian Maintainers <maint@lists.debian.org>',
    'Architecture: amd64',
    'Multi-Arch: same',
  ];
  return (
    lines.join('\n') +
    '\n' +
    src +
    `Version: ${rng.int(3) ? '' : '1:'}${version(rng)}-${rng.range(1, 9)}+deb12u${rng.range(1, 6)}\n` +
    `Depends: libc6 (>= 2.34), ${rng.pick(DEB_NAMES)}\n` +
    `Description: ${name} package for the benchmark\n This is a synthetic package.\n .\n It exists only to be counted.\n`
  );
}

function dpkgPackages(rng: Rng, count: number, prefix: string): string[] {
  const names = prefix === 'base' ? [...DEB_NAMES] : [];
  for (let i = 0; names.length < count; i++) names.push(`lib${prefix}${i}-${rng.pick(SYLLABLES)}`);
  return names.slice(0, count);
}

/** Go 1.18+ build info at a 16-byte aligned offset: magic, pointer size, flags (inline), then strings. */
function goBuildInfo(goVersion: string, main: string, mainVersion: string, deps: string[]): Buffer {
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header, 0);
  header[14] = 8;
  header[15] = 0x2;
  const start = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
  const end = Buffer.from('f932433186182072008242104116d8f2', 'hex');
  const mod =
    `path\t${main}/cmd/${main.split('/').pop() ?? 'x'}\nmod\t${main}\t${mainVersion}\th1:x=\n` +
    deps.map((d) => `dep\t${d}\th1:y=\n`).join('') +
    'build\t-compiler=gc\nbuild\tCGO_ENABLED=0\nbuild\tGOOS=linux\n';
  const modinfo = Buffer.concat([start, Buffer.from(mod), end]);
  return Buffer.concat([header, varintString(Buffer.from(goVersion)), varintString(modinfo)]);
}

function varintString(b: Buffer): Buffer {
  const len: number[] = [];
  let n = b.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from(len), b]);
}

/** A zip built by python3's zipfile (nested archives are stored, like Spring Boot's BOOT-INF/lib). */
type ZipSpec = Array<{ name: string; b64?: string; zip?: ZipSpec; stored?: boolean }>;

const ZIP_PY = `
import base64, io, json, sys, zipfile
def build(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as z:
        for e in entries:
            data = build(e['zip']) if 'zip' in e else base64.b64decode(e['b64'])
            info = zipfile.ZipInfo(e['name'], date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if e.get('stored') else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()
sys.stdout.buffer.write(build(json.load(sys.stdin)))
`;

function buildZip(spec: ZipSpec): Buffer {
  const r = spawnSync('python3', ['-c', ZIP_PY], {
    input: JSON.stringify(spec),
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`python3 zipfile failed: ${r.stderr?.toString() ?? r.error?.message}`);
  return r.stdout;
}

function jarSpec(g: Gen, group: string, artifact: string, ver: string, classBytes: number): ZipSpec {
  const spec: ZipSpec = [
    {
      name: 'META-INF/MANIFEST.MF',
      b64: Buffer.from(`Manifest-Version: 1.0\r\nImplementation-Title: ${artifact}\r\n\r\n`).toString(
        'base64',
      ),
    },
    {
      name: `META-INF/maven/${group}/${artifact}/pom.properties`,
      b64: Buffer.from(`groupId=${group}\nartifactId=${artifact}\nversion=${ver}\n`).toString('base64'),
    },
  ];
  let left = classBytes;
  for (let i = 0; left > 0; i++) {
    const n = Math.min(left, g.rng.size(1 * KiB, 64 * KiB));
    spec.push({
      name: `${group.replace(/\./g, '/')}/${artifact}/C${i}.class`,
      b64: binary(g, n).toString('base64'),
    });
    left -= n;
  }
  return spec;
}

/** The six layers, in order. Deterministic for a given SEED and GENERATOR_VERSION. */
function generateLayers(): { layers: LayerBuilder[]; expected: Expected } {
  const rng = new Rng(SEED);
  const g: Gen = { rng, rand: new RandomBytes('layers'), pool: textPool(new Rng(SEED ^ 0x55), 8 * MiB) };
  const layers: LayerBuilder[] = [];

  // 0: Debian-like base: os-release, dpkg status with 300 packages, binaries, libraries, data.
  const base = new LayerBuilder();
  layers.push(base);
  base.file('usr/lib/os-release', Buffer.from(OS_RELEASE));
  base.symlink('etc/os-release', '../usr/lib/os-release');
  base.file('etc/debian_version', Buffer.from('12.8\n'));
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) base.symlink(l, `usr/${l}`);
  const debs = dpkgPackages(rng, 300, 'base');
  const statusBase = debs.map((n) => dpkgStanza(rng, n)).join('\n');
  base.file('var/lib/dpkg/status', Buffer.from(statusBase));
  for (const n of debs) {
    base.file(`var/lib/dpkg/info/${n}.list`, text(g, rng.size(200, 8 * KiB)));
    base.file(`var/lib/dpkg/info/${n}.md5sums`, text(g, rng.size(100, 4 * KiB)));
    base.file(`usr/share/doc/${n}/copyright`, text(g, rng.size(500, 20 * KiB)));
    if (rng.chance(0.5))
      base.file(`usr/share/doc/${n}/changelog.Debian.gz`, g.rand.take(rng.size(500, 30 * KiB)));
  }
  for (let i = 0; i < 160; i++)
    base.file(
      `usr/bin/${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}${i}`,
      binary(g, rng.size(8 * KiB, 800 * KiB)),
      0o755,
    );
  for (let i = 0; i < 40; i++)
    base.file(`usr/sbin/${rng.pick(SYLLABLES)}tool${i}`, binary(g, rng.size(8 * KiB, 400 * KiB)), 0o755);
  for (const p of ['usr/bin/passwd', 'usr/bin/su', 'usr/bin/mount', 'usr/bin/newgrp'])
    base.file(p, binary(g, 60 * KiB), 0o4755);
  base.symlink('usr/bin/sh', 'dash');
  for (let i = 0; i < 120; i++)
    base.file(
      `usr/lib/x86_64-linux-gnu/lib${rng.pick(SYLLABLES)}${i}.so.${rng.range(0, 9)}`,
      binary(g, rng.size(16 * KiB, 2 * MiB)),
    );
  base.file('usr/lib/x86_64-linux-gnu/libLLVM-15.so.1', binary(g, 8 * MiB));
  for (let i = 0; i < 1800; i++)
    base.file(
      `usr/share/zoneinfo/${rng.pick(['Europe', 'America', 'Asia', 'Africa'])}/${rng.pick(SYLLABLES)}${i}`,
      data(g, rng.size(100, 4 * KiB)),
    );
  for (let i = 0; i < 900; i++)
    base.file(
      `usr/share/man/man${rng.range(1, 8)}/${rng.pick(SYLLABLES)}${i}.gz`,
      g.rand.take(rng.size(300, 12 * KiB)),
    );
  for (let i = 0; i < 400; i++)
    base.file(
      `usr/share/perl5/${rng.pick(SYLLABLES)}/${rng.pick(SYLLABLES)}${i}.pm`,
      text(g, rng.size(500, 60 * KiB)),
    );
  for (let i = 0; i < 250; i++)
    base.file(`usr/share/i18n/locales/${rng.pick(SYLLABLES)}_${i}`, text(g, rng.size(2 * KiB, 80 * KiB)));

  // 1: Go tools with build info, and one static non-Go executable.
  const tools = new LayerBuilder();
  layers.push(tools);
  const goBins = [16, 12, 10, 8, 6, 4];
  goBins.forEach((mb, i) => {
    const name = `tool${i}`;
    const deps = Array.from(
      { length: rng.range(20, 80) },
      (_, d) => `github.com/${rng.pick(SYLLABLES)}${d % 17}/${rng.pick(SYLLABLES)}${d}\tv${version(rng)}`,
    );
    const info = goBuildInfo('go1.22.5', `example.com/${name}`, `v${version(rng)}`, deps);
    const bin = binary(g, mb * MiB);
    const at = 16 * Math.floor((bin.length * 0.4) / 16);
    info.copy(bin, at);
    tools.file(`usr/local/bin/${name}`, bin, 0o755);
  });
  tools.file('usr/local/bin/static-helper', binary(g, 6 * MiB), 0o755);
  for (let i = 0; i < 300; i++)
    tools.file(`usr/local/share/tools/${rng.pick(SYLLABLES)}${i}.yaml`, text(g, rng.size(500, 40 * KiB)));

  // 2: a Node.js application: node_modules with a few hundred packages (scoped and nested), a lock file.
  const node = new LayerBuilder();
  layers.push(node);
  const npmNames = new Set<string>();
  const lock: Record<string, { version: string }> = {};
  const installed: string[] = [];
  for (let i = 0; installed.length < 380; i++) {
    let name = `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}-${rng.pick(SYLLABLES)}${i}`;
    if (rng.chance(0.15)) name = `@${rng.pick(SYLLABLES)}${rng.int(20)}/${name}`;
    if (npmNames.has(name)) continue;
    npmNames.add(name);
    const parent = installed.length > 50 && rng.chance(0.1) ? rng.pick(installed) : undefined;
    const dir = parent ? `${parent}/node_modules/${name}` : `app/node_modules/${name}`;
    const v = version(rng);
    installed.push(dir);
    lock[dir.slice('app/'.length)] = { version: v };
    node.file(
      `${dir}/package.json`,
      Buffer.from(
        JSON.stringify(
          {
            name,
            version: v,
            description: `${name} for the benchmark`,
            main: 'index.js',
            license: 'MIT',
            dependencies: {},
          },
          null,
          2,
        ),
      ),
    );
    node.file(`${dir}/index.js`, text(g, rng.size(500, 40 * KiB)));
    node.file(`${dir}/README.md`, text(g, rng.size(1 * KiB, 20 * KiB)));
    node.file(`${dir}/LICENSE`, text(g, 1100));
    for (let f = rng.range(2, 10); f > 0; f--)
      node.file(`${dir}/lib/${rng.pick(SYLLABLES)}${f}.js`, text(g, rng.size(500, 80 * KiB)));
    if (rng.chance(0.3))
      node.file(`${dir}/dist/${name.split('/').pop() ?? 'x'}.min.js`, text(g, rng.size(20 * KiB, 600 * KiB)));
    if (rng.chance(0.04))
      node.file(`${dir}/build/Release/addon.node`, binary(g, rng.size(100 * KiB, 2 * MiB)), 0o755);
  }
  node.file(
    'app/package-lock.json',
    Buffer.from(
      JSON.stringify(
        { name: 'app', lockfileVersion: 3, packages: { '': { name: 'app', version: '1.0.0' }, ...lock } },
        null,
        1,
      ),
    ),
  );
  for (let i = 0; i < 600; i++)
    node.file(
      `app/src/${rng.pick(SYLLABLES)}/${rng.pick(SYLLABLES)}${i}.ts`,
      text(g, rng.size(500, 30 * KiB)),
    );
  for (let i = 0; i < 150; i++)
    node.file(
      `app/public/assets/${rng.pick(SYLLABLES)}${i}.${rng.pick(['png', 'woff2', 'jpg'])}`,
      g.rand.take(rng.size(4 * KiB, 400 * KiB)),
    );

  // 3: Python: dist-info directories, modules, bytecode, extension modules (some 0755 as pip installs them).
  const py = new LayerBuilder();
  layers.push(py);
  const pyDists: string[] = [];
  for (let i = 0; i < 80; i++) {
    const name = `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}_${rng.pick(SYLLABLES)}${i}`;
    const v = version(rng);
    const di = `usr/local/lib/python3.11/site-packages/${name}-${v}.dist-info`;
    pyDists.push(di);
    py.file(
      `${di}/METADATA`,
      Buffer.from(
        `Metadata-Version: 2.1\nName: ${name}\nVersion: ${v}\nSummary: benchmark package\nLicense: MIT\n\n` +
          text(g, rng.size(500, 8 * KiB)).toString('latin1'),
      ),
    );
    py.file(`${di}/RECORD`, text(g, rng.size(500, 16 * KiB)));
    py.file(
      `${di}/WHEEL`,
      Buffer.from('Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
    );
    py.file(`${di}/top_level.txt`, Buffer.from(`${name}\n`));
    const pkg = `usr/local/lib/python3.11/site-packages/${name}`;
    for (let f = rng.range(3, 25); f > 0; f--) {
      const mod = `${rng.pick(SYLLABLES)}${f}`;
      py.file(`${pkg}/${mod}.py`, text(g, rng.size(500, 80 * KiB)));
      py.file(`${pkg}/__pycache__/${mod}.cpython-311.pyc`, binary(g, rng.size(500, 60 * KiB)));
    }
    if (rng.chance(0.25))
      py.file(
        `${pkg}/_speedups.cpython-311-x86_64-linux-gnu.so`,
        binary(g, rng.size(50 * KiB, 4 * MiB)),
        rng.chance(0.5) ? 0o755 : 0o644,
      );
  }

  // 4: Java: a Spring Boot style jar with nested jars, a plain library jar, and application data.
  const java = new LayerBuilder();
  layers.push(java);
  const nested: ZipSpec = [];
  for (let i = 0; i < 24; i++) {
    const artifact = `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}-core${i}`;
    nested.push({
      name: `BOOT-INF/lib/${artifact}-1.${i}.0.jar`,
      zip: jarSpec(g, `org.${rng.pick(SYLLABLES)}`, artifact, `1.${i}.0`, rng.size(40 * KiB, 1200 * KiB)),
      stored: true,
    });
  }
  const appJar = buildZip([...jarSpec(g, 'com.example', 'app', '2.3.1', 2 * MiB), ...nested]);
  java.file('opt/app/app.jar', appJar);
  java.file(
    'opt/app/lib/guava-32.1.2-jre.jar',
    buildZip(jarSpec(g, 'com.google.guava', 'guava', '32.1.2-jre', 3 * MiB)),
  );
  for (let i = 0; i < 100; i++)
    java.file(`opt/data/${rng.pick(SYLLABLES)}/${i}.bin`, data(g, rng.size(64 * KiB, 1.5 * MiB)));
  for (let i = 0; i < 400; i++)
    java.file(`opt/app/config/${rng.pick(SYLLABLES)}${i}.xml`, text(g, rng.size(500, 30 * KiB)));

  // 5: upper layer: whiteouts (npm packages, Python dists, a Go tool, an opaque data dir) and updates.
  const upper = new LayerBuilder();
  layers.push(upper);
  const removedNpm = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const dir = installed.filter(
      (d) =>
        !removedNpm.has(d) && d.startsWith('app/node_modules/') && !d.slice(17).includes('/node_modules/'),
    )[rng.int(300)];
    if (!dir) continue;
    removedNpm.add(dir);
    const slash = dir.lastIndexOf('/');
    upper.whiteout(`${dir.slice(0, slash)}/.wh.${dir.slice(slash + 1)}`);
  }
  const removedPy = pyDists.slice(10, 12);
  for (const di of removedPy) {
    const slash = di.lastIndexOf('/');
    upper.whiteout(`${di.slice(0, slash)}/.wh.${di.slice(slash + 1)}`);
  }
  upper.whiteout('usr/local/bin/.wh.tool5');
  upper.whiteout('opt/data/.wh..wh..opq');
  const extraDebs = dpkgPackages(rng, 8, 'upper');
  upper.file(
    'var/lib/dpkg/status',
    Buffer.from(statusBase + '\n' + extraDebs.map((n) => dpkgStanza(rng, n)).join('\n')),
  );
  for (let i = 0; i < 40; i++) upper.file(`opt/data/new/${i}.bin`, data(g, rng.size(64 * KiB, 2 * MiB)));
  for (let i = 0; i < 500; i++)
    upper.file(`etc/app/${rng.pick(SYLLABLES)}${i}.conf`, text(g, rng.size(100, 8 * KiB)));
  upper.file('usr/local/bin/entrypoint', binary(g, 3 * MiB), 0o755);

  // Nested node_modules under a removed package disappear with it; the lock file is rewritten (npm prune).
  const npmLeft = installed.filter((d) => ![...removedNpm].some((r) => d === r || d.startsWith(r + '/')));
  const prunedLock = Object.fromEntries(
    npmLeft.map((d) => [d.slice('app/'.length), lock[d.slice('app/'.length)]]),
  );
  upper.file(
    'app/package-lock.json',
    Buffer.from(
      JSON.stringify(
        {
          name: 'app',
          lockfileVersion: 3,
          packages: { '': { name: 'app', version: '1.0.0' }, ...prunedLock },
        },
        null,
        1,
      ),
    ),
  );
  return {
    layers,
    expected: {
      dpkg: debs.length + extraDebs.length,
      npm: npmLeft.length,
      python: pyDists.length - removedPy.length,
      goBinaries: goBins.length - 1,
      jars: 2,
    },
  };
}

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((res, rej) => {
    p.on('end', () => res());
    p.on('error', rej);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    p.entry(
      {
        name: e.path,
        type,
        mode: e.mode ?? 0o644,
        mtime: new Date(1_700_000_000_000),
        uid: 0,
        gid: 0,
        ...(e.linkname ? { linkname: e.linkname } : {}),
      },
      type === 'file' ? (e.content ?? Buffer.alloc(0)) : '',
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

interface LayerMeta {
  file: string;
  digest: string;
  size: number;
  diffId: string;
  uncompressed: number;
  entries: number;
}

interface ImageMeta {
  version: string;
  layers: LayerMeta[];
  expected: Expected;
  generatedInMs: number;
}

/** Generates the layers (or reuses bench/out/image-scan-<version>/). */
async function ensureImage(log: (s: string) => void): Promise<ImageMeta> {
  const metaPath = join(OUT_DIR, 'meta.json');
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ImageMeta;
    if (meta.version === GENERATOR_VERSION && meta.layers.every((l) => existsSync(join(OUT_DIR, l.file)))) {
      log(`image-scan: reusing generated layers in ${OUT_DIR}`);
      return meta;
    }
  }
  log(`image-scan: generating layers into ${OUT_DIR} ...`);
  const t0 = performance.now();
  mkdirSync(OUT_DIR, { recursive: true });
  const { layers, expected } = generateLayers();
  const gz = promisify(gzip);
  const metas = await Promise.all(
    layers.map(async (l, i) => {
      const tar = await tarOf(l.entries);
      const blob = await gz(tar, { level: 6 });
      const file = `layer-${i}.tar.gz`;
      writeFileSync(join(OUT_DIR, file), blob);
      return {
        file,
        digest: digestOf(blob),
        size: blob.length,
        diffId: digestOf(tar),
        uncompressed: tar.length,
        entries: l.entries.length,
      };
    }),
  );
  const meta: ImageMeta = {
    version: GENERATOR_VERSION,
    layers: metas,
    expected,
    generatedInMs: Math.round(performance.now() - t0),
  };
  writeFileSync(metaPath + '.tmp', JSON.stringify(meta, null, 2));
  renameSync(metaPath + '.tmp', metaPath);
  log(`image-scan: generated in ${(meta.generatedInMs / 1000).toFixed(1)} s`);
  return meta;
}

async function pushCached(client: RegistryClient, repo: RepoRef, meta: ImageMeta): Promise<void> {
  const descriptors: Descriptor[] = [];
  for (const l of meta.layers) {
    const data = readFileSync(join(OUT_DIR, l.file));
    const { digest, size } = await client.pushBlob(repo, data);
    if (digest !== l.digest) throw new Error(`${l.file}: cached blob digest changed; delete ${OUT_DIR}`);
    descriptors.push({ mediaType: MEDIA_TYPES.ociLayerGzip, digest, size });
  }
  const config = Buffer.from(
    JSON.stringify({
      os: 'linux',
      architecture: 'amd64',
      config: { User: '1000', Entrypoint: ['/usr/local/bin/entrypoint'] },
      rootfs: { type: 'layers', diff_ids: meta.layers.map((l) => l.diffId) },
      history: meta.layers.map((_, i) => ({ created_by: `bench layer ${i}` })),
    }),
  );
  const cfg = await client.pushBlob(repo, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: cfg.digest, size: cfg.size },
      layers: descriptors,
    }),
  );
  await client.pushManifest(repo, TAG, MEDIA_TYPES.ociManifest, manifest);
}

// ---------------------------------------------------------------------------------------------------------
// Measured work (each in a fresh child process, so one's memory and JIT state never helps the other)

interface ChildResult {
  ms: number;
  /** CPU time of the child (all threads: main, zlib's thread pool, GC helpers). */
  cpuMs: number;
  /** Peak resident set of the child (VmHWM: unlike getrusage's maxrss, it does not inherit the parent's). */
  maxRssKiB: number;
  /** Peak RSS once the runtime and modules are loaded (Node + tsx + kubeward), before any work. */
  startRssKiB: number;
  bytes: number;
  catalogers?: Record<string, number>;
  /** Full (mark-compact) garbage collections during the child's life. */
  fullGcs?: number;
}

/** Starts counting full garbage collections; the returned function reads the count (entries arrive late). */
function countFullGcs(): () => Promise<number> {
  let n = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR)
        n++;
  });
  obs.observe({ entryTypes: ['gc'] });
  return async () => {
    await new Promise((r) => setTimeout(r, 10));
    obs.disconnect();
    return n;
  };
}

/**
 * Peak RSS of this process in KiB. Linux's getrusage ru_maxrss (process.resourceUsage().maxRSS) keeps the
 * high-water mark of the process image replaced by exec, i.e. of the forking parent, so a child spawned by a
 * big parent would report the parent's RSS; /proc/self/status VmHWM belongs to the new address space only.
 */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1]) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
}

async function childBaseline(host: string): Promise<ChildResult> {
  const client = new RegistryClient({ insecure: () => true });
  const repo: RepoRef = { registry: host, repository: REPOSITORY };
  const startRssKiB = peakRssKiB();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m = await client.getManifest(repo, TAG);
  const layers = (m.json as { layers: Descriptor[] }).layers;
  let bytes = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < layers.length; i = next++) {
      const blob = await client.fetchBlob(repo, layers[i] as Descriptor);
      await pipeline(
        blob,
        createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            cb();
          },
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  await client.close();
  return { ms, cpuMs, startRssKiB, maxRssKiB: peakRssKiB(), bytes };
}

async function childScan(host: string): Promise<ChildResult> {
  const client = new RegistryClient({ insecure: () => true });
  const startRssKiB = peakRssKiB();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const src = await openRegistryImage(`${host}/${REPOSITORY}:${TAG}`, client, parsePlatform(undefined));
  // KW_BENCH_CATALOGERS=dpkg,npm narrows the catalogers, to see what each costs (not for recorded figures).
  const only = process.env.KW_BENCH_CATALOGERS?.split(',');
  const catalogers = only ? ALL_CATALOGERS.filter((c) => only.includes(c.name)) : ALL_CATALOGERS;
  const inv = await takeInventory(src, { catalogers, concurrency: CONCURRENCY });
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  await client.close();
  const found: Record<string, number> = {};
  for (const c of inv.catalogers) found[c.name] = c.packages;
  return {
    ms,
    cpuMs,
    startRssKiB,
    maxRssKiB: peakRssKiB(),
    bytes: client.blobBytesFetched,
    catalogers: found,
  };
}

function runChild(
  mode: 'baseline' | 'scan',
  host: string,
  extraNodeArgs: string[] = [],
): Promise<ChildResult> {
  return new Promise((res, rej) => {
    const child = spawn(
      process.execPath,
      [...extraNodeArgs, '--import', 'tsx', SELF, `--child=${mode}`, host],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve(dirname(SELF), '..') },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('exit', (code) => {
      // KW_BENCH_CHILD_LOG=DIR keeps each child's stdout (e.g. its --trace-gc lines) for inspection.
      if (process.env.KW_BENCH_CHILD_LOG)
        writeFileSync(join(process.env.KW_BENCH_CHILD_LOG, `${mode}-${child.pid ?? 0}.log`), out);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return rej(new Error(`${mode} child exited with ${code}: ${out.slice(-500)}`));
      try {
        res(JSON.parse(line) as ChildResult);
      } catch {
        rej(new Error(`${mode} child printed no result: ${out.slice(-500)}`));
      }
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export interface ImageScanResult {
  uncompressedMB: number;
  compressedMB: number;
  baselineS: number;
  scanS: number;
  ratio: number;
  peakRssMB: number;
  /** CPU time of the scan over that of the baseline (less sensitive to a busy machine than wall time). */
  cpuRatio: number;
  ok: boolean;
}

/** The benchmark; returns undefined when docker-registry is not installed. */
export async function run(): Promise<ImageScanResult | undefined> {
  const log = (s: string): void => console.log(s);
  if (!registryAvailable()) {
    log('image-scan: skipped: docker-registry is not installed (Debian package docker-registry)');
    return undefined;
  }
  const loadBefore = loadavg()[0] ?? 0;
  const meta = await ensureImage(log);
  const uncompressed = meta.layers.reduce((n, l) => n + l.uncompressed, 0);
  const compressed = meta.layers.reduce((n, l) => n + l.size, 0);
  const entries = meta.layers.reduce((n, l) => n + l.entries, 0);
  log(
    `image-scan: ${meta.layers.length} layers, ${entries} tar entries, ${(uncompressed / MB).toFixed(0)} MB uncompressed, ` +
      `${(compressed / MB).toFixed(0)} MB gzip`,
  );
  const reg = await startRegistry();
  try {
    const client = new RegistryClient({ insecure: () => true });
    await pushCached(client, { registry: reg.host, repository: REPOSITORY }, meta);
    await client.close();
    const baseline: ChildResult[] = [];
    const scan: ChildResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const b = await runChild('baseline', reg.host, (process.env.KW_BENCH_BASE_NODE_ARGS ?? '').split(' ').filter(Boolean));
      if (b.bytes !== uncompressed)
        throw new Error(`baseline gunzipped ${b.bytes} bytes, expected ${uncompressed}`);
      baseline.push(b);
      // KW_BENCH_SCAN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the scan children.
      const s = await runChild('scan', reg.host, (process.env.KW_BENCH_SCAN_NODE_ARGS ?? '').split(' ').filter(Boolean));
      scan.push(s);
      log(
        `  run ${i + 1}: baseline ${(b.ms / 1000).toFixed(2)} s (cpu ${(b.cpuMs / 1000).toFixed(2)} s, ` +
          `RSS ${((b.maxRssKiB * KiB) / MB).toFixed(0)} MB), scan ${(s.ms / 1000).toFixed(2)} s ` +
          `(cpu ${(s.cpuMs / 1000).toFixed(2)} s, RSS ${((s.maxRssKiB * KiB) / MB).toFixed(0)} MB); ` +
          `full GCs: baseline ${b.fullGcs ?? '?'}, scan ${s.fullGcs ?? '?'}`,
      );
    }
    const c = scan[0]?.catalogers ?? {};
    log(
      `  blob bytes fetched: baseline ${baseline[0]?.bytes ?? 0} (uncompressed), scan ${scan[0]?.bytes ?? 0} (compressed)\n` +
      `  packages found: ${Object.entries(c)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    const e = meta.expected;
    const problems: string[] = [];
    if (c.dpkg !== e.dpkg) problems.push(`dpkg ${c.dpkg} != ${e.dpkg}`);
    if (c.npm !== e.npm) problems.push(`npm ${c.npm} != ${e.npm}`);
    if (c.python !== e.python) problems.push(`python ${c.python} != ${e.python}`);
    if (!c['go-binary']) problems.push('no Go modules found');
    if (!c.java) problems.push('no Java artifacts found');
    // A narrowed run (KW_BENCH_CATALOGERS) cannot find everything; only a full run is checked.
    if (problems.length && !process.env.KW_BENCH_CATALOGERS)
      throw new Error(`image-scan: the scan missed generated content: ${problems.join('; ')}`);

    const baselineMs = median(baseline.map((r) => r.ms));
    const scanMs = median(scan.map((r) => r.ms));
    const ratio = scanMs / baselineMs;
    const peakRssMB = (Math.max(...scan.map((r) => r.maxRssKiB)) * KiB) / MB;
    const startRssMB = (median(scan.map((r) => r.startRssKiB)) * KiB) / MB;
    const baselineCpu = median(baseline.map((r) => r.cpuMs));
    const scanCpu = median(scan.map((r) => r.cpuMs));
    const ok = ratio <= RATIO_TARGET && peakRssMB < RSS_TARGET_MB;
    log(
      `image-scan: ${(uncompressed / MB).toFixed(0)} MB uncompressed, baseline ${(baselineMs / 1000).toFixed(2)} s, ` +
        `scan ${(scanMs / 1000).toFixed(2)} s, ratio ${ratio.toFixed(2)} (target <= ${RATIO_TARGET}), ` +
        `peak RSS ${peakRssMB.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB)${ok ? '' : '  MISSED'}`,
    );
    log(
      `  cpu time (all threads): baseline ${(baselineCpu / 1000).toFixed(2)} s, scan ${(scanCpu / 1000).toFixed(2)} s, ` +
        `ratio ${(scanCpu / baselineCpu).toFixed(2)}; RSS after loading Node + tsx + modules ${startRssMB.toFixed(0)} MB`,
    );
    log(
      `  machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}, ` +
        `load average ${loadavg()[0]?.toFixed(1)} (before: ${loadBefore.toFixed(1)})`,
    );
    return {
      uncompressedMB: uncompressed / MB,
      compressedMB: compressed / MB,
      baselineS: baselineMs / 1000,
      scanS: scanMs / 1000,
      ratio,
      peakRssMB,
      cpuRatio: scanCpu / baselineCpu,
      ok,
    };
  } finally {
    await reg.stop();
  }
}

export default { run };

const childMode = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
if (childMode) {
  const host = process.argv[process.argv.length - 1] ?? '';
  // Both children run with the garbage-collector setting of the CLI's scan commands, so the ratio compares
  // work, not GC settings (KW_BENCH_DEFAULT_HEAP=1 leaves V8's default, to see what the setting does).
  if (!process.env.KW_BENCH_DEFAULT_HEAP) useBatchHeapGrowth();
  const fullGcs = countFullGcs();
  const r = childMode === 'scan' ? await childScan(host) : await childBaseline(host);
  r.fullGcs = await fullGcs();
  process.stdout.write(JSON.stringify(r) + '\n');
} else if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  await run();
}
