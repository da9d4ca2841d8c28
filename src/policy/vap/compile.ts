/**
 * One-call loader for front doors: policies, bindings and candidate param objects in, a ready family out.
 * Its shape matches `VapCompiler` in src/policy/load (kept structural so this folder does not depend on it).
 */
import type { KubeObject } from '../../admission/types.js';
import type { ScanWarning } from '../../core/errors.js';
import type { PolicyFamily } from '../engine/types.js';
import { createVapFamily } from './family.js';
import { paramsFromObjects, parseVapObjects, type VapInput } from './parse.js';
import type { ParamsProvider } from './types.js';

export interface CompiledVap {
  family: PolicyFamily;
  /** True when some binding of a loaded policy has the Deny action. */
  enforcing: boolean;
  /** `vap:<policy>/<binding>` for every active binding, for logs and `describe`. */
  names: string[];
  warnings: ScanWarning[];
}

/**
 * Validates and compiles everything (throws `UserError` at the first bad object). `params` are candidate
 * parameter objects (any kind; only the policies' paramKinds are looked at); `paramsProvider` replaces them
 * when the caller has a live source (the cluster).
 */
export function compileVap(input: {
  policies: readonly VapInput[];
  bindings: readonly VapInput[];
  params?: readonly KubeObject[];
  paramsProvider?: ParamsProvider;
}): CompiledVap {
  const parsed = parseVapObjects([...input.policies, ...input.bindings]);
  const policyNames = new Set(parsed.policies.map((p) => p.name));
  const active = parsed.bindings.filter((b) => policyNames.has(b.policyName));
  return {
    family: createVapFamily({
      policies: parsed.policies,
      bindings: parsed.bindings,
      params: input.paramsProvider ?? paramsFromObjects([...parsed.others, ...(input.params ?? [])]),
    }),
    enforcing: active.some((b) => b.validationActions.includes('Deny')),
    names: active.map((b) => `vap:${b.policyName}/${b.name}`),
    warnings: parsed.warnings,
  };
}
