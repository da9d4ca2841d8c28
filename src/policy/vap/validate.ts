/**
 * Evaluation of one (policy, binding, param) invocation: matchConditions, validations with their messages,
 * and audit annotations, after k8s.io/apiserver .../policy/validating (validator.go, dispatcher.go) and
 * .../webhook/matchconditions.
 *
 * How upstream decisions map onto a PolicyEvaluation:
 * - a validation that is not `true` → a Violation, enforced by the binding's validationActions;
 * - any runtime error (validation, match condition, audit annotation) → `error` with the policy's
 *   failurePolicy. The engine core enforces an error only when the policy fails closed (Fail) and the
 *   binding denies, which is upstream's contract ("failures ... are enforced according to these actions
 *   only if the FailurePolicy is set to Fail"). With Ignore the error is still reported, so CI can show it.
 *   Validations that did evaluate keep their violations next to the error.
 */
import type { KubeObject } from '../../admission/types.js';
import { CelActivation, CelEvalError, type CelProgram } from '../cel/index.js';
import type { PolicyEvaluation, Violation } from '../engine/types.js';
import { lazyVariables } from './activation.js';
import { SharedResults, sharingKeys, type SharingKeys } from './shared.js';
import type { VapBinding, VapPolicy } from './types.js';

/** `variables` of a policy that declares none: one frozen object, converted to CEL once for good. */
const NO_VARIABLES: Readonly<Record<string, unknown>> = Object.freeze({});

/** Upstream celconfig.MaxEvaluatedMessageExpressionSizeBytes. */
const MAX_MESSAGE_BYTES = 5 * 1024;
/** Upstream maxAuditAnnotationValueLength. */
const MAX_AUDIT_VALUE_BYTES = 10 * 1024;

/** The request-wide part of the activation, shared by every invocation. */
export interface RequestActivation {
  object: KubeObject | null;
  oldObject: KubeObject | null;
  request: Record<string, unknown>;
  namespaceObject: KubeObject | null;
}

/** What every invocation of one request (and matched kind) shares: the activation, converted once, and results. */
export interface RequestScope {
  activation: CelActivation;
  shared: SharedResults;
  /**
   * The invocation activation of every policy without params and variables (most policies): `params` null,
   * `variables` empty. Nothing in it is per policy, so the request builds it once instead of once per policy.
   */
  plain?: CelActivation;
}

export function requestScope(values: RequestActivation): RequestScope {
  return { activation: CelActivation.ofData({ ...values }), shared: new SharedResults() };
}

export function denialPrefix(policy: string, binding?: string): string {
  return binding === undefined
    ? `ValidatingAdmissionPolicy '${policy}' denied request: `
    : `ValidatingAdmissionPolicy '${policy}' with binding '${binding}' denied request: `;
}

export function warningPrefix(policy: string, binding: string): string {
  return `Validation failed for ValidatingAdmissionPolicy '${policy}' with binding '${binding}': `;
}

/** `vap:<policy>/<binding>` per binding, built once rather than per request. */
const baseNames = new WeakMap<VapBinding, { policy: VapPolicy; name: string }>();

/** Evaluation name: `vap:<policy>/<binding>`, plus `@<namespace>/<name>` of the param for selector params. */
export function evaluationName(policy: VapPolicy, binding: VapBinding, param: KubeObject | null): string {
  let cached = baseNames.get(binding);
  if (cached?.policy !== policy)
    baseNames.set(binding, (cached = { policy, name: `vap:${policy.name}/${binding.name}` }));
  const base = cached.name;
  if (!param || !binding.paramRef?.selector) return base;
  const ns = param.metadata?.namespace;
  return `${base}@${ns ? `${ns}/` : ''}${param.metadata?.name ?? ''}`;
}

/**
 * Runs one invocation. Returns undefined when a match condition is false (the policy does not apply). A match
 * condition error with failurePolicy Ignore also skips the policy upstream; we still return an evaluation
 * carrying the error (and no violation) so that the skip is visible.
 */
export function evaluateInvocation(
  policy: VapPolicy,
  binding: VapBinding,
  param: KubeObject | null,
  scope: RequestScope,
): PolicyEvaluation | undefined {
  const evaluation: PolicyEvaluation = {
    policy: evaluationName(policy, binding, param),
    family: 'vap',
    violations: [],
    actions: binding.validationActions,
    failurePolicy: policy.failurePolicy,
  };
  const errors: string[] = [];

  // One activation per invocation: the lazy `variables` object memoises per invocation only. Match
  // conditions share it; they are compiled without `variables`, so they cannot read it.
  // Expressions that read no params are shared with the request's other policies (shared.ts).
  const keys = sharingKeys(policy);
  const activation: CelActivation =
    param === null && policy.variables.length === 0
      ? (scope.plain ??= scope.activation.with({ params: null, variables: NO_VARIABLES }))
      : scope.activation.with({
          params: param,
          variables:
            policy.variables.length === 0
              ? NO_VARIABLES
              : lazyVariables(policy.variables, () => activation, scope.shared, keys.variables),
        });
  const mc = evaluateMatchConditions(policy, activation, scope.shared, keys);
  if (mc === false) return undefined;
  if (typeof mc === 'string') {
    // Upstream: Fail denies through the actions, Ignore skips the policy; either way nothing else runs.
    errors.push(mc);
    return finish(evaluation, errors, policy, binding);
  }

  for (const v of policy.validations) {
    let result: unknown;
    try {
      result = v.program.evaluate(activation);
    } catch (e) {
      errors.push(evalErrorMessage(v.program, e));
      continue;
    }
    if (result === true) continue;
    const violation: Violation = {
      control: `validations[${v.index}]`,
      message: formatMessage(policy, binding, validationMessage(v, activation)),
      reason: v.reason ?? 'Invalid',
    };
    evaluation.violations.push(violation);
  }

  if (policy.auditAnnotations.length === 0) return finish(evaluation, errors, policy, binding);
  const annotations: Record<string, string> = {};
  for (const a of policy.auditAnnotations) {
    let value: unknown;
    try {
      value = a.program.evaluate(activation);
    } catch (e) {
      errors.push(evalErrorMessage(a.program, e));
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') {
      errors.push(
        `valueExpression '${a.valueExpression}' resulted in unsupported return type: ${celTypeName(value)}. ` +
          'Return type must be either string or null.',
      );
      continue;
    }
    const trimmed = value.trim();
    if (trimmed === '') continue;
    annotations[a.key] = truncateUtf8(trimmed, MAX_AUDIT_VALUE_BYTES);
  }
  if (Object.keys(annotations).length > 0) evaluation.auditAnnotations = annotations;
  return finish(evaluation, errors, policy, binding);
}

function formatMessage(policy: VapPolicy, binding: VapBinding, message: string): string {
  if (binding.validationActions.includes('Deny')) return denialPrefix(policy.name, binding.name) + message;
  if (binding.validationActions.includes('Warn')) return warningPrefix(policy.name, binding.name) + message;
  return message;
}

function finish(
  evaluation: PolicyEvaluation,
  errors: readonly string[],
  policy: VapPolicy,
  binding: VapBinding,
): PolicyEvaluation {
  if (errors.length > 0) evaluation.error = errorText(policy, binding, aggregate(errors));
  return evaluation;
}

/** true: all conditions hold; false: one is false (errors elsewhere do not matter); string: the errors. */
function evaluateMatchConditions(
  policy: VapPolicy,
  activation: CelActivation,
  shared: SharedResults,
  keys: SharingKeys,
): boolean | string {
  const errors: string[] = [];
  for (let i = 0; i < policy.matchConditions.length; i++) {
    const c = policy.matchConditions[i] as VapPolicy['matchConditions'][number];
    let result: unknown;
    try {
      result = shared.evaluate(keys.matchConditions[i], c.program, activation);
    } catch (e) {
      errors.push(evalErrorMessage(c.program, e));
      continue;
    }
    if (result === false) return false;
    if (result !== true)
      errors.push(`matchCondition '${c.name}' expression must evaluate to bool, got ${celTypeName(result)}`);
  }
  return errors.length > 0 ? aggregate(errors) : true;
}

/** messageExpression (string, trimmed, one line, ≤ 5 KiB), else message, else `failed expression: ...`. */
function validationMessage(v: VapPolicy['validations'][number], activation: CelActivation): string {
  if (v.messageProgram) {
    try {
      const m = v.messageProgram.evaluate(activation);
      if (typeof m === 'string') {
        const trimmed = m.trim();
        // Upstream falls back (and only logs) when the result is empty, too long or multi-line.
        if (trimmed !== '' && Buffer.byteLength(trimmed) <= MAX_MESSAGE_BYTES && !trimmed.includes('\n'))
          return trimmed;
      }
    } catch {
      // upstream logs messageExpression errors and falls back to message
    }
  }
  if (v.message !== undefined && v.message.trim() !== '') return v.message.trim();
  return `failed expression: ${v.expression.trim()}`;
}

/**
 * Text of an evaluation error. When it will deny (Fail, and the binding denies) it reads as upstream's
 * denial; otherwise it is the bare upstream error (the engine prefixes the policy name when it warns).
 */
export function errorText(policy: VapPolicy, binding: VapBinding | undefined, message: string): string {
  const denies = policy.failurePolicy === 'Fail' && (!binding || binding.validationActions.includes('Deny'));
  return denies ? denialPrefix(policy.name, binding?.name) + message : message;
}

/** utilerrors.NewAggregate formatting: one error as is, several as `[a, b]`. */
export function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? (errors[0] as string) : `[${errors.join(', ')}]`;
}

/** Upstream wording: `expression '<expr>' resulted in error: <reason>`. */
export function evalErrorMessage(program: CelProgram, e: unknown): string {
  return `expression '${program.expression}' resulted in error: ${celErrorReason(program.expression, e)}`;
}

/** The reason part of a CelEvalError (its message repeats the expression, which we already name). */
function celErrorReason(expression: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (!(e instanceof CelEvalError)) return message;
  const oneLine = expression.replace(/\s+/g, ' ');
  const quoted = JSON.stringify(oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine);
  const prefix = `CEL expression ${quoted} failed: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

function celTypeName(v: unknown): string {
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'double';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'object':
      return 'map';
    default:
      return typeof v;
  }
}

function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = Buffer.from(s).subarray(0, maxBytes).toString('utf8');
  // drop a character cut in half (decoded as U+FFFD)
  while (out.endsWith('\uFFFD')) out = out.slice(0, -1);
  return out;
}
