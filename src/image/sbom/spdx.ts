import { randomUUID } from 'node:crypto';
import type { Inventory } from '../inventory.js';
import type { SbomTool } from './cyclonedx.js';

/** SPDX identifiers allow letters, digits, `.` and `-` only. */
function spdxId(s: string): string {
  return `SPDXRef-${s.replace(/[^A-Za-z0-9.-]+/g, '-')}`.slice(0, 200);
}

/** SPDX 2.3 JSON for an inventory: one package per component, DESCRIBES the image, CONTAINS every package. */
export function toSpdx(inv: Inventory, tool: SbomTool, now = new Date()): string {
  const rootId = 'SPDXRef-Image';
  const packages: Array<Record<string, unknown>> = [
    {
      SPDXID: rootId,
      name: inv.source.name,
      versionInfo: inv.source.manifestDigest ?? 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'CONTAINER',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
    },
  ];
  const relationships: Array<Record<string, string>> = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId },
  ];
  const used = new Set<string>([rootId]);
  inv.packages.forEach((p, i) => {
    let id = spdxId(`Package-${p.type}-${p.name}-${p.version}`);
    if (used.has(id)) id = spdxId(`Package-${p.type}-${p.name}-${p.version}-${i}`);
    used.add(id);
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose:
        p.type === 'deb' || p.type === 'apk' || p.type === 'rpm' ? 'OPERATING-SYSTEM' : 'LIBRARY',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      sourceInfo: `found in ${p.locations.join(', ')}${p.layerDigest ? ` (layer ${p.layerDigest})` : ''}`,
      externalRefs: [
        { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl },
      ],
      ...(p.licenses?.length ? { comment: `declared license: ${p.licenses.join(', ')}` } : {}),
    });
    relationships.push({ spdxElementId: rootId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  });
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: inv.source.name,
    documentNamespace: `https://kubeward.io/spdx/${encodeURIComponent(inv.source.name)}-${randomUUID()}`,
    creationInfo: {
      created: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: ${tool.name}-${tool.version}`],
    },
    packages,
    relationships,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
