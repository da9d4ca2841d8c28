import type { Severity } from './severity.js';

/** A framework control a check maps to, e.g. CIS Kubernetes Benchmark 5.2.2. */
export interface FrameworkMapping {
  /** Stable framework key: cis-k8s, nsa-cisa, pss, mitre-attack. */
  framework: FrameworkId;
  /** Control id inside the framework, e.g. "5.2.2", "baseline/privileged", "T1611". */
  id: string;
  /** Human-readable control name, when known. */
  name?: string;
}

export type FrameworkId = 'cis-k8s' | 'nsa-cisa' | 'pss' | 'mitre-attack' | 'cis-docker';

export const FRAMEWORK_NAMES: Record<FrameworkId, string> = {
  'cis-k8s': 'CIS Kubernetes Benchmark v1.9',
  'nsa-cisa': 'NSA/CISA Kubernetes Hardening Guide v1.2',
  pss: 'Pod Security Standards',
  'mitre-attack': 'MITRE ATT&CK for Containers',
  'cis-docker': 'CIS Docker Benchmark v1.6',
};

/** The Kubernetes object (or other artifact) a finding is about. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Where in a source file the offending field sits (1-based line). */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface Suppression {
  /** 'config' for a .kubeward.yaml rule, 'annotation' for kubeward.io/ignore, 'vex' for a VEX statement. */
  source: 'config' | 'annotation' | 'vex';
  reason: string;
  /** ISO date (YYYY-MM-DD) after which a config rule stops applying. */
  expires?: string;
}

/**
 * One problem found by any scanner. Renderers only ever see this shape, so a new scanner gets every
 * output format for free. Field names are part of the JSON schema: add, never rename.
 */
export interface Finding {
  checkId: string;
  title: string;
  severity: Severity;
  /** Instance-specific explanation, e.g. which container and field. */
  message: string;
  resource: ResourceRef;
  location: SourceLocation;
  frameworks: FrameworkMapping[];
  remediation: string;
  suppressed: boolean;
  suppression?: Suppression;
  /** Present on vulnerability findings (image and SBOM scans). */
  vulnerability?: VulnerabilityDetails;
}

/** What a vulnerability finding adds to the shared model. */
export interface VulnerabilityDetails {
  /** Advisory id as published (CVE, GHSA, GO-, PYSEC-, RUSTSEC-, DSA ...). */
  id: string;
  aliases: string[];
  package: {
    name: string;
    version: string;
    type: string;
    ecosystem: string;
    purl: string;
    /** Source package the advisory was matched on (distribution packages). */
    source?: { name: string; version: string };
    layerDigest?: string;
  };
  /** Lowest version that fixes it, when one exists. */
  fixedVersion?: string;
  /** false: the advisory has no fix yet ("will not fix" / "no fix yet"). */
  fixAvailable: boolean;
  cvss?: { version: string; vector: string; score: number };
  /** In the CISA Known Exploited Vulnerabilities catalog. */
  kev?: { dateAdded?: string; dueDate?: string; knownRansomwareCampaignUse?: string };
  /** FIRST EPSS probability of exploitation in the next 30 days (0-1) and percentile. */
  epss?: { score: number; percentile: number };
}

/** Metadata describing a check; scanners publish a catalogue of these. */
export interface CheckMeta {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  frameworks: FrameworkMapping[];
  /** Scanner family, e.g. "manifest". */
  category: string;
}

/** Counts per severity for unsuppressed findings plus the suppressed total. */
export interface FindingSummary {
  total: number;
  suppressed: number;
  bySeverity: Record<Severity, number>;
}

export function summarize(findings: readonly Finding[]): FindingSummary {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else bySeverity[f.severity]++;
  }
  return { total: findings.length - suppressed, suppressed, bySeverity };
}

/** Stable display / grouping key for a resource. */
export function resourceKey(r: ResourceRef): string {
  return `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}
