/**
 * Does a request fall under a policy's matchConstraints or a binding's matchResources? Follows
 * k8s.io/apiserver .../policy/matching (Matches, matchesResourceRules) and the webhook predicates it uses
 * (rules, namespace, object).
 *
 * Attribute mapping. In the API server a policy sees the resource the client called (`requestResource` in
 * an AdmissionRequest) and, with matchPolicy Equivalent, also the equivalent resources of other groups and
 * versions. We have no discovery data, so the equivalents we know are the one the API server converted to
 * for our webhook (`resource`/`kind` when they differ from `requestResource`/`requestKind`). The object is
 * evaluated as sent (in `kind`'s version); upstream would convert it to the matched version first.
 */
import type {
  AdmissionRequest,
  GroupVersionKind,
  GroupVersionResource,
  KubeObject,
} from '../../admission/types.js';
import type { Labels } from '../../k8s/label-selector.js';
import type { MatchResources, NamedRule } from './types.js';

/** The request as the matcher sees it (admission.Attributes). */
export interface MatchAttributes {
  operation: AdmissionRequest['operation'];
  name: string;
  /** For a Namespace object, its own name (as the API server sets it). */
  namespace: string;
  /** What the client called. */
  resource: GroupVersionResource;
  subResource: string;
  kind: GroupVersionKind;
  /** The converted resource the API server sent us, when it differs from what the client called. */
  equivalent?: { resource: GroupVersionResource; kind: GroupVersionKind };
  object: KubeObject | null;
  oldObject: KubeObject | null;
}

export type MatchResult =
  | { matches: false }
  | { matches: true; resource: GroupVersionResource; kind: GroupVersionKind }
  | { matches: false; error: string };

/** Labels of a namespace, or undefined when it is unknown. */
export type NamespaceLabelsLookup = (namespace: string) => Labels | undefined;

export function isNamespaceResource(r: GroupVersionResource): boolean {
  return r.group === '' && r.version === 'v1' && r.resource === 'namespaces';
}

export function attributesOf(req: AdmissionRequest): MatchAttributes {
  const resource = req.requestResource ?? req.resource;
  const kind = req.requestKind ?? req.kind;
  const subResource = req.requestSubResource ?? req.subResource ?? '';
  const name = req.name ?? '';
  let namespace = req.namespace ?? '';
  // The API server sets the namespace of a Namespace request to the namespace's own name.
  if (namespace === '' && isNamespaceResource(req.resource) && !req.subResource) namespace = name;
  const attrs: MatchAttributes = {
    operation: req.operation,
    name,
    namespace,
    resource,
    subResource,
    kind,
    // DELETE carries no new object (null on the wire), whatever a caller put there.
    object: req.operation === 'DELETE' ? null : (req.object ?? null),
    oldObject: req.oldObject ?? null,
  };
  if (!sameGvr(resource, req.resource)) attrs.equivalent = { resource: req.resource, kind: req.kind };
  return attrs;
}

function sameGvr(a: GroupVersionResource, b: GroupVersionResource): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource;
}

function labelsOf(o: KubeObject | null): Labels | undefined {
  const labels = o?.metadata?.labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return undefined;
  return labels as Labels;
}

/**
 * matching.Matcher.Matches. A namespace selector that cannot be evaluated (unknown namespace) is an error
 * only when the rest of the criteria match, exactly as upstream defers it.
 */
export function matchRequest(
  m: MatchResources,
  a: MatchAttributes,
  namespaceLabels: NamespaceLabelsLookup,
): MatchResult {
  let nsError: string | undefined;
  let nsMatches = true;
  // Cluster-scoped resources other than namespaces are never excluded by a namespace selector.
  if (!(a.namespace === '' && a.resource.resource !== 'namespaces') && !m.namespaceSelector.empty) {
    let labels: Labels | undefined;
    if (
      a.resource.resource === 'namespaces' &&
      a.subResource === '' &&
      (a.operation === 'CREATE' || a.operation === 'UPDATE')
    ) {
      // Creating/updating a namespace: its new labels decide (the lister does not have them yet).
      labels = labelsOf(a.object) ?? {};
    } else {
      labels = namespaceLabels(a.namespace);
      if (labels === undefined) nsError = `namespaces "${a.namespace}" not found`;
    }
    nsMatches = labels !== undefined && m.namespaceSelector.matches(labels);
  }
  if (!nsMatches && nsError === undefined) return { matches: false };

  if (!m.objectSelector.empty) {
    const objMatches =
      (a.object !== null && m.objectSelector.matches(labelsOf(a.object) ?? {})) ||
      (a.oldObject !== null && m.objectSelector.matches(labelsOf(a.oldObject) ?? {}));
    if (!objMatches) return { matches: false };
  }

  if (matchesRules(m.excludeResourceRules, m.matchPolicy, a)) return { matches: false };

  let result: MatchResult;
  if (m.resourceRules.length === 0) result = { matches: true, resource: a.resource, kind: a.kind };
  else result = matchesRules(m.resourceRules, m.matchPolicy, a) ?? { matches: false };
  if (!result.matches) return result;
  if (nsError !== undefined) return { matches: false, error: nsError };
  return result;
}

function matchesRules(
  rules: readonly NamedRule[],
  matchPolicy: MatchResources['matchPolicy'],
  a: MatchAttributes,
): { matches: true; resource: GroupVersionResource; kind: GroupVersionKind } | undefined {
  for (const rule of rules) {
    if (ruleMatches(rule, a, a.resource) && nameMatches(rule, a.name))
      return { matches: true, resource: a.resource, kind: a.kind };
  }
  if (matchPolicy === 'Exact' || !a.equivalent) return undefined;
  const eq = a.equivalent;
  for (const rule of rules) {
    if (ruleMatches(rule, a, eq.resource) && nameMatches(rule, a.name))
      return { matches: true, resource: eq.resource, kind: eq.kind };
  }
  return undefined;
}

function nameMatches(rule: NamedRule, name: string): boolean {
  // An empty name list always matches; a CREATE with generateName has no name yet and matches no list.
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

/** rules.Matcher.Matches: scope, operation, group, version, resource/subresource. */
export function ruleMatches(rule: NamedRule, a: MatchAttributes, resource: GroupVersionResource): boolean {
  return (
    scopeMatches(rule.scope, a, resource) &&
    (rule.operations.includes('*') || rule.operations.includes(a.operation)) &&
    exactOrWildcard(rule.apiGroups, resource.group) &&
    exactOrWildcard(rule.apiVersions, resource.version) &&
    resourceMatches(rule.resources, resource.resource, a.subResource)
  );
}

function scopeMatches(
  scope: NamedRule['scope'],
  a: MatchAttributes,
  resource: GroupVersionResource,
): boolean {
  switch (scope) {
    case '*':
      return true;
    case 'Namespaced':
      // Namespace objects are cluster-scoped even though their attributes carry a namespace.
      return !isNamespaceResource(resource) && a.namespace !== '';
    case 'Cluster':
      return isNamespaceResource(resource) || a.namespace === '';
  }
}

function exactOrWildcard(items: readonly string[], requested: string): boolean {
  return items.includes('*') || items.includes(requested);
}

function resourceMatches(resources: readonly string[], res: string, sub: string): boolean {
  for (const [r, s] of splitResources(resources)) {
    if ((r === '*' || r === res) && (s === '*' || s === sub)) return true;
  }
  return false;
}

/** `pods/status` → [`pods`, `status`], split once per rule (rules are immutable once parsed). */
const splitCache = new WeakMap<readonly string[], readonly (readonly [string, string])[]>();

function splitResources(resources: readonly string[]): readonly (readonly [string, string])[] {
  let split = splitCache.get(resources);
  if (!split) {
    split = resources.map((entry) => {
      const slash = entry.indexOf('/');
      return slash < 0 ? ([entry, ''] as const) : ([entry.slice(0, slash), entry.slice(slash + 1)] as const);
    });
    splitCache.set(resources, split);
  }
  return split;
}
