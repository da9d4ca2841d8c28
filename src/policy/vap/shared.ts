/**
 * Expression results shared by the policies of one request. Policy libraries repeat themselves: most
 * policies carry the same matchConditions ("not in kube-system", "not a system user") and the same variables
 * (`podSpec`, `containers`). CEL is pure, so an expression over the same inputs has the same result or the
 * same error: a match condition or variable that reads no `params` is evaluated once per request (and
 * matched kind) and reused by every policy that has it. A variable reading other variables is shared only
 * when those are shared too (same expressions all the way down), so equal keys always mean equal values.
 */
import type { CelActivation, CelProgram, CelValue } from '../cel/index.js';
import type { VapPolicy } from './types.js';
import { variableRefs, variablesOnlyByName } from './variable-refs.js';

type Outcome = { value: unknown } | { error: unknown };

/** Per request and matched kind: outcomes by sharing key. */
export class SharedResults {
  private readonly outcomes = new Map<string, Outcome>();

  /** `program.evaluate(activation)`, computed at most once per key; a remembered error is thrown again. */
  evaluate(key: string | undefined, program: CelProgram, activation: CelActivation): unknown {
    return this.once(key, program, activation, false);
  }

  /** `program.evaluateValue(activation)`, likewise. */
  evaluateValue(key: string | undefined, program: CelProgram, activation: CelActivation): CelValue {
    return this.once(key, program, activation, true) as CelValue;
  }

  // No closures: this runs for every match condition and variable of every policy.
  private once(
    key: string | undefined,
    program: CelProgram,
    activation: CelActivation,
    keepCel: boolean,
  ): unknown {
    if (key === undefined) return keepCel ? program.evaluateValue(activation) : program.evaluate(activation);
    let outcome = this.outcomes.get(key);
    if (outcome === undefined) {
      try {
        outcome = {
          value: keepCel ? program.evaluateValue(activation) : program.evaluate(activation),
        };
      } catch (error) {
        outcome = { error };
      }
      this.outcomes.set(key, outcome);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}

/** Sharing keys of a policy's expressions, by position; undefined: not shared (reads params). */
export interface SharingKeys {
  readonly variables: readonly (string | undefined)[];
  readonly matchConditions: readonly (string | undefined)[];
}

const byPolicy = new WeakMap<VapPolicy, SharingKeys>();

export function sharingKeys(policy: VapPolicy): SharingKeys {
  let keys = byPolicy.get(policy);
  if (!keys) byPolicy.set(policy, (keys = computeKeys(policy)));
  return keys;
}

function computeKeys(policy: VapPolicy): SharingKeys {
  // Variables only refer to earlier ones (checked when parsed), so one pass in order resolves every key.
  const variableKeys = new Map<string, string | undefined>();
  const variables = policy.variables.map((v) => {
    let key: string | undefined;
    if (!v.program.identifiers.has('params') && variablesOnlyByName(v.program.expression)) {
      const deps = variableRefs(v.program.expression)
        .sort()
        .map((name) => (variableKeys.has(name) ? variableKeys.get(name) : undefined));
      // a dependency's key is bracketed by its length, so no expression text can forge another key
      if (deps.every((d) => d !== undefined))
        key = `v${v.program.expression.length}:${v.program.expression}${deps.map((d) => `(${d.length}:${d})`).join('')}`;
    }
    variableKeys.set(v.name, key);
    return key;
  });
  const matchConditions = policy.matchConditions.map((c) =>
    c.program.identifiers.has('params') ? undefined : `m${c.program.expression}`,
  );
  return { variables, matchConditions };
}
