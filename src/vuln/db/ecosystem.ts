/**
 * OSV ecosystem strings and package names as stored and looked up. The full ecosystem string
 * (`Debian:12`, `Alpine:v3.20`, `Maven:https://maven.google.com`) is kept verbatim; lookups use a
 * lower-cased key of it and of its base (`debian`), so a query for a release finds records scoped to that
 * release and unscoped records of the same ecosystem.
 */

/** `Debian:12` → `Debian`; `PyPI` → `PyPI`. */
export function ecosystemBase(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return (i < 0 ? ecosystem : ecosystem.slice(0, i)).trim();
}

/** Case-insensitive key of a full ecosystem string. */
export function ecosystemKey(ecosystem: string): string {
  return ecosystem.trim().toLowerCase();
}

/** Case-insensitive key of the base ecosystem. */
export function ecosystemBaseKey(ecosystem: string): string {
  return ecosystemBase(ecosystem).toLowerCase();
}

/** True when the ecosystem string carries a qualifier after the base (`Debian:12`). */
export function isScopedEcosystem(ecosystem: string): boolean {
  return ecosystem.includes(':');
}

/**
 * Package name as stored and looked up. PyPI names follow PEP 503 (lower case, runs of `-`, `_`, `.`
 * become one `-`); every other ecosystem compares names exactly.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  return normalizeNameIn(ecosystemBaseKey(ecosystem), name);
}

/** {@link normalizePackageName} for a base ecosystem key already at hand (`pypi`, `go`). */
export function normalizeNameIn(baseKey: string, name: string): string {
  if (baseKey === 'pypi')
    return name
      .trim()
      .toLowerCase()
      .replace(/[-_.]+/g, '-');
  return name.trim();
}
