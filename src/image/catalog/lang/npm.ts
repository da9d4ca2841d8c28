import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, isObject, langPackage, safeJson } from './common.js';

/** Installed packages: `node_modules/<name>/package.json` (scoped: `node_modules/@s/n/package.json`). */
const INSTALLED = /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/;

/** npm packages installed in node_modules (what actually runs), plus package-lock.json v2/v3 entries. */
export const npmCataloger: Cataloger = {
  name: 'npm',
  wants: (p) => INSTALLED.test(p) || p.endsWith('/package-lock.json') || p === 'package-lock.json',
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths((p) => INSTALLED.test(p))) {
      const f = fs.get(path);
      const json = f && safeJson(f.content.toString('utf8'));
      if (!f || !isObject(json)) {
        notes.push(`${path}: not valid JSON`);
        continue;
      }
      if (typeof json.name !== 'string' || typeof json.version !== 'string') continue;
      packages.push(npmPackage(json.name, json.version, path, f.layer));
    }
    for (const path of fs.paths((p) => p.endsWith('package-lock.json'))) {
      const f = fs.get(path);
      const json = f && safeJson(f.content.toString('utf8'));
      if (!f || !isObject(json)) continue;
      // lockfileVersion 2/3: "packages" keyed by install path; the root entry "" is the project itself.
      const entries = isObject(json.packages) ? json.packages : {};
      for (const [key, value] of Object.entries(entries)) {
        if (!key || !isObject(value) || typeof value.version !== 'string') continue;
        if (value.link === true) continue;
        const name =
          typeof value.name === 'string'
            ? value.name
            : key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
        // Skip entries whose node_modules/ copy was catalogued directly above.
        packages.push(npmPackage(name, value.version, path, f.layer));
      }
    }
    return { packages: dedupeByName(packages), status: 'ok', notes };
  },
};

function npmPackage(fullName: string, version: string, location: string, layer: number): Package {
  const scoped = fullName.startsWith('@') && fullName.includes('/');
  const namespace = scoped ? fullName.slice(0, fullName.indexOf('/')) : undefined;
  const name = scoped ? fullName.slice(fullName.indexOf('/') + 1) : fullName;
  const p = langPackage('npm', 'npm', name, version, location, layer, namespace);
  p.name = fullName;
  return p;
}

/** The same package@version found both installed and in a lock file is reported once (installed wins). */
function dedupeByName(pkgs: Package[]): Package[] {
  const installed = new Set(
    pkgs.filter((p) => !p.locations[0]?.endsWith('package-lock.json')).map((p) => `${p.name}@${p.version}`),
  );
  return dedupe(
    pkgs.filter(
      (p) => !p.locations[0]?.endsWith('package-lock.json') || !installed.has(`${p.name}@${p.version}`),
    ),
  );
}
