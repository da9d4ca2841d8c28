import type { CheckMeta } from '../core/finding.js';
import type { RenderOptions } from './report.js';
export const CATALOGUE_FORMATS = ['table', 'json', 'sarif', 'junit', 'markdown'] as const;
export type CatalogueFormat = (typeof CATALOGUE_FORMATS)[number];
// Placeholder replaced by the catalogue renderer work in progress.
export function renderCatalogue(checks: CheckMeta[], format: CatalogueFormat, _opts: RenderOptions): string {
  return format === 'json'
    ? JSON.stringify(checks, null, 2) + '\n'
    : checks.map((c) => `${c.id} ${c.severity} ${c.title}`).join('\n') + '\n';
}
