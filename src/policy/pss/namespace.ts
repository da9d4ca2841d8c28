import type { PssLevel } from './checks.js';
import {
  aggregateForbiddenDetail,
  isPssLevel,
  parseVersionMinor,
  type PssCheckResult,
  type PssVersion,
} from './evaluate.js';

/** Namespace labels read by pod-security-admission (api/constants.go). */
export const PSS_LABELS = {
  enforce: 'pod-security.kubernetes.io/enforce',
  enforceVersion: 'pod-security.kubernetes.io/enforce-version',
  audit: 'pod-security.kubernetes.io/audit',
  auditVersion: 'pod-security.kubernetes.io/audit-version',
  warn: 'pod-security.kubernetes.io/warn',
  warnVersion: 'pod-security.kubernetes.io/warn-version',
} as const;

/** Audit annotations pod-security-admission adds (api/constants.go). */
export const PSS_AUDIT_ANNOTATIONS = {
  enforcePolicy: 'pod-security.kubernetes.io/enforce-policy',
  auditViolations: 'pod-security.kubernetes.io/audit-violations',
  exempt: 'pod-security.kubernetes.io/exempt',
} as const;

/** upstream api.LevelVersion */
export interface PssLevelVersion {
  level: PssLevel;
  version: PssVersion;
}

/** upstream api.Policy */
export interface PssPolicy {
  enforce: PssLevelVersion;
  warn: PssLevelVersion;
  audit: PssLevelVersion;
}

export interface PssNamespacePolicy extends PssPolicy {
  /**
   * Label problems, worded as upstream's field.ErrorList entries, e.g.
   * `metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "foo": must be one of privileged, baseline, restricted`.
   * The policy is still valid when errors are reported (fallback values are used).
   */
  errors: string[];
}

/** The admission plugin's defaults when its configuration sets none: privileged:latest for all modes. */
export const DEFAULT_PSS_POLICY: PssPolicy = Object.freeze({
  enforce: Object.freeze({ level: 'privileged', version: 'latest' }),
  warn: Object.freeze({ level: 'privileged', version: 'latest' }),
  audit: Object.freeze({ level: 'privileged', version: 'latest' }),
}) as PssPolicy;

const LEVEL_ERROR = 'must be one of privileged, baseline, restricted';
const VERSION_ERROR = 'must be "latest" or "v1.x"';

function invalid(label: string, value: string, detail: string): string {
  return `metadata.labels[${label}]: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

/**
 * Resolves a namespace's Pod Security labels to the policy to evaluate, as upstream api.PolicyToEvaluate:
 * - an unset label keeps the default for that mode and field;
 * - an invalid level falls back to `restricted` for enforce and to `privileged` for audit and warn
 *   (fail closed for enforce, open for the others);
 * - an invalid version falls back to `latest`.
 */
export function pssFromNamespaceLabels(
  labels: Readonly<Record<string, string>> | undefined,
  defaults: PssPolicy = DEFAULT_PSS_POLICY,
): PssNamespacePolicy {
  const p: PssNamespacePolicy = {
    enforce: { ...defaults.enforce },
    warn: { ...defaults.warn },
    audit: { ...defaults.audit },
    errors: [],
  };
  if (!labels) return p;
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(labels, k);
  const level = (label: string, mode: 'enforce' | 'audit' | 'warn'): void => {
    if (!has(label)) return;
    const value = String(labels[label]);
    if (isPssLevel(value)) {
      p[mode].level = value;
    } else {
      p[mode].level = mode === 'enforce' ? 'restricted' : 'privileged';
      p.errors.push(invalid(label, value, LEVEL_ERROR));
    }
  };
  const version = (label: string, mode: 'enforce' | 'audit' | 'warn'): void => {
    if (!has(label)) return;
    const value = String(labels[label]);
    if (parseVersionMinor(value) !== undefined) {
      p[mode].version = value as PssVersion;
    } else {
      p[mode].version = 'latest';
      p.errors.push(invalid(label, value, VERSION_ERROR));
    }
  };
  // Same order as upstream, so errors come out in the same order.
  level(PSS_LABELS.enforce, 'enforce');
  version(PSS_LABELS.enforceVersion, 'enforce');
  level(PSS_LABELS.audit, 'audit');
  version(PSS_LABELS.auditVersion, 'audit');
  level(PSS_LABELS.warn, 'warn');
  version(PSS_LABELS.warnVersion, 'warn');
  return p;
}

/** api.LevelVersion.String(): `restricted:latest`, `baseline:v1.25`. */
export function levelVersionString(lv: PssLevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

/**
 * The denial message of the enforce mode: `violates PodSecurity "restricted:latest": allowPrivilegeEscalation
 * != false (container "x" must set securityContext.allowPrivilegeEscalation=false), ...`. Undefined when
 * every check allowed the pod. The API server prefixes it with `pods "<name>" is forbidden: `.
 */
export function pssDenialMessage(
  lv: PssLevelVersion,
  results: readonly PssCheckResult[],
): string | undefined {
  if (results.every((r) => r.allowed)) return undefined;
  return `violates PodSecurity ${JSON.stringify(levelVersionString(lv))}: ${aggregateForbiddenDetail(results)}`;
}

/**
 * The warning (warn mode, and every mode for workload resources) and audit-annotation message:
 * `would violate PodSecurity "restricted:latest": ...`. Undefined when every check allowed the pod.
 */
export function pssWarningMessage(
  lv: PssLevelVersion,
  results: readonly PssCheckResult[],
): string | undefined {
  if (results.every((r) => r.allowed)) return undefined;
  return `would violate PodSecurity ${JSON.stringify(levelVersionString(lv))}: ${aggregateForbiddenDetail(results)}`;
}

/** The full API error text for a denied pod: `pods "name" is forbidden: violates PodSecurity ...`. */
export function pssForbiddenError(podName: string, denial: string): string {
  return `pods ${JSON.stringify(podName)} is forbidden: ${denial}`;
}
