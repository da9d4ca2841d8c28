import { PackageURL } from 'packageurl-js';
import type { Package, PackageType } from '../package.js';

/** Builds a language package with its purl; `namespace` is the purl namespace (npm scope, Maven group). */
export function langPackage(
  type: PackageType,
  ecosystem: string,
  name: string,
  version: string,
  location: string,
  layer: number,
  namespace?: string,
): Package {
  return {
    type,
    name: namespace && type !== 'npm' ? `${namespace}:${name}` : namespace ? `${namespace}/${name}` : name,
    version,
    ecosystem,
    purl: new PackageURL(type, namespace, name, version, undefined, undefined).toString(),
    locations: [location],
    layer,
  };
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keeps one package per (name, version, location) — lock files and manifests can repeat entries. */
export function dedupe(pkgs: Package[]): Package[] {
  const seen = new Set<string>();
  return pkgs.filter((p) => {
    const k = `${p.purl}\0${p.locations[0] ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
