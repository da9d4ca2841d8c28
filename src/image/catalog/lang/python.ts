import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, langPackage } from './common.js';

const METADATA = /\.(dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;

/** PEP 503 normalised name, as OSV's PyPI ecosystem and purl use. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Core metadata (RFC 822 headers): Name and Version from the first header block. */
export function parseCoreMetadata(text: string): { name?: string; version?: string; license?: string } {
  const out: { name?: string; version?: string; license?: string } = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') break; // headers end at the first blank line; the body is the description
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'Name') out.name = value?.trim();
    else if (key === 'Version') out.version = value?.trim();
    else if (key === 'License' && value?.trim()) out.license = value.trim();
  }
  return out;
}

/** Python distributions installed in site-packages/dist-packages (wheels' dist-info, eggs' egg-info). */
export const pythonCataloger: Cataloger = {
  name: 'python',
  wants: (p) => METADATA.test(p),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths((p) => METADATA.test(p))) {
      const f = fs.get(path);
      if (!f) continue;
      const md = parseCoreMetadata(f.content.toString('utf8'));
      if (!md.name || !md.version) {
        notes.push(`${path}: no Name/Version`);
        continue;
      }
      const p = langPackage('pypi', 'PyPI', normalizePypiName(md.name), md.version, path, f.layer);
      if (md.license) p.licenses = [md.license];
      packages.push(p);
    }
    return { packages: dedupe(packages), status: 'ok', notes };
  },
};
