import { randomUUID } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Inventory } from '../inventory.js';
import type { Package } from '../catalog/package.js';
import type { Finding } from '../../core/finding.js';

export interface SbomTool {
  name: string;
  version: string;
}

/** Property names kubeward adds to components (namespaced per the CycloneDX property taxonomy). */
export const PROP = {
  ecosystem: 'kubeward:package:ecosystem',
  layer: 'kubeward:package:layer-digest',
  location: 'kubeward:package:location',
  sourceName: 'kubeward:package:source-name',
  sourceVersion: 'kubeward:package:source-version',
  distro: 'kubeward:os:distro',
} as const;

/**
 * CycloneDX 1.6 JSON for an inventory, built with the official CycloneDX library. With vulnerability
 * findings it is a vulnerability disclosure report: each advisory lists the components it affects, its
 * ratings, the fixed version as recommendation, and VEX-style analysis for suppressed findings.
 */
export function toCycloneDx(
  inv: Inventory,
  tool: SbomTool,
  now = new Date(),
  findings: readonly Finding[] = [],
): string {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = `urn:uuid:${randomUUID()}`;
  bom.metadata.timestamp = now;
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, tool.name, { version: tool.version }),
  );
  const root = new CDX.Models.Component(CDX.Enums.ComponentType.Container, inv.source.name, {
    bomRef: inv.source.manifestDigest ?? inv.source.name,
    ...(inv.source.manifestDigest ? { version: inv.source.manifestDigest } : {}),
  });
  if (inv.distro)
    root.properties.add(new CDX.Models.Property(PROP.distro, `${inv.distro.id}:${inv.distro.versionId}`));
  bom.metadata.component = root;
  if (inv.distro) {
    const os = new CDX.Models.Component(CDX.Enums.ComponentType.OperatingSystem, inv.distro.id, {
      version: inv.distro.versionId,
      bomRef: `os:${inv.distro.id}@${inv.distro.versionId}`,
    });
    bom.components.add(os);
  }
  const seen = new Set<string>();
  const refByPurl = new Map<string, CDX.Models.Component>();
  for (const p of inv.packages) {
    const ref = bomRef(p);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const c = new CDX.Models.Component(CDX.Enums.ComponentType.Library, p.name, {
      version: p.version,
      bomRef: ref,
      purl: p.purl,
    });
    for (const l of p.licenses ?? []) c.licenses.add(new CDX.Models.NamedLicense(l));
    c.properties.add(new CDX.Models.Property(PROP.ecosystem, p.ecosystem));
    for (const loc of p.locations) c.properties.add(new CDX.Models.Property(PROP.location, loc));
    if (p.layerDigest) c.properties.add(new CDX.Models.Property(PROP.layer, p.layerDigest));
    if (p.source) {
      c.properties.add(new CDX.Models.Property(PROP.sourceName, p.source.name));
      c.properties.add(new CDX.Models.Property(PROP.sourceVersion, p.source.version));
    }
    bom.components.add(c);
    if (!refByPurl.has(p.purl)) refByPurl.set(p.purl, c);
  }
  addVulnerabilities(bom, findings, refByPurl);
  const serializer = new CDX.Serialize.JsonSerializer(
    new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6),
  );
  return serializer.serialize(bom, { space: 2, sortLists: true }) + '\n';
}

function bomRef(p: Package): string {
  return `${p.purl}#${p.locations[0] ?? ''}`;
}

const RATING_METHOD: Record<string, CDX.Enums.Vulnerability.RatingMethod> = {
  '2.0': CDX.Enums.Vulnerability.RatingMethod.CVSSv2,
  '3.0': CDX.Enums.Vulnerability.RatingMethod.CVSSv3,
  '3.1': CDX.Enums.Vulnerability.RatingMethod.CVSSv31,
  '4.0': CDX.Enums.Vulnerability.RatingMethod.CVSSv4,
};

function addVulnerabilities(
  bom: CDX.Models.Bom,
  findings: readonly Finding[],
  refByPurl: Map<string, CDX.Models.Component>,
): void {
  const byId = new Map<string, { v: CDX.Models.Vulnerability.Vulnerability; refs: Set<string> }>();
  for (const f of findings) {
    const d = f.vulnerability;
    if (!d) continue;
    const component = refByPurl.get(d.package.purl);
    let entry = byId.get(d.id);
    if (!entry) {
      const v = new CDX.Models.Vulnerability.Vulnerability({
        id: d.id,
        bomRef: `vuln:${d.id}`,
        source: new CDX.Models.Vulnerability.Source({
          name: 'OSV',
          url: `https://osv.dev/vulnerability/${encodeURIComponent(d.id)}`,
        }),
        description: f.title,
        ...(d.fixedVersion ? { recommendation: `Upgrade ${d.package.name} to ${d.fixedVersion}` } : {}),
      });
      v.ratings.add(
        new CDX.Models.Vulnerability.Rating({
          severity: f.severity as CDX.Enums.Vulnerability.Severity,
          ...(d.cvss
            ? {
                score: d.cvss.score,
                vector: d.cvss.vector,
                method: RATING_METHOD[d.cvss.version] ?? CDX.Enums.Vulnerability.RatingMethod.Other,
              }
            : {}),
        }),
      );
      for (const alias of d.aliases)
        v.references.add(
          new CDX.Models.Vulnerability.Reference(
            alias,
            new CDX.Models.Vulnerability.Source({ name: 'alias' }),
          ),
        );
      if (f.suppressed && f.suppression) {
        v.analysis = new CDX.Models.Vulnerability.Analysis({
          state:
            f.suppression.source === 'vex' && /fixed/.test(f.suppression.reason)
              ? CDX.Enums.Vulnerability.AnalysisState.Resolved
              : CDX.Enums.Vulnerability.AnalysisState.NotAffected,
          detail: f.suppression.reason,
        });
      }
      entry = { v, refs: new Set() };
      byId.set(d.id, entry);
      bom.vulnerabilities.add(v);
    }
    if (component && !entry.refs.has(component.bomRef.value ?? '')) {
      entry.refs.add(component.bomRef.value ?? '');
      entry.v.affects.add(new CDX.Models.Vulnerability.Affect(component.bomRef));
    }
  }
}
