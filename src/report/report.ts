import type { CheckMeta, Finding, FindingSummary } from '../core/finding.js';
import type { ScanWarning } from '../core/errors.js';

export const REPORT_SCHEMA_VERSION = '1.0';

/** Everything a renderer needs; renderers never know which scanner produced the findings. */
export interface Report {
  tool: { name: string; version: string };
  /** What was scanned, e.g. "manifests"; used as a title and as the SARIF/JUnit suite name. */
  target: string;
  findings: Finding[];
  /** Catalogue entries for every check that ran (SARIF rules, JUnit test cases). */
  rules: CheckMeta[];
  warnings: ScanWarning[];
  summary: FindingSummary;
}

export const OUTPUT_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
/** Kubernetes PolicyReport objects: offered by the policy commands only, whose findings are about objects. */
export const POLICY_OUTPUT_FORMATS = [...OUTPUT_FORMATS, 'policyreport'] as const;
export type OutputFormat = (typeof POLICY_OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /** ANSI colour in the table renderer. */
  color: boolean;
}
