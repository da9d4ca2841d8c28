import type { LayerCache } from '../../image/inventory.js';
import type { LayerAnalysis } from '../../image/layers/analyze-layer.js';

interface Pending {
  promise: Promise<void>;
  resolve: () => void;
}

/**
 * The one layer cache of a pass. `takeInventory` alone would let two images pulled at the same time both
 * miss the cache for their shared base layer and fetch it twice; here an image first `reserve`s its layers:
 * layers nobody holds become its own to fetch, and layers another image is fetching right now are waited
 * for, so every unique layer is downloaded and analysed once per pass.
 *
 * Waits only ever point at images that reserved earlier (reservation is synchronous), so they cannot form
 * a cycle. A holder that fails releases its layers; a waiter then fetches them itself.
 *
 * Memory is bounded by `maxLayers` analyses, least recently used evicted first: shared base layers are
 * used over and over and stay, while an image's own top layer (needed once) makes room. An evicted layer
 * needed again is simply fetched again.
 */
export class PassLayerCache implements LayerCache {
  /** Insertion order is recency order (a hit moves the entry to the end). */
  private readonly done = new Map<string, LayerAnalysis>();
  private readonly pending = new Map<string, Pending>();
  private readonly doneDigests = new Set<string>();
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(private readonly maxLayers = 2000) {}

  get(key: string): LayerAnalysis | undefined {
    const v = this.done.get(key);
    if (v) {
      this.hits++;
      this.done.delete(key);
      this.done.set(key, v);
    } else this.misses++;
    return v;
  }

  set(key: string, value: LayerAnalysis): void {
    this.done.delete(key);
    this.done.set(key, value);
    while (this.done.size > this.maxLayers) {
      const oldest = this.done.keys().next().value as string;
      this.done.delete(oldest);
      this.doneDigests.delete(digestOfKey(oldest));
      this.evictions++;
    }
    const digest = digestOfKey(key);
    this.doneDigests.add(digest);
    this.pending.get(digest)?.resolve();
    this.pending.delete(digest);
  }

  /** Layer analyses held now. */
  get size(): number {
    return this.done.size;
  }

  /** Layers analysed (fetched) in this pass, evicted ones included. */
  get analysed(): number {
    return this.done.size + this.evictions;
  }

  /**
   * Claims the layers of one image. `ready` resolves once layers held by other images are analysed (or
   * released); `release` must be called when the image is done, failed or not.
   */
  reserve(layerDigests: readonly string[]): { ready: Promise<void>; release: () => void } {
    const waits: Promise<void>[] = [];
    const mine: string[] = [];
    for (const d of new Set(layerDigests)) {
      if (this.doneDigests.has(d)) continue;
      const p = this.pending.get(d);
      if (p) {
        waits.push(p.promise);
        continue;
      }
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.pending.set(d, { promise, resolve });
      mine.push(d);
    }
    return {
      ready: Promise.all(waits).then(() => undefined),
      release: () => {
        for (const d of mine) {
          this.pending.get(d)?.resolve();
          this.pending.delete(d);
        }
      },
    };
  }
}

/** takeInventory keys its cache `<layer digest>|<catalogers>`. */
function digestOfKey(key: string): string {
  const bar = key.indexOf('|');
  return bar === -1 ? key : key.slice(0, bar);
}
