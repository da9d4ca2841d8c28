import type { SquashedFs } from '../layers/squash.js';
import type { Distro } from './package.js';

/** Files read to identify the distribution, in order of preference. */
export const OS_RELEASE_PATHS = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/alpine-release',
  'etc/debian_version',
  'etc/redhat-release',
];

/** Parses os-release(5): KEY=value lines, values optionally quoted with shell escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    out[key] = value;
  }
  return out;
}

/** Identifies the distribution, with fallbacks for images that lack os-release. */
export function detectDistro(fs: SquashedFs): Distro | undefined {
  for (const p of ['etc/os-release', 'usr/lib/os-release']) {
    const f = fs.get(p);
    if (!f) continue;
    const kv = parseOsRelease(f.content.toString('utf8'));
    if (!kv.ID) continue;
    const d: Distro = { id: kv.ID.toLowerCase(), versionId: kv.VERSION_ID ?? '' };
    if (kv.PRETTY_NAME) d.prettyName = kv.PRETTY_NAME;
    if (kv.ID_LIKE) d.idLike = kv.ID_LIKE.split(/\s+/).filter(Boolean);
    // Debian testing/sid have no VERSION_ID; debian_version says e.g. "trixie/sid".
    if (!d.versionId && d.id === 'debian') {
      const dv = fs.get('etc/debian_version')?.content.toString('utf8').trim();
      if (dv) d.versionId = dv;
    }
    return d;
  }
  const alpine = fs.get('etc/alpine-release')?.content.toString('utf8').trim();
  if (alpine) return { id: 'alpine', versionId: alpine };
  const debian = fs.get('etc/debian_version')?.content.toString('utf8').trim();
  if (debian) return { id: 'debian', versionId: debian.split('.')[0] ?? debian };
  const redhat = fs.get('etc/redhat-release')?.content.toString('utf8').trim();
  if (redhat) {
    const m = /release (\d+(?:\.\d+)?)/.exec(redhat);
    return { id: /centos/i.test(redhat) ? 'centos' : 'rhel', versionId: m?.[1] ?? '' };
  }
  return undefined;
}

/**
 * The OSV ecosystem for a distribution's packages: `Debian:12`, `Ubuntu:22.04` (`:LTS` suffix for LTS
 * releases), `Alpine:v3.20`, `Red Hat`, `Rocky Linux:9`, `AlmaLinux:9`, `Wolfi`, `Chainguard`.
 */
export function osvEcosystem(d: Distro): string | undefined {
  const major = d.versionId.split('.')[0] ?? '';
  switch (d.id) {
    case 'debian':
      return `Debian:${major}`;
    case 'ubuntu': {
      const [y, m] = d.versionId.split('.');
      const lts = Number(y) % 2 === 0 && m === '04';
      return `Ubuntu:${d.versionId}${lts ? ':LTS' : ''}`;
    }
    case 'alpine': {
      const [a, b] = d.versionId.split('.');
      return `Alpine:v${a}.${b}`;
    }
    case 'rocky':
      return `Rocky Linux:${major}`;
    case 'almalinux':
      return `AlmaLinux:${major}`;
    case 'rhel':
      return 'Red Hat';
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
    case 'opensuse-leap':
      return `openSUSE:Leap ${d.versionId}`;
    case 'sles':
      return `SUSE:Linux Enterprise Server ${major}`;
    case 'mageia':
      return `Mageia:${major}`;
    case 'photon':
      return `Photon OS:${d.versionId}`;
    default:
      return undefined;
  }
}
