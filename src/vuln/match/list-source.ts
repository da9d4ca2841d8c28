import { ecosystemBaseKey, ecosystemKey, normalizePackageName } from '../db/ecosystem.js';
import type { OsvRecord } from '../db/osv.js';
import { advisoryMeta, pickCvss } from './advisory-meta.js';
import {
  AdvisoryRef,
  pairKey,
  setRangesFromRecord,
  type Candidate,
  type CandidateSource,
} from './candidate.js';
import type { Comparators } from './comparators.js';
import { encodeVersionList } from './listed-versions.js';

/** Candidates from an in-memory record list, indexed once. Withdrawn records are left out. */
export class ListSource implements CandidateSource {
  private readonly index = new Map<string, Candidate[]>();

  constructor(records: readonly OsvRecord[], cmps: Comparators) {
    for (const rec of records) {
      if (rec.withdrawn) continue;
      const advisory = new AdvisoryRef(-1, () => advisoryMeta(rec));
      for (const a of rec.affected ?? []) {
        if (!a.package) continue;
        const { ecosystem, name } = a.package;
        const k = pairKey(ecosystemBaseKey(ecosystem), normalizePackageName(ecosystem, name));
        let list = this.index.get(k);
        if (!list) this.index.set(k, (list = []));
        const severity = a.severity ?? [];
        const cand: Candidate = {
          advisory,
          ecosystem,
          ecoKey: ecosystemKey(ecosystem),
          ranges: [],
          versions: encodeVersionList(a.versions ?? []),
          severity,
          cvss: severity.length ? pickCvss(severity) : null,
          cmp: cmps.for(ecosystem),
          unorderedRanges: 0,
        };
        setRangesFromRecord(cand, a.ranges ?? []);
        list.push(cand);
      }
    }
  }

  fetch(groups: Map<string, Set<string>>): Map<string, Candidate[]> {
    const out = new Map<string, Candidate[]>();
    for (const [base, names] of groups) {
      for (const name of names) {
        const list = this.index.get(pairKey(base, name));
        if (list) out.set(pairKey(base, name), list);
      }
    }
    return out;
  }

  loadAdvisories(): void {
    // Records build their metadata on first use.
  }
}
