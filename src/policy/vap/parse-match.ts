/**
 * Parsing of MatchResources (policy matchConstraints, binding matchResources) and their rules, with the
 * checks of upstream admissionregistration validation (wildcards alone, no overlapping resource forms).
 */
import type { FieldPath } from '../../core/yaml-source.js';
import type { Reader } from './reader.js';
import type { MatchResources, NamedRule } from './types.js';

export function parseMatchResources(
  r: Reader,
  value: unknown,
  path: FieldPath,
  isPolicy: boolean,
): MatchResources {
  const o = r.obj(value, path, [
    'namespaceSelector',
    'objectSelector',
    'resourceRules',
    'excludeResourceRules',
    'matchPolicy',
  ]);
  const resourceRules = r
    .list(o.resourceRules, [...path, 'resourceRules'])
    .map((x, i) => parseRule(r, x, [...path, 'resourceRules', i]));
  // A policy must say what it is about; a binding may leave rules out and inherit the policy's.
  if (isPolicy && resourceRules.length === 0) r.fail([...path, 'resourceRules'], 'Required value');
  return {
    namespaceSelector: r.selector(o.namespaceSelector, [...path, 'namespaceSelector']),
    objectSelector: r.selector(o.objectSelector, [...path, 'objectSelector']),
    resourceRules,
    excludeResourceRules: r
      .list(o.excludeResourceRules, [...path, 'excludeResourceRules'])
      .map((x, i) => parseRule(r, x, [...path, 'excludeResourceRules', i])),
    matchPolicy: r.oneOf(
      o.matchPolicy,
      [...path, 'matchPolicy'],
      ['Exact', 'Equivalent'] as const,
      'Equivalent',
    ),
  };
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'] as const;

function parseRule(r: Reader, value: unknown, path: FieldPath): NamedRule {
  const o = r.obj(value, path, [
    'apiGroups',
    'apiVersions',
    'resources',
    'operations',
    'scope',
    'resourceNames',
  ]);
  const listWithStar = (key: string, what: string): string[] => {
    const p = [...path, key];
    const items = r.strList(o[key], p);
    if (items.length === 0) r.fail(p, 'Required value');
    if (items.includes('*') && items.length > 1)
      r.fail(p, `if '*' is present, must not specify other ${what}`);
    return items;
  };
  const apiGroups = listWithStar('apiGroups', 'API groups');
  const apiVersions = listWithStar('apiVersions', 'API versions');
  apiVersions.forEach((v, i) => {
    if (v === '') r.fail([...path, 'apiVersions', i], 'must not be empty');
  });
  const operations = listWithStar('operations', 'operations').map((op, i) =>
    r.oneOf(op, [...path, 'operations', i], OPERATIONS),
  );
  const resources = r.strList(o.resources, [...path, 'resources']);
  validateResources(r, resources, [...path, 'resources']);
  return {
    operations,
    apiGroups,
    apiVersions,
    resources,
    scope: r.oneOf(o.scope, [...path, 'scope'], ['Cluster', 'Namespaced', '*'] as const, '*'),
    resourceNames: r.strList(o.resourceNames, [...path, 'resourceNames']),
  };
}

/** validateResources in upstream validation.go: wildcards must not overlap other entries. */
function validateResources(r: Reader, resources: string[], path: FieldPath): void {
  if (resources.length === 0) r.fail(path, 'Required value');
  const resourcesWithWildcardSubresources = new Set<string>();
  const subResourcesWithWildcardResource = new Set<string>();
  let hasDoubleWildcard = false;
  let hasSingleWildcard = false;
  let hasResourceWithoutSubresource = false;
  resources.forEach((resSub, i) => {
    if (resSub === '') r.fail([...path, i], 'must not be empty');
    if (resSub === '*/*') hasDoubleWildcard = true;
    if (resSub === '*') hasSingleWildcard = true;
    const parts = resSub.split('/');
    if (parts.length > 2) r.fail([...path, i], 'must not have more than one slash');
    const [res, sub] = parts as [string, string | undefined];
    if (res === '' || sub === '') r.fail([...path, i], 'must not be empty on either side of the slash');
    if (sub === undefined) hasResourceWithoutSubresource = true;
    else if (sub === '*') resourcesWithWildcardSubresources.add(res);
    if (res === '*' && sub !== undefined) subResourcesWithWildcardResource.add(sub);
  });
  if (hasDoubleWildcard && resources.length > 1)
    r.fail(path, "if '*/*' is present, must not specify other resources");
  if (
    hasSingleWildcard &&
    hasResourceWithoutSubresource &&
    resources.filter((x) => !x.includes('/')).length > 1
  )
    r.fail(path, "if '*' is present, must not specify other resources without subresources");
  resources.forEach((resSub, i) => {
    const [res, sub] = resSub.split('/') as [string, string | undefined];
    if (sub !== undefined && sub !== '*' && resourcesWithWildcardSubresources.has(res))
      r.fail([...path, i], `if '${res}/*' is present, must not specify ${resSub}`);
    if (res !== '*' && sub !== undefined && subResourcesWithWildcardResource.has(sub))
      r.fail([...path, i], `if '*/${sub}' is present, must not specify ${resSub}`);
  });
}
