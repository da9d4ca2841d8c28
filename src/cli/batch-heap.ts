import { setFlagsFromString } from 'node:v8';

/**
 * Old-generation growth factor for the one-shot commands that stream image layers (`image scan`, `sbom`,
 * `registry scan`), as V8's `--heap-growing-percent`: 300 means the limit for the next full collection is
 * four times the live heap, V8's own factor when collections are expensive.
 *
 * Why: a scan keeps a small JS heap (about 13 MB) while hundreds of megabytes of layer chunks pass through
 * Buffers. V8 counts ArrayBuffer memory allocated since the last full collection (freed or not yet swept)
 * against the old-generation limit, and for a small heap that grows slowly it sets the limit to the live
 * size plus one young generation. After the first full collection of a scan the limit is therefore always
 * "reached", and V8 runs one concurrent marking cycle after another: 10-28 full collections per scan of
 * bench/image-scan.bench.ts, their marking threads competing with zlib for the cores. With this factor the
 * same scan runs 3-4, peak RSS unchanged (docs/benchmarks.md, image scan, session 4). Long-running
 * servers keep V8's default: for a large live heap this factor would hold a lot of garbage.
 */
const BATCH_HEAP_GROWING_PERCENT = 300;

/** Applies {@link BATCH_HEAP_GROWING_PERCENT} to this process (V8 reads the flag at each full collection). */
export function useBatchHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${BATCH_HEAP_GROWING_PERCENT}`);
}
