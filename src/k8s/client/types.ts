/** The subset of ObjectMeta the client and informers rely on; everything else passes through untouched. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** Any Kubernetes object as decoded from JSON. Typed views are the caller's business. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A `kind: Status` object, as the API server sends for failures and in watch ERROR events. */
export interface KubeStatus {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  /** Machine-readable cause, e.g. `Expired`, `Gone`, `Unauthorized`, `Forbidden`. */
  reason?: string;
  code?: number;
  details?: unknown;
}

/** A failed API call: the HTTP status and, when the body was a Status object, its reason and message. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
    readonly body?: KubeStatus,
  ) {
    super(message);
  }
}

/** Narrowing helper shared by the parsers: a plain JSON object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a Status object out of decoded JSON, keeping only well-typed fields. */
export function toStatus(v: unknown): KubeStatus | undefined {
  if (!isRecord(v) || v.kind !== 'Status') return undefined;
  const s: KubeStatus = { kind: 'Status' };
  if (typeof v.apiVersion === 'string') s.apiVersion = v.apiVersion;
  if (typeof v.status === 'string') s.status = v.status;
  if (typeof v.message === 'string') s.message = v.message;
  if (typeof v.reason === 'string') s.reason = v.reason;
  if (typeof v.code === 'number') s.code = v.code;
  if (v.details !== undefined) s.details = v.details;
  return s;
}
