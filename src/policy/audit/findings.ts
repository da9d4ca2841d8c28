/**
 * Audit results → the shared Finding model (through the same `decisionFindings` as `policy test`), the
 * passes a PolicyReport lists beside them, and per-policy counts for /metrics and the pass log line.
 * Cluster objects have no source file: a finding's location is the object's API path, line 1.
 */
import type { CheckMeta, Finding, ResourceRef } from '../../core/finding.js';
import { resourcePath } from '../../k8s/client/paths.js';
import { resourceRef, type KubeObject, type Resource } from '../../k8s/resource.js';
import { decisionFindings, resourceOfKind, splitApiVersion } from '../engine/index.js';
import type { AuditResult } from './audit.js';

/** A policy that judged an object and found nothing (PolicyReport `pass` results). */
export interface AuditPass {
  policy: string;
  resource: ResourceRef;
}

export interface AuditReport {
  findings: Finding[];
  rules: CheckMeta[];
  passes: AuditPass[];
  /** Per policy: objects with violations in force (fail or warn), and objects it judged. */
  policies: Map<string, { violating: number; evaluated: number; errors: number }>;
}

/** `/apis/apps/v1/namespaces/team/deployments/web`, or the kind/name when a segment is unusual. */
export function apiPathOf(o: KubeObject): string {
  const { group, version } = splitApiVersion(o.apiVersion);
  try {
    return resourcePath({
      group,
      version,
      resource: resourceOfKind(o.kind),
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      name: o.metadata.name ?? '',
    });
  } catch {
    return `${o.kind}/${o.metadata.name ?? '<unnamed>'}`;
  }
}

export function auditReport(result: AuditResult): AuditReport {
  const findings: Finding[] = [];
  const rules = new Map<string, CheckMeta>();
  const passes: AuditPass[] = [];
  const policies: AuditReport['policies'] = new Map();
  for (const { object, decision } of result.objects) {
    const resource: Resource = { object, file: apiPathOf(object), line: 1, lineOf: () => 1 };
    const out = decisionFindings(resource, decision);
    findings.push(...out.findings);
    for (const r of out.rules) rules.set(r.id, r);
    for (const o of decision.outcomes) {
      const p = policies.get(o.policy) ?? { violating: 0, evaluated: 0, errors: 0 };
      p.evaluated++;
      if (o.violations.length > 0) p.violating++;
      if (o.result === 'error') p.errors++;
      policies.set(o.policy, p);
      if (o.result === 'pass') passes.push({ policy: o.policy, resource: resourceRef(object) });
    }
  }
  return { findings, rules: [...rules.values()], passes, policies };
}
