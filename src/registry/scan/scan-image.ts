import type { Cataloger } from '../../image/catalog/cataloger.js';
import { takeInventory } from '../../image/inventory.js';
import type { RegistryClient } from '../../image/registry/client.js';
import type { Platform } from '../../image/source/image-source.js';
import { openRegistryImage } from '../../image/source/registry-source.js';
import type { VulnDb } from '../../vuln/db/store.js';
import { matchInventory, vulnDbStamp, type FindingsDiff, type Store } from '../../store/index.js';
import type { PassLayerCache } from './layer-cache.js';

export interface ImageJob {
  registry: string;
  repository: string;
  digest: string;
  /** Tags pointing at the digest in this repository (for events and logs). */
  tags: string[];
}

export interface ImageScanDeps {
  store: Store;
  vulnDb: VulnDb;
  client: RegistryClient;
  catalogers: readonly Cataloger[];
  platform: Platform;
  cache: PassLayerCache;
}

/**
 * Pulls one manifest digest (config and layers; layers already analysed in this pass come from the shared
 * cache), takes its inventory, stores it, and matches it. Returns the finding changes.
 */
export async function scanImageDigest(job: ImageJob, deps: ImageScanDeps): Promise<FindingsDiff> {
  const ref = `${job.registry}/${job.repository}@${job.digest}`;
  const source = await openRegistryImage(ref, deps.client, deps.platform);
  let inventory;
  try {
    const claim = deps.cache.reserve(source.layers.map((l) => l.digest));
    try {
      await claim.ready;
      inventory = await takeInventory(source, { catalogers: deps.catalogers, cache: deps.cache });
    } finally {
      claim.release();
    }
  } finally {
    await source.close();
  }
  await deps.store.saveImage(job.digest, {
    repo: { registry: job.registry, repository: job.repository },
    ...(inventory.distro ? { os: { name: inventory.distro.id, version: inventory.distro.versionId } } : {}),
    ...(inventory.source.platform ? { platform: inventory.source.platform } : {}),
    layers: inventory.layers.map((l) => l.digest),
    packages: inventory.packages,
  });
  const findings = matchInventory(inventory.packages, deps.vulnDb);
  return deps.store.replaceFindings(job.digest, findings, vulnDbStamp(deps.vulnDb));
}
