/**
 * Pod Security Standards as a policy family. The level comes from the namespace's
 * `pod-security.kubernetes.io/*` labels (ctx.namespaceLabels), falling back to the configured default
 * (`--pss LEVEL[:VERSION]`) for labels that are unset or namespaces that are unknown, as upstream's
 * PolicyToEvaluate does with its configured defaults.
 *
 * Upstream pod-security-admission only *warns* (and audits) on workload resources; their pods are denied
 * later, which users see as a ReplicaSet that never scales. `enforceWorkloads: true` denies the workload
 * itself instead; `kubeward policy test` uses it so CI rejects what the cluster would eventually reject.
 */
import { UserError } from '../../core/errors.js';
import type { AdmissionRequest, KubeObject } from '../../admission/types.js';
import {
  evaluatePss,
  isPssLevel,
  isPssVersion,
  levelVersionString,
  podSpecOf,
  pssFromNamespaceLabels,
  PSS_WORKLOAD_KINDS,
  type PssLevelVersion,
  type PssPolicy,
} from '../pss/index.js';
import { podSpecPrefix, pssFieldInSpec } from './pss-fields.js';
import type { PolicyAction, PolicyContext, PolicyEvaluation, PolicyFamily, Violation } from './types.js';

export interface PssFamilyOptions {
  /** Level for namespaces without labels (or unknown namespaces). Default privileged (nothing enforced). */
  defaultLevel?: PssLevelVersion;
  /** Deny workloads (Deployment, CronJob, ...) whose pod template violates the enforce level. Default false. */
  enforceWorkloads?: boolean;
}

/** Parses `LEVEL[:VERSION]` (`restricted`, `baseline:v1.29`); a bad value is a UserError naming `flag`. */
export function parsePssLevel(value: string, flag = '--pss'): PssLevelVersion {
  const [level = '', version = 'latest', ...rest] = value.split(':');
  if (!isPssLevel(level) || rest.length > 0)
    throw new UserError(
      `${flag}: "${value}" must be LEVEL[:VERSION] with LEVEL privileged, baseline or restricted`,
    );
  if (!isPssVersion(version)) throw new UserError(`${flag}: version "${version}" must be "latest" or "v1.x"`);
  return { level, version };
}

/** Policy name: `pss:restricted` at latest, `pss:restricted:v1.29` at a pinned version. */
export function pssPolicyName(lv: PssLevelVersion): string {
  return lv.version === 'latest' ? `pss:${lv.level}` : `pss:${lv.level}:${lv.version}`;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/**
 * Upstream isSignificantPodUpdate: a pod update that only changes images or metadata (labels,
 * annotations other than the legacy seccomp/AppArmor ones) is not re-evaluated, so an old pod can be
 * relabelled even after the namespace tightened its level.
 */
function significantPodUpdate(obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return true;
  const spec = rec(obj.spec);
  const oldSpec = rec(old.spec);
  if (!spec || !oldSpec) return true;
  const normalise = (s: Record<string, unknown>): string =>
    JSON.stringify(s, (key, value: unknown) => (key === 'image' ? undefined : value));
  if (normalise(spec) !== normalise(oldSpec)) return true;
  const ann = (o: KubeObject): string => {
    const a = rec(rec(o.metadata)?.annotations) ?? {};
    return JSON.stringify(
      Object.entries(a)
        .filter(
          ([k]) =>
            k.startsWith('seccomp.security.alpha.kubernetes.io/') ||
            k.startsWith('container.apparmor.security.beta.kubernetes.io/'),
        )
        .sort(),
    );
  };
  return ann(obj) !== ann(old);
}

/** Which requests PSS judges: pods and pod-template workloads, CREATE/UPDATE, no subresource except ephemeral containers. */
function judged(request: AdmissionRequest): KubeObject | undefined {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return undefined;
  const object = request.object;
  if (!object) return undefined;
  const kind = typeof object.kind === 'string' && object.kind ? object.kind : request.kind.kind;
  if (!PSS_WORKLOAD_KINDS.includes(kind)) return undefined;
  const sub = request.subResource ?? '';
  if (kind === 'Pod') {
    if (sub !== '' && sub !== 'ephemeralcontainers') return undefined;
    if (request.operation === 'UPDATE' && sub === '' && !significantPodUpdate(object, request.oldObject))
      return undefined;
  } else if (sub !== '') return undefined;
  return object.kind === kind ? object : { ...object, kind };
}

export function createPssFamily(options: PssFamilyOptions = {}): PolicyFamily {
  const dflt = options.defaultLevel ?? { level: 'privileged', version: 'latest' };
  const defaults: PssPolicy = { enforce: dflt, warn: dflt, audit: dflt };
  const enforceWorkloads = options.enforceWorkloads === true;
  return {
    family: 'pss',
    evaluate(request: AdmissionRequest, ctx: PolicyContext): PolicyEvaluation[] {
      const object = judged(request);
      if (!object) return [];
      const extracted = podSpecOf(object);
      if (!extracted) return [];
      const kind = object.kind as string;
      const labels = request.namespace ? ctx.namespaceLabels?.(request.namespace) : undefined;
      const policy = pssFromNamespaceLabels(labels, defaults);
      const isPod = kind === 'Pod';
      // Group the three modes by level:version: one evaluation per distinct policy, with every action it has.
      const groups = new Map<string, { lv: PssLevelVersion; actions: Set<PolicyAction> }>();
      const add = (lv: PssLevelVersion, action: PolicyAction): void => {
        if (lv.level === 'privileged') return;
        const key = levelVersionString(lv);
        const g = groups.get(key) ?? { lv, actions: new Set<PolicyAction>() };
        g.actions.add(action);
        groups.set(key, g);
      };
      add(policy.enforce, isPod || enforceWorkloads ? 'Deny' : 'Warn');
      add(policy.warn, 'Warn');
      add(policy.audit, 'Audit');
      const prefix = podSpecPrefix(kind);
      const out: PolicyEvaluation[] = [];
      for (const { lv, actions } of groups.values()) {
        const violations: Violation[] = [];
        for (const r of evaluatePss(extracted.podSpec, extracted.podMeta, lv.level, lv.version)) {
          if (r.allowed) continue;
          const v: Violation = {
            control: r.id,
            message: r.forbiddenDetail ? `${r.forbiddenReason} (${r.forbiddenDetail})` : r.forbiddenReason,
          };
          const field = pssFieldInSpec(r.id, r.forbiddenDetail, extracted.podSpec);
          if (field) v.field = `${prefix}.${field}`;
          violations.push(v);
        }
        const ev: PolicyEvaluation = {
          policy: pssPolicyName(lv),
          family: 'pss',
          violations,
          actions: [...actions],
        };
        out.push(ev);
      }
      if (policy.errors.length && out[0]) out[0].warnings = [...policy.errors];
      return out;
    },
  };
}
