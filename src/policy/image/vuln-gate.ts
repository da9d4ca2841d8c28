import { atLeast, SEVERITIES, type Severity } from '../../core/severity.js';
import type { VulnerabilityRules } from './spec.js';
import type { ImageScanSummary } from './scan-results.js';

export interface GateFailure {
  control: 'vulnerabilities.failOn' | 'vulnerabilities.kev' | 'vulnerabilities.fixableCritical';
  message: string;
}

/** The vulnerability rules an image's scan summary breaks (empty when it passes). */
export function vulnerabilityGate(summary: ImageScanSummary, rules: VulnerabilityRules): GateFailure[] {
  const out: GateFailure[] = [];
  if (rules.failOn) {
    const threshold: Severity = rules.failOn;
    const over = SEVERITIES.filter((s) => atLeast(s, threshold) && summary.counts[s] > 0);
    if (over.length > 0)
      out.push({
        control: 'vulnerabilities.failOn',
        message: `has vulnerabilities at or above ${threshold} (${over.map((s) => `${summary.counts[s]} ${s}`).join(', ')})`,
      });
  }
  if (rules.kev && summary.kev > 0)
    out.push({
      control: 'vulnerabilities.kev',
      message: `has ${summary.kev} known exploited vulnerabilit${summary.kev === 1 ? 'y' : 'ies'} (CISA KEV)`,
    });
  if (rules.fixableCritical && summary.fixableCritical > 0)
    out.push({
      control: 'vulnerabilities.fixableCritical',
      message: `has ${summary.fixableCritical} critical vulnerabilit${summary.fixableCritical === 1 ? 'y' : 'ies'} with a fix available`,
    });
  return out;
}
