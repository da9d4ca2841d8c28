import type { Report } from './report.js';
import { REPORT_SCHEMA_VERSION } from './report.js';

/**
 * Stable JSON output (documented in docs/json-schema.md). Later scanners may add fields; the ones here are
 * never renamed.
 */
export function renderJson(report: Report): string {
  const doc = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: report.tool,
    target: report.target,
    findings: report.findings.map((f) => ({
      checkId: f.checkId,
      title: f.title,
      severity: f.severity,
      message: f.message,
      resource: f.resource,
      location: f.location,
      frameworks: f.frameworks,
      remediation: f.remediation,
      suppressed: f.suppressed,
      ...(f.suppression ? { suppression: f.suppression } : {}),
    })),
    warnings: report.warnings,
    summary: report.summary,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
