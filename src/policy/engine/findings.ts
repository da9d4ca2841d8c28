/**
 * Decision → Findings for CI. Each violation still in force becomes a finding on the resource at the line
 * of its field; violations an exception covers stay in the report as suppressed findings (as config
 * suppressions do), so reviewers see what is being let through and why.
 */
import type { CheckMeta, Finding, FrameworkMapping } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import { resourceRef, type Resource } from '../../k8s/resource.js';
import type { Decision, PolicyOutcome } from './evaluate.js';
import { parseFieldPath } from './pss-fields.js';
import type { PolicyAction, Violation } from './types.js';

function severityOf(v: Violation | undefined, actions: readonly PolicyAction[]): Severity {
  if (v?.severity) return v.severity;
  if (actions.includes('Deny')) return 'high';
  return actions.includes('Warn') ? 'medium' : 'low';
}

function frameworks(o: PolicyOutcome, control: string): FrameworkMapping[] {
  if (o.family !== 'pss') return [];
  const level = o.policy.split(':')[1] ?? 'restricted';
  return [{ framework: 'pss', id: `${level}/${control}` }];
}

function verb(actions: readonly PolicyAction[]): string {
  return actions.includes('Deny') ? 'denies' : actions.includes('Warn') ? 'warns' : 'audits';
}

/** Findings and the catalogue entries (SARIF rules / JUnit cases) of the checks they name. */
export function decisionFindings(
  resource: Resource,
  decision: Decision,
): { findings: Finding[]; rules: CheckMeta[] } {
  const findings: Finding[] = [];
  const rules = new Map<string, CheckMeta>();
  const ref = resourceRef(resource.object);
  const lineOf = (field: string | undefined): number => {
    if (!field) return resource.line;
    try {
      return resource.lineOf(parseFieldPath(field));
    } catch {
      return resource.line;
    }
  };
  const add = (
    o: PolicyOutcome,
    control: string,
    v: Violation | undefined,
    message: string,
    field?: string,
  ): Finding => {
    const checkId = `${o.policy}/${control}`;
    const severity = severityOf(v, o.actions);
    const title = `${o.policy}: ${control}`;
    if (!rules.has(checkId))
      rules.set(checkId, {
        id: checkId,
        title,
        severity,
        description: `Admission policy ${o.policy} (${o.family}) ${verb(o.actions)} requests that fail ${control}.`,
        remediation: `Change the resource to satisfy ${control}, or add a PolicyException with a reason and expiry.`,
        frameworks: frameworks(o, control),
        category: 'policy',
      });
    const f: Finding = {
      checkId,
      title,
      severity,
      message: field ? `${message} (${field})` : message,
      resource: ref,
      location: { file: resource.file, line: lineOf(field) },
      frameworks: frameworks(o, control),
      remediation: rules.get(checkId)?.remediation ?? '',
      suppressed: false,
    };
    findings.push(f);
    return f;
  };
  for (const o of decision.outcomes) {
    if (o.error !== undefined)
      add(o, 'evaluation-error', undefined, `policy could not be evaluated: ${o.error}`);
    for (const v of o.violations) add(o, v.control, v, v.message, v.field);
    for (const e of o.excused) {
      const f = add(o, e.violation.control, e.violation, e.violation.message, e.violation.field);
      f.suppressed = true;
      f.suppression = {
        source: 'config',
        reason: `PolicyException ${e.exception}: ${e.reason}`,
        expires: e.expires,
      };
    }
  }
  return { findings, rules: [...rules.values()] };
}
