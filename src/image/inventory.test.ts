// End-to-end inventory: images pushed to Debian's real docker-registry (gzip and zstd layers, whiteouts, a
// two-platform index) and the same image as a docker-save archive, an OCI layout and a root filesystem.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from './registry/client.js';
import { openRegistryImage } from './source/registry-source.js';
import { openLocalArchive } from './source/local-archive.js';
import { parsePlatform } from './source/image-source.js';
import { MemoryLayerCache, takeInventory } from './inventory.js';
import { dpkgCataloger } from './catalog/dpkg/cataloger.js';
import { digestOf } from './registry/digest.js';
import { commandWorks, integration } from '../../test/support/integration.js';
import { registryAvailable, startRegistry, type RunningRegistry } from '../../test/support/registry.js';
import { compress, pushImage, pushIndex, tarLayer } from '../../test/support/oci-builder.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const STATUS_BASE = [
  'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n',
  'Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u5\n',
].join('\n');
const STATUS_UPPER =
  STATUS_BASE +
  '\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n';

async function layers() {
  const base = await tarLayer([
    { path: 'usr/lib/os-release', content: OS_RELEASE },
    { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { path: 'var/lib/dpkg/status', content: STATUS_BASE },
    { path: 'usr/bin/passwd', content: 'elf', mode: 0o4755 },
    { path: 'opt/old/secret.txt', content: 'x' },
  ]);
  const upper = await tarLayer([
    { path: 'var/lib/dpkg/status', content: STATUS_UPPER },
    { path: 'usr/bin/.wh.passwd' },
    { path: 'opt/old/.wh..wh..opq' },
  ]);
  return { base, upper };
}

const available = registryAvailable() && commandWorks('zstd', ['--version']);
let reg: RunningRegistry | undefined;
before(async () => {
  if (available) reg = await startRegistry();
});
after(async () => reg?.stop());

test('registry image: index platform selection, gzip + zstd layers, whiteouts, layer attribution, cache', async (t) => {
  if (!integration(t, 'image-inventory', available, 'docker-registry or zstd not installed')) return;
  const client = new RegistryClient({ insecure: () => true, backoffMs: 10 });
  const repo = { registry: reg!.host, repository: 'acme/debian-app' };
  const { base, upper } = await layers();
  const amd = await pushImage(client, repo, { layers: [{ tar: base }, { tar: upper, compression: 'zstd' }] });
  const arm = await pushImage(client, repo, {
    layers: [{ tar: base }],
    platform: { os: 'linux', architecture: 'arm64' },
  });
  await pushIndex(
    client,
    repo,
    [
      { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
      { image: arm, platform: { os: 'linux', architecture: 'arm64' } },
    ],
    '1.0',
  );

  const cache = new MemoryLayerCache();
  const src = await openRegistryImage(`${reg!.host}/acme/debian-app:1.0`, client, parsePlatform(undefined));
  assert.equal(src.manifestDigest, amd.manifestDigest);
  const inv = await takeInventory(src, { catalogers: [dpkgCataloger], cache });
  assert.deepEqual(inv.distro, {
    id: 'debian',
    versionId: '12',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  });
  assert.deepEqual(
    inv.packages.map((p) => `${p.name}@${p.version}`),
    ['libssl3@3.0.11-1~deb12u2', 'curl@7.88.1-10+deb12u5', 'zlib1g@1:1.2.13.dfsg-1'],
  );
  assert.ok(
    inv.packages.every((p) => p.layerDigest === amd.layers[1]!.descriptor.digest),
    'status file comes from the upper layer',
  );
  assert.deepEqual(inv.setuid, [], 'whiteout removed the setuid binary');

  const armSrc = await openRegistryImage(
    `${reg!.host}/acme/debian-app:1.0`,
    client,
    parsePlatform('linux/arm64'),
  );
  const fetchedBefore = client.blobBytesFetched;
  const armInv = await takeInventory(armSrc, { catalogers: [dpkgCataloger], cache });
  assert.equal(
    client.blobBytesFetched,
    fetchedBefore,
    'shared base layer analysed once (cache hit, no blob fetch)',
  );
  assert.equal(cache.hits, 1);
  assert.deepEqual(
    armInv.packages.map((p) => p.name),
    ['libssl3', 'curl'],
  );
  assert.deepEqual(
    armInv.setuid.map((s) => s.path),
    ['usr/bin/passwd'],
  );
  await assert.rejects(
    openRegistryImage(`${reg!.host}/acme/debian-app:1.0`, client, parsePlatform('linux/s390x')),
    /no image for platform linux\/s390x \(available: linux\/amd64, linux\/arm64\)/,
  );
  await client.close();
});

test('docker save archive, OCI layout directory and tar give the same inventory', async () => {
  const { base, upper } = await layers();
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-archive-'));
  try {
    const config = JSON.stringify({
      os: 'linux',
      architecture: 'amd64',
      config: {},
      rootfs: { type: 'layers', diff_ids: [digestOf(base), digestOf(upper)] },
    });
    // docker save layout: manifest.json + <id>/layer.tar (uncompressed) + config json
    const saveFiles = [
      {
        path: 'manifest.json',
        content: JSON.stringify([
          { Config: 'config.json', RepoTags: ['acme/app:1.0'], Layers: ['l0/layer.tar', 'l1/layer.tar'] },
        ]),
      },
      { path: 'config.json', content: config },
      { path: 'l0/layer.tar', content: base },
      { path: 'l1/layer.tar', content: upper },
    ];
    const savePath = join(dir, 'save.tar');
    writeFileSync(savePath, await tarLayer(saveFiles));
    const fromSave = await takeInventory(openLocalArchive(savePath, parsePlatform(undefined)), {
      catalogers: [dpkgCataloger],
    });

    // OCI layout: blobs by digest, gzip layers
    const layout = join(dir, 'layout');
    const blob = (data: Buffer): { digest: string; size: number } => {
      const d = digestOf(data);
      mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
      writeFileSync(join(layout, 'blobs/sha256', d.slice(7)), data);
      return { digest: d, size: data.length };
    };
    const l0 = blob(compress(base, 'gzip'));
    const l1 = blob(compress(upper, 'gzip'));
    const cfg = blob(Buffer.from(config));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
        layers: [l0, l1].map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
      }),
    );
    const m = blob(manifest);
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m }],
      }),
    );
    const fromLayout = await takeInventory(openLocalArchive(layout, parsePlatform(undefined)), {
      catalogers: [dpkgCataloger],
    });

    const names = (i: typeof fromSave) => i.packages.map((p) => `${p.name}@${p.version}`);
    assert.equal(fromSave.packages.length, 3);
    assert.deepEqual(names(fromLayout), names(fromSave));
    assert.equal(fromSave.source.name, 'acme/app:1.0');

    // A tampered blob in the layout fails verification.
    writeFileSync(
      join(layout, 'blobs/sha256', l1.digest.slice(7)),
      compress(Buffer.concat([upper, Buffer.alloc(512)]), 'gzip'),
    );
    await assert.rejects(
      takeInventory(openLocalArchive(layout, parsePlatform(undefined)), { catalogers: [dpkgCataloger] }),
      /digest mismatch|declared size/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not an image archive is a clear user error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-notimage-'));
  try {
    writeFileSync(join(dir, 'x.tar'), 'not a tar at all'.repeat(100));
    assert.throws(
      () => openLocalArchive(join(dir, 'x.tar'), parsePlatform(undefined)),
      /cannot read image archive|not an image archive/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
