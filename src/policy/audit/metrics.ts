/**
 * Prometheus gauges of the latest background-audit pass (text exposition 0.0.4), appended to the webhook's
 * /metrics. Gauges, not counters: each pass replaces the previous picture of the cluster.
 */
import type { AuditResult } from './audit.js';
import type { AuditReport } from './findings.js';

/** What the last pass saw; kept by the loop, rendered on every scrape. */
export interface AuditSnapshot {
  result: AuditResult;
  report: AuditReport;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function gauge(name: string, help: string, rows: ReadonlyArray<[string, number]>): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...rows.map(([l, v]) => `${name}${l} ${v}`)].join(
    '\n',
  );
}

/** Empty before the first pass, so a scrape never shows zeros that were never measured. */
export function renderAuditMetrics(snapshot: AuditSnapshot | undefined): string {
  if (!snapshot) return '';
  const { result, report } = snapshot;
  const policies = [...report.policies.entries()].sort(([a], [b]) => a.localeCompare(b));
  const label = (p: string): string => `{policy="${escapeLabel(p)}"}`;
  return (
    [
      gauge(
        'kubeward_audit_violations',
        'Objects violating the policy in the latest background audit pass.',
        policies.map(([p, c]) => [label(p), c.violating]),
      ),
      gauge(
        'kubeward_audit_errors',
        'Objects the policy could not evaluate in the latest background audit pass.',
        policies.map(([p, c]) => [label(p), c.errors]),
      ),
      gauge('kubeward_audit_objects', 'Objects judged in the latest background audit pass.', [
        ['', result.objects.length],
      ]),
      gauge('kubeward_audit_list_errors', 'Collections that could not be listed in the latest pass.', [
        ['', result.errors.length],
      ]),
      gauge('kubeward_audit_last_pass_timestamp_seconds', 'When the latest background audit pass started.', [
        ['', Math.floor(result.at.getTime() / 1000)],
      ]),
      gauge('kubeward_audit_pass_duration_seconds', 'How long the latest background audit pass took.', [
        ['', result.durationMs / 1000],
      ]),
    ].join('\n') + '\n'
  );
}
