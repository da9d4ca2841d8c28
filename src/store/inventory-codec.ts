import { gunzipSync, gzipSync } from 'node:zlib';
import type { PackageType } from '../image/catalog/package.js';
import type { ImagesTable } from './schema.js';
import type { StoredInventory, StoredPackage } from './types.js';

/**
 * Packages are stored as one gzip'd JSON document per image rather than one row per package: an image is
 * always read whole (to re-match it), 300 packages become ~10 KB instead of 300 rows, and the layout can
 * evolve without a migration (`v`). Each package is a positional array; layer digests, repeated by every
 * package of a layer, are written once in `l` and referred to by index.
 *
 *   { "v": 1, "l": ["sha256:…"], "p": [[type, name, version, ecosystem, purl, srcName, srcVersion, layer]] }
 *
 * Absent optional fields are `null` (srcName/srcVersion) or -1 (layer).
 */
const FORMAT = 1;

type Row = [string, string, string, string, string, string | null, string | null, number];

interface Doc {
  v: number;
  l: string[];
  p: Row[];
}

export function encodePackages(packages: readonly StoredPackage[]): Buffer {
  const layers: string[] = [];
  const layerIndex = new Map<string, number>();
  const rows: Row[] = packages.map((p) => {
    let li = -1;
    if (p.layerDigest !== undefined) {
      li = layerIndex.get(p.layerDigest) ?? -1;
      if (li < 0) {
        li = layers.push(p.layerDigest) - 1;
        layerIndex.set(p.layerDigest, li);
      }
    }
    return [
      p.type,
      p.name,
      p.version,
      p.ecosystem,
      p.purl,
      p.source?.name ?? null,
      p.source?.version ?? null,
      li,
    ];
  });
  const doc: Doc = { v: FORMAT, l: layers, p: rows };
  // Level 1: the blob is written once and read on every re-match, where inflate speed barely depends on it.
  return gzipSync(JSON.stringify(doc), { level: 1 });
}

export function decodePackages(blob: Uint8Array): StoredPackage[] {
  const doc = JSON.parse(gunzipSync(blob).toString('utf8')) as Doc;
  if (doc.v !== FORMAT) throw new Error(`stored inventory has format ${String(doc.v)}, expected ${FORMAT}`);
  return doc.p.map((r) => {
    const p: StoredPackage = {
      type: r[0] as PackageType,
      name: r[1],
      version: r[2],
      ecosystem: r[3],
      purl: r[4],
    };
    if (r[5] !== null && r[6] !== null) p.source = { name: r[5], version: r[6] };
    const layer = r[7] >= 0 ? doc.l[r[7]] : undefined;
    if (layer !== undefined) p.layerDigest = layer;
    return p;
  });
}

/** An `images` row as the inventory it stores. */
export function toInventory(r: ImagesTable): StoredInventory {
  const inv: StoredInventory = {
    digest: r.digest,
    registry: r.registry,
    repository: r.repository,
    layers: JSON.parse(r.layers) as string[],
    packages: decodePackages(r.packages),
    scannedAt: r.scanned_at,
  };
  if (r.os_name !== null) inv.os = { name: r.os_name, version: r.os_version ?? '' };
  if (r.config_digest !== null) inv.configDigest = r.config_digest;
  if (r.platform !== null) inv.platform = r.platform;
  return inv;
}
