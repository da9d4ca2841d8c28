// Benchmark of a registry pass (issue 4): a local docker-registry (Debian's CNCF distribution) holding 200
// images in 20 repositories that share base layers the way real fleets do (3 distribution bases with a dpkg
// database, 10 runtime layers on top, one small application layer per image). Content is generated
// deterministically (seeded, incompressible where real binaries are), pushed once, then scanned by
// `runPass` into a fresh SQLite store, as `kubeward registry scan` does.
// Reported: images/minute for the full pass, blob bytes fetched versus the sum of the unique blobs the
// 200 manifests reference (target ratio 1.00: every shared layer fetched once), and the second pass (nothing
// new: no blob may be fetched).
// Run alone: node --import tsx bench/registry-pass.bench.ts   (bench/run.ts calls the default export).
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { RegistryClient } from '../src/image/registry/client.js';
import { MEDIA_TYPES } from '../src/image/registry/media-types.js';
import { digestOf } from '../src/image/registry/digest.js';
import { openVulnDb } from '../src/vuln/db/store.js';
import { importOsv } from '../src/vuln/db/import-osv.js';
import { openStore } from '../src/store/index.js';
import { createRegistryAccess, registrySourceFromFlag } from '../src/registry/index.js';
import { runPass, type PassSummary } from '../src/registry/scan/index.js';
import { registryAvailable, startRegistry } from '../test/support/registry.js';
import { tarLayer, type LayerFile } from '../test/support/oci-builder.js';

const IMAGES = Number(process.env.KW_BENCH_IMAGES ?? 200);
const REPOSITORIES = 20;
const BASES = 3;
const RUNTIMES = 10;
const BASE_BYTES = 12 * 1024 * 1024;
const RUNTIME_BYTES = 4 * 1024 * 1024;
const APP_BYTES = 256 * 1024;
const PACKAGES_PER_BASE = 120;
const SEED = 'kubeward-registry-pass-v1';
const OSV = fileURLToPath(new URL('../test/fixtures/osv-debian', import.meta.url));

/** Incompressible bytes from AES-256-CTR keyed by a label: reproducible and fast. */
function bytes(label: string, n: number): Buffer {
  const key = createHash('sha256').update(`${SEED}:${label}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

/** A dpkg status database of `count` packages (openssl included, so matching has work to do). */
function dpkgStatus(base: number, count: number): string {
  const stanzas = [
    'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n',
    'Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u5\n',
  ];
  for (let i = 0; i < count - 2; i++)
    stanzas.push(
      `Package: lib${base}pkg${i}\nStatus: install ok installed\nPriority: optional\nSection: libs\n` +
        `Installed-Size: ${100 + i}\nMaintainer: Debian <debian@example.org>\nArchitecture: amd64\n` +
        `Source: src${base}pkg${Math.floor(i / 3)}\nVersion: ${1 + (i % 7)}.${i % 13}.${i % 5}-${1 + (i % 3)}\n` +
        `Description: generated package ${i} of base ${base}\n`,
    );
  return stanzas.join('\n');
}

/** Splits `total` bytes of filler into files of 64 KiB to 1 MiB under `dir`. */
function filler(label: string, dir: string, total: number): LayerFile[] {
  const files: LayerFile[] = [];
  let left = total;
  for (let i = 0; left > 0; i++) {
    const n = Math.min(left, 64 * 1024 * (1 + (i % 16)));
    files.push({ path: `${dir}/f${i}.so`, content: bytes(`${label}/${i}`, n) });
    left -= n;
  }
  return files;
}

interface Blob {
  digest: string;
  data: Buffer;
  diffId: string;
}

async function layer(files: LayerFile[]): Promise<Blob> {
  const tar = await tarLayer(files);
  const data = gzipSync(tar, { level: 1 });
  return { digest: digestOf(data), data, diffId: digestOf(tar) };
}

export default async function run(): Promise<void> {
  if (!registryAvailable()) {
    console.log('  skipped: docker-registry not installed (apt-get install docker-registry)');
    return;
  }
  const t0 = performance.now();
  const bases: Blob[] = [];
  for (let b = 0; b < BASES; b++)
    bases.push(
      await layer([
        {
          path: 'etc/os-release',
          content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n',
        },
        { path: 'var/lib/dpkg/status', content: dpkgStatus(b, PACKAGES_PER_BASE) },
        ...filler(`base${b}`, `usr/lib/base${b}`, BASE_BYTES),
      ]),
    );
  const runtimes: Blob[] = [];
  for (let r = 0; r < RUNTIMES; r++)
    runtimes.push(await layer(filler(`runtime${r}`, `opt/runtime${r}`, RUNTIME_BYTES)));
  const genMs = performance.now() - t0;

  const reg = await startRegistry();
  const work = mkdtempSync(join(tmpdir(), 'kubeward-bench-regpass-'));
  const pusher = new RegistryClient({ insecure: () => true });
  try {
    // Push: every unique blob once per repository (the registry mounts nothing across repositories here).
    const p0 = performance.now();
    const uniqueBytes = new Map<string, number>();
    for (let i = 0; i < IMAGES; i++) {
      const repo = { registry: reg.host, repository: `bench/app-${i % REPOSITORIES}` };
      const base = bases[i % BASES] as Blob;
      const runtime = runtimes[i % RUNTIMES] as Blob;
      const app = await layer(filler(`app${i}`, `app`, APP_BYTES));
      const layers = [base, runtime, app];
      for (const l of layers) {
        await pusher.pushBlob(repo, l.data);
        uniqueBytes.set(l.digest, l.data.length);
      }
      const config = Buffer.from(
        JSON.stringify({
          os: 'linux',
          architecture: 'amd64',
          config: { User: '10001' },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
          history: [],
        }),
      );
      const cfg = await pusher.pushBlob(repo, config);
      uniqueBytes.set(cfg.digest, config.length);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          config: { mediaType: MEDIA_TYPES.ociConfig, digest: cfg.digest, size: config.length },
          layers: layers.map((l) => ({
            mediaType: MEDIA_TYPES.ociLayerGzip,
            digest: l.digest,
            size: l.data.length,
          })),
        }),
      );
      await pusher.pushManifest(repo, `v${Math.floor(i / REPOSITORIES)}`, MEDIA_TYPES.ociManifest, manifest);
    }
    const pushMs = performance.now() - p0;
    const uniqueTotal = [...uniqueBytes.values()].reduce((a, b) => a + b, 0);
    const layerTotal = [...bases, ...runtimes].reduce((a, b) => a + b.data.length, 0);

    const vulnDb = openVulnDb({ cacheDir: join(work, 'cache') });
    await importOsv(vulnDb, OSV);
    const store = await openStore(join(work, 'store.db'));
    const source = registrySourceFromFlag(`http://${reg.host}`, { insecure: true });
    const passOnce = async (): Promise<{ s: PassSummary; ms: number; cpuMs: number }> => {
      const { client, limitsFor } = createRegistryAccess([source]);
      const c0 = process.cpuUsage();
      const s0 = performance.now();
      try {
        const s = await runPass([source], { store, vulnDb, client, limitsFor });
        const c = process.cpuUsage(c0);
        return { s, ms: performance.now() - s0, cpuMs: (c.user + c.system) / 1000 };
      } finally {
        await client.close();
      }
    };
    const first = await passOnce();
    const second = await passOnce();
    await store.close();
    vulnDb.close();

    const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
    const f = first.s;
    console.log(
      `  machine: node ${process.version}, ${availableParallelism()} usable core(s) of ${cpus().length} ` +
        `(${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()[0]?.toFixed(1)}`,
    );
    console.log(
      `  registry: ${IMAGES} images in ${REPOSITORIES} repositories; ${BASES} base layers (${PACKAGES_PER_BASE} dpkg packages each) ` +
        `+ ${RUNTIMES} runtime layers shared; one ${APP_BYTES / 1024} KiB app layer per image; ` +
        `unique blobs ${uniqueBytes.size} = ${mb(uniqueTotal)} (shared layers ${mb(layerTotal)}); ` +
        `generated in ${(genMs / 1000).toFixed(1)} s, pushed in ${(pushMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `  full pass: ${f.images.scanned} scanned, ${f.images.failed} failed, ${f.errors.length} errors in ` +
        `${(first.ms / 1000).toFixed(2)} s wall, ${(first.cpuMs / 1000).toFixed(2)} s CPU: ` +
        `**${Math.round((f.images.scanned / first.ms) * 60_000)} images/minute**; ` +
        `${f.layers.analysed} unique layers analysed, ${f.layers.cacheHits} layer cache hits`,
    );
    console.log(
      `  blob bytes fetched ${mb(f.bytesFetched)} vs unique blobs ${mb(uniqueTotal)}: ` +
        `**ratio ${(f.bytesFetched / uniqueTotal).toFixed(3)}** (target 1.00; pulling each image separately would fetch ` +
        `${mb(IMAGES * (BASE_BYTES + RUNTIME_BYTES))}+, ratio ~${((IMAGES * ((bases[0]?.data.length ?? 0) + (runtimes[0]?.data.length ?? 0))) / uniqueTotal).toFixed(1)})`,
    );
    console.log(
      `  second pass (nothing new): ${second.s.images.skipped} skipped, ${second.s.images.scanned} scanned, ` +
        `${second.s.bytesFetched} blob bytes fetched, ${(second.ms / 1000).toFixed(2)} s`,
    );
    if (f.images.scanned !== IMAGES || f.errors.length)
      throw new Error(`pass incomplete: ${JSON.stringify(f.errors.slice(0, 3))}`);
  } finally {
    await pusher.close();
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
