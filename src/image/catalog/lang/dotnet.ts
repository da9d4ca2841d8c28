import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, isObject, langPackage, safeJson } from './common.js';

/** .NET NuGet packages from `*.deps.json` (libraries of type "package"; projects are not packages). */
export const dotnetCataloger: Cataloger = {
  name: 'dotnet',
  wants: (p) => p.endsWith('.deps.json'),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths((p) => p.endsWith('.deps.json'))) {
      const f = fs.get(path);
      const json = f && safeJson(f.content.toString('utf8'));
      if (!f || !isObject(json) || !isObject(json.libraries)) {
        notes.push(`${path}: not a .deps.json`);
        continue;
      }
      for (const [key, lib] of Object.entries(json.libraries)) {
        if (!isObject(lib) || lib.type !== 'package') continue;
        const slash = key.lastIndexOf('/');
        if (slash <= 0) continue;
        packages.push(
          langPackage('nuget', 'NuGet', key.slice(0, slash), key.slice(slash + 1), path, f.layer),
        );
      }
    }
    return { packages: dedupe(packages), status: 'ok', notes };
  },
};
