import type { SquashedFs } from '../layers/squash.js';
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
  wants(path: string): boolean;
  catalog(fs: SquashedFs, ctx: CatalogContext): CatalogResult;
}
