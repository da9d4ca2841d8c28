/**
 * The contract between the one evaluation core (`engine/evaluate.ts`) and the policy families that plug into
 * it (Pod Security Standards, ValidatingAdmissionPolicy/CEL, image policies). A family turns one admission
 * request into `PolicyEvaluation`s; the core applies exceptions and modes and folds them into one decision.
 * The webhook, `kubeward policy test` and background audits all go through the core, never a family directly.
 */
import type { AdmissionRequest, JsonPatchOp } from '../../admission/types.js';
import type { Severity } from '../../core/severity.js';

/** What a violated policy does: deny the request, warn the user, or only record it in audit annotations. */
export type PolicyAction = 'Deny' | 'Warn' | 'Audit';

/** Per-policy mode as configured by users; maps onto actions (enforce = Deny, warn = Warn, audit = Audit). */
export type PolicyMode = 'enforce' | 'warn' | 'audit';

/** One reason a request fails a policy. */
export interface Violation {
  /** Control inside the policy: PSS check id (`runAsNonRoot`), VAP validation index (`validations[1]`), image rule. */
  control: string;
  message: string;
  /**
   * Dotted path of the offending field in the admitted object (`spec.template.spec.containers[0].image`), so CI
   * can point at the manifest line. Omit when the violation is about the object as a whole.
   */
  field?: string;
  /** The image the violation is about (image policies), for image-glob exceptions. */
  image?: string;
  /** Machine-readable reason (VAP `reason`: Forbidden, Invalid, Unauthorized, RequestEntityTooLarge). */
  reason?: string;
  /** Severity of the finding this becomes in CI output. Default: high when denying, medium otherwise. */
  severity?: Severity;
}

/** The outcome of one policy (or one VAP binding) for one request. */
export interface PolicyEvaluation {
  /** Stable, unique policy name: `pss:restricted`, `vap:require-labels/binding-a`, `image:allowed-registries`. */
  policy: string;
  /** Which family produced it. */
  family: 'pss' | 'vap' | 'image';
  /** Empty when the policy passed. */
  violations: Violation[];
  /** What violations do. For VAP these are the binding's validationActions; others derive from the mode. */
  actions: readonly PolicyAction[];
  /** Set when the policy could not be evaluated (CEL runtime error, registry unreachable...). */
  error?: string;
  /** What an evaluation error does: Fail denies, Ignore lets the request through. */
  failurePolicy?: 'Fail' | 'Ignore';
  /** Warnings that are not violations (e.g. deprecated field, image not scanned yet). */
  warnings?: string[];
  /** Mutations (image tag → digest). Applied only on /mutate and only when the request is allowed. */
  patch?: JsonPatchOp[];
  /** Audit annotations the policy asked for (VAP auditAnnotations); keys are prefixed by the core. */
  auditAnnotations?: Record<string, string>;
}

/** Lookups a family may need; supplied by the front door (webhook, CLI, audit). */
export interface PolicyContext {
  /** Evaluation time (exception expiry, signature validity). */
  now: Date;
  /** Labels of a namespace when known (cluster access or a Namespace object among the CI inputs). */
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  /** Absolute deadline (epoch ms) for work that may touch the network (inline scan, signature fetch). */
  deadline?: number;
  /** Skip side effects (the request has dryRun set, or CI). */
  dryRun?: boolean;
}

/** A policy family ready to evaluate requests: compiled once, evaluated many times. */
export interface PolicyFamily {
  readonly family: PolicyEvaluation['family'];
  /** Only the requests the family's policies match produce evaluations; others return []. */
  evaluate(request: AdmissionRequest, ctx: PolicyContext): PolicyEvaluation[] | Promise<PolicyEvaluation[]>;
}
