import pc from 'picocolors';
import type { Finding } from '../core/finding.js';
import { resourceKey } from '../core/finding.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import type { RenderOptions, Report } from './report.js';

type Paint = (s: string) => string;

/** Human report: findings grouped by file and resource, most severe first within a resource. */
export function renderTable(report: Report, opts: RenderOptions): string {
  const c = pc.createColors(opts.color);
  const paint: Record<Severity, Paint> = {
    critical: (s) => c.bold(c.red(s)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
  const lines: string[] = [];
  lines.push(c.bold(`kubeward ${report.target} scan`));
  lines.push('');

  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = `${f.location.file}\0${resourceKey(f.resource)}`;
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    const first = list[0];
    if (!first) continue;
    lines.push(c.bold(`${resourceKey(first.resource)}`) + c.dim(`  (${first.location.file})`));
    const sorted = [...list].sort(
      (a, b) =>
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.location.line - b.location.line,
    );
    for (const f of sorted) {
      const sev = paint[f.severity](f.severity.toUpperCase().padEnd(8));
      const sup = f.suppressed ? c.dim(` [suppressed: ${f.suppression?.reason ?? ''}]`) : '';
      const text = `  ${sev} ${f.checkId.padEnd(12)} line ${String(f.location.line).padEnd(5)} ${f.message}${sup}`;
      lines.push(f.suppressed ? c.dim(text) : text);
    }
    lines.push('');
  }
  if (report.findings.length === 0) {
    lines.push(c.green('No findings.'));
    lines.push('');
  }
  for (const w of report.warnings) {
    const where = w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ` : '';
    lines.push(c.yellow(`warning: ${where}${w.message}`));
  }
  if (report.warnings.length) lines.push('');
  const s = report.summary;
  const counts = SEVERITIES.map((sev) => paint[sev](`${sev}: ${s.bySeverity[sev]}`)).join(', ');
  lines.push(
    `${c.bold('Summary:')} ${s.total} finding${s.total === 1 ? '' : 's'} (${counts}); ${s.suppressed} suppressed`,
  );
  return lines.join('\n') + '\n';
}
