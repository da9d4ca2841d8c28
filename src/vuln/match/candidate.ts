import type { OsvRange } from '../db/osv.js';
import type { VersionComparator } from '../version/comparator.js';
import type { AdvisoryMeta } from './advisory-meta.js';
import type { Comparators } from './comparators.js';
import { nextRange, pushPrepared, type FlatRanges } from './prepared.js';
import { semverComparator } from './semver.js';
import { ROW, type AffectedRow } from './stored-row.js';

/**
 * An affected entry of an advisory, ready to evaluate: the stored row itself ({@link AffectedRow}), its
 * ranges sorted under the matcher's orderings. A cold match reads ten thousand entries and most never match,
 * so no object is built per entry; an advisory's metadata is read by its key only for a match. Sources fit rows
 * to the matcher before handing them out ({@link fitStoredRanges}, {@link setRangesFromRecord}).
 */
export type Candidate = AffectedRow;

/** Candidates by normalized package name, for one base ecosystem. */
export type CandidatesByName = ReadonlyMap<string, readonly Candidate[]>;

/** Where candidates come from: the SQLite database or an in-memory record list. */
export interface CandidateSource {
  /**
   * Candidates for every (base ecosystem, normalized names) group asked, by base ecosystem key then name; a
   * name may be missing or map to an empty list when nothing affects it. (Nested maps rather than one map
   * of joined keys: each lookup then hashes a name string once, not a new concatenation per call.)
   */
  fetch(groups: Map<string, Set<string>>): Map<string, CandidatesByName>;
  /**
   * Makes the match metadata of these advisory keys available to {@link meta}: loaded only once an entry
   * matched (most never do), in one batch for a whole inventory.
   */
  loadAdvisories(keys: ReadonlySet<number>): void;
  /** An advisory's match metadata; undefined only when a database lacks it (such a match cannot be reported). */
  meta(key: number): AdvisoryMeta | undefined;
  /** Replaces a trimmed versions list (`trimmed` 1) by the whole list. */
  wholeVersions(c: Candidate): void;
}

/**
 * Checks that `c`'s stored ranges were sorted under the matcher's orderings; false when one was not, so the
 * entry must be prepared from the record's ranges ({@link setRangesFromRecord}). ECOSYSTEM ranges of an
 * ecosystem without an ordering are set aside and counted (for the warning), never evaluated.
 */
export function fitStoredRanges(c: Candidate, cmps: Comparators): boolean {
  const stored = c[ROW.ranges];
  const ecosystem = c[ROW.ecosystem];
  const cmp = cmps.for(ecosystem);
  let unordered = 0;
  for (let i = 0; i < stored.length; i = nextRange(stored, i)) {
    const sortedBy = stored[i + 1] as string | null;
    if (stored[i] === 'S') {
      if (sortedBy !== semverComparator.name) return false;
    } else if (!cmp) {
      unordered++;
    } else if (sortedBy === null || !cmps.storedOrderUsable(ecosystem, sortedBy)) {
      return false;
    }
  }
  if (unordered) {
    const kept: FlatRanges = [];
    for (let i = 0; i < stored.length; i = nextRange(stored, i))
      if (stored[i] === 'S') for (let j = i; j < nextRange(stored, i); j++) kept.push(stored[j] as string);
    c[ROW.ranges] = kept;
    c[ROW.unordered] = unordered;
  }
  return true;
}

/**
 * Sets `c`'s ranges from the record's OSV ranges, sorted under the matcher's orderings (`cmp` for
 * ECOSYSTEM ranges). The versions list must be whole by now: a trimmed one only fits the import's orderings.
 */
export function setRangesFromRecord(
  c: Candidate,
  ranges: readonly OsvRange[],
  cmp: VersionComparator | undefined,
): void {
  const out: FlatRanges = [];
  let unordered = 0;
  for (const r of ranges) {
    if (r.type !== 'SEMVER' && r.type !== 'ECOSYSTEM') continue;
    const rc = r.type === 'SEMVER' ? semverComparator : cmp;
    if (rc) pushPrepared(out, r, rc);
    else unordered++;
  }
  c[ROW.ranges] = out;
  if (unordered) c[ROW.unordered] = unordered;
}
