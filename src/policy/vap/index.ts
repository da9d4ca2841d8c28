/**
 * ValidatingAdmissionPolicy (VAP) evaluation in-process, with the semantics of the Kubernetes API server
 * (k8s.io/apiserver/pkg/admission/plugin/policy/{validating,matching,generic}). Used by the admission
 * webhook and `kubeward policy test` through the shared engine (`../engine`), never directly.
 *
 * Load (once):
 *
 *   const { policies, bindings, params, others, warnings } = parseVapObjects(resources);
 *   // resources: decoded `Resource`s (k8s/decode.ts) or `{ object }` items; policies and bindings
 *   // (admissionregistration.k8s.io/v1 or v1beta1) are validated and every CEL expression is compiled:
 *   // any problem is a UserError naming the object, the field, the expression and file:line.
 *   const family = createVapFamily({ policies, bindings, params });
 *   // or, in one call (front doors): compileVap({ policies, bindings, params }) → { family, enforcing, names }
 *
 * Evaluate (per request): build the request objects fresh and never mutate them afterwards (the CEL engine
 * converts each once and caches it by identity). Per request, the activation (`object`, `oldObject`,
 * `request`, `namespaceObject`) is converted to CEL once and shared by every policy; variables stay in CEL
 * form and are evaluated at most once per invocation; match conditions and variables that read no `params`
 * are evaluated once per request even when many policies repeat them (shared.ts); messageExpressions run
 * only for failed validations. `family.evaluate(request, ctx)` returns one PolicyEvaluation per matching
 * (policy, binding[, param]) named `vap:<policy>/<binding>` (`...@<ns>/<param>` when the binding selects
 * params by label). Violations carry `control: validations[i]`, the upstream message (prefixed
 * "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: " when the binding denies, "Validation
 * failed for ValidatingAdmissionPolicy 'p' with binding 'b': " when it warns) and `reason` (default
 * Invalid). `actions` are the binding's validationActions; `auditAnnotations` holds the policy's audit
 * annotation keys unprefixed. Configuration errors (unknown namespace, param not found with Deny) and
 * runtime errors are `error` + `failurePolicy` (see validate.ts).
 *
 * Namespaces: `ctx.namespaceLabels` supplies namespace labels. When a policy or binding has a non-empty
 * namespaceSelector and the request's namespace is unknown, the request gets a configuration error
 * `namespaces "<ns>" not found` (exactly what the API server does for a missing namespace), subject to
 * failurePolicy — it is neither silently matched nor silently skipped. `namespaceObject` is then null.
 *
 * Params: `ParamsProvider(apiVersion, kind, namespace?)` returns candidate objects; `paramsFromObjects`
 * builds one over CI inputs. Without discovery data we cannot tell a namespaced paramKind from a
 * cluster-scoped one, so objects without a namespace match every namespace.
 *
 * Not supported: `authorizer` in expressions (a compile error), type checking against OpenAPI schemas
 * (objects are `dyn`), conversion of the object to another version under matchPolicy Equivalent.
 */
export {
  BINDING_KIND,
  formatPath,
  paramsFromObjects,
  parseBinding,
  parsePolicy,
  parseVapObjects,
  POLICY_KIND,
  VAP_API_VERSIONS,
  type ParsedVapObjects,
  type VapInput,
} from './parse.js';
export { createVapFamily, isExemptRequest, type VapFamilyInput } from './family.js';
export { compileVap, type CompiledVap } from './compile.js';
export { attributesOf, matchRequest, type MatchAttributes, type MatchResult } from './match.js';
export { denialPrefix, warningPrefix } from './validate.js';
export type {
  FailurePolicy,
  MatchPolicy,
  MatchResources,
  NamedRule,
  ParamRef,
  ParamsProvider,
  VapBinding,
  VapPolicy,
} from './types.js';
