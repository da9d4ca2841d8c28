import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAuditLoop } from './loop.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('passes never overlap, a failed pass is reported and the loop goes on, stop aborts the running pass', async () => {
  let running = 0;
  let maxRunning = 0;
  let calls = 0;
  const seen: Array<number | string> = [];
  let aborted = false;
  const loop = startAuditLoop({
    intervalMs: 5,
    pass: async (signal) => {
      const n = ++calls;
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        if (n === 4)
          await new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          );
        await tick(15); // longer than the interval
        if (n === 2) throw new Error('list failed');
        return n;
      } finally {
        running--;
      }
    },
    onPass: (n) => seen.push(n),
    onError: (e) => seen.push(e.message),
  });
  while (calls < 4) await tick(5);
  await loop.stop();
  assert.equal(maxRunning, 1);
  assert.deepEqual(seen, [1, 'list failed', 3]);
  assert.equal(aborted, true);
  const after = calls;
  await tick(30);
  assert.equal(calls, after, 'no pass after stop');
});
