import { activeChecks, MAX_POLICY_MINOR, type PssCheckId, type PssLevel } from './checks.js';

/** A policy version: `latest` or `v1.<minor>` (upstream api.ParseVersion accepts any minor). */
export type PssVersion = 'latest' | `v1.${number}`;

/** One control's outcome, as upstream `policy.CheckResult` plus the check it came from. */
export interface PssCheckResult {
  /** Upstream check ID: `privileged`, `hostNamespaces`, `capabilities_baseline`, `runAsNonRoot`, ... */
  id: PssCheckId;
  /** Level the check belongs to (a restricted evaluation also runs the non-overridden baseline checks). */
  level: 'baseline' | 'restricted';
  /** Name of the upstream variant that ran (e.g. `seccompProfileBaseline_1_0`), for traceability. */
  variant: string;
  allowed: boolean;
  forbiddenReason: string;
  forbiddenDetail: string;
}

const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;

/** Minor of a `v1.x` version, or undefined when it is neither `latest` nor `v1.x` (upstream regexp). */
export function parseVersionMinor(version: string): number | 'latest' | undefined {
  if (version === 'latest') return 'latest';
  const m = VERSION_RE.exec(version);
  if (!m || m[1] === undefined) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function isPssVersion(v: string): v is PssVersion {
  return parseVersionMinor(v) !== undefined;
}

export function isPssLevel(v: string): v is PssLevel {
  return v === 'privileged' || v === 'baseline' || v === 'restricted';
}

/**
 * The policy minor version the registry evaluates: `latest` and anything newer than the newest registered
 * check version are clamped to that version (registry.go EvaluatePod).
 */
export function resolvedMinor(version: PssVersion): number {
  const m = parseVersionMinor(version);
  if (m === undefined)
    throw new TypeError(`invalid Pod Security version "${version}": must be "latest" or "v1.x"`);
  return m === 'latest' ? MAX_POLICY_MINOR : Math.min(m, MAX_POLICY_MINOR);
}

/**
 * Evaluates a pod spec and its metadata against a Pod Security Standards level at a policy version, with
 * the semantics of k8s.io/pod-security-admission's Evaluator.EvaluatePod: one result per check in force,
 * baseline checks first. `privileged` evaluates nothing and returns an empty list. The inputs are plain
 * objects (a decoded PodSpec and ObjectMeta); they are not modified.
 */
export function evaluatePss(
  podSpec: Record<string, unknown>,
  podMeta: Record<string, unknown> | undefined,
  level: PssLevel,
  version: PssVersion,
): PssCheckResult[] {
  if (level === 'privileged') return [];
  if (!isPssLevel(level)) throw new TypeError(`invalid Pod Security level "${String(level)}"`);
  const meta = podMeta ?? {};
  const out: PssCheckResult[] = [];
  for (const check of activeChecks(level, resolvedMinor(version))) {
    const r = check.variant.checkPod(meta, podSpec);
    out.push({
      id: check.id,
      level: check.level,
      variant: check.variant.fnName,
      allowed: r.allowed,
      forbiddenReason: r.forbiddenReason,
      forbiddenDetail: r.forbiddenDetail,
    });
  }
  return out;
}

/** Upstream policy.AggregateCheckResult: overall verdict and the forbidden reasons/details in order. */
export interface PssAggregate {
  allowed: boolean;
  forbiddenReasons: string[];
  forbiddenDetails: string[];
}

export function aggregateResults(results: readonly PssCheckResult[]): PssAggregate {
  const agg: PssAggregate = { allowed: true, forbiddenReasons: [], forbiddenDetails: [] };
  for (const r of results) {
    if (r.allowed) continue;
    agg.allowed = false;
    agg.forbiddenReasons.push(r.forbiddenReason);
    agg.forbiddenDetails.push(r.forbiddenDetail);
  }
  return agg;
}

/** AggregateCheckResult.ForbiddenReason(): the forbidden reasons joined with `, `. */
export function aggregateForbiddenReason(results: readonly PssCheckResult[]): string {
  return aggregateResults(results).forbiddenReasons.join(', ');
}

/**
 * AggregateCheckResult.ForbiddenDetail(), the text admission messages carry:
 * `reason (detail), reason (detail), ...` (a reason without detail stands alone).
 */
export function aggregateForbiddenDetail(results: readonly PssCheckResult[]): string {
  const agg = aggregateResults(results);
  return agg.forbiddenReasons
    .map((reason, i) => {
      const detail = agg.forbiddenDetails[i] ?? '';
      return detail ? `${reason} (${detail})` : reason;
    })
    .join(', ');
}
