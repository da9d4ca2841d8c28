import { UserError } from '../core/errors.js';
import {
  analyzeLayer,
  type ContentScanner,
  type EntryInfo,
  type FileReducer,
  type FileWanted,
  type LayerAnalysis,
} from './layers/analyze-layer.js';
import { decompressLayer } from './layers/decompress.js';
import { SquashedFs } from './layers/squash.js';
import type { Cataloger, CatalogStatus } from './catalog/cataloger.js';
import type { Distro, Package } from './catalog/package.js';
import { detectDistro, OS_RELEASE_PATHS } from './catalog/os-release.js';
import { analyzeRootfs } from './source/rootfs.js';
import type { ImageConfigFile, ImageSource, ImageSourceKind, LayerRef } from './source/image-source.js';

/** Per-layer analysis cache: a base layer shared by many images is analysed once. */
export interface LayerCache {
  get(key: string): LayerAnalysis | undefined;
  set(key: string, value: LayerAnalysis): void;
}

export class MemoryLayerCache implements LayerCache {
  private readonly map = new Map<string, LayerAnalysis>();
  hits = 0;
  get(key: string): LayerAnalysis | undefined {
    const v = this.map.get(key);
    if (v) this.hits++;
    return v;
  }
  set(key: string, value: LayerAnalysis): void {
    this.map.set(key, value);
  }
}

export type InventoryProgress =
  | { phase: 'layer'; index: number; total: number; digest: string; cached: boolean }
  | { phase: 'catalog'; cataloger: string };

export interface InventoryOptions {
  catalogers: readonly Cataloger[];
  cache?: LayerCache;
  onProgress?: (p: InventoryProgress) => void;
  /** Layers analysed at once (network-bound sources benefit from 2-4). */
  concurrency?: number;
}

export interface Inventory {
  source: { kind: ImageSourceKind; name: string; manifestDigest?: string; platform?: string };
  distro?: Distro;
  packages: Package[];
  layers: LayerRef[];
  config?: ImageConfigFile;
  /** setuid/setgid regular files in the final filesystem, with the layer that added them. */
  setuid: Array<{ path: string; mode: number; layer: number }>;
  catalogers: Array<{ name: string; status: CatalogStatus; packages: number; notes: string[] }>;
  skipped: Array<{ path: string; reason: string; layer?: number }>;
}

/**
 * Takes the inventory of an image: every layer is streamed once (or taken from the cache), reduced to the
 * files the catalogers want, squashed in order, then every cataloger runs over the squashed view.
 */
export async function takeInventory(source: ImageSource, opts: InventoryOptions): Promise<Inventory> {
  const catalogers = opts.catalogers;
  const osPaths = new Set(OS_RELEASE_PATHS);
  const reducers = catalogers.filter((c) => c.reduce);
  const plain = catalogers.filter((c) => !c.reduce);
  // Per layer (layers are analysed concurrently): what `wanted` decided for a file from its real tar header,
  // kept until its content arrives so `reduce` neither asks every cataloger again nor guesses the header.
  // A file wanted by a reducing cataloger keeps only the extracted metadata (plus content if another
  // cataloger, or distro detection, wants the raw bytes too).
  const filters = (): {
    wanted: FileWanted;
    reduce?: FileReducer;
    reduceOnly?: (path: string) => boolean;
    scanner?: (path: string) => ContentScanner | undefined;
  } => {
    const claims = new Map<string, { reducer: Cataloger; keepRaw: boolean }>();
    const wantsRaw = (p: string, info: EntryInfo): boolean =>
      osPaths.has(p) || plain.some((c) => c.wants(p, info));
    const wanted = (p: string, info: EntryInfo): boolean => {
      const reducer = reducers.find((c) => c.wants(p, info));
      const keepRaw = wantsRaw(p, info);
      if (reducer) claims.set(p, { reducer, keepRaw });
      return keepRaw || reducer !== undefined;
    };
    if (!reducers.length) return { wanted };
    const reduce: FileReducer = async (p, content) => {
      let claim = claims.get(p);
      claims.delete(p);
      if (!claim) {
        // Not seen by `wanted` (should not happen): judge from the path and size alone.
        const info = { mode: 0o755, size: content.length };
        const reducer = reducers.find((c) => c.wants(p, info));
        claim = reducer && { reducer, keepRaw: wantsRaw(p, info) };
      }
      if (!claim?.reducer.reduce) return { content };
      const extracted: unknown = await claim.reducer.reduce(p, content);
      return { content: claim.keepRaw ? content : Buffer.alloc(0), extracted };
    };
    // Binaries and archives nobody wants raw are read into a reused buffer (see AnalyzeOptions.reduceOnly),
    // or, when their cataloger can reduce a stream, never copied at all.
    const reduceOnly = (p: string): boolean => claims.get(p)?.keepRaw === false;
    const scanner = (p: string): ContentScanner | undefined => {
      const claim = claims.get(p);
      if (!claim?.reducer.scanner || claim.keepRaw) return undefined;
      claims.delete(p);
      return claim.reducer.scanner(p);
    };
    return { wanted, reduce, reduceOnly, scanner };
  };
  const cacheTag = catalogers.map((c) => c.name).join(',');
  const fs = new SquashedFs();
  const skipped: Inventory['skipped'] = [];

  if (source.rootfsDir !== undefined) {
    const f = filters();
    const a = await analyzeRootfs(source.rootfsDir, f.wanted, f.reduce);
    fs.apply(a, 0);
    skipped.push(...a.skipped);
  } else {
    const analyses = await mapOrdered(source.layers, opts.concurrency ?? 3, async (layer, i) => {
      const key = `${layer.digest}|${cacheTag}`;
      const cached = opts.cache?.get(key);
      opts.onProgress?.({
        phase: 'layer',
        index: i,
        total: source.layers.length,
        digest: layer.digest,
        cached: !!cached,
      });
      if (cached) return cached;
      const stream = await source.openLayer(i);
      let a: LayerAnalysis;
      try {
        a = await analyzeLayer(decompressLayer(stream), filters());
      } catch (e) {
        // A corrupt, truncated or tampered layer is a problem of the input, reported in one line (exit 2).
        throw new UserError(`layer ${i} (${layer.digest.slice(0, 19)}): ${(e as Error).message}`);
      }
      opts.cache?.set(key, a);
      return a;
    });
    analyses.forEach((a, i) => {
      fs.apply(a, i);
      skipped.push(...a.skipped.map((s) => ({ ...s, layer: i })));
    });
  }

  const distro = detectDistro(fs);
  const packages: Package[] = [];
  const results: Inventory['catalogers'] = [];
  for (const c of catalogers) {
    opts.onProgress?.({ phase: 'catalog', cataloger: c.name });
    try {
      const r = c.catalog(fs, distro ? { distro } : {});
      for (const p of r.packages) {
        const digest = p.layer !== undefined ? source.layers[p.layer]?.digest : undefined;
        if (digest) p.layerDigest = digest;
        packages.push(p);
      }
      results.push({ name: c.name, status: r.status, packages: r.packages.length, notes: r.notes });
    } catch (e) {
      results.push({ name: c.name, status: 'error', packages: 0, notes: [(e as Error).message] });
    }
  }
  const inv: Inventory = {
    source: {
      kind: source.kind,
      name: source.name,
      ...(source.manifestDigest ? { manifestDigest: source.manifestDigest } : {}),
      ...(source.platform ? { platform: source.platform } : {}),
    },
    packages,
    layers: source.layers,
    setuid: [...fs.setuid].map(([path, v]) => ({ path, mode: v.mode, layer: v.layer })),
    catalogers: results,
    skipped,
  };
  if (distro) inv.distro = distro;
  if (source.config) inv.config = source.config;
  return inv;
}

/** Runs `fn` over items with bounded concurrency, returning results in input order. */
async function mapOrdered<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
