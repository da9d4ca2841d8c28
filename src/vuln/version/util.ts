/**
 * Small shared helpers for the version comparators. Nothing here compiles a regular expression per call.
 */

/** Normalises any comparison result to -1, 0 or 1. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Code-unit (UTF-16) order, the same as Java's String.compareTo sign and C's strcmp on ASCII. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares two runs of ASCII digits by numeric value without converting them to numbers, so arbitrarily long
 * runs (date stamps, commit counters) never lose precision. Empty runs count as zero.
 */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && a.charCodeAt(i) === 48) i++;
  while (j < b.length && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The fallback ordering shared by the comparators whose grammar rejects some strings (semver, PEP 440,
 * RubyGems, NuGet): every invalid version sorts before every valid one, and two invalid versions compare by
 * plain code-unit order. This keeps `compare` a total order (antisymmetric and transitive) on arbitrary input,
 * so sorting garbage never throws and never depends on argument order.
 */
export function compareWithFallback<T>(
  a: string,
  b: string,
  parse: (v: string) => T | undefined,
  cmp: (x: T, y: T) => number,
): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa !== undefined && pb !== undefined) return sign(cmp(pa, pb));
  if (pa !== undefined) return 1;
  if (pb !== undefined) return -1;
  return compareStrings(a, b);
}

/**
 * A tiny bounded memo for parsed versions: advisory matching compares the same installed version against many
 * range events. When full it is simply cleared, which keeps the cost O(1) without LRU bookkeeping.
 */
export class ParseCache<T> {
  private readonly map = new Map<string, T | null>();
  constructor(
    private readonly parseFn: (v: string) => T | undefined,
    private readonly limit = 2048,
  ) {}

  get(v: string): T | undefined {
    const hit = this.map.get(v);
    if (hit !== undefined) return hit === null ? undefined : hit;
    const parsed = this.parseFn(v);
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(v, parsed === undefined ? null : parsed);
    return parsed;
  }
}
