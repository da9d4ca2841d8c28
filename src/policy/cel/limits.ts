/**
 * Evaluation cost budget. Kubernetes bounds CEL with a per-call cost limit (1,000,000 units); we charge
 * comprehension iterations (1 per element) and library work proportional to the bytes a function traverses
 * or builds, so nested macros over big lists and string blow-ups end with an error instead of hanging the
 * webhook. Budgets form a stack because a lazy VAP variable may evaluate another program mid-evaluation.
 */

/** Kubernetes' per-expression runtime cost limit (apiserver PerCallLimit). */
export const DEFAULT_COST_LIMIT = 1_000_000;
/** Kubernetes' cap is on the expression source (validation MaxLength); 5,000 characters is ample for policies. */
export const MAX_EXPRESSION_LENGTH = 5_000;
/** The largest string a library function may build (bytes of UTF-16 code units). */
export const MAX_STRING_BUILD = 10 * 1024 * 1024;

export class CostLimitExceeded extends Error {
  override readonly name = 'CostLimitExceeded';
}

interface Budget {
  remaining: number;
  readonly limit: number;
  exceeded: boolean;
  /** Thrown again on every later charge: building a fresh Error (stack capture) per absorbed retry is slow. */
  error?: CostLimitExceeded;
}

const stack: Budget[] = [];

export function pushBudget(limit: number): void {
  stack.push({ remaining: limit, limit, exceeded: false });
}

/** Pops the budget and reports whether it was exhausted at some point (even if an error was absorbed). */
export function popBudget(): boolean {
  return stack.pop()?.exceeded ?? false;
}

/** Charges `units` to the innermost budget; throws once it is exhausted. No budget, no charge (direct lib use). */
export function charge(units: number): void {
  const b = stack[stack.length - 1];
  if (!b) return;
  b.remaining -= units;
  if (b.remaining < 0 || b.exceeded) {
    b.exceeded = true;
    throw (b.error ??= new CostLimitExceeded(`evaluation cost limit of ${b.limit} exceeded`));
  }
}

/** Whether the innermost budget ran out (a quantifier absorbing the error should stop iterating). */
export function exhausted(): boolean {
  return stack[stack.length - 1]?.exceeded ?? false;
}

/** Strings are charged like Kubernetes' StringTraversalCostFactor: 0.1 per character. */
export function chargeString(length: number): void {
  charge(Math.ceil(length / 10));
}

/** Refuses to build a string beyond MAX_STRING_BUILD before allocating it. */
export function assertBuildable(length: number): void {
  if (length > MAX_STRING_BUILD) {
    throw new CostLimitExceeded(
      `result string of ${length} characters exceeds the ${MAX_STRING_BUILD} limit`,
    );
  }
  chargeString(length);
}
