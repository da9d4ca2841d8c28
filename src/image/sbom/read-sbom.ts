import { readFileSync, statSync } from 'node:fs';
import { PackageURL } from 'packageurl-js';
import { UserError } from '../../core/errors.js';
import type { Package, PackageType } from '../catalog/package.js';
import { osvEcosystem } from '../catalog/os-release.js';
import { PROP } from './cyclonedx.js';

const MAX_SBOM_BYTES = 256 * 1024 * 1024;

const PURL_TYPES: Record<string, { type: PackageType; ecosystem?: string }> = {
  deb: { type: 'deb' },
  apk: { type: 'apk' },
  rpm: { type: 'rpm' },
  npm: { type: 'npm', ecosystem: 'npm' },
  pypi: { type: 'pypi', ecosystem: 'PyPI' },
  golang: { type: 'golang', ecosystem: 'Go' },
  maven: { type: 'maven', ecosystem: 'Maven' },
  gem: { type: 'gem', ecosystem: 'RubyGems' },
  cargo: { type: 'cargo', ecosystem: 'crates.io' },
  composer: { type: 'composer', ecosystem: 'Packagist' },
  nuget: { type: 'nuget', ecosystem: 'NuGet' },
};

/** Turns a purl into a package; OS packages take their ecosystem from the `distro` qualifier. */
export function packageFromPurl(purl: string, location: string): Package | undefined {
  let u: PackageURL;
  try {
    u = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  const t = PURL_TYPES[u.type];
  if (!t || !u.version) return undefined;
  let ecosystem = t.ecosystem;
  const q = u.qualifiers ?? {};
  if (!ecosystem) {
    const distro = q.distro ?? '';
    const m = /^([a-z-]+?)-?(\d[\w.]*)$/.exec(distro);
    const id = m?.[1] ?? u.namespace ?? '';
    ecosystem =
      osvEcosystem({ id, versionId: m?.[2] ?? '' }) ??
      (u.type === 'deb' ? 'Debian' : u.type === 'apk' ? 'Alpine' : 'Red Hat');
  }
  const name =
    u.type === 'maven' && u.namespace
      ? `${u.namespace}:${u.name}`
      : u.namespace && u.type !== 'deb' && u.type !== 'apk' && u.type !== 'rpm'
        ? `${u.namespace}/${u.name}`
        : u.name;
  let version = u.version;
  if (u.type === 'golang') version = version.replace(/^v/, '');
  if (u.type === 'rpm' && q.epoch && q.epoch !== '0') version = `${q.epoch}:${version}`;
  const pkg: Package = { type: t.type, name, version, ecosystem, purl, locations: [location] };
  if (q.upstream && (u.type === 'deb' || u.type === 'apk')) {
    const [sn, sv] = q.upstream.split('@');
    pkg.source = { name: sn ?? u.name, version: sv ?? version };
  }
  if (q.arch) pkg.arch = q.arch;
  return pkg;
}

/** Reads packages from a CycloneDX (1.2-1.6) or SPDX 2.x JSON SBOM. */
export function readSbom(file: string): { format: 'cyclonedx' | 'spdx'; name: string; packages: Package[] } {
  let text: string;
  try {
    if (statSync(file).size > MAX_SBOM_BYTES) throw new UserError('SBOM is larger than 256 MiB', { file });
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read SBOM (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UserError('SBOM is not valid JSON (CycloneDX or SPDX JSON expected)', { file });
  }
  if (typeof doc !== 'object' || doc === null) throw new UserError('SBOM is not a JSON object', { file });
  const d = doc as Record<string, unknown>;
  if (d.bomFormat === 'CycloneDX')
    return { format: 'cyclonedx', name: cdxName(d) ?? file, packages: fromCycloneDx(d, file) };
  if (typeof d.spdxVersion === 'string')
    return { format: 'spdx', name: typeof d.name === 'string' ? d.name : file, packages: fromSpdx(d, file) };
  throw new UserError('not a CycloneDX or SPDX JSON document', { file });
}

function cdxName(d: Record<string, unknown>): string | undefined {
  const c = (d.metadata as { component?: { name?: unknown } } | undefined)?.component;
  return typeof c?.name === 'string' ? c.name : undefined;
}

interface CdxComponent {
  purl?: string;
  components?: CdxComponent[];
  properties?: Array<{ name?: string; value?: string }>;
}

function fromCycloneDx(d: Record<string, unknown>, file: string): Package[] {
  const out: Package[] = [];
  const walk = (list: unknown, depth: number): void => {
    if (!Array.isArray(list) || depth > 16) return;
    for (const c of list as CdxComponent[]) {
      if (typeof c?.purl === 'string') {
        const props = c.properties ?? [];
        const loc = props.find((p) => p.name === PROP.location)?.value ?? file;
        const pkg = packageFromPurl(c.purl, loc);
        if (pkg) {
          const eco = props.find((p) => p.name === PROP.ecosystem)?.value;
          if (eco) pkg.ecosystem = eco;
          const sn = props.find((p) => p.name === PROP.sourceName)?.value;
          const sv = props.find((p) => p.name === PROP.sourceVersion)?.value;
          if (sn && sv) pkg.source = { name: sn, version: sv };
          const layer = props.find((p) => p.name === PROP.layer)?.value;
          if (layer) pkg.layerDigest = layer;
          out.push(pkg);
        }
      }
      walk(c?.components, depth + 1);
    }
  };
  walk(d.components, 0);
  return out;
}

function fromSpdx(d: Record<string, unknown>, file: string): Package[] {
  const out: Package[] = [];
  for (const p of Array.isArray(d.packages)
    ? (d.packages as Array<{ externalRefs?: Array<{ referenceType?: string; referenceLocator?: string }> }>)
    : []) {
    const ref = p.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator;
    if (!ref) continue;
    const pkg = packageFromPurl(ref, file);
    if (pkg) out.push(pkg);
  }
  return out;
}
