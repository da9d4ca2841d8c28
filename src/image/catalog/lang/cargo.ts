import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, langPackage } from './common.js';

/**
 * Cargo.lock `[[package]]` tables. The lock file is TOML, but its package tables are a fixed, flat shape
 * (name/version/source/checksum lines), read here line by line. Path and git dependencies without a
 * registry source are skipped: they are not crates.io packages.
 */
export function parseCargoLock(text: string): Array<{ name: string; version: string; source?: string }> {
  const out: Array<{ name: string; version: string; source?: string }> = [];
  let cur: { name?: string; version?: string; source?: string } | undefined;
  const flush = (): void => {
    if (cur?.name && cur.version)
      out.push({ name: cur.name, version: cur.version, ...(cur.source ? { source: cur.source } : {}) });
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      flush();
      cur = line === '[[package]]' ? {} : undefined;
      continue;
    }
    if (!cur) continue;
    const m = /^(name|version|source)\s*=\s*"([^"]*)"/.exec(line);
    if (m?.[1] && m[2] !== undefined) cur[m[1] as 'name' | 'version' | 'source'] = m[2];
  }
  flush();
  return out;
}

export const cargoCataloger: Cataloger = {
  name: 'cargo',
  wants: (p) => p.endsWith('Cargo.lock'),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    for (const path of fs.paths((p) => p.endsWith('Cargo.lock'))) {
      const f = fs.get(path);
      if (!f) continue;
      for (const c of parseCargoLock(f.content.toString('utf8'))) {
        if (!c.source?.startsWith('registry+')) continue;
        packages.push(langPackage('cargo', 'crates.io', c.name, c.version, path, f.layer));
      }
    }
    return { packages: dedupe(packages), status: 'ok', notes: [] };
  },
};
