/**
 * The VAP policy family: for one admission request, every (policy, binding, param) invocation that matches
 * becomes one PolicyEvaluation. Dispatch order and error handling follow k8s.io/apiserver
 * .../policy/validating/dispatcher.go.
 */
import type { AdmissionRequest, GroupVersionKind, GroupVersionResource } from '../../admission/types.js';
import type { PolicyContext, PolicyEvaluation, PolicyFamily } from '../engine/types.js';
import { celNamespaceObject, celRequest } from './activation.js';
import { attributesOf, matchRequest, type MatchAttributes, type MatchResult } from './match.js';
import { collectParams } from './params.js';
import type { MatchResources, ParamsProvider, VapBinding, VapPolicy } from './types.js';
import {
  errorText,
  evaluateInvocation,
  requestScope,
  type RequestActivation,
  type RequestScope,
} from './validate.js';

export interface VapFamilyInput {
  policies: readonly VapPolicy[];
  bindings: readonly VapBinding[];
  /** Where params come from; without one, every paramRef finds nothing. */
  params?: ParamsProvider;
}

const noParams: ParamsProvider = () => [];

/** Admission configuration objects are never subject to admission policies (rules.go). */
const EXEMPT_KINDS = new Set([
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

export function isExemptRequest(req: AdmissionRequest): boolean {
  return req.kind.group === 'admissionregistration.k8s.io' && EXEMPT_KINDS.has(req.kind.kind);
}

/**
 * A key equal for match constraints that match the same requests (canonical selector strings, rules as
 * parsed): policies sharing constraints, common for a set of pod policies, are matched once per request.
 */
function matchKeyOf(m: MatchResources): string {
  return JSON.stringify([
    m.namespaceSelector.empty,
    m.namespaceSelector.toString(),
    m.objectSelector.empty,
    m.objectSelector.toString(),
    m.resourceRules,
    m.excludeResourceRules,
    m.matchPolicy,
  ]);
}

export function createVapFamily(input: VapFamilyInput): PolicyFamily {
  const provider = input.params ?? noParams;
  // Bindings grouped under their policy, in input order; bindings of unknown policies are inactive.
  const hooks: { policy: VapPolicy; bindings: VapBinding[]; matchKey: string }[] = input.policies.map(
    (policy) => ({
      policy,
      bindings: input.bindings.filter((b) => b.policyName === policy.name),
      matchKey: matchKeyOf(policy.matchConstraints),
    }),
  );
  const active = hooks.filter((h) => h.bindings.length > 0);

  return {
    family: 'vap',
    evaluate(request: AdmissionRequest, ctx: PolicyContext): PolicyEvaluation[] {
      if (active.length === 0 || isExemptRequest(request)) return [];
      const attrs = attributesOf(request);
      const lookup = (ns: string): Readonly<Record<string, string>> | undefined => {
        // A failing lookup (cluster unreachable) leaves the namespace unknown, which selectors treat as
        // "not found": a configuration error under the policy's failurePolicy, never a silent match.
        try {
          return ctx.namespaceLabels?.(ns);
        } catch {
          return undefined;
        }
      };
      const session = new RequestSession(request, attrs, lookup);
      const out: PolicyEvaluation[] = [];
      const matched = new Map<string, MatchResult>();
      for (const { policy, bindings, matchKey } of active) {
        let pm = matched.get(matchKey);
        if (!pm) matched.set(matchKey, (pm = matchRequest(policy.matchConstraints, attrs, lookup)));
        if ('error' in pm) {
          out.push(configError(policy, undefined, `failed to configure policy: ${pm.error}`));
          continue;
        }
        if (!pm.matches) continue;
        const base = session.activation(pm.resource, pm.kind);
        for (const binding of bindings) {
          if (binding.matchResources) {
            const bm = matchRequest(binding.matchResources, attrs, lookup);
            if ('error' in bm) {
              out.push(configError(policy, binding, `failed to configure binding: ${bm.error}`));
              continue;
            }
            if (!bm.matches) continue;
          }
          const params = collectParams(policy, binding, attrs.namespace, provider);
          if ('error' in params) {
            out.push(configError(policy, binding, `failed to configure binding: ${params.error}`));
            continue;
          }
          for (const param of params.params) {
            const evaluation = evaluateInvocation(policy, binding, param, base);
            if (evaluation) out.push(evaluation);
          }
        }
      }
      return out;
    },
  };
}

/**
 * A configuration error (unknown namespace, missing params...) is an evaluation error under the policy's
 * failurePolicy; a policy-level one (no binding involved) is reported once, as `vap:<policy>`, and denies.
 */
function configError(policy: VapPolicy, binding: VapBinding | undefined, message: string): PolicyEvaluation {
  return {
    policy: binding ? `vap:${policy.name}/${binding.name}` : `vap:${policy.name}`,
    family: 'vap',
    violations: [],
    actions: binding ? binding.validationActions : ['Deny'],
    error: errorText(policy, binding, message),
    failurePolicy: policy.failurePolicy,
  };
}

/** Per-request values shared by all policies: built once, so the CEL engine converts them once. */
class RequestSession {
  private namespaceObject: RequestActivation['namespaceObject'] | undefined;
  private readonly byMatch = new Map<string, RequestScope>();
  private last: { resource: GroupVersionResource; kind: GroupVersionKind; scope: RequestScope } | undefined;

  constructor(
    private readonly request: AdmissionRequest,
    private readonly attrs: MatchAttributes,
    private readonly lookup: (ns: string) => Readonly<Record<string, string>> | undefined,
  ) {}

  activation(resource: GroupVersionResource, kind: GroupVersionKind): RequestScope {
    // Matching hands back the request's own resource/kind objects, so an identity check saves building
    // the key for every policy.
    if (this.last && this.last.resource === resource && this.last.kind === kind) return this.last.scope;
    const scope = this.scopeFor(resource, kind);
    this.last = { resource, kind, scope };
    return scope;
  }

  private scopeFor(resource: GroupVersionResource, kind: GroupVersionKind): RequestScope {
    const key = `${resource.group}/${resource.version}/${resource.resource}\0${kind.group}/${kind.version}/${kind.kind}`;
    let a = this.byMatch.get(key);
    if (!a) {
      if (this.namespaceObject === undefined)
        this.namespaceObject = celNamespaceObject(this.request, this.attrs, this.lookup);
      a = requestScope({
        // DELETE has no object (the API server sends null); CREATE has no oldObject.
        object: this.request.operation === 'DELETE' ? null : (this.request.object ?? null),
        oldObject: this.request.oldObject ?? null,
        request: celRequest(this.request, this.attrs, { resource, kind }),
        namespaceObject: this.namespaceObject,
      });
      this.byMatch.set(key, a);
    }
    return a;
  }
}
