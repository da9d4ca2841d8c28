/**
 * A bounded map with per-entry expiry and least-recently-used eviction. Admission caches (tag → digest,
 * signature verdicts, scan summaries) must never grow without bound however many distinct images a
 * hostile or busy cluster sends, and must forget answers that can change (a tag moves, a signature is added).
 */
export class TtlCache<K, V> {
  /** Map iteration order is insertion order: re-inserting on read keeps the most recent entry last. */
  private readonly map = new Map<K, { value: V; expires: number }>();

  constructor(
    readonly maxEntries: number,
    /** Default time to live in ms; Infinity keeps entries until evicted. */
    readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(maxEntries >= 1)) throw new RangeError('TtlCache needs room for at least one entry');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= this.clock()) {
      this.map.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, ttlMs = this.ttlMs): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: this.clock() + ttlMs });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
