/**
 * The CEL variables a VAP expression sees, built as upstream does (k8s.io/apiserver plugin/cel
 * CreateAdmissionRequest, CreateNamespaceObject, and the lazy `variables` composition).
 */
import type {
  AdmissionRequest,
  GroupVersionKind,
  GroupVersionResource,
  KubeObject,
} from '../../admission/types.js';
import type { Labels } from '../../k8s/label-selector.js';
import { type CelActivation, CelEvalError, type CelValue, lazyCelMap } from '../cel/index.js';
import type { MatchAttributes } from './match.js';
import type { SharedResults } from './shared.js';
import type { CompiledVariable } from './types.js';

/**
 * `request`: the AdmissionRequest without object/oldObject. `kind`/`resource` are the ones the policy
 * matched (the converted version with matchPolicy Equivalent); `requestKind`/`requestResource` are what the
 * client called. Empty optional strings are left out, as Go's `omitempty` does, so `has()` behaves the same.
 */
export function celRequest(
  req: AdmissionRequest,
  attrs: MatchAttributes,
  matched: { resource: GroupVersionResource; kind: GroupVersionKind },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    uid: req.uid,
    kind: { group: matched.kind.group, version: matched.kind.version, kind: matched.kind.kind },
    resource: {
      group: matched.resource.group,
      version: matched.resource.version,
      resource: matched.resource.resource,
    },
    requestKind: { group: attrs.kind.group, version: attrs.kind.version, kind: attrs.kind.kind },
    requestResource: {
      group: attrs.resource.group,
      version: attrs.resource.version,
      resource: attrs.resource.resource,
    },
    operation: req.operation,
    userInfo: userInfo(req),
    dryRun: req.dryRun === true,
    options: req.options ?? null,
  };
  if (attrs.subResource) {
    out.subResource = attrs.subResource;
    out.requestSubResource = attrs.subResource;
  }
  if (attrs.name) out.name = attrs.name;
  if (attrs.namespace) out.namespace = attrs.namespace;
  return out;
}

function userInfo(req: AdmissionRequest): Record<string, unknown> {
  const u = req.userInfo ?? {};
  const out: Record<string, unknown> = {};
  if (u.username) out.username = u.username;
  if (u.uid) out.uid = u.uid;
  if (Array.isArray(u.groups) && u.groups.length) out.groups = u.groups;
  if (u.extra && typeof u.extra === 'object' && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

/**
 * `namespaceObject`: null for cluster-scoped requests and for Namespace objects themselves (upstream special
 * case), and when the namespace is unknown. We only know labels, so that is all it carries besides the name.
 */
export function celNamespaceObject(
  req: AdmissionRequest,
  attrs: MatchAttributes,
  lookup: (ns: string) => Labels | undefined,
): KubeObject | null {
  const k = req.kind;
  if (k.group === '' && k.version === 'v1' && k.kind === 'Namespace') return null;
  if (!attrs.namespace) return null;
  const labels = lookup(attrs.namespace);
  if (labels === undefined) return null;
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: attrs.namespace, labels: { ...labels } } };
}

/**
 * `variables`: an object whose getters evaluate each variable at most once per invocation, on first use. A
 * variable's error is remembered and re-thrown to every expression that reads it. Parse-time checks make
 * references point backwards only; the `evaluating` guard keeps even a bad policy from recursing forever.
 * Values stay in CEL form (CelValue), as `variables.x` in Kubernetes: a `quantity(...)` keeps its methods, a
 * double stays a double, and nothing is converted out of CEL and back in again by the reading expression.
 * A variable with a sharing key (`keys[i]`, see shared.ts) is evaluated once per request across policies.
 */
export function lazyVariables(
  variables: readonly CompiledVariable[],
  activation: () => CelActivation,
  shared: SharedResults,
  keys: readonly (string | undefined)[],
): CelValue {
  const states: ({ value: CelValue } | { error: unknown } | 'evaluating' | undefined)[] = new Array(
    variables.length,
  );
  return lazyCelMap(namesOf(variables), (i) => {
    const v = variables[i] as CompiledVariable;
    let state = states[i];
    if (state === 'evaluating')
      throw new CelEvalError(v.program.expression, `variable "${v.name}" refers to itself`);
    if (state === undefined) {
      states[i] = 'evaluating';
      try {
        state = { value: shared.evaluateValue(keys[i], v.program, activation()) };
      } catch (e) {
        state = { error: e };
      }
      states[i] = state;
    }
    if ('error' in state) throw state.error;
    return state.value;
  });
}

const names = new WeakMap<readonly CompiledVariable[], readonly string[]>();

function namesOf(variables: readonly CompiledVariable[]): readonly string[] {
  let n = names.get(variables);
  if (!n) names.set(variables, (n = variables.map((v) => v.name)));
  return n;
}
