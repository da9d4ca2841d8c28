/** Time source; tests pass a fake one whose sleep advances `now` instantly. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Token bucket: `ratePerSecond` tokens are added continuously up to `burst`; each request takes one. After a
 * quiet period `burst` requests go at once, then requests are spaced 1/rate apart. Waiters are served in
 * FIFO order by reserving future tokens (the balance may go negative), so nobody starves.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond))
      throw new RangeError('rate must be a positive number');
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be a positive integer');
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may send one request. */
  async acquire(): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    // The reservation is made now; the wait is how long until the balance is back at zero.
    await this.clock.sleep((-this.tokens / this.ratePerSecond) * 1000);
  }
}
