import { createReadStream, existsSync, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../../core/errors.js';
import { isDigest, verifyingStream } from '../registry/digest.js';
import { isIndexMediaType, type ImageIndex, type ImageManifest } from '../registry/media-types.js';
import { indexTar, type TarEntryRange } from './tar-index.js';
import {
  formatPlatform,
  platformMatches,
  type ImageConfigFile,
  type ImageSource,
  type LayerRef,
  type Platform,
} from './image-source.js';

const MAX_JSON_BYTES = 8 * 1024 * 1024;

/** Read access to the files of an archive, whether a tar file or an extracted directory. */
interface ArchiveFiles {
  has(path: string): boolean;
  readJson<T>(path: string): T;
  open(path: string): Readable;
}

function tarFiles(file: string): ArchiveFiles {
  let idx: Map<string, TarEntryRange>;
  try {
    idx = indexTar(file);
  } catch (e) {
    throw new UserError(`cannot read image archive: ${(e as Error).message}`, { file });
  }
  const entry = (p: string): TarEntryRange => {
    const e = idx.get(p);
    if (!e) throw new UserError(`image archive has no ${p}`, { file });
    return e;
  };
  return {
    has: (p) => idx.has(p),
    readJson<T>(p: string): T {
      const e = entry(p);
      if (e.size > MAX_JSON_BYTES) throw new UserError(`${p} in the archive is too large`, { file });
      const fd = openSync(file, 'r');
      try {
        const buf = Buffer.alloc(e.size);
        readSync(fd, buf, 0, e.size, e.offset);
        return parseJson<T>(buf, `${file}:${p}`);
      } finally {
        closeSync(fd);
      }
    },
    open(p) {
      const e = entry(p);
      return e.size === 0
        ? createReadStream(file, { start: 0, end: -1 })
        : createReadStream(file, { start: e.offset, end: e.offset + e.size - 1 });
    },
  };
}

function dirFiles(dir: string): ArchiveFiles {
  const root = resolve(dir);
  const safe = (p: string): string => {
    const full = resolve(root, p);
    if (full !== root && !full.startsWith(root + sep))
      throw new UserError(`path escapes the image layout: ${p}`, { file: dir });
    return full;
  };
  return {
    has: (p) => existsSync(safe(p)),
    readJson<T>(p: string): T {
      const full = safe(p);
      if (!existsSync(full)) throw new UserError(`image layout has no ${p}`, { file: dir });
      if (statSync(full).size > MAX_JSON_BYTES) throw new UserError(`${p} is too large`, { file: dir });
      return parseJson<T>(readFileSync(full), join(dir, p));
    },
    open: (p) => createReadStream(safe(p)),
  };
}

function parseJson<T>(buf: Buffer, where: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch {
    throw new UserError(`${where} is not valid JSON`);
  }
}

function blobPath(digest: string): string {
  if (!isDigest(digest)) throw new UserError(`invalid digest "${digest}" in image layout`);
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

/** Opens a `docker save` archive, an OCI image layout directory, or an OCI layout tar. */
export function openLocalArchive(path: string, platform: Platform): ImageSource {
  const st = statSync(path);
  const files = st.isDirectory() ? dirFiles(path) : tarFiles(path);
  if (files.has('index.json') && files.has('oci-layout')) return fromOciLayout(files, path, platform);
  if (files.has('manifest.json')) return fromDockerArchive(files, path);
  throw new UserError('not an image archive (no manifest.json or OCI index.json/oci-layout)', { file: path });
}

function fromDockerArchive(files: ArchiveFiles, name: string): ImageSource {
  const entries =
    files.readJson<Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>>(
      'manifest.json',
    );
  const first = Array.isArray(entries) ? entries[0] : undefined;
  if (!first?.Config || !Array.isArray(first.Layers))
    throw new UserError('manifest.json of the archive has no image', { file: name });
  // Several images in one archive: the first is scanned (as `docker load` lists them first).
  const config = files.readJson<ImageConfigFile>(first.Config);
  const diffIds = config.rootfs?.diff_ids ?? [];
  const layerPaths = first.Layers;
  const layers: LayerRef[] = layerPaths.map((p, i) => ({
    digest: diffIds[i] ?? p,
    ...(diffIds[i] ? { diffId: diffIds[i] } : {}),
  }));
  return {
    kind: 'docker-archive',
    name: first.RepoTags?.[0] ?? name,
    platform: formatPlatform({ os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64' }),
    config,
    layers,
    openLayer: async (i) => {
      const p = layerPaths[i];
      if (!p) throw new Error(`no layer ${i}`);
      return files.open(p);
    },
    close: async () => {},
  };
}

function fromOciLayout(files: ArchiveFiles, name: string, platform: Platform): ImageSource {
  let index = files.readJson<ImageIndex>('index.json');
  let desc = index.manifests?.[0];
  for (let depth = 0; depth < 4 && desc; depth++) {
    if (!isIndexMediaType(desc.mediaType)) break;
    index = files.readJson<ImageIndex>(blobPath(desc.digest));
    desc = index.manifests?.find((d) => platformMatches(platform, d.platform)) ?? undefined;
  }
  if (index.manifests && index.manifests.length > 1) {
    desc = index.manifests.find((d) => platformMatches(platform, d.platform)) ?? desc;
  }
  if (!desc)
    throw new UserError(`OCI layout has no image for platform ${formatPlatform(platform)}`, { file: name });
  const manifest = files.readJson<ImageManifest>(blobPath(desc.digest));
  if (!manifest.config || !Array.isArray(manifest.layers))
    throw new UserError('OCI layout manifest has no config/layers', { file: name });
  const config = files.readJson<ImageConfigFile>(blobPath(manifest.config.digest));
  const diffIds = config.rootfs?.diff_ids ?? [];
  return {
    kind: 'oci-layout',
    name: desc.annotations?.['org.opencontainers.image.ref.name'] ?? name,
    manifestDigest: desc.digest,
    platform: formatPlatform({ os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64' }),
    config,
    layers: manifest.layers.map((l, i) => ({
      digest: l.digest,
      size: l.size,
      mediaType: l.mediaType,
      ...(diffIds[i] ? { diffId: diffIds[i] } : {}),
    })),
    openLayer: async (i) => {
      const l = manifest.layers[i];
      if (!l) throw new Error(`no layer ${i}`);
      // Content-addressed blobs: a tampered layer file fails verification instead of being analysed.
      const stream = files.open(blobPath(l.digest));
      const verifier = verifyingStream(l.digest, l.size);
      stream.on('error', (e) => verifier.destroy(e));
      return stream.pipe(verifier);
    },
    close: async () => {},
  };
}
