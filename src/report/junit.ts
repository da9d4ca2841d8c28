import type { Report } from './report.js';
// Placeholder replaced by the JUnit renderer work in progress.
export function renderJunit(_report: Report): string {
  throw new Error('junit renderer not implemented yet');
}
