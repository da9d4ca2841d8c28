import type { Finding } from '../../core/finding.js';
import type { Inventory } from '../inventory.js';
import { IMAGE_CONFIG_CHECKS, type ImageConfigCheck } from './checks.js';

/**
 * Runs the image configuration checks (CIS Docker Benchmark section 4) over an inventory. Findings point at
 * the image, with `line` = the 1-based build-history step when a step is at fault (1 otherwise).
 */
export function scanImageConfig(
  inv: Inventory,
  checks: readonly ImageConfigCheck[] = IMAGE_CONFIG_CHECKS,
): Finding[] {
  const findings: Finding[] = [];
  for (const c of checks) {
    for (const hit of c.check(inv)) {
      findings.push({
        checkId: c.id,
        title: c.title,
        severity: c.severity,
        message: hit.message,
        resource: { apiVersion: 'oci.image/v1', kind: 'Image', name: inv.source.name },
        location: { file: inv.source.name, line: Math.max(1, hit.historyStep) },
        frameworks: c.frameworks,
        remediation: c.remediation,
        suppressed: false,
      });
    }
  }
  return findings;
}
