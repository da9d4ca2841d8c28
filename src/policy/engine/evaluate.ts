/**
 * The one evaluation core: (AdmissionRequest, PolicySet, PolicyContext) → Decision. The webhook, `kubeward
 * policy test` and audits call this and nothing else, so CI rejects exactly what the cluster would.
 *
 * Order of work per request: every family runs (in parallel; a family that throws counts as an evaluation
 * error of that family), then per policy: mode override → exceptions drop covered violations → errors
 * follow failurePolicy (only when the policy can deny at all) → remaining violations become a denial,
 * warnings or audit annotations. Patches survive only when the request is allowed and has an object.
 */
import type {
  AdmissionDecision,
  AdmissionRequest,
  JsonPatchOp,
  PolicyResult,
} from '../../admission/types.js';
import { exceptionActive, exceptionMatches, requestScope, type PolicyException } from './exceptions.js';
import { MODE_ACTIONS, type PolicySet } from './policy-set.js';
import type { PolicyAction, PolicyContext, PolicyEvaluation, Violation } from './types.js';

/** Warnings beyond this are summarised in one last line (the webhook server caps at 20 too). */
export const MAX_DECISION_WARNINGS = 20;
/** Denial messages name at most this many fields; the rest are counted. */
const MAX_FIELDS_IN_MESSAGE = 5;

export interface ExcusedViolation {
  violation: Violation;
  exception: string;
  reason: string;
  expires: string;
}

/** One policy's outcome after modes and exceptions: what the CLI turns into findings. */
export interface PolicyOutcome {
  policy: string;
  family: PolicyEvaluation['family'];
  /** Effective actions after any mode override. */
  actions: readonly PolicyAction[];
  /** Violations still in force. */
  violations: Violation[];
  /** Violations an active exception covered. */
  excused: ExcusedViolation[];
  error?: string;
  result: PolicyResult['result'];
}

export interface ExpiredExceptionHit {
  exception: string;
  expires: string;
  policy: string;
  control: string;
  source?: { file: string; line: number };
}

export interface Decision extends AdmissionDecision {
  outcomes: PolicyOutcome[];
  expiredExceptions: ExpiredExceptionHit[];
}

function effectiveActions(ev: PolicyEvaluation, set: PolicySet): readonly PolicyAction[] {
  for (const m of set.modes) if (m.matches(ev.policy)) return [MODE_ACTIONS[m.mode]];
  // A policy that names no action would otherwise be silently inert; Deny is the VAP default too.
  return ev.actions.length > 0 ? ev.actions : ['Deny'];
}

/** Audit-annotation keys must be one qualified-name segment (the API server prefixes the webhook name). */
export function auditKey(policy: string, key: string): string {
  const raw = `${policy}.${key}`
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63);
  return raw.replace(/[^A-Za-z0-9]+$/, '') || 'kubeward';
}

function withField(v: Violation): string {
  return v.field ? `${v.message} (${v.field})` : v.message;
}

/**
 * Text for a policy's violations. PSS keeps upstream pod-security-admission wording (`violates PodSecurity
 * "restricted:latest": reason (detail), ...`); other families list their messages.
 */
export function describeViolations(
  policy: string,
  family: string,
  violations: readonly Violation[],
  action: PolicyAction,
): string {
  if (family === 'pss') {
    const [, level = 'restricted', version = 'latest'] = policy.split(':');
    const verb = action === 'Deny' ? 'violates' : 'would violate';
    return `${verb} PodSecurity "${level}:${version}": ${violations.map((v) => v.message).join(', ')}`;
  }
  // Warnings are cut at 120 characters by the server; `[vap:p/b]` already names policy and binding, so the
  // upstream "Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': " prefix would only
  // push the actual message past the cut.
  const strip = action !== 'Deny' && family === 'vap';
  return violations.map((v) => (strip ? v.message.replace(VAP_PREFIX, '') : v.message)).join('; ');
}

const VAP_PREFIX =
  /^(?:Validation failed for ValidatingAdmissionPolicy|ValidatingAdmissionPolicy) '[^']*' with binding '[^']*'(?:: | denied request: )/;

function denialLine(o: PolicyOutcome): string {
  const fields = [...new Set(o.violations.map((v) => v.field).filter((f): f is string => !!f))];
  const shown = fields.slice(0, MAX_FIELDS_IN_MESSAGE);
  const more = fields.length > shown.length ? ` and ${fields.length - shown.length} more` : '';
  const where = shown.length ? ` (field${shown.length > 1 ? 's' : ''}: ${shown.join(', ')}${more})` : '';
  return `policy "${o.policy}": ${describeViolations(o.policy, o.family, o.violations, 'Deny')}${where}`;
}

async function runFamilies(
  request: AdmissionRequest,
  set: PolicySet,
  ctx: PolicyContext,
): Promise<PolicyEvaluation[]> {
  const results = await Promise.all(
    set.families.map(async (f): Promise<PolicyEvaluation[]> => {
      try {
        const out = await f.evaluate(request, ctx);
        return Array.isArray(out) ? out : [];
      } catch (e) {
        // One broken family must not hide the others' verdicts; it fails closed like any evaluation error.
        return [
          {
            policy: `${f.family}:*`,
            family: f.family,
            violations: [],
            actions: ['Deny'],
            error: e instanceof Error ? e.message : String(e),
            failurePolicy: 'Fail',
          },
        ];
      }
    }),
  );
  return results.flat();
}

/** Shared by the (nearly all) outcomes that no exception touched; never written to. */
const NO_EXCUSED: ExcusedViolation[] = Object.freeze([]) as unknown as ExcusedViolation[];

function applyExceptions(
  ev: PolicyEvaluation,
  exceptions: readonly PolicyException[],
  request: AdmissionRequest,
  now: Date,
  expired: ExpiredExceptionHit[],
): { kept: Violation[]; excused: ExcusedViolation[] } {
  // The evaluation belongs to this request alone, so its violations can be kept without a copy.
  if (exceptions.length === 0 || ev.violations.length === 0)
    return { kept: ev.violations, excused: NO_EXCUSED };
  const scope = requestScope(request);
  const kept: Violation[] = [];
  const excused: ExcusedViolation[] = [];
  for (const v of ev.violations) {
    let by: PolicyException | undefined;
    for (const ex of exceptions) {
      if (!exceptionMatches(ex, ev.policy, v, scope)) continue;
      if (exceptionActive(ex, now)) {
        by = ex;
        break;
      }
      const hit: ExpiredExceptionHit = {
        exception: ex.name,
        expires: ex.expires,
        policy: ev.policy,
        control: v.control,
      };
      if (ex.source) hit.source = ex.source;
      expired.push(hit);
    }
    if (by) excused.push({ violation: v, exception: by.name, reason: by.reason, expires: by.expires });
    else kept.push(v);
  }
  return { kept, excused };
}

/**
 * Judges one admission request. Pure apart from what families do within `ctx.deadline`; never throws for
 * anything a request contains (families' exceptions become evaluation errors).
 */
export async function evaluateRequest(
  request: AdmissionRequest,
  set: PolicySet,
  ctx: PolicyContext,
): Promise<Decision> {
  const context: PolicyContext = request.dryRun ? { ...ctx, dryRun: true } : ctx;
  const evaluations = await runFamilies(request, set, context);
  const outcomes: PolicyOutcome[] = [];
  const expired: ExpiredExceptionHit[] = [];
  const denials: string[] = [];
  const warnings: string[] = [];
  const audit: Record<string, string> = {};
  const patch: JsonPatchOp[] = [];

  for (const ev of evaluations) {
    const actions = effectiveActions(ev, set);
    const canDeny = actions.includes('Deny');
    const { kept, excused } = applyExceptions(ev, set.exceptions, request, context.now, expired);
    const outcome: PolicyOutcome = {
      policy: ev.policy,
      family: ev.family,
      actions,
      violations: kept,
      excused,
      result: 'pass',
    };
    if (ev.error !== undefined) {
      outcome.error = ev.error;
      outcome.result = 'error';
      audit[auditKey(ev.policy, 'error')] = ev.error;
      // A warn/audit-only policy never blocks, not even when it breaks.
      if (canDeny && (ev.failurePolicy ?? 'Fail') === 'Fail')
        denials.push(`policy "${ev.policy}" could not be evaluated: ${ev.error}`);
      else warnings.push(`[${ev.policy}] not evaluated: ${ev.error}`);
    }
    if (kept.length > 0) {
      if (canDeny) {
        if (outcome.result !== 'error') outcome.result = 'fail';
        denials.push(denialLine(outcome));
      } else if (outcome.result !== 'error') outcome.result = 'warn';
      if (actions.includes('Warn') && !canDeny)
        warnings.push(`[${ev.policy}] ${describeViolations(ev.policy, ev.family, kept, 'Warn')}`);
      if (actions.includes('Audit'))
        audit[auditKey(ev.policy, 'violations')] = kept.map(withField).join('; ');
    }
    if (excused.length > 0)
      audit[auditKey(ev.policy, 'exceptions')] = [...new Set(excused.map((e) => e.exception))].join(',');
    if (ev.warnings) for (const w of ev.warnings) warnings.push(`[${ev.policy}] ${w}`);
    if (ev.auditAnnotations)
      for (const [k, v] of Object.entries(ev.auditAnnotations)) audit[auditKey(ev.policy, k)] = v;
    if (ev.patch?.length) patch.push(...ev.patch);
    outcomes.push(outcome);
  }

  for (const e of dedupeExpired(expired))
    warnings.push(
      `exception "${e.exception}" expired on ${e.expires} and no longer covers ${e.policy} ${e.control}`,
    );

  const allowed = denials.length === 0;
  const decision: Decision = {
    allowed,
    outcomes,
    expiredExceptions: expired,
    policyResults: outcomes.map((o) => {
      const r: PolicyResult = { policy: o.policy, result: o.result };
      if (o.error !== undefined) r.message = o.error;
      else if (o.violations.length) r.message = o.violations.map((v) => v.control).join(',');
      return r;
    }),
  };
  if (!allowed) {
    decision.code = 403;
    decision.message = `kubeward: ${denials.join('; ')}`;
  }
  const capped = capWarnings([...new Set(warnings)]);
  if (capped.length) decision.warnings = capped;
  if (Object.keys(audit).length) decision.auditAnnotations = audit;
  // A patch needs an object to apply to, and is pointless when the request is refused.
  if (
    allowed &&
    patch.length &&
    request.object &&
    (request.operation === 'CREATE' || request.operation === 'UPDATE')
  )
    decision.patch = patch;
  return decision;
}

function dedupeExpired(hits: readonly ExpiredExceptionHit[]): ExpiredExceptionHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.exception}\0${h.policy}\0${h.control}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function capWarnings(ws: string[]): string[] {
  if (ws.length <= MAX_DECISION_WARNINGS) return ws;
  const kept = ws.slice(0, MAX_DECISION_WARNINGS - 1);
  kept.push(`... and ${ws.length - kept.length} more warnings`);
  return kept;
}
