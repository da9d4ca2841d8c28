/** Package types, named like purl types. */
export type PackageType =
  'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang' | 'maven' | 'gem' | 'cargo' | 'composer' | 'nuget';

/** One installed package found in an image or filesystem. */
export interface Package {
  type: PackageType;
  name: string;
  version: string;
  /** OSV ecosystem the package is matched in, e.g. `Debian:12`, `Alpine:v3.20`, `npm`, `PyPI`. */
  ecosystem: string;
  purl: string;
  /** Source package (dpkg Source:, apk origin, rpm SOURCERPM name): distribution advisories are keyed by it. */
  source?: { name: string; version: string };
  /** Files that declared the package, inside the image. */
  locations: string[];
  /** Index of the layer that introduced the declaring file (0 = base), and its digest when known. */
  layer?: number;
  layerDigest?: string;
  licenses?: string[];
  arch?: string;
}

/** The distribution the image is built on, from /etc/os-release. */
export interface Distro {
  /** os-release ID, e.g. debian, ubuntu, alpine, rhel, rocky, almalinux, fedora, amzn, wolfi. */
  id: string;
  versionId: string;
  prettyName?: string;
  idLike?: string[];
}
