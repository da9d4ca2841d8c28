import picomatch from 'picomatch';
import type { Finding } from '../../core/finding.js';
import type { ScanWarning } from '../../core/errors.js';
import { summarize } from '../../core/finding.js';
import type { ImageReport, ReportFilter, Store, StoredFinding } from '../../store/index.js';
import type { Report } from '../../report/report.js';
import { imageScanRules } from '../../vuln/scan/rules.js';

/** The store's report filter, except that `repository` may be a glob (`acme/*`, `**`); default limit 1000. */
export type RegistryReportFilter = Omit<ReportFilter, 'repository'> & {
  /** Glob over repository names; a name without glob characters matches exactly. */
  repository?: string;
};

const GLOB_CHARS = /[*?[\]{}()!+@]/;

/** Stored images with their findings, newest scan first, filtered; the store does the filtering it can. */
export async function registryImages(store: Store, f: RegistryReportFilter = {}): Promise<ImageReport[]> {
  const limit = f.limit ?? 1000;
  const exact = f.repository !== undefined && !GLOB_CHARS.test(f.repository);
  const filter: ReportFilter = {
    ...(f.registry ? { registry: f.registry } : {}),
    ...(exact && f.repository ? { repository: f.repository } : {}),
    ...(f.minSeverity ? { minSeverity: f.minSeverity } : {}),
    ...(f.kev ? { kev: true } : {}),
    ...(f.fixable ? { fixable: true } : {}),
    // A glob is applied here, after the store's filters: ask for enough rows to fill the page.
    limit: exact || f.repository === undefined ? limit : Math.max(limit * 10, 10_000),
  };
  let images = await store.report(filter);
  if (f.repository !== undefined && !exact) {
    const match = picomatch(f.repository, { dot: true });
    images = images.filter((i) => match(i.repository));
  }
  return images.slice(0, limit);
}

/** The image's display name: `registry/repository:tag@sha256:…` (first tag, when tagged). */
export function imageRef(i: Pick<ImageReport, 'registry' | 'repository' | 'digest' | 'tags'>): string {
  const tag = i.tags.find((t) => t.registry === i.registry && t.repository === i.repository)?.tag;
  return `${i.registry}/${i.repository}${tag ? `:${tag}` : ''}@${i.digest}`;
}

/** A stored finding in the shared Finding model, so every renderer (table, JSON, SARIF) can show it. */
export function toFinding(image: ImageReport, f: StoredFinding): Finding {
  const name = imageRef(image);
  return {
    checkId: f.advisoryId,
    title: f.title ?? `${f.advisoryId} in ${f.packageName}`,
    severity: f.severity,
    message: `${f.packageName} ${f.packageVersion} is affected by ${f.advisoryId}${
      f.fixedVersion ? `; fixed in ${f.fixedVersion}` : '; no fix available yet'
    }${f.kev ? '; known exploited (CISA KEV)' : ''}`,
    resource: { apiVersion: 'oci.image/v1', kind: 'Image', name },
    location: { file: name, line: 1 },
    frameworks: [],
    remediation: f.fixedVersion
      ? `Upgrade ${f.packageName} to ${f.fixedVersion} or later (rebuild the image on an updated base).`
      : `No fixed version of ${f.packageName} is published yet: remove the package if unused, mitigate, or record a VEX statement.`,
    suppressed: false,
    vulnerability: {
      id: f.advisoryId,
      aliases: [],
      package: {
        name: f.packageName,
        version: f.packageVersion,
        type: '',
        ecosystem: f.ecosystem,
        purl: f.purl,
      },
      ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
      fixAvailable: f.fixable,
      ...(f.kev ? { kev: {} } : {}),
      ...(f.epss !== undefined ? { epss: { score: f.epss, percentile: 0 } } : {}),
    },
  };
}

/** A report over images (newest first), ready for src/report renderers. */
export function registryReport(
  images: readonly ImageReport[],
  target: string,
  tool: Report['tool'],
  warnings: ScanWarning[] = [],
): Report {
  const findings = images.flatMap((i) => i.findings.map((f) => toFinding(i, f)));
  return {
    tool,
    target,
    findings,
    rules: imageScanRules(findings).filter((r) => r.category === 'vulnerability'),
    warnings,
    summary: summarize(findings),
  };
}
