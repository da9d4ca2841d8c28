import type { OsvEvent, OsvRange } from '../db/osv.js';
import type { VersionComparator } from '../version/comparator.js';
import { comparatorFor } from '../version/index.js';
import { prepareRange, type CompareToVersion } from './evaluate.js';
import { semverComparator } from './semver.js';

/**
 * The form in which an affected entry's SEMVER and ECOSYSTEM ranges are stored and evaluated. Sorting range
 * events under an ecosystem ordering parses every event version; the import does it once, so a fresh
 * process (a CLI `image scan`) does not.
 *
 * All ranges of an entry are one flat array, a header per range followed by its strings:
 *
 *   type ('S' SEMVER | 'E' ECOSYSTEM), sortedBy, kinds, limitCount, ...eventVersions, ...limits
 *
 * `kinds` holds one character per event (`i` introduced, `f` fixed, `a` last_affected), in evaluation order.
 * `sortedBy` names the comparator the events were sorted with ({@link prepareRange}); null when the
 * ecosystem had no ordering at import, the events then keep the record's order. One array per entry, not
 * objects per range and event: a cold match builds ten thousand of these, and every object it keeps makes
 * the garbage collector copy more.
 */
export type FlatRanges = (string | number | null)[];

/** Slots before a range's versions. */
const HEADER = 4;

/**
 * The ECOSYSTEM ordering used at import. A matcher may reuse the stored order only when its own comparator
 * for the ecosystem is this very object (a custom resolver or a changed mapping re-sorts from the record).
 */
export function importComparator(ecosystem: string): VersionComparator | undefined {
  return comparatorFor(ecosystem);
}

function kindOf(e: OsvEvent): string {
  return e.introduced !== undefined ? 'i' : e.fixed !== undefined ? 'f' : 'a';
}

function eventVersion(e: OsvEvent): string {
  return (e.introduced ?? e.fixed ?? e.last_affected) as string;
}

function pushRange(
  out: FlatRanges,
  type: 'S' | 'E',
  sortedBy: string | null,
  events: readonly OsvEvent[],
  limits: readonly string[],
): void {
  out.push(type, sortedBy, events.map(kindOf).join(''), limits.length);
  for (const e of events) out.push(eventVersion(e));
  for (const l of limits) out.push(l);
}

/**
 * Appends a range sorted under `cmp` ({@link prepareRange}: record order where the comparator throws), or
 * in record order when `cmp` is undefined. GIT and unknown range types are skipped.
 */
export function pushPrepared(out: FlatRanges, range: OsvRange, cmp: VersionComparator | undefined): void {
  if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') return;
  const type = range.type === 'SEMVER' ? 'S' : 'E';
  if (cmp) {
    const p = prepareRange(range, cmp);
    if (p) pushRange(out, type, cmp.name, p.events, p.limits);
    return;
  }
  const limits = range.events.filter((e) => e.limit !== undefined).map((e) => e.limit as string);
  pushRange(
    out,
    type,
    null,
    range.events.filter((e) => e.limit === undefined),
    limits,
  );
}

/** The stored ranges of an affected entry, sorted wherever an ordering is known at import. */
export function encodeRanges(ecosystem: string, ranges: readonly OsvRange[]): FlatRanges {
  const out: FlatRanges = [];
  const eco = importComparator(ecosystem);
  for (const r of ranges) pushPrepared(out, r, r.type === 'SEMVER' ? semverComparator : eco);
  return out;
}

/** Index of the range after the one starting at `i`. */
export function nextRange(r: FlatRanges, i: number): number {
  return i + HEADER + (r[i + 2] as string).length + (r[i + 3] as number);
}

/**
 * Whether version v falls in the range starting at `i`, following the OSV schema's `IncludedInRanges`
 * pseudo-code exactly as {@link evaluateRangeWith} does: false when not affected, else the lowest `fixed`
 * event above v, or true when there is none. (No verdict object: a cold match evaluates tens of thousands.)
 */
export function evaluateFlat(vs: CompareToVersion, r: FlatRanges, i: number): boolean | string {
  const kinds = r[i + 2] as string;
  const n = kinds.length;
  const limitCount = r[i + 3] as number;
  const first = i + HEADER;
  // BeforeLimits: no limit means the implicit "*"; otherwise v must be below at least one limit.
  if (limitCount) {
    let below = false;
    for (let j = first + n; j < first + n + limitCount && !below; j++) {
      const l = r[j] as string;
      below = l.includes('*') || vs(l) < 0;
    }
    if (!below) return false;
  }
  let vulnerable = false;
  for (let j = 0; j < n; j++) {
    const k = kinds.charCodeAt(j);
    const x = r[first + j] as string;
    if (k === 105 /* introduced */) {
      if (x === '0' || vs(x) >= 0) vulnerable = true;
    } else if (k === 102 /* fixed */) {
      if (vs(x) >= 0) vulnerable = false;
    } else if (vs(x) > 0) vulnerable = false; // last_affected
  }
  if (!vulnerable) return false;
  // Events are sorted, so the first fixed event above v is the lowest one.
  for (let j = 0; j < n; j++) {
    if (kinds.charCodeAt(j) === 102 && vs(r[first + j] as string) < 0) return r[first + j] as string;
  }
  return true;
}
