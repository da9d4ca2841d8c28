/**
 * Wire and engine types for the admission webhook (admission.k8s.io/v1, also accepted as v1beta1).
 * Field names follow the Kubernetes API exactly so a review can be read without translation.
 */

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionApiVersion = (typeof ADMISSION_API_VERSIONS)[number];

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
export const ADMISSION_OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** Any Kubernetes object as JSON (a Pod, a PodExecOptions for CONNECT, a DeleteOptions in `options`...). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** AdmissionRequest as sent by the API server. Only `uid`, `kind`, `resource` and `operation` are required. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  /** Empty for CREATE when the client asked for `generateName`. */
  name?: string;
  /** Empty for cluster-scoped objects. */
  namespace?: string;
  operation: AdmissionOperation;
  userInfo: AdmissionUserInfo;
  /** The new object; absent (null on the wire) for DELETE. For CONNECT it is the options object (PodExecOptions...). */
  object?: KubeObject;
  /** The existing object for UPDATE and DELETE. */
  oldObject?: KubeObject;
  /** True when the change will not be persisted (`kubectl --dry-run=server`); side effects must be skipped. */
  dryRun: boolean;
  /** CreateOptions, UpdateOptions, DeleteOptions... */
  options?: KubeObject;
}

/** One RFC 6902 JSON Patch operation. */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export type PolicyResultKind = 'pass' | 'fail' | 'warn' | 'error';

export interface PolicyResult {
  policy: string;
  result: PolicyResultKind;
  message?: string;
}

/** What the policy engine decided for one request. */
export interface AdmissionDecision {
  allowed: boolean;
  /** Shown to the user on denial. */
  message?: string;
  /** HTTP status code returned to the user on denial (default 403). */
  code?: number;
  /** Shown to the user as `Warning:` lines; capped to what the API server accepts. */
  warnings?: string[];
  /** Applied only by the /mutate endpoint and only when allowed. */
  patch?: JsonPatchOp[];
  /** Keys are prefixed by the API server with the webhook name. */
  auditAnnotations?: Record<string, string>;
  policyResults?: PolicyResult[];
}

export type EvaluateFn = (request: AdmissionRequest) => Promise<AdmissionDecision> | AdmissionDecision;

export type WebhookKind = 'validate' | 'mutate';

/** The `response` half of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: {
    metadata: Record<string, never>;
    status: 'Failure';
    code: number;
    reason: string;
    message: string;
  };
  patch?: string;
  patchType?: 'JSONPatch';
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export type LogLevel = 'info' | 'warn' | 'error';

/** One structured log record; the default logger writes it to stderr as one JSON line. */
export interface AdmissionLogEntry {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export type AdmissionLogger = (entry: AdmissionLogEntry) => void;
