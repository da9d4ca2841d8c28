// Builds real OCI images in memory (tar layers, gzip, config, manifest, index) and pushes them through the
// registry client, so integration tests scan images that went through a real registry.
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { pack } from 'tar-stream';
import { RegistryClient, type RepoRef } from '../../src/image/registry/client.js';
import { MEDIA_TYPES, type Descriptor } from '../../src/image/registry/media-types.js';
import { digestOf } from '../../src/image/registry/digest.js';

export interface LayerFile {
  path: string;
  content?: string | Buffer;
  mode?: number;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

/** A tar archive of the files, in order (whiteouts are just files named `.wh.*`). */
export async function tarLayer(files: LayerFile[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const f of files) {
    const type = f.type ?? 'file';
    const content = typeof f.content === 'string' ? Buffer.from(f.content) : (f.content ?? Buffer.alloc(0));
    p.entry(
      {
        name: f.path,
        type,
        mode: f.mode ?? (type === 'directory' ? 0o755 : 0o644),
        ...(f.linkname ? { linkname: f.linkname } : {}),
        mtime: new Date(0),
      },
      type === 'file' ? content : '',
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface BuiltImage {
  manifestDigest: string;
  manifest: Buffer;
  config: Buffer;
  layers: Array<{ descriptor: Descriptor; data: Buffer }>;
}

export interface ImageSpec {
  layers: Array<{ tar: Buffer; compression?: 'gzip' | 'zstd' | 'none' }>;
  config?: Record<string, unknown>;
  platform?: { os: string; architecture: string; variant?: string };
  mediaType?: 'oci' | 'docker';
}

/** Pushes blobs and the manifest; tags it when `tag` is given. */
export async function pushImage(
  client: RegistryClient,
  ref: RepoRef,
  spec: ImageSpec,
  tag?: string,
): Promise<BuiltImage> {
  const docker = spec.mediaType === 'docker';
  const layers: BuiltImage['layers'] = [];
  const diffIds: string[] = [];
  for (const l of spec.layers) {
    const data = compress(l.tar, l.compression ?? 'gzip');
    const { digest, size } = await client.pushBlob(ref, data);
    diffIds.push(digestOf(l.tar));
    const mediaType =
      l.compression === 'none'
        ? MEDIA_TYPES.ociLayer
        : docker
          ? MEDIA_TYPES.dockerLayerGzip
          : MEDIA_TYPES.ociLayerGzip;
    layers.push({ descriptor: { mediaType, digest, size }, data });
  }
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      config: {},
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [],
      ...(spec.config ?? {}),
    }),
  );
  const cfg = await client.pushBlob(ref, config);
  const manifestObj = {
    schemaVersion: 2,
    mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
    config: {
      mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig,
      digest: cfg.digest,
      size: cfg.size,
    },
    layers: layers.map((l) => l.descriptor),
  };
  const manifest = Buffer.from(JSON.stringify(manifestObj));
  const mt = manifestObj.mediaType;
  const manifestDigest = await client.pushManifest(ref, tag ?? digestOf(manifest), mt, manifest);
  return { manifestDigest, manifest, config, layers };
}

/** Pushes an OCI index over already-pushed manifests. */
export async function pushIndex(
  client: RegistryClient,
  ref: RepoRef,
  entries: Array<{ image: BuiltImage; platform: { os: string; architecture: string; variant?: string } }>,
  tag: string,
): Promise<string> {
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: entries.map((e) => ({
        mediaType: MEDIA_TYPES.ociManifest,
        digest: e.image.manifestDigest,
        size: e.image.manifest.length,
        platform: e.platform,
      })),
    }),
  );
  return client.pushManifest(ref, tag, MEDIA_TYPES.ociIndex, index);
}

/** gzip with zlib; zstd with the real `zstd` binary (Debian package zstd). */
export function compress(tar: Buffer, kind: 'gzip' | 'zstd' | 'none'): Buffer {
  if (kind === 'none') return tar;
  if (kind === 'gzip') return gzipSync(tar);
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr?.toString() ?? ''}`);
  return r.stdout;
}
