/**
 * Pod Security Standards evaluation of the shared policy engine: the pure core behind the admission
 * controller and `kubeward policy test`. Semantics, check IDs, version table and wording follow
 * k8s.io/pod-security-admission (policy/, api/).
 */
export {
  activeChecks,
  BASELINE_ALLOWED_CAPABILITIES,
  CHECKS,
  MAX_POLICY_MINOR,
  SYSCTLS_ADDED,
  variantAt,
  type CheckDef,
  type PssCheckId,
  type PssLevel,
} from './checks.js';
export {
  aggregateResults,
  evaluatePss,
  aggregateForbiddenDetail,
  aggregateForbiddenReason,
  isPssLevel,
  isPssVersion,
  parseVersionMinor,
  resolvedMinor,
  type PssAggregate,
  type PssCheckResult,
  type PssVersion,
} from './evaluate.js';
export {
  DEFAULT_PSS_POLICY,
  levelVersionString,
  PSS_AUDIT_ANNOTATIONS,
  PSS_LABELS,
  pssDenialMessage,
  pssForbiddenError,
  pssFromNamespaceLabels,
  pssWarningMessage,
  type PssLevelVersion,
  type PssNamespacePolicy,
  type PssPolicy,
} from './namespace.js';
export { podSpecOf, PSS_WORKLOAD_KINDS, type ExtractedPodSpec } from './workload.js';
