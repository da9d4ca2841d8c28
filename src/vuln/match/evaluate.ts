import type { OsvEvent, OsvRange } from '../db/osv.js';
import type { VersionComparator } from '../version/comparator.js';

/** A SEMVER or ECOSYSTEM range with its events sorted once by the range's comparator. */
export interface PreparedRange {
  type: 'SEMVER' | 'ECOSYSTEM';
  /** Sorted ascending; `introduced: "0"` first. */
  events: OsvEvent[];
  /** Limit versions; empty means the implicit `limit: "*"`. */
  limits: string[];
}

function eventVersion(e: OsvEvent): string {
  return (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit) as string;
}

const isZero = (e: OsvEvent): boolean => e.introduced === '0';

/**
 * Sorts a range's events by version as the OSV evaluation requires (`sorted(range.events)`). `introduced:
 * "0"` sorts before every version; ties keep the order of the record. A comparator that throws on a
 * malformed event leaves the record's order, which the schema recommends to be sorted already.
 */
export function prepareRange(range: OsvRange, cmp: VersionComparator): PreparedRange | undefined {
  if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') return undefined; // GIT: commits, not versions
  const limits = range.events.filter((e) => e.limit !== undefined).map((e) => e.limit as string);
  const events = range.events.filter((e) => e.limit === undefined);
  let sorted: OsvEvent[];
  try {
    sorted = events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => {
        const za = isZero(a.e);
        const zb = isZero(b.e);
        if (za || zb) return za && zb ? a.i - b.i : za ? -1 : 1;
        return cmp.compare(eventVersion(a.e), eventVersion(b.e)) || a.i - b.i;
      })
      .map((x) => x.e);
  } catch {
    sorted = events;
  }
  return { type: range.type, events: sorted, limits };
}

/** `compare(v, x)` for the version under test; lets callers memoise comparisons across ranges. */
export type CompareToVersion = (x: string) => number;

export interface RangeVerdict {
  affected: boolean;
  /** When affected: the lowest `fixed` event above v in this range, if any. */
  fixed?: string;
}

/**
 * Whether version `v` falls in the range, following the OSV schema's `IncludedInRanges` pseudo-code:
 * outside every `limit` (when any) it is not; otherwise walk the sorted events: `introduced` at or below
 * v turns vulnerable on, `fixed` at or below v and `last_affected` below v turn it off.
 */
export function evaluateRange(v: string, r: PreparedRange, cmp: VersionComparator): RangeVerdict {
  return evaluateRangeWith((x) => cmp.compare(v, x), r);
}

/** {@link evaluateRange} with the comparison against v supplied by the caller. */
export function evaluateRangeWith(vs: CompareToVersion, r: PreparedRange): RangeVerdict {
  // BeforeLimits: no limit means the implicit "*"; otherwise v must be below at least one limit.
  if (r.limits.length && !r.limits.some((l) => l.includes('*') || vs(l) < 0)) return { affected: false };
  let vulnerable = false;
  for (const e of r.events) {
    if (e.introduced !== undefined) {
      if (e.introduced === '0' || vs(e.introduced) >= 0) vulnerable = true;
    } else if (e.fixed !== undefined) {
      if (vs(e.fixed) >= 0) vulnerable = false;
    } else if (e.last_affected !== undefined) {
      if (vs(e.last_affected) > 0) vulnerable = false;
    }
  }
  if (!vulnerable) return { affected: false };
  // Events are sorted, so the first fixed event above v is the lowest one.
  for (const e of r.events) {
    if (e.fixed !== undefined && vs(e.fixed) < 0) return { affected: true, fixed: e.fixed };
  }
  return { affected: true };
}
