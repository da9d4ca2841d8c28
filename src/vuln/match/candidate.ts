import type { CvssScore } from '../cvss/index.js';
import type { OsvRange, OsvSeverity } from '../db/osv.js';
import type { VersionComparator } from '../version/comparator.js';
import type { AdvisoryMeta } from './advisory-meta.js';
import type { Comparators } from './comparators.js';
import { nextRange, pushPrepared, type FlatRanges } from './prepared.js';
import { semverComparator } from './semver.js';

/**
 * An advisory's match metadata, loaded only once one of its entries matched: most candidates never do.
 * Database sources fill {@link decoded} in batches; record lists build it on first use.
 */
export class AdvisoryRef {
  decoded: AdvisoryMeta | undefined;
  constructor(
    /** Database key; -1 for in-memory records. */
    readonly pk: number,
    private readonly load?: () => AdvisoryMeta,
  ) {}

  /** Undefined only when a database lacks the advisory's metadata: such a match cannot be reported. */
  meta(): AdvisoryMeta | undefined {
    return (this.decoded ??= this.load?.());
  }
}

/** An affected entry of an advisory, ready to evaluate against a package version. */
export interface Candidate {
  advisory: AdvisoryRef;
  /** Ecosystem string of the entry and its lookup key. */
  ecosystem: string;
  ecoKey: string;
  /** SEMVER and ordered ECOSYSTEM ranges, events sorted under `semverComparator` and {@link cmp}. */
  ranges: FlatRanges;
  /**
   * Explicit versions in {@link encodeVersionList} form: all of them, or, when {@link allVersions} is set,
   * only those the stored ranges do not already include (see {@link listedOutsideRanges}).
   */
  versions: string | null;
  /** The whole list, for the rare evaluation that cannot use the stored ranges; then it replaces `versions`. */
  allVersions?: () => string | null;
  severity: OsvSeverity[];
  /** The preferred score of {@link severity}; null when none. */
  cvss: CvssScore | null;
  /** Comparator of the ECOSYSTEM ordering, undefined when the ecosystem is unknown. */
  cmp: VersionComparator | undefined;
  /** ECOSYSTEM ranges that could not be evaluated for lack of a comparator. */
  unorderedRanges: number;
}

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
  /** Makes `meta` of these advisories available (one batch for a whole inventory). */
  loadAdvisories(refs: readonly AdvisoryRef[]): void;
}

/**
 * Takes `c`'s ranges from their stored pre-sorted form; false when one was sorted under another ordering
 * than the matcher's, so the entry must be prepared from the record's ranges ({@link setRangesFromRecord}).
 */
export function setStoredRanges(c: Candidate, stored: FlatRanges, cmps: Comparators): boolean {
  for (let i = 0; i < stored.length; i = nextRange(stored, i)) {
    const sortedBy = stored[i + 1] as string | null;
    if (stored[i] === 'S') {
      if (sortedBy !== semverComparator.name) return false;
    } else if (!c.cmp) {
      c.unorderedRanges++;
    } else if (sortedBy === null || !cmps.storedOrderUsable(c.ecosystem, sortedBy)) {
      return false;
    }
  }
  if (!c.unorderedRanges) {
    c.ranges = stored;
    return true;
  }
  // Ranges without an ordering are only counted (for the warning), never evaluated.
  c.ranges = [];
  for (let i = 0; i < stored.length; i = nextRange(stored, i))
    if (stored[i] === 'S') c.ranges.push(...stored.slice(i, nextRange(stored, i)));
  return true;
}

/** Replaces a trimmed versions list by the whole list. */
export function wholeVersionList(c: Candidate): void {
  if (!c.allVersions) return;
  c.versions = c.allVersions();
  delete c.allVersions;
}

/** Fills `c`'s ranges from the record's OSV ranges, sorting them under the matcher's comparators. */
export function setRangesFromRecord(c: Candidate, ranges: readonly OsvRange[]): void {
  // Ranges sorted under other comparators than the import's: the trimmed versions list no longer applies.
  wholeVersionList(c);
  c.ranges = [];
  c.unorderedRanges = 0;
  for (const r of ranges) {
    if (r.type !== 'SEMVER' && r.type !== 'ECOSYSTEM') continue;
    const rc = r.type === 'SEMVER' ? semverComparator : c.cmp;
    if (rc) pushPrepared(c.ranges, r, rc);
    else c.unorderedRanges++;
  }
}
