/**
 * PolicyException (`kubeward.io/v1alpha1`): a reasoned, expiring hole in one or more policies for the
 * requests it scopes. Parsed once when policies load; matched per violation on the hot path with
 * pre-compiled globs. An expired exception no longer applies; the core reports it when it would have
 * matched, so the user sees why a request that used to pass is now denied.
 */
import picomatch from 'picomatch';
import type { AdmissionRequest } from '../../admission/types.js';
import { UserError } from '../../core/errors.js';
import { compileLabelSelector, LabelSelectorError, type Selector } from '../../k8s/label-selector.js';
import type { Violation } from './types.js';

export const EXCEPTION_API_VERSION = 'kubeward.io/v1alpha1';
export const EXCEPTION_KIND = 'PolicyException';

type Matcher = (value: string) => boolean;

/** A compiled exception. `source` names where it was written, for messages. */
export interface PolicyException {
  name: string;
  reason: string;
  /** Last instant the exception applies (an ISO date applies through the end of that day, UTC). */
  expiresAt: number;
  /** As written, for messages. */
  expires: string;
  source?: { file: string; line: number };
  policies: Matcher;
  controls?: Matcher;
  namespaces?: Matcher;
  names?: Matcher;
  images?: Matcher;
  /** Label selector over the object's labels (matchLabels and matchExpressions). */
  selector?: Selector;
}

/** Where a spec field sits, so a malformed exception is reported at its line. */
export type LineOf = (path: readonly (string | number)[]) => number;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function globList(
  spec: Record<string, unknown>,
  key: string,
  path: readonly (string | number)[],
  fail: (msg: string, path: readonly (string | number)[]) => never,
): Matcher | undefined {
  const v = spec[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s.length > 0))
    fail(`${[...path, key].join('.')} must be a non-empty list of non-empty strings (globs)`, [...path, key]);
  // One compiled matcher per list: the hot path tests a string once, not once per pattern.
  return picomatch(v as string[], { dot: true });
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Parses an expiry: `YYYY-MM-DD` (through the end of that day, UTC) or an RFC 3339 timestamp. */
export function parseExpiry(value: string): number | undefined {
  if (DATE_ONLY.test(value)) {
    const t = Date.parse(`${value}T23:59:59.999Z`);
    return Number.isNaN(t) ? undefined : t;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Compiles a PolicyException object. Throws a UserError naming `file:line` for anything malformed: a
 * missing reason or expiry is an error, not a default, because an exception nobody can explain or that
 * never ends is exactly what the required fields are there to prevent.
 */
export function parseException(
  object: Record<string, unknown>,
  file: string,
  lineOf: LineOf,
): PolicyException {
  const fail = (msg: string, path: readonly (string | number)[]): never => {
    throw new UserError(`PolicyException: ${msg}`, { file, line: lineOf(path) });
  };
  if (object.apiVersion !== EXCEPTION_API_VERSION)
    fail(`apiVersion must be ${EXCEPTION_API_VERSION}`, ['apiVersion']);
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const name =
    typeof meta.name === 'string' && meta.name ? meta.name : fail('metadata.name is required', ['metadata']);
  const spec = isRecord(object.spec) ? object.spec : fail(`${name}: spec is required`, []);
  const reason = spec.reason;
  if (typeof reason !== 'string' || !reason.trim()) fail(`${name}: spec.reason is required`, ['spec']);
  const expires = spec.expires;
  if (typeof expires !== 'string')
    fail(`${name}: spec.expires is required (YYYY-MM-DD or RFC 3339)`, ['spec']);
  const expiresAt = parseExpiry(expires as string);
  if (expiresAt === undefined)
    fail(`${name}: spec.expires ${JSON.stringify(expires)} is not YYYY-MM-DD or RFC 3339`, [
      'spec',
      'expires',
    ]);
  const policies = globList(spec, 'policies', ['spec'], fail);
  if (!policies) fail(`${name}: spec.policies is required (globs over policy names, e.g. "pss:*")`, ['spec']);
  const ex: PolicyException = {
    name,
    reason: reason as string,
    expires: expires as string,
    expiresAt: expiresAt as number,
    source: { file, line: lineOf([]) },
    policies: policies as Matcher,
  };
  const controls = globList(spec, 'controls', ['spec'], fail);
  if (controls) ex.controls = controls;
  const match = spec.match;
  if (match !== undefined && match !== null) {
    if (!isRecord(match)) fail(`${name}: spec.match must be a mapping`, ['spec', 'match']);
    const m = match as Record<string, unknown>;
    const known = new Set(['namespaces', 'names', 'images', 'selector']);
    for (const k of Object.keys(m))
      if (!known.has(k)) fail(`${name}: unknown field spec.match.${k}`, ['spec', 'match', k]);
    const namespaces = globList(m, 'namespaces', ['spec', 'match'], fail);
    if (namespaces) ex.namespaces = namespaces;
    const names = globList(m, 'names', ['spec', 'match'], fail);
    if (names) ex.names = names;
    const images = globList(m, 'images', ['spec', 'match'], fail);
    if (images) ex.images = images;
    const selector = m.selector;
    if (selector !== undefined && selector !== null) {
      const at = ['spec', 'match', 'selector'];
      try {
        ex.selector = compileLabelSelector(selector);
      } catch (e) {
        if (!(e instanceof LabelSelectorError)) throw e;
        fail(`${name}: spec.match.selector: ${e.message}`, at);
      }
    }
  }
  return ex;
}

/** What an exception is matched against, computed once per request. */
export interface RequestScope {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export function requestScope(request: AdmissionRequest): RequestScope {
  const obj = request.object ?? request.oldObject;
  const meta = isRecord(obj?.metadata) ? obj.metadata : {};
  const labels = isRecord(meta.labels) ? (meta.labels as Record<string, string>) : {};
  // CREATE with generateName has no name yet: the prefix is what a `names` glob can match.
  const name =
    request.name ||
    (typeof meta.name === 'string' ? meta.name : '') ||
    (typeof meta.generateName === 'string' ? meta.generateName : '');
  return { namespace: request.namespace ?? '', name, labels };
}

/** True when `ex` covers this violation of `policy` for the request (expiry is checked separately). */
export function exceptionMatches(
  ex: PolicyException,
  policy: string,
  violation: Violation,
  scope: RequestScope,
): boolean {
  if (!ex.policies(policy)) return false;
  if (ex.controls && !ex.controls(violation.control)) return false;
  if (ex.namespaces && !ex.namespaces(scope.namespace)) return false;
  if (ex.names && !ex.names(scope.name)) return false;
  if (ex.images && !(violation.image !== undefined && ex.images(violation.image))) return false;
  if (ex.selector && !ex.selector.matches(scope.labels)) return false;
  return true;
}

export function exceptionActive(ex: PolicyException, now: Date): boolean {
  return now.getTime() <= ex.expiresAt;
}
