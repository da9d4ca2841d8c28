import { closeSync, createReadStream, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../../core/errors.js';
import { digestOf, isDigest, verifyingStream } from '../registry/digest.js';
import { isIndexMediaType, type Descriptor } from '../registry/media-types.js';
import { indexTar, type TarEntryRange } from './tar-index.js';
import {
  formatPlatform,
  MAX_LAYERS,
  platformMatches,
  type ImageConfigFile,
  type ImageSource,
  type LayerRef,
  type Platform,
} from './image-source.js';

const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** Index → index → manifest nesting followed in an OCI layout. */
const MAX_INDEX_DEPTH = 4;

/** Read access to the files of an archive, whether a tar file or an extracted directory. */
interface ArchiveFiles {
  has(path: string): boolean;
  readJson<T>(path: string): T;
  /** The raw bytes of a small file (bounded like readJson). */
  readBytes(path: string): Buffer;
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
    const e = idx.get(archivePath(p, file));
    if (!e) throw new UserError(`image archive has no ${p.slice(0, 200)}`, { file });
    return e;
  };
  const readBytes = (p: string): Buffer => {
    const e = entry(p);
    if (e.size > MAX_JSON_BYTES) throw new UserError(`${p} in the archive is too large`, { file });
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(e.size);
      const n = readSync(fd, buf, 0, e.size, e.offset);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  };
  return {
    has: (p) => idx.has(p),
    readBytes,
    readJson: <T>(p: string): T => parseJson<T>(readBytes(p), `${file}:${p}`),
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
  const realRoot = realpathSync(root);
  /** A regular file inside the layout, symlinks resolved: never a device, a FIFO or a file elsewhere. */
  const regular = (p: string): string => {
    const full = resolve(root, p);
    if (full !== root && !full.startsWith(root + sep))
      throw new UserError(`path escapes the image layout: ${p}`, { file: dir });
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      throw new UserError(`image layout has no ${p}`, { file: dir });
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep))
      throw new UserError(`${p} points outside the image layout`, { file: dir });
    if (!statSync(real).isFile()) throw new UserError(`${p} is not a regular file`, { file: dir });
    return real;
  };
  const readBytes = (p: string): Buffer => {
    const fd = openSync(regular(p), 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_JSON_BYTES) throw new UserError(`${p} is too large`, { file: dir });
      const buf = Buffer.alloc(size);
      const n = readSync(fd, buf, 0, size, 0);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  };
  return {
    has: (p) => {
      try {
        regular(p);
        return true;
      } catch {
        return false;
      }
    },
    readBytes,
    readJson: <T>(p: string): T => parseJson<T>(readBytes(p), join(dir, p)),
    open: (p) => createReadStream(regular(p)),
  };
}

/** A path named by manifest.json, as stored in the archive; names leaving the archive are refused. */
function archivePath(p: string, file: string): string {
  if (p.startsWith('/') || p.split(/[\\/]/).includes('..'))
    throw new UserError(`manifest.json names a path outside the archive: ${p.slice(0, 200)}`, { file });
  return p.replace(/^(\.\/)+/, '');
}

function parseJson<T>(buf: Buffer, where: string): T {
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new UserError(`${where} is not valid JSON`);
  }
  if (typeof v !== 'object' || v === null) throw new UserError(`${where} is not a JSON object or array`);
  return v as T;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a content-addressed blob of the layout as JSON, refusing content that does not match its digest. */
function readBlobJson<T>(files: ArchiveFiles, digest: unknown, name: string, what: string): T {
  if (typeof digest !== 'string') throw new UserError(`OCI layout ${what} has no digest`, { file: name });
  const bytes = files.readBytes(blobPath(digest));
  const alg = digest.startsWith('sha512:') ? 'sha512' : 'sha256';
  if (digestOf(bytes, alg) !== digest)
    throw new UserError(`OCI layout ${what} ${digest.slice(0, 19)}… does not match its digest`, {
      file: name,
    });
  return parseJson<T>(bytes, `${name}:${blobPath(digest)}`);
}

/** Config fields kubeward reads, with the wrong types dropped (a hostile config is data, not a crash). */
function sanitizeConfig(config: unknown, name: string): ImageConfigFile {
  if (!isRecord(config)) throw new UserError('image config is not a JSON object', { file: name });
  const c = config as ImageConfigFile;
  const diffIds = c.rootfs?.diff_ids;
  if (c.rootfs !== undefined && (!isRecord(c.rootfs) || (diffIds !== undefined && !Array.isArray(diffIds))))
    throw new UserError('image config has a malformed rootfs', { file: name });
  for (const k of ['os', 'architecture', 'variant'] as const)
    if (c[k] !== undefined && typeof c[k] !== 'string')
      throw new UserError(`image config field ${k} is not a string`, { file: name });
  return c;
}

function checkLayerCount(n: number, name: string): void {
  if (n > MAX_LAYERS)
    throw new UserError(`image has ${n} layers, more than the limit of ${MAX_LAYERS}`, { file: name });
}

function blobPath(digest: unknown): string {
  if (typeof digest !== 'string' || !isDigest(digest))
    throw new UserError(`invalid digest ${JSON.stringify(String(digest).slice(0, 100))} in image layout`);
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

function diffIdsOf(config: ImageConfigFile): Array<string | undefined> {
  return (config.rootfs?.diff_ids ?? []).map((d) => (typeof d === 'string' && isDigest(d) ? d : undefined));
}

function fromDockerArchive(files: ArchiveFiles, name: string): ImageSource {
  const entries = files.readJson<unknown>('manifest.json');
  const first: unknown = Array.isArray(entries) ? entries[0] : undefined;
  if (!isRecord(first) || typeof first.Config !== 'string' || !Array.isArray(first.Layers))
    throw new UserError('manifest.json of the archive has no image', { file: name });
  const layerPaths: unknown[] = first.Layers;
  if (!layerPaths.every((p): p is string => typeof p === 'string'))
    throw new UserError('manifest.json of the archive has a layer that is not a path', { file: name });
  checkLayerCount(layerPaths.length, name);
  // Refuse paths leaving the archive now, not when the layer is opened.
  for (const p of layerPaths) archivePath(p, name);
  // Several images in one archive: the first is scanned (as `docker load` lists them first).
  const config = sanitizeConfig(files.readJson<unknown>(first.Config), name);
  const diffIds = diffIdsOf(config);
  const layers: LayerRef[] = layerPaths.map((p, i) => {
    const d = diffIds[i];
    return d ? { digest: d, diffId: d } : { digest: p };
  });
  const tags = first.RepoTags;
  const tag = Array.isArray(tags) && typeof tags[0] === 'string' ? tags[0] : undefined;
  return {
    kind: 'docker-archive',
    name: tag ?? name,
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

function manifestsOf(index: unknown, name: string, what: string): Descriptor[] {
  const list = isRecord(index) ? index.manifests : undefined;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || !list.every(isRecord))
    throw new UserError(`${what} has a malformed manifests list`, { file: name });
  return list as unknown as Descriptor[];
}

function fromOciLayout(files: ArchiveFiles, name: string, platform: Platform): ImageSource {
  let manifests = manifestsOf(files.readJson<unknown>('index.json'), name, 'index.json');
  let desc = manifests[0];
  for (let depth = 0; desc && isIndexMediaType(desc.mediaType); depth++) {
    if (depth >= MAX_INDEX_DEPTH)
      throw new UserError(`OCI layout indexes nest deeper than ${MAX_INDEX_DEPTH} levels`, { file: name });
    manifests = manifestsOf(readBlobJson<unknown>(files, desc.digest, name, 'index'), name, 'index');
    desc = manifests.find((d) => platformMatches(platform, d.platform));
  }
  if (manifests.length > 1) {
    desc = manifests.find((d) => platformMatches(platform, d.platform)) ?? desc;
  }
  if (!desc)
    throw new UserError(`OCI layout has no image for platform ${formatPlatform(platform)}`, { file: name });
  const manifest = readBlobJson<unknown>(files, desc.digest, name, 'manifest');
  if (!isRecord(manifest) || !isRecord(manifest.config) || !Array.isArray(manifest.layers))
    throw new UserError('OCI layout manifest has no config/layers', { file: name });
  const manifestLayers: unknown[] = manifest.layers;
  if (!manifestLayers.every((l): l is Descriptor => isRecord(l) && typeof l.digest === 'string'))
    throw new UserError('OCI layout manifest has a malformed layer descriptor', { file: name });
  checkLayerCount(manifestLayers.length, name);
  for (const l of manifestLayers) blobPath(l.digest);
  const config = sanitizeConfig(readBlobJson<unknown>(files, manifest.config.digest, name, 'config'), name);
  const diffIds = diffIdsOf(config);
  const annotations = isRecord(desc.annotations) ? desc.annotations : {};
  const refName = annotations['org.opencontainers.image.ref.name'];
  return {
    kind: 'oci-layout',
    name: typeof refName === 'string' ? refName : name,
    manifestDigest: desc.digest,
    platform: formatPlatform({ os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64' }),
    config,
    layers: manifestLayers.map((l, i) => ({
      digest: l.digest,
      ...(typeof l.size === 'number' ? { size: l.size } : {}),
      ...(typeof l.mediaType === 'string' ? { mediaType: l.mediaType } : {}),
      ...(diffIds[i] ? { diffId: diffIds[i] } : {}),
    })),
    openLayer: async (i) => {
      const l = manifestLayers[i];
      if (!l) throw new Error(`no layer ${i}`);
      // Content-addressed blobs: a tampered layer file fails verification instead of being analysed.
      const stream = files.open(blobPath(l.digest));
      const verifier = verifyingStream(l.digest, typeof l.size === 'number' ? l.size : undefined);
      stream.on('error', (e) => verifier.destroy(e));
      return stream.pipe(verifier);
    },
    close: async () => {},
  };
}
