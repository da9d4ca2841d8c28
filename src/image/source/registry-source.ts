import type { Readable } from 'node:stream';
import { UserError } from '../../core/errors.js';
import { parseImageReference, formatReference, type ImageReference } from '../reference.js';
import { RegistryClient, type RepoRef } from '../registry/client.js';
import {
  isIndexMediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from '../registry/media-types.js';
import {
  formatPlatform,
  platformMatches,
  type ImageConfigFile,
  type ImageSource,
  type Platform,
} from './image-source.js';

/** Resolves a reference through the registry: index → platform manifest → config, layers streamed on demand. */
export async function openRegistryImage(
  input: string,
  client: RegistryClient,
  platform: Platform,
): Promise<ImageSource> {
  let ref: ImageReference;
  try {
    ref = parseImageReference(input);
  } catch (e) {
    throw new UserError(`invalid image reference "${input}": ${(e as Error).message}`);
  }
  const repo: RepoRef = { registry: ref.registry, repository: ref.repository };
  let m = await client.getManifest(repo, ref.digest ?? ref.tag ?? 'latest');
  if (isIndexMediaType(m.mediaType) || isIndex(m.json)) {
    const index = m.json as ImageIndex;
    const entry = (index.manifests ?? []).find((d) => platformMatches(platform, d.platform));
    if (!entry) {
      const have = (index.manifests ?? [])
        .map((d) => formatPlatform(d.platform ?? {}))
        .filter(Boolean)
        .join(', ');
      throw new UserError(
        `${formatReference(ref)} has no image for platform ${formatPlatform(platform)} (available: ${have || 'none'})`,
      );
    }
    m = await client.getManifest(repo, entry.digest);
  }
  const manifest = m.json as ImageManifest;
  if (!manifest || !manifest.config || !Array.isArray(manifest.layers)) {
    throw new UserError(
      `${formatReference(ref)}: unsupported manifest (media type ${m.mediaType || 'unknown'})`,
    );
  }
  const configBytes = await client.fetchBlobBytes(repo, manifest.config);
  let config: ImageConfigFile;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfigFile;
  } catch {
    throw new UserError(`${formatReference(ref)}: image config is not valid JSON`);
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  return {
    kind: 'registry',
    name: formatReference(ref),
    manifestDigest: m.digest,
    platform: formatPlatform({
      os: config.os ?? platform.os,
      architecture: config.architecture ?? platform.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
    }),
    config,
    layers: manifest.layers.map((l: Descriptor, i) => ({
      digest: l.digest,
      size: l.size,
      mediaType: l.mediaType,
      ...(diffIds[i] ? { diffId: diffIds[i] } : {}),
    })),
    openLayer: (i: number): Promise<Readable> => {
      const l = manifest.layers[i];
      if (!l) throw new Error(`no layer ${i}`);
      return client.fetchBlob(repo, l);
    },
    close: async () => {},
  };
}

function isIndex(json: unknown): boolean {
  return (
    typeof json === 'object' && json !== null && Array.isArray((json as { manifests?: unknown }).manifests)
  );
}
