import type { Finding } from '../../core/finding.js';
import type { ScanWarning } from '../../core/errors.js';
import type { KubewardConfig } from '../../core/config.js';
import { applySuppressionRules } from '../../core/suppress.js';
import type { Package } from '../../image/catalog/package.js';
import type { Inventory } from '../../image/inventory.js';
import { scanImageConfig } from '../../image/config/scan.js';
import type { VulnDb } from '../db/store.js';
import { dbStatus } from '../db/query.js';
import type { VexStatement } from '../vex/openvex.js';
import { scanPackages } from './package-findings.js';

export const DEFAULT_MAX_DB_AGE_DAYS = 7;

export interface ImageScanOptions {
  db: VulnDb;
  config: KubewardConfig;
  vex?: readonly VexStatement[];
  /** Drop findings that have no fixed version yet. */
  ignoreUnfixed?: boolean;
  now?: Date;
}

export interface ImageScanResult {
  findings: Finding[];
  warnings: ScanWarning[];
  packages: number;
}

/**
 * Vulnerability findings for an inventory (or an SBOM's packages), plus image configuration findings when an
 * inventory is given; config suppressions and VEX applied; database freshness checked.
 */
export function scanImage(
  target: { inventory?: Inventory; sbom?: { name: string; packages: Package[] } },
  opts: ImageScanOptions,
): ImageScanResult {
  const now = opts.now ?? new Date();
  const warnings: ScanWarning[] = [...dbFreshness(opts.db, opts.config, now)];
  const inv = target.inventory;
  const name = inv?.source.name ?? target.sbom?.name ?? 'image';
  const packages = inv?.packages ?? target.sbom?.packages ?? [];
  const vuln = scanPackages(packages, opts.db, {
    target: { name, ...(inv?.source.manifestDigest ? { digest: inv.source.manifestDigest } : {}) },
    ...(opts.vex ? { vex: opts.vex } : {}),
  });
  let findings = [...vuln.findings, ...(inv ? scanImageConfig(inv) : [])];
  if (opts.ignoreUnfixed) findings = findings.filter((f) => !f.vulnerability || f.vulnerability.fixAvailable);
  warnings.push(...applySuppressionRules(findings, opts.config.suppressions ?? [], now));
  const unordered = vuln.warnings.length;
  if (unordered > 0) {
    warnings.push({
      message: `${unordered} package lookups were incomplete (e.g. ${vuln.warnings.slice(0, 2).join('; ')})`,
    });
  }
  for (const c of inv?.catalogers ?? []) {
    if (c.status !== 'ok')
      warnings.push({ message: `${c.name}: ${c.status}: ${c.notes.slice(0, 2).join('; ')}` });
  }
  return { findings, warnings, packages: packages.length };
}

/** A warning when the newest OSV import is older than the configured age (or there is none). */
export function dbFreshness(db: VulnDb, config: KubewardConfig, now: Date): ScanWarning[] {
  const maxDays = config.vulnerabilities?.maxDbAgeDays ?? DEFAULT_MAX_DB_AGE_DAYS;
  const osv = dbStatus(db, now).sources.filter((s) => s.kind === 'osv');
  if (osv.length === 0)
    return [
      {
        message:
          'the vulnerability database holds no OSV advisories; run `kubeward db update` or `kubeward db import`',
      },
    ];
  const newest = Math.min(...osv.map((s) => s.ageSeconds));
  if (newest > maxDays * 86400) {
    return [
      {
        message: `the vulnerability database is ${Math.floor(newest / 86400)} days old (limit ${maxDays}); run \`kubeward db update\``,
      },
    ];
  }
  return [];
}
