import type { PushedManifest } from '../notifications/envelope.js';

/** Pushes waiting beyond this are dropped (a flood of notifications must not grow memory without bound). */
export const MAX_QUEUED_PUSHES = 10_000;

/**
 * Manifest pushes reported by registry notifications, waiting for the watch loop. The receiver only
 * queues (it answers the registry at once); the loop drains the queue between passes.
 */
export class PushQueue {
  private items: PushedManifest[] = [];
  private wake: (() => void) | undefined;
  dropped = 0;

  push(pushes: readonly PushedManifest[]): void {
    this.items.push(...pushes);
    const over = this.items.length - MAX_QUEUED_PUSHES;
    if (over > 0) {
      this.items.splice(0, over);
      this.dropped += over;
    }
    this.wake?.();
  }

  get size(): number {
    return this.items.length;
  }

  take(): PushedManifest[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  /** Resolves when something is queued, `ms` passed, or `signal` aborted. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.items.length > 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}
