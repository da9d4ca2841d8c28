import type { CheckMeta, Finding } from '../../core/finding.js';
import { IMAGE_CONFIG_CHECKS } from '../../image/config/checks.js';

/** Rule metadata for an image scan report: one per advisory found, plus the image configuration checks. */
export function imageScanRules(findings: readonly Finding[]): CheckMeta[] {
  const rules = new Map<string, CheckMeta>();
  for (const f of findings) {
    if (!f.vulnerability || rules.has(f.checkId)) continue;
    const d = f.vulnerability;
    rules.set(f.checkId, {
      id: f.checkId,
      title: f.title,
      severity: f.severity,
      description: `${f.title}${d.aliases.length ? ` (aliases: ${d.aliases.join(', ')})` : ''}. See https://osv.dev/vulnerability/${encodeURIComponent(d.id)}`,
      remediation: f.remediation,
      frameworks: [],
      category: 'vulnerability',
    });
  }
  const config = IMAGE_CONFIG_CHECKS.map(
    ({ id, title, severity, description, remediation, frameworks, category }) => ({
      id,
      title,
      severity,
      description,
      remediation,
      frameworks,
      category,
    }),
  );
  return [...rules.values(), ...config];
}
