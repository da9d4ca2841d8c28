import type { Finding } from '../core/finding.js';
import type { ScanWarning } from '../core/errors.js';
import type { KubewardConfig } from '../core/config.js';
import { applySuppressionRules } from '../core/suppress.js';
import { resourceRef, type Resource } from '../k8s/resource.js';
import { findPodSpecs } from '../k8s/pod-spec.js';
import type { Check, CheckContext, Hit } from './check.js';

export const IGNORE_ANNOTATION = 'kubeward.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'kubeward.io/ignore-reason';

export interface ManifestScanOptions {
  config: KubewardConfig;
  checks: readonly Check[];
  /** Injected for deterministic expiry handling in tests. */
  now?: Date;
}

export interface ManifestScanResult {
  findings: Finding[];
  warnings: ScanWarning[];
  resourceCount: number;
}

/** Runs every enabled check over the resources and returns findings (suppressed ones included). */
export function scanResources(resources: readonly Resource[], opts: ManifestScanOptions): ManifestScanResult {
  const { config } = opts;
  const disabled = new Set(config.checks?.disabled ?? []);
  const overrides = config.checks?.severity ?? {};
  const checks = opts.checks.filter((c) => !disabled.has(c.id));
  const ctx: CheckContext = { config, resources };
  const podChecks = checks.filter((c) => c.scope === 'pod');
  const byKind = new Map<string, Check[]>();
  for (const c of checks) {
    if (c.scope !== 'resource') continue;
    for (const k of c.kinds) byKind.set(k, [...(byKind.get(k) ?? []), c]);
  }

  const findings: Finding[] = [];
  // The resource each finding is about, for annotation-based suppression.
  const owners = new Map<Finding, Resource>();
  const emit = (check: Check, res: Resource, hit: Hit): void => {
    const owner = hit.resource ?? res;
    const f = toFinding(check, owner, hit, overrides[check.id]);
    findings.push(f);
    owners.set(f, owner);
  };

  const setKinds = new Set(checks.flatMap((c) => (c.scope === 'set' ? (c.kinds ?? []) : [])));
  const unchecked = new Map<string, { count: number; first: Resource }>();
  for (const res of resources) {
    let pods = 0;
    if (podChecks.length > 0) {
      for (const pod of findPodSpecs(res)) {
        pods++;
        for (const c of podChecks) for (const hit of c.check(pod, ctx)) emit(c, res, hit);
      }
    }
    const kindChecks = byKind.get(res.object.kind);
    for (const c of kindChecks ?? []) {
      if (c.scope === 'resource') for (const hit of c.check(res, ctx)) emit(c, res, hit);
    }
    if (pods === 0 && !kindChecks && !setKinds.has(res.object.kind)) {
      const key = `${res.object.apiVersion}/${res.object.kind}`;
      const u = unchecked.get(key);
      if (u) u.count++;
      else unchecked.set(key, { count: 1, first: res });
    }
  }
  for (const c of checks) {
    if (c.scope === 'set') for (const hit of c.check(ctx)) emit(c, hit.resource, hit);
  }

  applyAnnotationSuppressions(findings, owners);
  const warnings = applySuppressionRules(findings, config.suppressions ?? [], opts.now ?? new Date());
  // Unknown kinds (CRDs without pod templates, kinds no check reads) are skipped, and said so once per kind.
  for (const [key, u] of unchecked) {
    warnings.push({
      file: u.first.file,
      line: u.first.line,
      message: `no checks apply to kind ${key}; ${u.count} resource${u.count === 1 ? '' : 's'} of this kind skipped`,
    });
  }
  findings.sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.line - b.location.line ||
      a.checkId.localeCompare(b.checkId),
  );
  return { findings, warnings, resourceCount: resources.length };
}

function toFinding(check: Check, res: Resource, hit: Hit, severity: Check['severity'] | undefined): Finding {
  return {
    checkId: check.id,
    title: check.title,
    severity: severity ?? check.severity,
    message: hit.message,
    resource: resourceRef(res.object),
    location: { file: res.file, line: res.lineOf(hit.path) },
    frameworks: check.frameworks,
    remediation: check.remediation,
    suppressed: false,
  };
}

/** `kubeward.io/ignore: "ID,ID"` (or `*`) on a resource suppresses those checks for that resource. */
function applyAnnotationSuppressions(findings: Finding[], owners: Map<Finding, Resource>): void {
  const parsed = new Map<Resource, { ids: Set<string>; reason: string } | null>();
  for (const f of findings) {
    const res = owners.get(f);
    if (!res) continue;
    let ann = parsed.get(res);
    if (ann === undefined) {
      ann = ignoreAnnotation(res);
      parsed.set(res, ann);
    }
    if (ann && (ann.ids.has(f.checkId) || ann.ids.has('*'))) {
      f.suppressed = true;
      f.suppression = { source: 'annotation', reason: ann.reason };
    }
  }
}

function ignoreAnnotation(res: Resource): { ids: Set<string>; reason: string } | null {
  const a = res.object.metadata.annotations;
  const raw = a?.[IGNORE_ANNOTATION];
  if (typeof raw !== 'string') return null;
  const reason = a?.[IGNORE_REASON_ANNOTATION];
  return {
    ids: new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    reason: typeof reason === 'string' && reason ? reason : 'no reason given',
  };
}
