import type { Report } from './report.js';
// Placeholder replaced by the SARIF renderer work in progress.
export function renderSarif(_report: Report): string {
  throw new Error('sarif renderer not implemented yet');
}
