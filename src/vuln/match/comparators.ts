import { ecosystemKey } from '../db/ecosystem.js';
import type { VersionComparator } from '../version/comparator.js';
import { importComparator } from './prepared.js';

export type ComparatorResolver = (ecosystem: string) => VersionComparator | undefined;

/** A matcher's version orderings per ecosystem, resolved once per ecosystem string. */
export class Comparators {
  private readonly byKey = new Map<string, VersionComparator | undefined>();
  private readonly byString = new Map<string, VersionComparator | undefined>();
  /** Per ecosystem string: name of the comparator whose stored sort order applies, null when none does. */
  private readonly storedOrder = new Map<string, string | null>();

  constructor(private readonly resolve: ComparatorResolver) {}

  /** The ECOSYSTEM ordering; a scoped ecosystem (`Debian:12`) falls back to its base's. */
  for(ecosystem: string): VersionComparator | undefined {
    // Keyed by the string as given first: a cold match asks once per affected row, nearly always with
    // the same few strings, and lower-casing each would allocate ten thousand strings.
    const exact = this.byString.get(ecosystem);
    if (exact !== undefined || this.byString.has(ecosystem)) return exact;
    const c = this.forKey(ecosystem);
    this.byString.set(ecosystem, c);
    return c;
  }

  private forKey(ecosystem: string): VersionComparator | undefined {
    const key = ecosystemKey(ecosystem);
    if (this.byKey.has(key)) return this.byKey.get(key);
    let c = this.resolve(ecosystem);
    if (!c && ecosystem.includes(':')) c = this.resolve(ecosystem.slice(0, ecosystem.indexOf(':')));
    this.byKey.set(key, c);
    return c;
  }

  /**
   * Whether ECOSYSTEM range events stored sorted by the comparator named `sortedBy` at import can be used
   * as they are: only when this matcher orders the ecosystem with that very comparator.
   */
  storedOrderUsable(ecosystem: string, sortedBy: string): boolean {
    let ok = this.storedOrder.get(ecosystem);
    if (ok === undefined) {
      const cmp = this.for(ecosystem);
      ok = cmp !== undefined && cmp === importComparator(ecosystem) ? cmp.name : null;
      this.storedOrder.set(ecosystem, ok);
    }
    return ok === sortedBy;
  }
}
