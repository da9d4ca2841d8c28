import type { CheckMeta } from '../../core/finding.js';
import type { Check } from '../check.js';
import { podSecurityChecks } from './pod-security.js';
import { workloadChecks } from './workload.js';
import { imageChecks } from './images.js';
import { secretChecks } from './secrets.js';
import { rbacChecks } from './rbac.js';
import { networkChecks } from './network.js';

/** Every manifest check, in catalogue order. */
export const ALL_CHECKS: readonly Check[] = [
  ...podSecurityChecks,
  ...workloadChecks,
  ...imageChecks,
  ...secretChecks,
  ...rbacChecks,
  ...networkChecks,
];

/** Catalogue metadata (no behaviour) for `checks list`, SARIF rules and docs. */
export function checkCatalogue(): CheckMeta[] {
  return ALL_CHECKS.map(({ id, title, severity, description, remediation, frameworks, category }) => ({
    id,
    title,
    severity,
    description,
    remediation,
    frameworks,
    category,
  }));
}
