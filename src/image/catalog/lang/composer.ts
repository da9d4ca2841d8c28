import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, isObject, langPackage, safeJson } from './common.js';

const INSTALLED = /(^|\/)vendor\/composer\/installed\.json$/;

/** PHP packages from Composer's `vendor/composer/installed.json` (v1: array; v2: {packages: [...]}). */
export const composerCataloger: Cataloger = {
  name: 'composer',
  wants: (p) => INSTALLED.test(p),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths((p) => INSTALLED.test(p))) {
      const f = fs.get(path);
      const json = f && safeJson(f.content.toString('utf8'));
      const list = Array.isArray(json)
        ? json
        : isObject(json) && Array.isArray(json.packages)
          ? json.packages
          : undefined;
      if (!f || !list) {
        notes.push(`${path}: not a Composer installed.json`);
        continue;
      }
      for (const entry of list as unknown[]) {
        if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.version !== 'string') continue;
        const [vendor, name] = entry.name.split('/');
        if (!vendor || !name) continue;
        const p = langPackage(
          'composer',
          'Packagist',
          name,
          entry.version.replace(/^v(?=\d)/, ''),
          path,
          f.layer,
          vendor,
        );
        p.name = entry.name;
        packages.push(p);
      }
    }
    return { packages: dedupe(packages), status: 'ok', notes };
  },
};
