import type { FrameworkMapping, ResourceRef, VulnerabilityDetails } from '../core/finding.js';
import { SEVERITIES } from '../core/severity.js';
import type { Report } from './report.js';
import { REPORT_SCHEMA_VERSION } from './report.js';

/**
 * Stable JSON output, documented in docs/output-formats.md and described by src/report/report-schema.json.
 * Later scanners may add fields; the ones here are never renamed or removed. Every object is built
 * field by field, so keys come in a fixed order (output diffs cleanly) and nothing reaches the output
 * without being added here, to the schema and to the docs.
 */
export function renderJson(report: Report): string {
  const doc = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    target: report.target,
    findings: report.findings.map((f) => ({
      checkId: f.checkId,
      title: f.title,
      severity: f.severity,
      message: f.message,
      resource: resource(f.resource),
      location: { file: f.location.file, line: f.location.line },
      frameworks: f.frameworks.map(mapping),
      remediation: f.remediation,
      suppressed: f.suppressed,
      ...(f.suppression
        ? {
            suppression: {
              source: f.suppression.source,
              reason: f.suppression.reason,
              ...(f.suppression.expires ? { expires: f.suppression.expires } : {}),
            },
          }
        : {}),
      ...(f.vulnerability ? { vulnerability: vulnerability(f.vulnerability) } : {}),
    })),
    warnings: report.warnings.map((w) => ({
      ...(w.file !== undefined ? { file: w.file } : {}),
      ...(w.line !== undefined ? { line: w.line } : {}),
      message: w.message,
    })),
    summary: {
      total: report.summary.total,
      suppressed: report.summary.suppressed,
      bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, report.summary.bySeverity[s]])),
    },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function resource(r: ResourceRef) {
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    name: r.name,
  };
}

function mapping(m: FrameworkMapping) {
  return { framework: m.framework, id: m.id, ...(m.name !== undefined ? { name: m.name } : {}) };
}

/** Vulnerability findings (image and SBOM scans) carry the advisory and the affected package. */
function vulnerability(v: VulnerabilityDetails) {
  const p = v.package;
  return {
    id: v.id,
    aliases: [...v.aliases],
    package: {
      name: p.name,
      version: p.version,
      type: p.type,
      ecosystem: p.ecosystem,
      purl: p.purl,
      ...(p.source ? { source: { name: p.source.name, version: p.source.version } } : {}),
      ...(p.layerDigest ? { layerDigest: p.layerDigest } : {}),
    },
    ...(v.fixedVersion !== undefined ? { fixedVersion: v.fixedVersion } : {}),
    fixAvailable: v.fixAvailable,
    ...(v.cvss ? { cvss: { version: v.cvss.version, vector: v.cvss.vector, score: v.cvss.score } } : {}),
    ...(v.kev
      ? {
          kev: {
            ...(v.kev.dateAdded ? { dateAdded: v.kev.dateAdded } : {}),
            ...(v.kev.dueDate ? { dueDate: v.kev.dueDate } : {}),
            ...(v.kev.knownRansomwareCampaignUse
              ? { knownRansomwareCampaignUse: v.kev.knownRansomwareCampaignUse }
              : {}),
          },
        }
      : {}),
    ...(v.epss ? { epss: { score: v.epss.score, percentile: v.epss.percentile } } : {}),
  };
}
