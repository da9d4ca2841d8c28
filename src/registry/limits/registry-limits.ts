import type { RegistrySource } from '../config.js';
import { ConcurrencyLimiter } from './concurrency.js';
import { TokenBucket, systemClock, type Clock } from './token-bucket.js';

/**
 * The limits of one registry: `run` bounds parallel operations (a manifest HEAD, a tag listing, an image
 * pull), `throttle` spaces individual HTTP requests (the RegistryClient calls it before every request through
 * its `beforeRequest` hook, so pagination and retries count too).
 */
export class RegistryLimits {
  readonly concurrency: ConcurrencyLimiter;
  private readonly bucket: TokenBucket | undefined;

  constructor(source: Pick<RegistrySource, 'concurrency' | 'rateLimit'>, clock: Clock = systemClock) {
    this.concurrency = new ConcurrencyLimiter(source.concurrency);
    this.bucket = source.rateLimit
      ? new TokenBucket(source.rateLimit.requestsPerSecond, source.rateLimit.burst, clock)
      : undefined;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.concurrency.run(task);
  }

  async throttle(): Promise<void> {
    await this.bucket?.acquire();
  }
}
