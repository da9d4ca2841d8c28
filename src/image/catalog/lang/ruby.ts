import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, langPackage } from './common.js';

/** Installed gems: `specifications/<name>-<version>.gemspec` under a gem home. */
const GEMSPEC = /(^|\/)specifications\/[^/]+\.gemspec$/;

/**
 * Reads name and version from an installed gemspec (Ruby source written by RubyGems). The generated file
 * always has `s.name = "x"` and `s.version = "1.2.3"` lines; no Ruby is evaluated.
 */
export function parseGemspec(text: string): { name?: string; version?: string } {
  const name = /\.name\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  const version = /\.version\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
}

export const rubyCataloger: Cataloger = {
  name: 'ruby',
  wants: (p) => GEMSPEC.test(p),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths((p) => GEMSPEC.test(p))) {
      const f = fs.get(path);
      if (!f) continue;
      const g = parseGemspec(f.content.toString('utf8'));
      if (!g.name || !g.version) {
        notes.push(`${path}: no name/version`);
        continue;
      }
      packages.push(langPackage('gem', 'RubyGems', g.name, g.version, path, f.layer));
    }
    return { packages: dedupe(packages), status: 'ok', notes };
  },
};
