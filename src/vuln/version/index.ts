import type { VersionComparator } from './comparator.js';
import { apk } from './apk.js';
import { dpkg } from './dpkg.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { semver, semverLoose } from './semver.js';

export type { VersionComparator } from './comparator.js';
export { apk, dpkg, maven, nuget, pep440, rpm, rubygems, semver, semverLoose };

/**
 * OSV ecosystem name (https://ossf.github.io/osv-schema/#defined-ecosystems) -> version ordering. Keys are
 * lower-cased; the part of the ecosystem after the first ':' (release such as `Debian:12`, `Alpine:v3.20`,
 * `Ubuntu:22.04:LTS`, `Ubuntu:Pro:18.04:LTS`, `Red Hat:rhel_aus:8.4::appstream`) never changes the ordering.
 */
const BY_ECOSYSTEM: ReadonlyMap<string, VersionComparator> = new Map<string, VersionComparator>([
  // dpkg
  ['debian', dpkg],
  ['ubuntu', dpkg],
  // apk
  ['alpine', apk],
  ['wolfi', apk],
  ['chainguard', apk],
  ['minimos', apk],
  ['alpaquita', apk],
  ['bellsoft hardened containers', apk],
  // rpm
  ['red hat', rpm],
  ['rocky linux', rpm],
  ['almalinux', rpm],
  ['opensuse', rpm],
  ['suse', rpm],
  ['mageia', rpm],
  ['photon os', rpm],
  ['fedora', rpm], // not an OSV-defined ecosystem, but its advisories use plain rpm EVRs
  ['openeuler', rpm],
  ['azure linux', rpm],
  // SemVer 2.0.0
  ['npm', semver],
  ['go', semver], // Go module versions: v-prefixed semver, pseudo-versions are pre-releases
  ['crates.io', semver],
  ['hex', semver],
  ['pub', semver],
  ['swifturl', semver],
  ['bitnami', semver],
  // Packagist versions are Composer versions (1.2, 1.2.3.4, v2.0-beta1, 1.0.0-p1), not strict SemVer; the loose
  // comparator approximates Composer's normalisation and stability ordering (dev < alpha < beta < RC < stable
  // < patch).
  ['packagist', semverLoose],
  // language-specific schemes
  ['pypi', pep440],
  ['maven', maven],
  ['rubygems', rubygems],
  ['nuget', nuget],
]);

/**
 * The comparator for an OSV ecosystem string, or undefined when the ecosystem has no native ordering here (e.g.
 * `GIT`-range-only ecosystems, `Linux`, `OSS-Fuzz`, `Android`, `CRAN`, `Hackage`, `ConanCenter`).
 */
export function comparatorFor(ecosystem: string): VersionComparator | undefined {
  const trimmed = ecosystem.trim();
  const colon = trimmed.indexOf(':');
  const base = (colon >= 0 ? trimmed.slice(0, colon) : trimmed).trim().toLowerCase();
  return BY_ECOSYSTEM.get(base);
}
