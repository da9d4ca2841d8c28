import { PackageURL } from 'packageurl-js';
import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Distro, Package } from '../package.js';
import { osvEcosystem } from '../os-release.js';
import { parseControlStanzas, parseSource } from './parse-status.js';

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';
/** Package names and versions are short; anything longer is a corrupt or hostile database entry. */
const MAX_FIELD = 1024;
/** Notes kept per run (a database of a million broken stanzas must not make a million notes). */
const MAX_NOTES = 100;

/** Debian/Ubuntu packages from the dpkg database, including distroless images' per-package `status.d/`. */
export const dpkgCataloger: Cataloger = {
  name: 'dpkg',
  wants: (p) => p === STATUS || (p.startsWith(STATUS_D) && !p.endsWith('.md5sums')),
  catalog(fs, ctx): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    let dropped = 0;
    const note = (n: string): void => {
      if (notes.length < MAX_NOTES) notes.push(n);
      else dropped++;
    };
    const files = [
      ...fs.paths((p) => p === STATUS || (p.startsWith(STATUS_D) && !p.endsWith('.md5sums'))),
    ].sort();
    for (const path of files) {
      const file = fs.get(path);
      if (!file) continue;
      for (const st of parseControlStanzas(file.content.toString('utf8'))) {
        const name = st.get('Package');
        const version = st.get('Version');
        if (!name || !version) {
          note(`${path}: stanza without Package/Version skipped`);
          continue;
        }
        const arch0 = st.get('Architecture');
        const src0 = st.get('Source');
        if (
          name.length > MAX_FIELD ||
          version.length > MAX_FIELD ||
          (arch0?.length ?? 0) > MAX_FIELD ||
          (src0?.length ?? 0) > MAX_FIELD
        ) {
          note(`${path}: stanza with a field longer than ${MAX_FIELD} characters skipped`);
          continue;
        }
        // In the main status file only installed packages count ("install ok installed").
        const status = st.get('Status');
        if (path === STATUS && status && !/\binstalled$/.test(status)) continue;
        const arch = st.get('Architecture');
        const source = parseSource(st.get('Source'), name, version);
        packages.push(toPackage(name, version, arch, source, path, file.layer, ctx.distro));
      }
    }
    if (dropped) notes.push(`${dropped} more notes like these left out`);
    return { packages, status: 'ok', notes };
  },
};

function toPackage(
  name: string,
  version: string,
  arch: string | undefined,
  source: { name: string; version: string },
  location: string,
  layer: number,
  distro: Distro | undefined,
): Package {
  const namespace = distro?.id === 'ubuntu' ? 'ubuntu' : 'debian';
  const qualifiers: Record<string, string> = {};
  if (arch) qualifiers.arch = arch;
  if (distro) qualifiers.distro = `${distro.id}-${distro.versionId}`;
  if (source.name !== name || source.version !== version) {
    qualifiers.upstream = source.version !== version ? `${source.name}@${source.version}` : source.name;
  }
  const pkg: Package = {
    type: 'deb',
    name,
    version,
    ecosystem: (distro && osvEcosystem(distro)) ?? 'Debian',
    purl: new PackageURL('deb', namespace, name, version, qualifiers, undefined).toString(),
    source,
    locations: [location],
    layer,
  };
  if (arch) pkg.arch = arch;
  return pkg;
}
