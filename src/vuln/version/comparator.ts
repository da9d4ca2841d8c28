/**
 * A version ordering for one package ecosystem. Advisory ranges are only meaningful under the
 * ecosystem's own rules (dpkg epochs and tildes, PEP 440 pre-releases, Maven qualifiers, ...).
 */
export interface VersionComparator {
  /** Ecosystem family name, e.g. "dpkg", "semver", "pep440". */
  readonly name: string;
  /** Negative when a < b, 0 when equal, positive when a > b. Never throws on well-formed input. */
  compare(a: string, b: string): number;
  /** Whether `v` parses as a version of this scheme. */
  valid(v: string): boolean;
  /**
   * A string whose code-unit order (`<`) is {@link compare}'s order among valid versions: equal keys exactly
   * when compare returns 0. Undefined when `v` is not valid, or is too large to key (callers then compare).
   * Optional: orderings without one are only ever compared.
   */
  sortKey?(v: string): string | undefined;
}
