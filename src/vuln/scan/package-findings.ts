import type { Finding, ResourceRef, VulnerabilityDetails } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import type { Package } from '../../image/catalog/package.js';
import { matchPackages, type PackageQuery, type VulnMatch } from '../match/matcher.js';
import { lookupEpss, lookupKev } from '../db/query.js';
import type { VulnDb } from '../db/store.js';
import type { OsvRecord } from '../db/osv.js';
import { vexFor, type VexStatement } from '../vex/openvex.js';

export interface VulnScanOptions {
  /** What the packages were found in; becomes the finding's resource. */
  target: { name: string; digest?: string; kind?: string };
  vex?: readonly VexStatement[];
  /** Severity for advisories without any CVSS vector or database rating. */
  unknownSeverity?: Severity;
}

export interface VulnScanResult {
  findings: Finding[];
  warnings: string[];
  /** Packages whose ecosystem has no advisories source or ordering (reported, never silently clean). */
  unmatched: number;
}

/**
 * Distribution advisories (Debian, Ubuntu, Alpine) are keyed by source package; RPM distributions and
 * language ecosystems by the package itself.
 */
export function queryFor(p: Package): PackageQuery {
  if ((p.type === 'deb' || p.type === 'apk') && p.source) {
    return { ecosystem: p.ecosystem, name: p.source.name, version: p.source.version };
  }
  return { ecosystem: p.ecosystem, name: p.name, version: p.version };
}

/** Matches packages against the database and turns each affected (package, advisory) into a finding. */
export function scanPackages(
  packages: readonly Package[],
  from: VulnDb | readonly OsvRecord[],
  opts: VulnScanOptions,
): VulnScanResult {
  const queries = packages.map(queryFor);
  const results = matchPackages(from, queries);
  const db = Array.isArray(from) ? undefined : (from as VulnDb);
  const cves = new Set<string>();
  for (const r of results)
    for (const m of r.matches) for (const id of [m.id, ...m.aliases]) if (id.startsWith('CVE-')) cves.add(id);
  const kev = db ? lookupKev(db, cves) : new Map();
  const epss = db ? lookupEpss(db, cves) : new Map();
  const findings: Finding[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const resource: ResourceRef = {
    apiVersion: 'oci.image/v1',
    kind: opts.target.kind ?? 'Image',
    name: opts.target.name,
  };
  results.forEach((r, i) => {
    const pkg = packages[i];
    if (!pkg) return;
    warnings.push(...r.warnings.map((w) => `${pkg.name}@${pkg.version}: ${w}`));
    for (const m of r.matches) {
      const key = `${m.id}\0${pkg.purl}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(toFinding(pkg, m, resource, kev, epss, opts));
    }
  });
  if (opts.vex?.length) applyVex(findings, opts.vex, opts.target);
  findings.sort(
    (a, b) => severityOrder(a.severity) - severityOrder(b.severity) || a.checkId.localeCompare(b.checkId),
  );
  return { findings, warnings, unmatched: results.filter((r) => r.warnings.length > 0).length };
}

const ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const severityOrder = (s: Severity): number => ORDER[s];

function toFinding(
  pkg: Package,
  m: VulnMatch,
  resource: ResourceRef,
  kev: Map<string, { dateAdded?: string; dueDate?: string; knownRansomwareCampaignUse?: string }>,
  epss: Map<string, { epss: number; percentile: number }>,
  opts: VulnScanOptions,
): Finding {
  const ids = [m.id, ...m.aliases];
  const cve = ids.find((x) => x.startsWith('CVE-'));
  const details: VulnerabilityDetails = {
    id: m.id,
    aliases: m.aliases,
    package: {
      name: pkg.name,
      version: pkg.version,
      type: pkg.type,
      ecosystem: pkg.ecosystem,
      purl: pkg.purl,
      ...(pkg.source ? { source: pkg.source } : {}),
      ...(pkg.layerDigest ? { layerDigest: pkg.layerDigest } : {}),
    },
    fixAvailable: m.fixAvailable,
  };
  if (m.fixed) details.fixedVersion = m.fixed;
  if (m.cvss) details.cvss = { version: m.cvss.version, vector: m.cvss.vector, score: m.cvss.score };
  const k = cve ? kev.get(cve) : undefined;
  if (k) {
    details.kev = {};
    if (k.dateAdded) details.kev.dateAdded = k.dateAdded;
    if (k.dueDate) details.kev.dueDate = k.dueDate;
    if (k.knownRansomwareCampaignUse) details.kev.knownRansomwareCampaignUse = k.knownRansomwareCampaignUse;
  }
  const e = cve ? epss.get(cve) : undefined;
  if (e) details.epss = { score: e.epss, percentile: e.percentile };
  const sourceNote = pkg.source && pkg.source.name !== pkg.name ? ` (source package ${pkg.source.name})` : '';
  return {
    checkId: m.id,
    title: m.summary ?? `${m.id} in ${pkg.name}`,
    severity: m.severityLevel ?? opts.unknownSeverity ?? 'medium',
    message: `${pkg.name} ${pkg.version}${sourceNote} is affected by ${cve && cve !== m.id ? `${m.id} (${cve})` : m.id}${
      m.fixed ? `; fixed in ${m.fixed}` : '; no fix available yet'
    }${k ? '; known exploited (CISA KEV)' : ''}`,
    resource,
    location: { file: pkg.locations[0] ?? opts.target.name, line: 1 },
    frameworks: [],
    remediation: m.fixed
      ? `Upgrade ${pkg.name} to ${m.fixed} or later (rebuild the image on an updated base).`
      : `No fixed version of ${pkg.name} is published yet: remove the package if unused, mitigate, or record a VEX statement.`,
    suppressed: false,
    vulnerability: details,
  };
}

/** VEX `not_affected` and `fixed` statements suppress findings (kept in output, with the justification). */
function applyVex(
  findings: Finding[],
  statements: readonly VexStatement[],
  target: VulnScanOptions['target'],
): void {
  for (const f of findings) {
    const v = f.vulnerability;
    if (!v) continue;
    const st = vexFor(
      {
        vulnerabilityIds: [v.id, ...v.aliases],
        packagePurl: v.package.purl,
        image: { name: target.name, ...(target.digest ? { digest: target.digest } : {}) },
      },
      statements,
    );
    if (st && (st.status === 'not_affected' || st.status === 'fixed')) {
      f.suppressed = true;
      f.suppression = {
        source: 'vex',
        reason: `VEX ${st.status}${st.justification ? ` (${st.justification})` : ''}${st.impactStatement ? `: ${st.impactStatement}` : ''} [${st.source}]`,
      };
    }
  }
}
