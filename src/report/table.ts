import pc from 'picocolors';
import type { Finding } from '../core/finding.js';
import { resourceKey } from '../core/finding.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import type { RenderOptions, Report } from './report.js';

type Paint = (s: string) => string;
type Colors = ReturnType<typeof pc.createColors>;

/** Severity colours shared by the report and catalogue tables. */
export function severityPainter(c: Colors): Record<Severity, Paint> {
  return {
    critical: (s) => c.bold(c.red(s)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
}

/**
 * Makes untrusted text (resource names, messages, file names, all from scanned manifests) safe to print:
 * control characters, including ESC, are shown as \uXXXX so a manifest cannot move the cursor, recolour
 * or retitle the user's terminal; newlines become spaces to keep one finding per line.
 */
export function sanitizeTerminal(s: string): string {
  return (
    s
      .replace(/\r?\n/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, (ch) => {
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
      })
  );
}

/** Human report: findings grouped by file and resource, most severe first within a resource. */
export function renderTable(report: Report, opts: RenderOptions): string {
  const c = pc.createColors(opts.color);
  const paint = severityPainter(c);
  const clean = sanitizeTerminal;
  const lines: string[] = [];
  lines.push(c.bold(`kubeward ${clean(report.target)} scan`));
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
    lines.push(c.bold(clean(resourceKey(first.resource))) + c.dim(`  (${clean(first.location.file)})`));
    const sorted = [...list].sort(
      (a, b) =>
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.location.line - b.location.line,
    );
    for (const f of sorted) {
      const label = f.severity.toUpperCase().padEnd(8);
      // Vulnerability findings show package, fix and title: "line 1 of the dpkg database" says nothing.
      const v = f.vulnerability;
      const where = v
        ? `${clean(v.package.name)} ${clean(v.package.version)} -> ${clean(v.fixedVersion ?? 'no fix yet')}`
        : `line ${String(f.location.line).padEnd(5)}`;
      const kev = v?.kev ? ` ${c.bold('[KEV]')}` : '';
      const body = `${clean(f.checkId).padEnd(12)} ${where} ${clean(v ? f.title : f.message)}${kev}`;
      // A suppressed finding is dimmed as a whole, severity included, with who suppressed it and why.
      lines.push(
        f.suppressed
          ? c.dim(`  ${label} ${body} ${suppressionNote(f)}`)
          : `  ${paint[f.severity](label)} ${body}`,
      );
    }
    lines.push('');
  }
  if (report.findings.length === 0) {
    lines.push(c.green('No findings.'));
    lines.push('');
  }
  for (const w of report.warnings) {
    const where = w.file ? `${clean(w.file)}${w.line ? `:${w.line}` : ''}: ` : '';
    lines.push(c.yellow(`warning: ${where}${clean(w.message)}`));
  }
  if (report.warnings.length) lines.push('');
  const s = report.summary;
  const counts = SEVERITIES.map((sev) => paint[sev](`${sev}: ${s.bySeverity[sev]}`)).join(', ');
  lines.push(
    `${c.bold('Summary:')} ${s.total} finding${s.total === 1 ? '' : 's'} (${counts}); ${s.suppressed} suppressed`,
  );
  return lines.join('\n') + '\n';
}

function suppressionNote(f: Finding): string {
  const s = f.suppression;
  if (!s) return '[suppressed]';
  const by = s.source === 'annotation' ? 'annotation' : 'config';
  const until = s.expires ? ` until ${s.expires}` : '';
  return `[suppressed by ${by}${until}: ${sanitizeTerminal(s.reason)}]`;
}
