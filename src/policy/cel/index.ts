/**
 * kubeward's CEL engine: Kubernetes CEL (ValidatingAdmissionPolicy flavour) evaluated in-process.
 *
 * Built on `@marcbachmann/cel-js` (parser, type checker, standard library, optional types, macros) plus the
 * Kubernetes libraries in `lib/` (strings, lists, regex with RE2 semantics, urls, quantity, ip/cidr, format,
 * sets, base64). Every function is resolved when the expression is compiled, so an unknown or unsupported
 * function is a CelCompileError, never a first-use surprise.
 *
 * For the VAP engine:
 * - Compile once (`compileCel`) and evaluate many times; programs are immutable and reusable.
 * - Activation values are plain JSON-like values. An activation entry that is a plain object with getter
 *   properties (e.g. `variables`) stays lazy: a getter runs only when an expression reads that field, and its
 *   result is memoised with that object, so build one `variables` object per admission request and share it
 *   across the request's expressions (each variable then evaluates at most once, as in Kubernetes). A getter
 *   may itself evaluate another CelProgram (cost budgets nest); if it throws, the reading expression fails.
 * - A getter may return a CelValue (from `program.evaluateValue(...)`) instead of a plain value: it is used
 *   as-is, so a variable keeps its CEL type — a `quantity(...)` stays a Quantity, `1.0` stays a double — as
 *   `variables.x` does in Kubernetes. Plain values returned by getters are converted like any JSON input.
 *   Cheaper still, `lazyCelMap(names, i => celValue)` builds such a lazy map directly in CEL form (the VAP
 *   engine's `variables`): nothing to convert or wrap per evaluation.
 * - Activation objects are converted to CEL values once and cached by identity (WeakMap): do not mutate an
 *   object after passing it to `evaluate` (admission objects are immutable, so this is free speed).
 * - For many evaluations over the same values, pass a `CelActivation` instead of a record:
 *   `CelActivation.of({ object, request, ... })` once per request, `.with({ params, variables })` per policy;
 *   entries are converted once (on first use) and shared, instead of re-assembled on every evaluation.
 * - `program.identifiers` lists the top-level names an expression may read, e.g. to tell that its result
 *   does not depend on `params` (the VAP engine then shares it across the policies of a request).
 * - `authorizer` is not supported: any expression referencing it fails to compile.
 * - Results: bool, string, number (int, uint or double), null, arrays, objects; an int outside the safe
 *   integer range stays a bigint; bytes are a Uint8Array; an optional is its value or null; Quantity, IP,
 *   CIDR, URL and duration values are their string form.
 * - Limits: expressions over 5,000 characters are refused; each evaluation has a cost budget (`costLimit`,
 *   default 1,000,000 as Kubernetes' per-expression limit) charged per comprehension element and per 10
 *   characters traversed by library functions; running out is a CelEvalError.
 */
import type { ASTNode, ParseResult } from '@marcbachmann/cel-js';

import { type WalkNode, walk } from './ast.js';
import { environmentFor } from './environment.js';
import { CelCompileError, CelEvalError, firstLine } from './errors.js';
import {
  CostLimitExceeded,
  DEFAULT_COST_LIMIT,
  MAX_EXPRESSION_LENGTH,
  charge,
  exhausted,
  popBudget,
  pushBudget,
} from './limits.js';
import { OVERRIDDEN, overrideFor } from './lib/overrides.js';
import { RE2_MATCHES, compilePattern } from './lib/regex.js';
import { CelActivation, activationToCel } from './activation.js';
import { CelValue, fromCel } from './values.js';

export { CelActivation, lazyCelMap } from './activation.js';
export { CelCompileError, CelEvalError } from './errors.js';
export { DEFAULT_COST_LIMIT, MAX_EXPRESSION_LENGTH } from './limits.js';
export { CelValue } from './values.js';

export interface CelCompileOptions {
  /** Top-level variables the expression may reference, e.g. ['object','oldObject','request','params','namespaceObject','variables','authorizer']. */
  variables: readonly string[];
  /** Per-evaluation cost budget (comprehension iterations + traversed characters / 10). Default 1,000,000 as Kubernetes. */
  costLimit?: number;
}

/** Plain JSON-like values by variable name, or a CelActivation converted once for many evaluations. */
export type Activation = Readonly<Record<string, unknown>> | CelActivation;

export interface CelProgram {
  readonly expression: string;
  /**
   * Top-level names the expression may read (conservative: a comprehension variable is listed too), e.g. to
   * tell that a result depends on no `params`. Only names among the compile options' `variables` appear.
   */
  readonly identifiers: ReadonlySet<string>;
  /** Evaluates with plain JSON-like values. JSON numbers that are integers are CEL ints (as Kubernetes does).
   *  Returns a plain JS value: boolean, string, number (ints converted from bigint when safe), null, arrays/objects. Throws CelEvalError. */
  evaluate(activation: Activation): unknown;
  /** Like `evaluate`, but keeps the result in CEL form (see CelValue): for VAP `variables` getters. Throws CelEvalError. */
  evaluateValue(activation: Activation): CelValue;
}

/** Variables Kubernetes defines that kubeward refuses (no SubjectAccessReview from inside the engine). */
const UNSUPPORTED_VARIABLES = new Set(['authorizer']);

export function compileCel(expression: string, opts: CelCompileOptions): CelProgram {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new CelCompileError(String(expression), 'expression is empty');
  }
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new CelCompileError(
      expression,
      `expression is ${expression.length} characters, over the ${MAX_EXPRESSION_LENGTH} limit`,
    );
  }
  const costLimit = opts.costLimit ?? DEFAULT_COST_LIMIT;
  const key = `${costLimit}\0${[...opts.variables].sort().join(',')}\0${expression}`;
  const cached = programs.get(key);
  if (cached) return cached;

  const env = environmentFor(opts.variables.filter((v) => !UNSUPPORTED_VARIABLES.has(v)));
  let parsed: ParseResult;
  try {
    parsed = env.parse(expression);
  } catch (e) {
    throw new CelCompileError(expression, compileMessage(e));
  }
  prepare(expression, parsed.ast);
  const checked = parsed.check();
  if (!checked.valid) throw new CelCompileError(expression, compileMessage(checked.error));
  meterComprehensions(parsed.ast);
  const program = new Program(expression, parsed, costLimit, identifiersOf(parsed.ast, opts.variables));
  if (programs.size >= MAX_CACHED_PROGRAMS) programs.clear();
  programs.set(key, program);
  return program;
}

/**
 * Programs are immutable, so compiling the same expression again (a VAP engine that compiles per request)
 * costs a map lookup. Bounded: a flood of distinct expressions just empties the cache.
 */
const programs = new Map<string, Program>();
const MAX_CACHED_PROGRAMS = 1_000;

/** The library's first message line, with our internal function names mapped back to what the user wrote. */
function compileMessage(e: unknown): string {
  let message = firstLine(errorMessage(e));
  for (const [name, internal] of Object.entries(OVERRIDDEN)) message = message.replaceAll(internal, name);
  return message.startsWith('found no matching overload')
    ? `unknown function or wrong argument types (${message})`
    : message;
}

/** Before type checking: refuse `authorizer`, route overridden functions (lib/overrides.ts), check literal regexes. */
function prepare(expression: string, ast: ASTNode): void {
  walk(ast, (node) => {
    if (node.op === 'id' && typeof node.args === 'string' && UNSUPPORTED_VARIABLES.has(node.args)) {
      throw new CelCompileError(expression, `'${node.args}' is not supported by kubeward`);
    }
    if ((node.op === 'rcall' || node.op === 'call') && Array.isArray(node.args)) {
      // e.g. the library's `matches` uses a backtracking JS RegExp; ours is RE2 (linear time), as Kubernetes
      const routed = typeof node.args[0] === 'string' ? overrideFor(node.args[0]) : undefined;
      if (routed) node.args[0] = routed;
    }
    const pattern = literalPatternOf(node);
    if (pattern !== undefined) {
      try {
        compilePattern(pattern);
      } catch (e) {
        throw new CelCompileError(
          expression,
          `invalid RE2 pattern ${JSON.stringify(pattern)}: ${errorMessage(e)}`,
        );
      }
    }
  });
}

const REGEX_METHODS = new Set([RE2_MATCHES, 'find', 'findAll']);

/** The pattern of `s.matches('lit')`, `s.find('lit')`, `s.findAll('lit'...)` or `matches(s, 'lit')`. */
function literalPatternOf(node: WalkNode): string | undefined {
  if (!Array.isArray(node.args)) return undefined;
  const [name, second, third] = node.args as unknown[];
  if (typeof name !== 'string' || !REGEX_METHODS.has(name)) return undefined;
  const args = node.op === 'rcall' ? third : node.op === 'call' ? second : undefined;
  if (!Array.isArray(args)) return undefined;
  const patternNode: unknown = args[node.op === 'rcall' ? 0 : 1];
  const value = (patternNode as { op?: unknown; args?: unknown } | undefined)?.args;
  return (patternNode as { op?: unknown } | undefined)?.op === 'value' && typeof value === 'string'
    ? value
    : undefined;
}

/**
 * After type checking: every comprehension charges its range size before iterating, and the quantifiers
 * (`all`, `exists`), which absorb errors from their steps, stop iterating once the budget is gone instead of
 * paying for one absorbed error per remaining element.
 */
function meterComprehensions(ast: ASTNode): void {
  walk(ast, (node) => {
    const handle = node.handle;
    if (node.op !== 'comprehension' || !handle) return;
    node.handle = (items: unknown, ...rest: unknown[]) => {
      charge(sizeOf(items) + 1);
      return handle(items, ...rest);
    };
    const args = node.args as { condition?: unknown };
    const condition = args.condition;
    if (typeof condition === 'function') {
      args.condition = (accu: unknown): unknown =>
        !exhausted() && (condition as (a: unknown) => unknown)(accu);
    }
  });
}

function sizeOf(items: unknown): number {
  if (Array.isArray(items)) return items.length;
  if (items instanceof Map || items instanceof Set) return items.size;
  if (typeof items === 'object' && items !== null) return Object.keys(items).length;
  return 0;
}

function identifiersOf(ast: ASTNode, declared: readonly string[]): ReadonlySet<string> {
  const names = new Set<string>();
  walk(ast, (node) => {
    if (node.op === 'id' && typeof node.args === 'string' && declared.includes(node.args))
      names.add(node.args);
  });
  return names;
}

/** V8's own limits, reached by a hostile input the budget did not foresee. */
const V8_LIMITS = /Invalid string length|Maximum call stack|Invalid array length|Array buffer allocation/;

class Program implements CelProgram {
  constructor(
    readonly expression: string,
    private readonly run: ParseResult,
    private readonly costLimit: number,
    readonly identifiers: ReadonlySet<string>,
  ) {}

  evaluate(activation: Activation): unknown {
    return this.runBudgeted(activation, fromCel);
  }

  evaluateValue(activation: Activation): CelValue {
    return this.runBudgeted(activation, (raw) => new CelValue(raw, this.expression));
  }

  private runBudgeted<T>(activation: Activation, convert: (raw: unknown) => T): T {
    pushBudget(this.costLimit);
    let result: T;
    try {
      result = convert(this.run(activationToCel(activation)));
    } catch (e) {
      popBudget();
      throw this.evalError(e);
    }
    // `||`, `&&` and the quantifier macros absorb errors; an exhausted budget must still fail the evaluation
    if (popBudget()) {
      throw new CelEvalError(this.expression, `evaluation cost limit of ${this.costLimit} exceeded`);
    }
    return result;
  }

  private evalError(e: unknown): CelEvalError {
    if (e instanceof CelEvalError && e.expression === this.expression) return e;
    if (e instanceof CostLimitExceeded) return new CelEvalError(this.expression, e.message);
    if (e instanceof RangeError && V8_LIMITS.test(e.message)) {
      return new CelEvalError(this.expression, `resource limit: ${e.message}`);
    }
    return new CelEvalError(this.expression, firstLine(errorMessage(e)));
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
