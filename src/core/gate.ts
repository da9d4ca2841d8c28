import type { Finding } from './finding.js';
import { atLeast, isSeverity, type Severity } from './severity.js';
import { UserError } from './errors.js';

/** `none` disables the gate (always pass). */
export type GateThreshold = Severity | 'none';

export function parseThreshold(value: string, flag: string): GateThreshold {
  const v = value.toLowerCase();
  if (v === 'none' || v === 'never') return 'none';
  if (isSeverity(v)) return v;
  throw new UserError(`${flag}: expected one of critical, high, medium, low, info, none (got "${value}")`);
}

/** True when any unsuppressed finding is at or above the threshold: the CI gate fails (exit 1). */
export function gateFails(findings: readonly Finding[], threshold: GateThreshold): boolean {
  if (threshold === 'none') return false;
  return findings.some((f) => !f.suppressed && atLeast(f.severity, threshold));
}

/** Keeps findings at or above `min` (what `--severity` shows). */
export function filterBySeverity(findings: readonly Finding[], min: Severity | undefined): Finding[] {
  return min ? findings.filter((f) => atLeast(f.severity, min)) : [...findings];
}
