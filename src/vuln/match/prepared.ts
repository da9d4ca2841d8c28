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
 *   type ('S' SEMVER | 'E' ECOSYSTEM), sortedBy, kinds, limitCount, keyed, ...eventVersions, ...limits,
 *   [...eventKeys, ...limitKeys]
 *
 * `kinds` holds one character per event (`i` introduced, `f` fixed, `a` last_affected), in evaluation order.
 * `sortedBy` names the comparator the events were sorted with ({@link prepareRange}); null when the
 * ecosystem had no ordering at import, the events then keep the record's order. When `keyed` is 1 the
 * versions are followed by their sort keys under that comparator ({@link VersionComparator.sortKey}, `''`
 * for `introduced: "0"` and `*` limits, which are never compared), so evaluating a version parses only that
 * version. One array per entry, not objects per range and event: a cold match builds ten thousand of these,
 * and every object it keeps makes the garbage collector copy more.
 */
export type FlatRanges = (string | number | null)[];

/** Slots before a range's versions. */
const HEADER = 5;

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

/** Keys of a range's event versions then limits under `cmp`; undefined when one has none. */
function rangeKeys(
  events: readonly OsvEvent[],
  limits: readonly string[],
  cmp: VersionComparator | undefined,
): string[] | undefined {
  if (!cmp?.sortKey) return undefined;
  const keys: string[] = [];
  for (const e of events) {
    const k = e.introduced === '0' ? '' : cmp.sortKey(eventVersion(e));
    if (k === undefined) return undefined;
    keys.push(k);
  }
  for (const l of limits) {
    const k = l.includes('*') ? '' : cmp.sortKey(l);
    if (k === undefined) return undefined;
    keys.push(k);
  }
  return keys;
}

function pushRange(
  out: FlatRanges,
  type: 'S' | 'E',
  sorted: VersionComparator | undefined,
  events: readonly OsvEvent[],
  limits: readonly string[],
): void {
  const keys = rangeKeys(events, limits, sorted);
  out.push(type, sorted?.name ?? null, events.map(kindOf).join(''), limits.length, keys ? 1 : 0);
  for (const e of events) out.push(eventVersion(e));
  for (const l of limits) out.push(l);
  if (keys) for (const k of keys) out.push(k);
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
    if (p) pushRange(out, type, cmp, p.events, p.limits);
    return;
  }
  const limits = range.events.filter((e) => e.limit !== undefined).map((e) => e.limit as string);
  pushRange(
    out,
    type,
    undefined,
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
  return i + HEADER + ((r[i + 2] as string).length + (r[i + 3] as number)) * (r[i + 4] === 1 ? 2 : 1);
}

/** Whether the range starting at `i` carries sort keys. */
export const rangeKeyed = (r: FlatRanges, i: number): boolean => r[i + 4] === 1;

/**
 * compare(v, version in slot j): through the keys when `key` (v's sort key) is given, `d` slots after the
 * version; else through `vs`.
 */
function versus(vs: CompareToVersion, key: string | undefined, r: FlatRanges, j: number, d: number): number {
  if (key === undefined) return vs(r[j] as string);
  const k = r[j + d] as string;
  return key < k ? -1 : key > k ? 1 : 0;
}

/**
 * Whether version v falls in the range starting at `i`, following the OSV schema's `IncludedInRanges`
 * pseudo-code exactly as {@link evaluateRangeWith} does: false when not affected, else the lowest `fixed`
 * event above v, or true when there is none. (No verdict object: a cold match evaluates tens of thousands.)
 * `key` is v's sort key under the range's comparator, used when the range is keyed ({@link rangeKeyed});
 * `vs` compares otherwise.
 */
export function evaluateFlat(
  vs: CompareToVersion,
  key: string | undefined,
  r: FlatRanges,
  i: number,
): boolean | string {
  const kinds = r[i + 2] as string;
  const n = kinds.length;
  const limitCount = r[i + 3] as number;
  const first = i + HEADER;
  const k = r[i + 4] === 1 ? key : undefined;
  const d = n + limitCount;
  // BeforeLimits: no limit means the implicit "*"; otherwise v must be below at least one limit.
  if (limitCount) {
    let below = false;
    for (let j = first + n; j < first + n + limitCount && !below; j++) {
      below = (r[j] as string).includes('*') || versus(vs, k, r, j, d) < 0;
    }
    if (!below) return false;
  }
  let vulnerable = false;
  for (let j = 0; j < n; j++) {
    const kind = kinds.charCodeAt(j);
    const s = first + j;
    if (kind === 105 /* introduced */) {
      if (r[s] === '0' || versus(vs, k, r, s, d) >= 0) vulnerable = true;
    } else if (kind === 102 /* fixed */) {
      if (versus(vs, k, r, s, d) >= 0) vulnerable = false;
    } else if (versus(vs, k, r, s, d) > 0) vulnerable = false; // last_affected
  }
  if (!vulnerable) return false;
  // Events are sorted, so the first fixed event above v is the lowest one.
  for (let j = 0; j < n; j++) {
    if (kinds.charCodeAt(j) === 102 && versus(vs, k, r, first + j, d) < 0) return r[first + j] as string;
  }
  return true;
}

/** Listed versions times range events up to which {@link listedOutsideRanges} trims a list. */
export const TRIM_BUDGET = 2_000_000;

/** Whether the stored ranges include v when the matcher evaluates them with the import orderings. */
function inStoredRanges(r: FlatRanges, v: string, eco: VersionComparator | undefined): boolean {
  for (let i = 0; i < r.length; i = nextRange(r, i)) {
    const cmp = r[i] === 'S' ? semverComparator : eco;
    // Unsorted ECOSYSTEM ranges (no ordering known) are never evaluated, and neither is an invalid version.
    if (!cmp || r[i + 1] === null || !cmp.valid(v)) continue;
    const key = rangeKeyed(r, i) ? cmp.sortKey?.(v) : undefined;
    if (evaluateFlat((x) => cmp.compare(v, x), key, r, i) !== false) return true;
  }
  return false;
}

/**
 * The listed versions that an entry's stored ranges ({@link encodeRanges}) do not include. A listed version
 * inside a range is found by the range, so the store keeps only the others for the matcher's exact-string
 * check: OSV derives PyPI and Go entries' lists from their ranges, and they run to hundreds of versions that a
 * cold match would otherwise parse as JSON and never look at.
 */
export function listedOutsideRanges(
  ecosystem: string,
  ranges: FlatRanges,
  listed: readonly string[],
): string[] {
  if (!ranges.length) return [...listed];
  // Each listed version is evaluated against every event: past a budget (a hostile record listing a million
  // versions against as many events) the whole list is kept, which is always correct, only larger.
  let events = 0;
  for (let i = 0; i < ranges.length; i = nextRange(ranges, i))
    events += (ranges[i + 2] as string).length + (ranges[i + 3] as number);
  if (listed.length * events > TRIM_BUDGET) return [...listed];
  const eco = importComparator(ecosystem);
  return listed.filter((v) => !inStoredRanges(ranges, v, eco));
}
