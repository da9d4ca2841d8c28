/** Failure bookkeeping of one key (a registry, or a registry/repository). */
export interface RetryEntry {
  failures: number;
  /** Epoch ms before which the key is not tried again. */
  nextAttemptAt: number;
  lastError: string;
}

export interface RetryOptions {
  /** Wait after the first failure (default 30 s); doubled per consecutive failure. */
  baseMs?: number;
  /** Longest wait (default 30 min). */
  maxMs?: number;
}

/**
 * Exponential backoff for repositories and registries that failed, kept across passes of `registry watch`:
 * a failing repository is retried later while the rest of the registry is scanned as usual. Not persisted:
 * after a restart everything is tried again at once (the store decides what still needs pulling).
 */
export class RetryBook {
  private readonly entries = new Map<string, RetryEntry>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(opts: RetryOptions = {}) {
    this.baseMs = opts.baseMs ?? 30_000;
    this.maxMs = opts.maxMs ?? 30 * 60_000;
  }

  /** Whether `key` may be tried at `now` (epoch ms). */
  due(key: string, now: number): boolean {
    const e = this.entries.get(key);
    return !e || e.nextAttemptAt <= now;
  }

  get(key: string): RetryEntry | undefined {
    const e = this.entries.get(key);
    return e ? { ...e } : undefined;
  }

  /** Records a failure; returns the entry with its next attempt time. */
  fail(key: string, error: string, now: number): RetryEntry {
    const failures = (this.entries.get(key)?.failures ?? 0) + 1;
    const wait = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures - 1, 30));
    const entry = { failures, nextAttemptAt: now + wait, lastError: error };
    this.entries.set(key, entry);
    return { ...entry };
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }

  /** Keys currently backing off. */
  failing(): string[] {
    return [...this.entries.keys()];
  }
}
