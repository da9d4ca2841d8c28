import type { Writable } from 'node:stream';
import type { RegistryEvent } from './event.js';
import type { EventSink } from './bus.js';

/** One JSON object per line on a stream (stdout for `registry watch`); waits for 'drain' on backpressure. */
export function jsonLinesSink(out: Writable, name = 'stdout'): EventSink {
  return {
    name,
    async deliver(events: readonly RegistryEvent[], signal: AbortSignal): Promise<void> {
      const text = events.map((e) => `${JSON.stringify(e)}\n`).join('');
      if (out.write(text)) return;
      await new Promise<void>((resolve, reject) => {
        const done = (): void => {
          out.off('drain', done);
          out.off('error', fail);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const fail = (err: Error): void => {
          out.off('drain', done);
          signal.removeEventListener('abort', done);
          reject(err);
        };
        out.once('drain', done);
        out.once('error', fail);
        signal.addEventListener('abort', done, { once: true });
      });
    },
  };
}
