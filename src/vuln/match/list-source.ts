import { ecosystemBaseKey, normalizePackageName } from '../db/ecosystem.js';
import type { OsvRecord } from '../db/osv.js';
import { advisoryMeta, pickCvss, type AdvisoryMeta } from './advisory-meta.js';
import {
  setRangesFromRecord,
  type Candidate,
  type CandidatesByName,
  type CandidateSource,
} from './candidate.js';
import type { Comparators } from './comparators.js';
import { encodeVersionList } from './listed-versions.js';

/** Candidates from an in-memory record list, indexed once. Withdrawn records are left out. */
export class ListSource implements CandidateSource {
  private readonly index = new Map<string, Map<string, Candidate[]>>();
  /** Advisory keys are positions here; metadata is built on first use. */
  private readonly records: OsvRecord[] = [];
  private readonly metas: (AdvisoryMeta | undefined)[] = [];

  constructor(records: readonly OsvRecord[], cmps: Comparators) {
    for (const rec of records) {
      if (rec.withdrawn) continue;
      const key = this.records.push(rec) - 1;
      for (const a of rec.affected ?? []) {
        if (!a.package) continue;
        const { ecosystem, name } = a.package;
        const base = ecosystemBaseKey(ecosystem);
        let byName = this.index.get(base);
        if (!byName) this.index.set(base, (byName = new Map()));
        const normalized = normalizePackageName(ecosystem, name);
        let list = byName.get(normalized);
        if (!list) byName.set(normalized, (list = []));
        const severity = a.severity?.length ? a.severity : null;
        const cand: Candidate = [
          -1,
          key,
          ecosystem,
          [],
          encodeVersionList(a.versions ?? []),
          0,
          severity,
          severity ? pickCvss(severity) : null,
        ];
        setRangesFromRecord(cand, a.ranges ?? [], cmps.for(ecosystem));
        list.push(cand);
      }
    }
  }

  fetch(): Map<string, CandidatesByName> {
    return this.index;
  }

  loadAdvisories(): void {
    // Records build their metadata on first use.
  }

  meta(key: number): AdvisoryMeta | undefined {
    const rec = this.records[key];
    return rec && (this.metas[key] ??= advisoryMeta(rec));
  }

  wholeVersions(): void {
    // Lists are never trimmed here.
  }
}
