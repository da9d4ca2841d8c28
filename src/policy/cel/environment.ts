/**
 * Builds the CEL environment: the library's standard functions plus the Kubernetes CEL libraries. One base
 * environment is built once; each distinct set of top-level variables gets a cached clone.
 */
import { Environment } from '@marcbachmann/cel-js';

import type { CelLibrary } from './library.js';
import { libraries } from './lib/index.js';

let base: Environment | undefined;
const byVariables = new Map<string, Environment>();

function buildBase(): Environment {
  const env = new Environment({
    enableOptionalTypes: true,
    unlistedVariablesAreDyn: false,
    // Kubernetes' cel-go accepts `[1, 'a']`-style literals as list<dyn>
    homogeneousAggregateLiterals: false,
    limits: {
      maxAstNodes: 5_000,
      maxDepth: 100,
      maxListElements: 1_000,
      maxMapEntries: 1_000,
      maxCallArguments: 32,
    },
  });
  for (const lib of libraries) register(env, lib);
  return env;
}

function register(env: Environment, lib: CelLibrary): void {
  for (const [name, ctor] of lib.types ?? []) env.registerType(name, ctor as never);
  for (const [name, type, value] of lib.constants ?? []) env.registerConstant(name, type, value);
  for (const [signature, handler] of lib.functions) env.registerFunction(signature, handler as never);
  for (const [signature, handler] of lib.operators ?? []) env.registerOperator(signature, handler as never);
}

/** The environment declaring exactly `variables` (as `dyn`: admission objects have no schema here). */
export function environmentFor(variables: readonly string[]): Environment {
  const key = [...new Set(variables)].sort().join('\0');
  let env = byVariables.get(key);
  if (!env) {
    base ??= buildBase();
    env = base.clone();
    for (const name of new Set(variables)) env.registerVariable(name, 'dyn');
    // a handful of variable sets exist in practice (VAP, CRD rules); never let the cache grow unbounded
    if (byVariables.size >= 64) byVariables.clear();
    byVariables.set(key, env);
  }
  return env;
}
