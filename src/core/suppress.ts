import picomatch from 'picomatch';
import type { Finding } from './finding.js';
import type { SuppressionRule } from './config.js';
import type { ScanWarning } from './errors.js';

/** True when the rule is still in force on `today` (the expiry day itself included). */
export function ruleActive(rule: SuppressionRule, today: Date): boolean {
  const end = Date.parse(`${rule.expires}T23:59:59.999Z`);
  return today.getTime() <= end;
}

function globMatch(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined || pattern === '*') return true;
  return picomatch.isMatch(value ?? '', pattern, { dot: true });
}

export function ruleMatches(rule: SuppressionRule, f: Finding): boolean {
  // Vulnerability findings answer to their advisory id and every alias (rules are usually written by CVE).
  const ids = f.vulnerability ? [f.checkId, ...f.vulnerability.aliases] : [f.checkId];
  return (
    ids.some((id) => globMatch(rule.checkId, id)) &&
    globMatch(rule.kind, f.resource.kind) &&
    globMatch(rule.namespace, f.resource.namespace ?? '') &&
    globMatch(rule.name, f.resource.name)
  );
}

/**
 * Marks findings matched by active config rules as suppressed (they stay in the output). Expired rules no
 * longer suppress; each expired rule that would have matched something is reported as a warning.
 */
export function applySuppressionRules(
  findings: Finding[],
  rules: readonly SuppressionRule[],
  today: Date,
): ScanWarning[] {
  const warnings: ScanWarning[] = [];
  const expiredHit = new Set<SuppressionRule>();
  for (const f of findings) {
    if (f.suppressed) continue;
    for (const rule of rules) {
      if (!ruleMatches(rule, f)) continue;
      if (!ruleActive(rule, today)) {
        expiredHit.add(rule);
        continue;
      }
      f.suppressed = true;
      f.suppression = { source: 'config', reason: rule.reason, expires: rule.expires };
      break;
    }
  }
  for (const rule of expiredHit) {
    const w: ScanWarning = {
      message: `suppression for ${rule.checkId} expired on ${rule.expires} and no longer applies (${rule.reason})`,
    };
    if (rule.source) {
      w.file = rule.source.file;
      w.line = rule.source.line;
    }
    warnings.push(w);
  }
  return warnings;
}
