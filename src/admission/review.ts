import {
  ADMISSION_API_VERSIONS,
  ADMISSION_OPERATIONS,
  type AdmissionApiVersion,
  type AdmissionDecision,
  type AdmissionOperation,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type GroupVersionKind,
  type GroupVersionResource,
  type KubeObject,
  type AdmissionUserInfo,
  type WebhookKind,
} from './types.js';

/** The API server accepts any number of warnings but recommends short ones; these are our caps. */
export const MAX_WARNINGS = 20;
export const MAX_WARNING_CHARS = 120;
/** Kubernetes' own JSON decoder allows 10000 levels; real objects (even CRDs) stay far below this. */
export const MAX_JSON_DEPTH = 1000;
export const DEFAULT_DENY_MESSAGE = 'denied by kubeward';
const MAX_MESSAGE_CHARS = 4096;
/** C0/C1 controls and the Unicode line separators: a warning must be one header-safe line. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A request the server refuses with an HTTP 4xx and a JSON `{ "error": message }` body. */
export class ReviewError extends Error {
  override readonly name = 'ReviewError';
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedReview {
  apiVersion: AdmissionApiVersion;
  request: AdmissionRequest;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Maximum nesting of `[`/`{` in JSON text, ignoring string contents. Stops early once `limit` is exceeded,
 * so a hostile 100k-deep body costs one linear scan and never reaches a recursive consumer. String bodies
 * (most of a Kubernetes object) are skipped with `indexOf` rather than walked character by character: this
 * runs on every admission request.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = closingQuote(text, i);
      if (i < 0) return false; // unterminated string: not JSON, JSON.parse rejects it
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Index of the `"` closing the string opened at `open`, or -1; a quote after an odd run of `\\` is escaped. */
function closingQuote(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  while (j > 0) {
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

function str(req: Json, key: string, required: boolean): string | undefined {
  const v = req[key];
  if (v === undefined || v === null) {
    if (required) throw new ReviewError(400, `AdmissionReview request.${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ReviewError(400, `AdmissionReview request.${key} must be a string`);
  return v;
}

function gvk(req: Json, key: string, required: boolean): GroupVersionKind | undefined {
  const v = req[key];
  if (v === undefined || v === null) {
    if (required) throw new ReviewError(400, `AdmissionReview request.${key} is required`);
    return undefined;
  }
  if (!isObject(v) || typeof v.version !== 'string' || typeof v.kind !== 'string')
    throw new ReviewError(400, `AdmissionReview request.${key} must be {group, version, kind}`);
  return { group: typeof v.group === 'string' ? v.group : '', version: v.version, kind: v.kind };
}

function gvr(req: Json, key: string, required: boolean): GroupVersionResource | undefined {
  const v = req[key];
  if (v === undefined || v === null) {
    if (required) throw new ReviewError(400, `AdmissionReview request.${key} is required`);
    return undefined;
  }
  if (!isObject(v) || typeof v.version !== 'string' || typeof v.resource !== 'string')
    throw new ReviewError(400, `AdmissionReview request.${key} must be {group, version, resource}`);
  return { group: typeof v.group === 'string' ? v.group : '', version: v.version, resource: v.resource };
}

function obj(req: Json, key: string): KubeObject | undefined {
  const v = req[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new ReviewError(400, `AdmissionReview request.${key} must be an object or null`);
  return v as KubeObject;
}

function userInfo(v: unknown): AdmissionUserInfo {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new ReviewError(400, 'AdmissionReview request.userInfo must be an object');
  const out: AdmissionUserInfo = {};
  if (typeof v.username === 'string') out.username = v.username;
  if (typeof v.uid === 'string') out.uid = v.uid;
  if (Array.isArray(v.groups)) out.groups = v.groups.filter((g): g is string => typeof g === 'string');
  if (isObject(v.extra)) {
    const extra: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const [k, vals] of Object.entries(v.extra)) {
      if (Array.isArray(vals)) extra[k] = vals.filter((x): x is string => typeof x === 'string');
    }
    out.extra = extra;
  }
  return out;
}

/**
 * Parses an AdmissionReview body. Throws ReviewError (400) for anything that is not a v1/v1beta1 review
 * with a request and uid. Objects are passed through as parsed (JSON.parse makes `__proto__` an own
 * property, never a prototype), DELETE keeps `object` absent, CONNECT and subresources are untouched.
 */
export function parseReview(body: string): ParsedReview {
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH))
    throw new ReviewError(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new ReviewError(
      400,
      `request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!isObject(doc)) throw new ReviewError(400, 'request body must be a JSON object (an AdmissionReview)');
  if (doc.kind !== 'AdmissionReview') throw new ReviewError(400, 'body kind must be "AdmissionReview"');
  const apiVersion = doc.apiVersion;
  if (typeof apiVersion !== 'string' || !(ADMISSION_API_VERSIONS as readonly string[]).includes(apiVersion))
    throw new ReviewError(
      400,
      `unsupported AdmissionReview apiVersion ${JSON.stringify(apiVersion ?? null).slice(0, 80)} (want ${ADMISSION_API_VERSIONS.join(' or ')})`,
    );
  const req = doc.request;
  if (!isObject(req)) throw new ReviewError(400, 'AdmissionReview has no request object');
  const uid = req.uid;
  if (typeof uid !== 'string' || uid === '')
    throw new ReviewError(400, 'AdmissionReview request.uid is missing');
  const operation = req.operation;
  if (typeof operation !== 'string' || !(ADMISSION_OPERATIONS as readonly string[]).includes(operation))
    throw new ReviewError(
      400,
      `AdmissionReview request.operation must be one of ${ADMISSION_OPERATIONS.join(', ')}`,
    );
  const dryRun = req.dryRun;
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean')
    throw new ReviewError(400, 'AdmissionReview request.dryRun must be a boolean');

  const request: AdmissionRequest = {
    uid,
    kind: gvk(req, 'kind', true) as GroupVersionKind,
    resource: gvr(req, 'resource', true) as GroupVersionResource,
    operation: operation as AdmissionOperation,
    userInfo: userInfo(req.userInfo),
    dryRun: dryRun === true,
  };
  const subResource = str(req, 'subResource', false);
  if (subResource !== undefined) request.subResource = subResource;
  const requestKind = gvk(req, 'requestKind', false);
  if (requestKind) request.requestKind = requestKind;
  const requestResource = gvr(req, 'requestResource', false);
  if (requestResource) request.requestResource = requestResource;
  const requestSubResource = str(req, 'requestSubResource', false);
  if (requestSubResource !== undefined) request.requestSubResource = requestSubResource;
  const name = str(req, 'name', false);
  if (name !== undefined) request.name = name;
  const namespace = str(req, 'namespace', false);
  if (namespace !== undefined) request.namespace = namespace;
  const object = obj(req, 'object');
  if (object) request.object = object;
  const oldObject = obj(req, 'oldObject');
  if (oldObject) request.oldObject = oldObject;
  const options = obj(req, 'options');
  if (options) request.options = options;
  return { apiVersion: apiVersion as AdmissionApiVersion, request };
}

/** One line, no control characters, at most MAX_WARNING_CHARS; at most MAX_WARNINGS entries. */
export function sanitizeWarnings(warnings: readonly unknown[] | undefined): string[] {
  if (!Array.isArray(warnings)) return [];
  const out: string[] = [];
  for (const w of warnings) {
    if (typeof w !== 'string') continue;
    let s = w.replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
    if (!s) continue;
    if (s.length > MAX_WARNING_CHARS) s = `${truncateChars(s, MAX_WARNING_CHARS - 3).trimEnd()}...`;
    out.push(s);
    if (out.length === MAX_WARNINGS) break;
  }
  return out;
}

/** Truncates by code points so a surrogate pair is never split. */
function truncateChars(s: string, max: number): string {
  let out = s.slice(0, max);
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  return out;
}

function sanitizeMessage(m: unknown): string {
  if (typeof m !== 'string' || !m.trim()) return DEFAULT_DENY_MESSAGE;
  return m.length > MAX_MESSAGE_CHARS ? `${truncateChars(m, MAX_MESSAGE_CHARS - 3)}...` : m;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** Qualified-name part of an annotation key (the API server adds `<webhook name>/`). */
const AUDIT_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export interface BuiltResponse {
  review: AdmissionReviewResponse;
  /** Things dropped from the decision, for the log. */
  notes: string[];
}

/** Builds the AdmissionReview reply for `decision`, echoing the request uid and apiVersion. */
export function buildResponse(
  parsed: ParsedReview,
  decision: AdmissionDecision,
  webhook: WebhookKind,
): BuiltResponse {
  const notes: string[] = [];
  const response: AdmissionResponse = { uid: parsed.request.uid, allowed: decision.allowed === true };
  if (!response.allowed) {
    const code =
      typeof decision.code === 'number' &&
      Number.isInteger(decision.code) &&
      decision.code >= 400 &&
      decision.code <= 599
        ? decision.code
        : 403;
    response.status = {
      metadata: {},
      status: 'Failure',
      code,
      reason: REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest'),
      message: sanitizeMessage(decision.message),
    };
  }
  const patch = decision.patch;
  if (Array.isArray(patch) && patch.length > 0) {
    if (webhook !== 'mutate') notes.push('patch ignored: validating webhooks cannot mutate');
    else if (!response.allowed) notes.push('patch ignored: request denied');
    else {
      response.patch = Buffer.from(JSON.stringify(patch), 'utf8').toString('base64');
      response.patchType = 'JSONPatch';
    }
  }
  const warnings = sanitizeWarnings(decision.warnings);
  if (warnings.length) response.warnings = warnings;
  if (Array.isArray(decision.warnings) && decision.warnings.length > MAX_WARNINGS)
    notes.push(`${decision.warnings.length - MAX_WARNINGS} warnings dropped (cap ${MAX_WARNINGS})`);
  if (isObject(decision.auditAnnotations)) {
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(decision.auditAnnotations)) {
      if (typeof v === 'string' && AUDIT_KEY.test(k)) annotations[k] = v;
      else notes.push(`audit annotation ${JSON.stringify(k).slice(0, 70)} dropped (invalid key or value)`);
    }
    if (Object.keys(annotations).length) response.auditAnnotations = annotations;
  }
  return { review: { apiVersion: parsed.apiVersion, kind: 'AdmissionReview', response }, notes };
}
