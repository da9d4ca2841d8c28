/**
 * The policy evaluation core shared by the admission webhook, `kubeward policy test` and audits:
 * `evaluateRequest(request, policySet, ctx)` runs every family of a `PolicySet`, applies PolicyExceptions and
 * per-policy modes, and folds the result into one admission decision. Families plug in through `types.ts`.
 */
export * from './types.js';
export { evaluateRequest, auditKey, describeViolations, MAX_DECISION_WARNINGS } from './evaluate.js';
export type { Decision, PolicyOutcome, ExcusedViolation, ExpiredExceptionHit } from './evaluate.js';
export { createPolicySet, isPolicyMode, modeOverride, MODE_ACTIONS } from './policy-set.js';
export type { ModeOverride, PolicySet } from './policy-set.js';
export {
  EXCEPTION_API_VERSION,
  EXCEPTION_KIND,
  exceptionActive,
  exceptionMatches,
  parseException,
  parseExpiry,
  requestScope,
} from './exceptions.js';
export type { PolicyException, RequestScope } from './exceptions.js';
export { createPssFamily, parsePssLevel, pssPolicyName } from './pss-family.js';
export type { PssFamilyOptions } from './pss-family.js';
export { parseFieldPath, podSpecPrefix, pssFieldInSpec } from './pss-fields.js';
export { decisionFindings } from './findings.js';
export { isClusterScoped, manifestRequest, resourceOfKind, splitApiVersion } from './manifest-request.js';
