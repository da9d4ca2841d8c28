import { randomUUID } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Inventory } from '../inventory.js';
import type { Package } from '../catalog/package.js';

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

/** CycloneDX 1.6 JSON for an inventory, built with the official CycloneDX library. */
export function toCycloneDx(inv: Inventory, tool: SbomTool, now = new Date()): string {
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
  }
  const serializer = new CDX.Serialize.JsonSerializer(
    new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6),
  );
  return serializer.serialize(bom, { space: 2, sortLists: true }) + '\n';
}

function bomRef(p: Package): string {
  return `${p.purl}#${p.locations[0] ?? ''}`;
}
