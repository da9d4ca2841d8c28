/**
 * Parameter resolution for one (policy, binding), after generic.CollectParams in k8s.io/apiserver.
 *
 * Result: `[null]` when the policy takes no params or the binding gives no paramRef (validate once without
 * params); the matching param objects otherwise; `[]` when none match and parameterNotFoundAction is Allow
 * (the binding then does nothing). An error (Deny with nothing found, provider failure) is returned, not
 * thrown: it is a binding configuration error subject to the policy's failurePolicy.
 */
import type { KubeObject } from '../../admission/types.js';
import type { ParamsProvider, VapBinding, VapPolicy } from './types.js';

export type ParamsResult = { params: (KubeObject | null)[] } | { error: string };

export function collectParams(
  policy: VapPolicy,
  binding: VapBinding,
  requestNamespace: string,
  provider: ParamsProvider,
): ParamsResult {
  const kind = policy.paramKind;
  const ref = binding.paramRef;
  if (!kind || !ref) return { params: [null] };

  // A namespaced paramKind is looked up in paramRef.namespace, else the request's namespace.
  const namespace = ref.namespace || requestNamespace || undefined;
  let candidates: readonly KubeObject[];
  try {
    candidates = provider(kind.apiVersion, kind.kind, namespace);
  } catch (e) {
    return {
      error: `failed to list params of kind ${kind.apiVersion}, Kind=${kind.kind}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  if (!Array.isArray(candidates)) return { error: `params provider returned no list for ${kind.kind}` };

  const found = candidates.filter((o) => {
    if (typeof o !== 'object' || o === null) return false;
    if (o.apiVersion !== undefined && o.apiVersion !== kind.apiVersion) return false;
    if (o.kind !== undefined && o.kind !== kind.kind) return false;
    const ns = o.metadata?.namespace;
    if (ns && ns !== namespace) return false;
    if (ref.name !== undefined) return o.metadata?.name === ref.name;
    const labels = o.metadata?.labels;
    return ref.selector !== undefined && ref.selector.matches(isLabels(labels) ? labels : {});
  });
  const params = ref.name !== undefined ? found.slice(0, 1) : found;
  if (params.length === 0 && ref.parameterNotFoundAction === 'Deny')
    return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  // Upstream evaluates params without TypeMeta with it filled in from paramKind.
  return { params: params.map((p) => (p.apiVersion && p.kind ? p : withTypeMeta(p, kind))) };
}

/**
 * One filled-in copy per (object, paramKind), kept while the object lives: the same identity on every
 * request, so the CEL engine converts a param once rather than once per request.
 */
const typed = new WeakMap<KubeObject, Map<string, KubeObject>>();

function withTypeMeta(p: KubeObject, kind: { apiVersion: string; kind: string }): KubeObject {
  let byKind = typed.get(p);
  if (!byKind) typed.set(p, (byKind = new Map()));
  const key = `${kind.apiVersion}\0${kind.kind}`;
  let copy = byKind.get(key);
  if (!copy) byKind.set(key, (copy = { ...p, apiVersion: kind.apiVersion, kind: kind.kind }));
  return copy;
}

function isLabels(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
