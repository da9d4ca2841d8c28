/**
 * Parsed, validated and compiled ValidatingAdmissionPolicy (VAP) and ValidatingAdmissionPolicyBinding
 * objects (admissionregistration.k8s.io/v1, v1beta1). Everything here is produced once at load time by
 * `parse.ts`; evaluation never re-reads the raw objects.
 */
import type { AdmissionOperation, KubeObject } from '../../admission/types.js';
import type { Selector } from '../../k8s/label-selector.js';
import type { CelProgram } from '../cel/index.js';
import type { PolicyAction } from '../engine/types.js';

export type FailurePolicy = 'Fail' | 'Ignore';
export type MatchPolicy = 'Exact' | 'Equivalent';
export type RuleScope = 'Cluster' | 'Namespaced' | '*';
export type ParameterNotFoundAction = 'Allow' | 'Deny';

/** NamedRuleWithOperations. `*` entries are kept as given; matching interprets them. */
export interface NamedRule {
  operations: readonly (AdmissionOperation | '*')[];
  apiGroups: readonly string[];
  apiVersions: readonly string[];
  /** `pods`, `pods/status`, `pods/*`, `*`, `*\/scale`. */
  resources: readonly string[];
  scope: RuleScope;
  /** Empty: every name. */
  resourceNames: readonly string[];
}

/** MatchResources with selectors compiled (absent selectors are the empty selector, as upstream defaults). */
export interface MatchResources {
  namespaceSelector: Selector;
  objectSelector: Selector;
  resourceRules: readonly NamedRule[];
  excludeResourceRules: readonly NamedRule[];
  matchPolicy: MatchPolicy;
}

export interface CompiledMatchCondition {
  name: string;
  program: CelProgram;
}

export interface CompiledVariable {
  name: string;
  program: CelProgram;
}

export interface CompiledValidation {
  /** Index in spec.validations, for `validations[i]` controls and audit annotations. */
  index: number;
  expression: string;
  program: CelProgram;
  message?: string;
  messageProgram?: CelProgram;
  /** Unset means upstream's default, `Invalid`. */
  reason?: string;
}

export interface CompiledAuditAnnotation {
  key: string;
  valueExpression: string;
  program: CelProgram;
}

/** Where an object came from, for error messages and CI findings. */
export interface VapOrigin {
  file?: string;
  /** 1-based line where the object starts. */
  line?: number;
}

export interface VapPolicy {
  name: string;
  apiVersion: string;
  failurePolicy: FailurePolicy;
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints: MatchResources;
  matchConditions: readonly CompiledMatchCondition[];
  variables: readonly CompiledVariable[];
  validations: readonly CompiledValidation[];
  auditAnnotations: readonly CompiledAuditAnnotation[];
  origin: VapOrigin;
}

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: Selector;
  parameterNotFoundAction: ParameterNotFoundAction;
}

export interface VapBinding {
  name: string;
  apiVersion: string;
  policyName: string;
  paramRef?: ParamRef;
  /** Absent: the binding matches everything the policy matches. */
  matchResources?: MatchResources;
  validationActions: readonly PolicyAction[];
  origin: VapOrigin;
}

/**
 * Source of parameter objects: every object of `apiVersion`/`kind` that is cluster-scoped or lives in
 * `namespace`. `namespace` is undefined when the request is cluster-scoped and the binding names none; a
 * provider then returns only cluster-scoped objects. Objects are filtered again by the caller (name,
 * selector, namespace), so a provider may return more than asked. May throw (cluster unreachable): the
 * binding then fails with its policy's failurePolicy.
 */
export type ParamsProvider = (apiVersion: string, kind: string, namespace?: string) => readonly KubeObject[];
