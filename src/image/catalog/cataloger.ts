import type { SquashedFs } from '../layers/squash.js';
import type { ContentScanner, EntryInfo } from '../layers/analyze-layer.js';
import type { Distro, Package } from './package.js';

export interface CatalogContext {
  distro?: Distro;
}

/** "ran, found nothing" is different from "failed" or "could not analyse this format". */
export type CatalogStatus = 'ok' | 'not-analysed' | 'error';

export interface CatalogResult {
  packages: Package[];
  status: CatalogStatus;
  /** Why a status is not ok, or non-fatal notes (a malformed entry skipped). */
  notes: string[];
}

/**
 * A cataloger says which files it needs from the path alone (`wants`, called for every tar entry, so it must
 * be cheap) and later extracts packages from the squashed view of exactly those files. It never walks.
 */
export interface Cataloger {
  name: string;
  /** From the path and tar header alone: is this file needed? Called for every entry; keep it cheap. */
  wants(path: string, info: EntryInfo): boolean;
  /**
   * Optional: reduce a wanted file to extracted metadata at layer time (binaries, archives), so large
   * contents are not kept in memory. The result is available as `file.extracted` when cataloguing.
   */
  reduce?(path: string, content: Buffer): unknown;
  /**
   * Optional, with `reduce`: the same reduction fed the content chunk by chunk as a layer streams, for files
   * no cataloger wants whole (a binary searched for a few bytes is then never copied). Its `result()` must
   * equal what `reduce` returns for the whole content.
   */
  scanner?(path: string): ContentScanner;
  catalog(fs: SquashedFs, ctx: CatalogContext): CatalogResult;
}
