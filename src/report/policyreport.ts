/**
 * Findings as Kubernetes PolicyReport objects (wgpolicyk8s.io/v1alpha2, the Policy Report API of the
 * Kubernetes Policy WG that Kyverno, Trivy Operator and Policy Reporter read): one PolicyReport per
 * namespace and one ClusterPolicyReport for cluster-scoped resources, as a YAML stream for `kubectl apply`.
 *
 * A checkId `policy/control` gives `policy` and `rule` (split at the last `/`). Results: a suppressed
 * finding is `skip`, an `evaluation-error` control is `error`, high/critical is `fail` (the policy denies),
 * anything lower is `warn` (the API's "requirements not met, not scored"). Passes are listed only when the
 * caller knows them (the cluster audit does); findings alone cannot say what passed.
 */
import { stringify } from 'yaml';
import type { Finding, ResourceRef } from '../core/finding.js';
import type { Severity } from '../core/severity.js';
import type { Report } from './report.js';

export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
export const POLICY_REPORT_SOURCE = 'kubeward';

export type PolicyReportResultKind = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

/** corev1.ObjectReference, as the `resources` of a result. */
export interface PolicyReportResource {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface PolicyReportResult {
  source: string;
  policy: string;
  rule?: string;
  category?: string;
  severity?: Severity;
  /** metav1.Timestamp. */
  timestamp: { seconds: number; nanos: number };
  result: PolicyReportResultKind;
  scored: boolean;
  resources: PolicyReportResource[];
  message?: string;
  properties?: Record<string, string>;
}

export interface PolicyReportSummary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

export interface PolicyReportObject {
  apiVersion: typeof POLICY_REPORT_API_VERSION;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: PolicyReportSummary;
  results: PolicyReportResult[];
}

export interface PolicyReportOptions {
  /** Timestamp of every result (default now). */
  now?: Date;
  /** Policies that judged a resource and passed. */
  passes?: ReadonlyArray<{ policy: string; resource: ResourceRef }>;
}

const SCOPE_NAME = 'kubeward-policy-report';
const CLUSTER_NAME = 'kubeward-cluster-policy-report';

function resultOf(f: Finding, rule: string | undefined): PolicyReportResultKind {
  if (f.suppressed) return 'skip';
  if (rule === 'evaluation-error') return 'error';
  return f.severity === 'critical' || f.severity === 'high' ? 'fail' : 'warn';
}

function splitCheck(checkId: string): { policy: string; rule?: string } {
  const i = checkId.lastIndexOf('/');
  return i <= 0 ? { policy: checkId } : { policy: checkId.slice(0, i), rule: checkId.slice(i + 1) };
}

function objectRef(r: ResourceRef): PolicyReportResource {
  const ref: PolicyReportResource = { apiVersion: r.apiVersion, kind: r.kind, name: r.name };
  if (r.namespace) ref.namespace = r.namespace;
  return ref;
}

/** The PolicyReports of a report: namespaces in name order, the ClusterPolicyReport (if any) last. */
export function policyReports(report: Report, opts: PolicyReportOptions = {}): PolicyReportObject[] {
  const now = opts.now ?? new Date();
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const categories = new Map(report.rules.map((r) => [r.id, r.category]));
  const byScope = new Map<string, PolicyReportResult[]>();
  const add = (namespace: string | undefined, r: PolicyReportResult): void => {
    const key = namespace ?? '';
    const list = byScope.get(key) ?? [];
    list.push(r);
    byScope.set(key, list);
  };
  for (const f of report.findings) {
    const { policy, rule } = splitCheck(f.checkId);
    const result = resultOf(f, rule);
    const r: PolicyReportResult = {
      source: POLICY_REPORT_SOURCE,
      policy,
      ...(rule ? { rule } : {}),
      ...(categories.get(f.checkId) ? { category: categories.get(f.checkId) as string } : {}),
      severity: f.severity,
      timestamp,
      result,
      scored: result === 'fail' || result === 'error',
      resources: [objectRef(f.resource)],
      message: f.message,
    };
    if (f.suppression) r.properties = { suppressed: f.suppression.reason };
    add(f.resource.namespace, r);
  }
  for (const p of opts.passes ?? [])
    add(p.resource.namespace, {
      source: POLICY_REPORT_SOURCE,
      policy: p.policy,
      timestamp,
      result: 'pass',
      scored: true,
      resources: [objectRef(p.resource)],
    });

  const scopes = [...byScope.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  return scopes.map((ns) => {
    const results = byScope.get(ns) ?? [];
    const summary: PolicyReportSummary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const r of results) summary[r.result]++;
    const labels = { 'app.kubernetes.io/managed-by': POLICY_REPORT_SOURCE };
    return ns === ''
      ? {
          apiVersion: POLICY_REPORT_API_VERSION,
          kind: 'ClusterPolicyReport',
          metadata: { name: CLUSTER_NAME, labels },
          summary,
          results,
        }
      : {
          apiVersion: POLICY_REPORT_API_VERSION,
          kind: 'PolicyReport',
          metadata: { name: SCOPE_NAME, namespace: ns, labels },
          summary,
          results,
        };
  });
}

/** A YAML stream (`---` between documents) for `kubectl apply -f -`; empty when there is nothing to report. */
export function renderPolicyReport(report: Report, opts: PolicyReportOptions = {}): string {
  return policyReports(report, opts)
    .map((o) => `---\n${stringify(o, { lineWidth: 0 })}`)
    .join('');
}
