/**
 * Scan results from the kubeward store (filled by `kubeward registry scan|watch`) for the vulnerability
 * gate, and a chain that tries sources in order (store first, then an inline scanner on a miss).
 */
import { TtlCache } from '../../image/signature/ttl-cache.js';
import type { Store, StoredFinding } from '../../store/index.js';
import {
  summariseVulnerabilities,
  type ImageScanSummary,
  type ScanLookup,
  type ScanResultSource,
} from './scan-results.js';

export interface StoreScanResultsOptions {
  /** How long an answer (found or not) is reused before the store is asked again (default 60 s). */
  ttlMs?: number;
  /** Digests remembered at once (default 10 000). */
  maxEntries?: number;
  clock?: () => number;
}

/** The gate's view of stored findings. The store keeps no suppressions, so every finding counts. */
export function summariseStoredFindings(
  digest: string,
  findings: readonly StoredFinding[],
  scannedAt: string,
): ImageScanSummary {
  return summariseVulnerabilities(digest, findings, scannedAt);
}

/**
 * Looks a digest up in the store. Answers are cached per digest for a short time, misses too, so the
 * webhook's hot path reads memory; a digest scanned by the registry watcher shows up within one TTL.
 * Concurrent lookups of one digest share one query. A store failure rejects (the policy's failurePolicy
 * decides) and is not cached.
 */
export class StoreScanResults implements ScanResultSource {
  /** `null` remembers "not in the store". */
  private readonly cache: TtlCache<string, ImageScanSummary | null>;
  private readonly pending = new Map<string, Promise<ImageScanSummary | undefined>>();
  /** Store queries made, for tests and metrics. */
  queries = 0;

  constructor(
    private readonly store: Pick<Store, 'getImage' | 'findings'>,
    opts: StoreScanResultsOptions = {},
  ) {
    this.cache = new TtlCache(opts.maxEntries ?? 10_000, opts.ttlMs ?? 60_000, opts.clock);
  }

  async get(digest: string): Promise<ImageScanSummary | undefined> {
    const cached = this.cache.get(digest);
    if (cached !== undefined) return cached ?? undefined;
    let p = this.pending.get(digest);
    if (!p) {
      p = this.load(digest).finally(() => this.pending.delete(digest));
      this.pending.set(digest, p);
    }
    return p;
  }

  private async load(digest: string): Promise<ImageScanSummary | undefined> {
    this.queries++;
    const image = await this.store.getImage(digest);
    if (!image) {
      this.cache.set(digest, null);
      return undefined;
    }
    const summary = summariseStoredFindings(digest, await this.store.findings(digest), image.scannedAt);
    this.cache.set(digest, summary);
    return summary;
  }
}

/**
 * Asks each source in turn and returns the first summary. The lookup (image, scan, deadline) goes to every
 * source; sources that cannot scan ignore it, so put the inline scanner last.
 */
export class ChainedScanResults implements ScanResultSource {
  constructor(private readonly sources: readonly ScanResultSource[]) {}

  async get(digest: string, lookup?: ScanLookup): Promise<ImageScanSummary | undefined> {
    for (const s of this.sources) {
      const hit = await s.get(digest, lookup);
      if (hit) return hit;
    }
    return undefined;
  }
}
