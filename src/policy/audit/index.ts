/**
 * Background audit of existing resources: list Pods and workloads, judge them with the webhook's core, and
 * report Findings, PolicyReport passes and per-policy counts. Front doors: `kubeward policy audit` and
 * `kubeward admission serve --audit-interval`.
 */
export {
  auditCluster,
  type AuditedObject,
  type AuditListError,
  type AuditOptions,
  type AuditResult,
} from './audit.js';
export { apiPathOf, auditReport, type AuditPass, type AuditReport } from './findings.js';
export { AUDITED_KINDS, ownedByAudited, type AuditedKind } from './kinds.js';
export { startAuditLoop, type AuditLoop, type AuditLoopOptions } from './loop.js';
export { renderAuditMetrics, type AuditSnapshot } from './metrics.js';
