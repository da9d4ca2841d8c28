/** Identifies a resource collection (or one object of it) on the API server. */
export interface ResourceRef {
  /** API group; '' (or absent) for the core group served under /api. */
  group?: string;
  version: string;
  /** Plural resource name, e.g. `namespaces`, `validatingadmissionpolicies`. */
  resource: string;
  /** For namespaced resources: one namespace; absent lists across all namespaces. */
  namespace?: string;
  name?: string;
}

// Segments are DNS-1123 style names (or group names with dots); anything else could escape the intended
// path (`..`, `/`, `?`) so it is refused rather than encoded.
const SEGMENT = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i;
const NAME = /^[A-Za-z0-9]([A-Za-z0-9._:-]*[A-Za-z0-9])?$/;

/**
 * Builds the REST path of a collection or object:
 * `{version:'v1', resource:'namespaces'}` → `/api/v1/namespaces`;
 * `{group:'admissionregistration.k8s.io', version:'v1', resource:'validatingadmissionpolicies'}` →
 * `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies`.
 */
export function resourcePath(ref: ResourceRef): string {
  const check = (what: string, v: string, re: RegExp): string => {
    if (!re.test(v) || v.includes('..')) throw new Error(`invalid ${what} "${v}" for an API path`);
    return v;
  };
  const group = ref.group ?? '';
  let p =
    group === ''
      ? `/api/${check('version', ref.version, SEGMENT)}`
      : `/apis/${check('group', group, SEGMENT)}/${check('version', ref.version, SEGMENT)}`;
  if (ref.namespace !== undefined) p += `/namespaces/${check('namespace', ref.namespace, SEGMENT)}`;
  p += `/${check('resource', ref.resource, SEGMENT)}`;
  if (ref.name !== undefined) p += `/${check('name', ref.name, NAME)}`;
  return p;
}

/** The collections the admission webhook and posture scanning watch. */
export const PATHS = {
  namespaces: resourcePath({ version: 'v1', resource: 'namespaces' }),
  validatingAdmissionPolicies: resourcePath({
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'validatingadmissionpolicies',
  }),
  validatingAdmissionPolicyBindings: resourcePath({
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'validatingadmissionpolicybindings',
  }),
} as const;
