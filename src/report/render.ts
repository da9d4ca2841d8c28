import type { OutputFormat, RenderOptions, Report } from './report.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';
import { renderSarif } from './sarif.js';
import { renderJunit } from './junit.js';
import { renderPolicyReport } from './policyreport.js';

/** Renders a report in any output format; the single entry point every scanner's CLI uses. */
export function render(report: Report, format: OutputFormat, opts: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(report, opts);
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
    case 'junit':
      return renderJunit(report);
    case 'policyreport':
      return renderPolicyReport(report);
  }
}
