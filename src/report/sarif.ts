import { createHash } from 'node:crypto';
import type { CheckMeta, Finding, FrameworkMapping, Suppression } from '../core/finding.js';
import { FRAMEWORK_NAMES, resourceKey } from '../core/finding.js';
import type { Severity } from '../core/severity.js';
import type { Report } from './report.js';

/**
 * SARIF 2.1.0 output for GitHub code scanning and other SARIF consumers (documented in
 * docs/output-formats.md). Only the subset of the SARIF object model kubeward emits is typed here.
 */

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SARIF_INFORMATION_URI = 'https://github.com/kubeward/kubeward';
/** partialFingerprints key; bump the suffix if the hash inputs ever change. */
export const SARIF_FINGERPRINT_KEY = 'kubewardFindingHash/v1';
/** uriBaseId every relative artifact URI is resolved against (the directory kubeward ran in). */
export const SARIF_SRCROOT = '%SRCROOT%';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

/** GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9) and low (< 4.0). */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

const LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** `problem.severity` as CodeQL uses it; GitHub shows it for rules without security-severity. */
const PROBLEM_SEVERITY: Record<Severity, 'error' | 'warning' | 'recommendation'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'recommendation',
  info: 'recommendation',
};

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifArtifactLocation {
  uri?: string;
  uriBaseId?: string;
  description?: SarifMessage;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: {
    tags: string[];
    precision: 'high';
    'security-severity': string;
    'problem.severity': 'error' | 'warning' | 'recommendation';
    severity: Severity;
    category: string;
  };
}

export interface SarifSuppression {
  kind: 'external' | 'inSource';
  status: 'accepted';
  justification?: string;
  properties?: { expires: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: Array<{
    physicalLocation: {
      artifactLocation: SarifArtifactLocation;
      region: { startLine: number };
    };
    logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: 'resource' }>;
  }>;
  partialFingerprints: Record<string, string>;
  suppressions?: SarifSuppression[];
  properties: {
    severity: Severity;
    resource: Finding['resource'];
  };
}

export interface SarifNotification {
  level: 'warning';
  message: SarifMessage;
  locations?: Array<{
    physicalLocation: { artifactLocation: SarifArtifactLocation; region?: { startLine: number } };
  }>;
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version?: string;
      semanticVersion?: string;
      informationUri: string;
      rules: SarifRule[];
    };
  };
  originalUriBaseIds?: Record<string, SarifArtifactLocation>;
  invocations?: Array<{ executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }>;
  results?: SarifResult[];
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: [SarifRun];
}

export interface SarifOptions {
  /**
   * Absolute directory relative finding paths are relative to (the working directory of the scan).
   * Defaults to process.cwd(); tests pass a fixed value for reproducible output.
   */
  srcRoot?: string;
}

/** Renders a scan report as a SARIF 2.1.0 log with one run. */
export function renderSarif(report: Report, opts: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(report, opts), null, 2) + '\n';
}

export function buildSarif(report: Report, opts: SarifOptions = {}): SarifLog {
  const rules = new RuleTable(report.rules);
  const occurrences = new Map<string, number>();
  const results = report.findings.map((f) => toResult(f, rules, occurrences));
  const notifications = report.warnings.map((w): SarifNotification => ({
    level: 'warning',
    message: { text: w.message },
    ...(w.file
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(w.file),
                ...(w.line && w.line >= 1 ? { region: { startLine: w.line } } : {}),
              },
            },
          ],
        }
      : {}),
  }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver: driver(report.tool.name, report.tool.version, rules.list) },
        originalUriBaseIds: originalUriBaseIds(opts.srcRoot ?? process.cwd()),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
}

/** A SARIF log exporting only rule metadata (no results): `kubeward checks list --format sarif`. */
export function buildSarifCatalogue(checks: readonly CheckMeta[], version?: string): SarifLog {
  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [{ tool: { driver: driver('kubeward', version, new RuleTable(checks).list) } }],
  };
}

function driver(name: string, version: string | undefined, rules: SarifRule[]): SarifRun['tool']['driver'] {
  return {
    name,
    ...(version ? { version } : {}),
    ...(version && SEMVER.test(version) ? { semanticVersion: version } : {}),
    informationUri: SARIF_INFORMATION_URI,
    rules,
  };
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Rules in catalogue order, deduplicated by id; findings of an unknown check get a rule made from the finding. */
class RuleTable {
  readonly list: SarifRule[] = [];
  private readonly index = new Map<string, number>();

  constructor(checks: readonly CheckMeta[]) {
    for (const c of checks) this.add(c);
  }

  indexOf(f: Finding): number {
    return (
      this.index.get(f.checkId) ??
      this.add({
        id: f.checkId,
        title: f.title,
        severity: f.severity,
        description: f.title,
        remediation: f.remediation,
        frameworks: f.frameworks,
        category: 'unknown',
      })
    );
  }

  private add(c: CheckMeta): number {
    const existing = this.index.get(c.id);
    if (existing !== undefined) return existing;
    const i = this.list.push(toRule(c)) - 1;
    this.index.set(c.id, i);
    return i;
  }
}

export function toRule(c: CheckMeta): SarifRule {
  const mappings = c.frameworks.map(describeMapping);
  const helpText = [
    c.description,
    `Remediation: ${c.remediation}`,
    ...(mappings.length ? [['Framework mappings:', ...mappings.map((m) => `- ${m}`)].join('\n')] : []),
  ].join('\n\n');
  const helpMarkdown = [
    `**${mdEscape(c.title)}** (\`${c.id}\`, severity ${c.severity})`,
    mdEscape(c.description),
    `**Remediation:** ${mdEscape(c.remediation)}`,
    ...(mappings.length
      ? ['**Framework mappings:**', mappings.map((m) => `- ${mdEscape(m)}`).join('\n')]
      : []),
  ].join('\n\n');
  return {
    id: c.id,
    name: pascalCase(c.title) || c.id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: c.title },
    fullDescription: { text: c.description },
    help: { text: helpText, markdown: helpMarkdown },
    defaultConfiguration: { level: LEVEL[c.severity] },
    properties: {
      tags: unique(['security', ...c.frameworks.map((m) => m.framework)]),
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[c.severity],
      'problem.severity': PROBLEM_SEVERITY[c.severity],
      severity: c.severity,
      category: c.category,
    },
  };
}

function toResult(f: Finding, rules: RuleTable, occurrences: Map<string, number>): SarifResult {
  const key = resourceKey(f.resource);
  const base = findingHash(f);
  const n = (occurrences.get(base) ?? 0) + 1;
  occurrences.set(base, n);
  const suppression = f.suppressed ? toSuppression(f.suppression) : undefined;
  return {
    ruleId: f.checkId,
    ruleIndex: rules.indexOf(f),
    level: LEVEL[f.severity],
    message: { text: `${f.message} (${key})` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(f.location.file),
          region: {
            startLine: Number.isInteger(f.location.line) && f.location.line >= 1 ? f.location.line : 1,
          },
        },
        logicalLocations: [{ name: f.resource.name, fullyQualifiedName: key, kind: 'resource' }],
      },
    ],
    // GitHub's own convention: "<hash>:<n>", n telling apart findings whose identity is otherwise equal
    // (the same check on two containers of one resource).
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: `${base}:${n}` },
    ...(suppression ? { suppressions: [suppression] } : {}),
    properties: {
      severity: f.severity,
      resource: {
        apiVersion: f.resource.apiVersion,
        kind: f.resource.kind,
        ...(f.resource.namespace !== undefined ? { namespace: f.resource.namespace } : {}),
        name: f.resource.name,
      },
    },
  };
}

function toSuppression(s: Suppression | undefined): SarifSuppression {
  return {
    kind: s?.source === 'annotation' ? 'inSource' : 'external',
    status: 'accepted',
    ...(s?.reason ? { justification: s.reason } : {}),
    ...(s?.expires ? { properties: { expires: s.expires } } : {}),
  };
}

/**
 * Stable identity of a finding: check, resource kind/namespace/name and file, but not the line, so an
 * alert keeps its identity when lines move. apiVersion is left out so a migration (extensions/v1beta1 to
 * apps/v1) does not reopen every alert.
 */
export function findingHash(f: Finding): string {
  const parts = [
    f.checkId,
    f.resource.kind,
    f.resource.namespace ?? '',
    f.resource.name,
    toPosix(f.location.file),
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * SARIF artifactLocation for a finding path: relative paths become percent-encoded POSIX URIs under
 * %SRCROOT%; absolute paths (POSIX, Windows drive or UNC) become file:// URIs.
 */
export function artifactLocation(file: string): SarifArtifactLocation {
  const abs = absoluteFileUri(file);
  if (abs) return { uri: abs };
  return { uri: encodePath(normalizeRelative(toPosix(file))), uriBaseId: SARIF_SRCROOT };
}

function originalUriBaseIds(srcRoot: string): Record<string, SarifArtifactLocation> {
  const uri = absoluteFileUri(srcRoot);
  return {
    [SARIF_SRCROOT]: uri
      ? { uri: uri.endsWith('/') ? uri : `${uri}/` }
      : { description: { text: 'The directory kubeward was run in.' } },
  };
}

function absoluteFileUri(path: string): string | undefined {
  if (path.startsWith('/')) {
    return `file://${encodePath(normalizeSlashes(path))}`;
  }
  const drive = /^([A-Za-z]):[\\/]/.exec(path);
  if (drive) {
    return `file:///${drive[1]}:${encodePath(normalizeSlashes(toPosix(path.slice(2))))}`;
  }
  const unc = /^\\\\([^\\/]+)[\\/](.*)$/.exec(path);
  if (unc) {
    return `file://${encodeURIComponent(unc[1] ?? '')}/${encodePath(normalizeSlashes(toPosix(unc[2] ?? '')))}`;
  }
  return undefined;
}

function toPosix(path: string): string {
  return path.replace(/\\/g, '/');
}

function normalizeSlashes(path: string): string {
  return path.replace(/\/{2,}/g, '/');
}

/** Drops "." segments and leading "./" so "./a//b" and "a/b" are the same artifact. */
function normalizeRelative(path: string): string {
  const out = path.split('/').filter((seg) => seg !== '' && seg !== '.');
  return out.join('/') || '.';
}

/**
 * Percent-encodes each path segment (RFC 3986); "/" separators are kept. A lone UTF-16 surrogate (a file
 * name that is not valid Unicode) cannot be encoded and becomes U+FFFD.
 */
function encodePath(path: string): string {
  return path
    .replace(LONE_SURROGATE, '\uFFFD')
    .split('/')
    .map((seg) =>
      encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/** "Privileged container (hostPID)" -> "PrivilegedContainerHostPID". */
export function pascalCase(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** "CIS Kubernetes Benchmark v1.9 5.2.2 (Minimize privileged containers)". */
export function describeMapping(m: FrameworkMapping): string {
  const name = FRAMEWORK_NAMES[m.framework] ?? m.framework;
  return `${name} ${m.id}${m.name ? ` (${m.name})` : ''}`;
}

function mdEscape(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
