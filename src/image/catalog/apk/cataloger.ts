import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { osvEcosystem } from '../os-release.js';

const INSTALLED = 'lib/apk/db/installed';

interface ApkRecord {
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
  license?: string;
}

/**
 * Parses apk's installed database: records separated by blank lines, one `X:value` field per line
 * (P name, V version, A arch, o origin, L license; file lists F/R are ignored).
 */
export function parseApkInstalled(text: string): ApkRecord[] {
  const out: ApkRecord[] = [];
  let cur: ApkRecord = {};
  const flush = (): void => {
    if (Object.keys(cur).length) out.push(cur);
    cur = {};
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') continue;
    const v = line.slice(2).trim();
    switch (line[0]) {
      case 'P':
        cur.name = v;
        break;
      case 'V':
        cur.version = v;
        break;
      case 'A':
        cur.arch = v;
        break;
      case 'o':
        cur.origin = v;
        break;
      case 'L':
        cur.license = v;
        break;
    }
  }
  flush();
  return out;
}

/** Alpine, Wolfi and Chainguard packages from apk's installed database. */
export const apkCataloger: Cataloger = {
  name: 'apk',
  wants: (p) => p === INSTALLED,
  catalog(fs, ctx): CatalogResult {
    const file = fs.get(INSTALLED);
    if (!file) return { packages: [], status: 'ok', notes: [] };
    const distro = ctx.distro;
    const namespace = distro?.id === 'wolfi' || distro?.id === 'chainguard' ? distro.id : 'alpine';
    const ecosystem = (distro && osvEcosystem(distro)) ?? 'Alpine';
    const notes: string[] = [];
    const packages: Package[] = [];
    for (const r of parseApkInstalled(file.content.toString('utf8'))) {
      if (!r.name || !r.version) {
        notes.push(`${INSTALLED}: record without P:/V: skipped`);
        continue;
      }
      const origin = r.origin ?? r.name;
      const qualifiers: Record<string, string> = {};
      if (r.arch) qualifiers.arch = r.arch;
      if (distro) qualifiers.distro = `${distro.id}-${distro.versionId}`;
      if (origin !== r.name) qualifiers.upstream = origin;
      const pkg: Package = {
        type: 'apk',
        name: r.name,
        version: r.version,
        ecosystem,
        purl: new PackageURL('apk', namespace, r.name, r.version, qualifiers, undefined).toString(),
        source: { name: origin, version: r.version },
        locations: [INSTALLED],
        layer: file.layer,
      };
      if (r.arch) pkg.arch = r.arch;
      if (r.license) pkg.licenses = [r.license];
      packages.push(pkg);
    }
    return { packages, status: 'ok', notes };
  },
};
