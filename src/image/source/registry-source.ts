import type { Readable } from 'node:stream';
import { UserError } from '../../core/errors.js';
import { parseImageReference, formatReference, type ImageReference } from '../reference.js';
import { RegistryClient, type RepoRef } from '../registry/client.js';
import { isIndexMediaType, type Descriptor } from '../registry/media-types.js';
import { isDigest } from '../registry/digest.js';
import {
  formatPlatform,
  MAX_LAYERS,
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
    const list = isRecord(m.json) ? m.json.manifests : undefined;
    if (!Array.isArray(list) || !list.every(isRecord))
      throw new UserError(`${formatReference(ref)}: the image index has a malformed manifests list`);
    const manifests = list as unknown as Descriptor[];
    const entry = manifests.find((d) => platformMatches(platform, d.platform));
    if (!entry) {
      const have = manifests
        .map((d) => (isRecord(d.platform) ? formatPlatform(d.platform) : ''))
        .filter(Boolean)
        .join(', ');
      throw new UserError(
        `${formatReference(ref)} has no image for platform ${formatPlatform(platform)} (available: ${have || 'none'})`,
      );
    }
    if (typeof entry.digest !== 'string' || !isDigest(entry.digest))
      throw new UserError(`${formatReference(ref)}: the image index names an invalid digest`);
    m = await client.getManifest(repo, entry.digest);
  }
  const manifest = m.json;
  if (!isRecord(manifest) || !isRecord(manifest.config) || !Array.isArray(manifest.layers)) {
    throw new UserError(
      `${formatReference(ref)}: unsupported manifest (media type ${m.mediaType || 'unknown'})`,
    );
  }
  const layers: unknown[] = manifest.layers;
  if (
    !layers.every((l): l is Descriptor => isRecord(l) && typeof l.digest === 'string' && isDigest(l.digest))
  )
    throw new UserError(`${formatReference(ref)}: the manifest has a malformed layer descriptor`);
  if (layers.length > MAX_LAYERS)
    throw new UserError(
      `${formatReference(ref)}: the manifest lists ${layers.length} layers, more than the limit of ${MAX_LAYERS}`,
    );
  const configDesc = manifest.config;
  if (typeof configDesc.digest !== 'string' || !isDigest(configDesc.digest))
    throw new UserError(`${formatReference(ref)}: the manifest names an invalid config digest`);
  const configBytes = await client.fetchBlobBytes(repo, {
    digest: configDesc.digest,
    ...(typeof configDesc.size === 'number' ? { size: configDesc.size } : {}),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(configBytes.toString('utf8'));
  } catch {
    throw new UserError(`${formatReference(ref)}: image config is not valid JSON`);
  }
  if (!isRecord(parsed)) throw new UserError(`${formatReference(ref)}: image config is not a JSON object`);
  const config = parsed as ImageConfigFile;
  const rawDiffIds: unknown = config.rootfs?.diff_ids;
  const diffIds = Array.isArray(rawDiffIds)
    ? rawDiffIds.map((d: unknown) => (typeof d === 'string' && isDigest(d) ? d : undefined))
    : [];
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    kind: 'registry',
    name: formatReference(ref),
    manifestDigest: m.digest,
    platform: formatPlatform({
      os: str(config.os) ?? platform.os,
      architecture: str(config.architecture) ?? platform.architecture,
      ...(str(config.variant) ? { variant: str(config.variant) } : {}),
    }),
    config,
    layers: layers.map((l, i) => ({
      digest: l.digest,
      ...(typeof l.size === 'number' ? { size: l.size } : {}),
      ...(typeof l.mediaType === 'string' ? { mediaType: l.mediaType } : {}),
      ...(diffIds[i] ? { diffId: diffIds[i] } : {}),
    })),
    openLayer: (i: number): Promise<Readable> => {
      const l = layers[i];
      if (!l) throw new Error(`no layer ${i}`);
      return client.fetchBlob(repo, l);
    },
    close: async () => {},
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(json: unknown): boolean {
  return (
    typeof json === 'object' && json !== null && Array.isArray((json as { manifests?: unknown }).manifests)
  );
}
