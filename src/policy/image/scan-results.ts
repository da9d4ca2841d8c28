/**
 * Where image policies get vulnerability results from: a summary per image digest. The in-memory store
 * holds recent results; the inline source scans an image on a miss (openImage → takeInventory →
 * scanImage) within the request's budget. A persistent store can implement the same interface.
 */
import type { KubewardConfig } from '../../core/config.js';
import type { Finding } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import { ALL_CATALOGERS } from '../../image/catalog/index.js';
import { MemoryLayerCache, takeInventory, type LayerCache } from '../../image/inventory.js';
import { openImage } from '../../image/open-image.js';
import type { RegistryClient } from '../../image/registry/client.js';
import { withDeadline } from '../../image/signature/deadline.js';
import { TtlCache } from '../../image/signature/ttl-cache.js';
import type { VulnDb } from '../../vuln/db/store.js';
import { scanImage } from '../../vuln/scan/image-scan.js';

/** What a policy needs to know about an image's vulnerabilities. Counts cover unsuppressed findings. */
export interface ImageScanSummary {
  digest: string;
  counts: Record<Severity, number>;
  /** Vulnerabilities listed in CISA KEV. */
  kev: number;
  /** Critical vulnerabilities that have a fixed version. */
  fixableCritical: number;
  /** ISO 8601 time of the scan. */
  scannedAt: string;
}

export interface ScanLookup {
  /** `registry/repository@digest` (or with tag), needed to scan on a miss. */
  image?: string;
  /** Scan the image when there is no result (sources that cannot scan ignore this). */
  scan?: boolean;
  /** Absolute deadline (epoch ms) for a scan. */
  deadline?: number;
}

export interface ScanResultSource {
  /**
   * The summary for a digest, or undefined when the image has not been scanned. Rejects when a requested
   * scan failed or did not finish by the deadline (DeadlineExceededError).
   */
  get(digest: string, lookup?: ScanLookup): Promise<ImageScanSummary | undefined>;
}

/** What the gate counts of one vulnerability, whichever scanner or store it comes from. */
export interface CountedVulnerability {
  severity: Severity;
  kev: boolean;
  fixable: boolean;
}

/** Counts vulnerabilities by severity, KEV and fixable criticals: the gate's view of an image. */
export function summariseVulnerabilities(
  digest: string,
  vulns: Iterable<CountedVulnerability>,
  scannedAt: string,
): ImageScanSummary {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let kev = 0;
  let fixableCritical = 0;
  for (const v of vulns) {
    counts[v.severity]++;
    if (v.kev) kev++;
    if (v.severity === 'critical' && v.fixable) fixableCritical++;
  }
  return { digest, counts, kev, fixableCritical, scannedAt };
}

/** Reduces scan findings to a summary (vulnerability findings only; suppressed ones do not count). */
export function summariseFindings(
  digest: string,
  findings: readonly Finding[],
  scannedAt: Date,
): ImageScanSummary {
  const vulns: CountedVulnerability[] = [];
  for (const f of findings) {
    if (!f.vulnerability || f.suppressed) continue;
    vulns.push({
      severity: f.severity,
      kev: f.vulnerability.kev !== undefined,
      fixable: f.vulnerability.fixAvailable,
    });
  }
  return summariseVulnerabilities(digest, vulns, scannedAt.toISOString());
}

/** Bounded in-memory results, least recently used evicted, each kept for `ttlMs` (default 24 h). */
export class MemoryScanResults implements ScanResultSource {
  private readonly cache: TtlCache<string, ImageScanSummary>;

  constructor(maxEntries = 10_000, ttlMs = 24 * 3_600_000, clock?: () => number) {
    this.cache = new TtlCache(maxEntries, ttlMs, clock);
  }

  put(summary: ImageScanSummary): void {
    this.cache.set(summary.digest, summary);
  }

  async get(digest: string): Promise<ImageScanSummary | undefined> {
    return this.cache.get(digest);
  }

  get size(): number {
    return this.cache.size;
  }
}

export interface InlineScanOptions {
  db: VulnDb;
  /** Registry client used to pull the image (credentials, insecure hosts). */
  client: RegistryClient;
  /** Where results are kept (default: a new MemoryScanResults). */
  store?: MemoryScanResults;
  /** Suppressions and database-age settings for scanImage. */
  config?: KubewardConfig;
  /** `os/arch[/variant]` of the nodes, default linux/amd64. */
  platform?: string;
  /** Scans allowed at once; a miss beyond this fails fast instead of queueing (default 2). */
  maxConcurrent?: number;
  layerCache?: LayerCache;
}

/**
 * Scans on a miss. A scan that outlives the request's deadline keeps running and stores its result, so
 * the next request for the same digest finds it; concurrent requests for one digest share one scan.
 */
export class InlineScanSource implements ScanResultSource {
  readonly store: MemoryScanResults;
  private readonly running = new Map<string, Promise<ImageScanSummary>>();
  private readonly layerCache: LayerCache;
  /** Scans started, for tests and metrics. */
  scans = 0;

  constructor(private readonly opts: InlineScanOptions) {
    this.store = opts.store ?? new MemoryScanResults();
    this.layerCache = opts.layerCache ?? new MemoryLayerCache();
  }

  async get(digest: string, lookup: ScanLookup = {}): Promise<ImageScanSummary | undefined> {
    const hit = await this.store.get(digest);
    if (hit || !lookup.scan || !lookup.image) return hit;
    let scan = this.running.get(digest);
    if (!scan) {
      if (this.running.size >= (this.opts.maxConcurrent ?? 2))
        throw new Error(
          `inline scan of ${lookup.image} not started: ${this.running.size} scans already running`,
        );
      scan = this.scan(digest, lookup.image);
      this.running.set(digest, scan);
      scan
        .then(
          (s) => this.store.put(s),
          () => undefined,
        )
        .finally(() => this.running.delete(digest));
    }
    return withDeadline(scan, lookup.deadline, `inline scan of ${lookup.image}`);
  }

  private async scan(digest: string, image: string): Promise<ImageScanSummary> {
    this.scans++;
    const at = image.indexOf('@');
    const pinned = `${at === -1 ? image : image.slice(0, at)}@${digest}`;
    const { source } = await openImage(pinned, {
      client: this.opts.client,
      ...(this.opts.platform ? { platform: this.opts.platform } : {}),
    });
    try {
      const inventory = await takeInventory(source, {
        catalogers: ALL_CATALOGERS,
        cache: this.layerCache,
        concurrency: 2,
      });
      const now = new Date();
      const result = scanImage({ inventory }, { db: this.opts.db, config: this.opts.config ?? {}, now });
      return summariseFindings(digest, result.findings, now);
    } finally {
      await source.close();
    }
  }
}
