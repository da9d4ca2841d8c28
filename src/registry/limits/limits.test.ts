import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyLimiter } from './concurrency.js';
import { TokenBucket, type Clock } from './token-bucket.js';
import { RegistryLimits } from './registry-limits.js';

/** A clock whose sleep advances time at once, recording each wait. */
function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

test('concurrency limiter: never more than max at once, FIFO, slots released on failure', async () => {
  const lim = new ConcurrencyLimiter(3);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const tasks = Array.from({ length: 12 }, (_, i) =>
    lim.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      order.push(i);
      if (i % 4 === 0) throw new Error(`task ${i} failed`);
      return i;
    }),
  );
  const settled = await Promise.allSettled(tasks);
  assert.equal(peak, 3);
  assert.equal(settled.filter((s) => s.status === 'rejected').length, 3);
  assert.equal(lim.running, 0);
  assert.equal(lim.queued, 0);
  // Tasks started in submission order: the first three finish before any of the last three.
  assert.ok(order.indexOf(0) < order.indexOf(11));
  assert.throws(() => new ConcurrencyLimiter(0), RangeError);
});

test('token bucket (fake clock): burst goes at once, then one request per 1/rate', async () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(10, 5, clock);
  for (let i = 0; i < 5; i++) await bucket.acquire();
  assert.equal(clock.t, 0, 'the burst needs no waiting');
  await bucket.acquire();
  assert.equal(Math.round(clock.t), 100, 'the sixth waits 1/10 s');
  await bucket.acquire();
  assert.equal(Math.round(clock.t), 200);
  // A quiet period refills the bucket, but never beyond the burst.
  clock.t += 60_000;
  const before = clock.t;
  for (let i = 0; i < 5; i++) await bucket.acquire();
  assert.equal(clock.t, before);
  await bucket.acquire();
  assert.equal(Math.round(clock.t - before), 100);
});

test('token bucket (fake clock): concurrent waiters reserve successive slots (FIFO, no pile-up)', async () => {
  const clock: Clock & { t: number } = { t: 0, now: () => clock.t, sleep: () => Promise.resolve() };
  const waits: number[] = [];
  clock.sleep = async (ms) => {
    waits.push(Math.round(ms));
  };
  const bucket = new TokenBucket(2, 1, clock);
  await Promise.all(Array.from({ length: 4 }, () => bucket.acquire()));
  // Time did not move: the first goes at once, the next three wait 0.5, 1.0 and 1.5 s.
  assert.deepEqual(waits, [500, 1000, 1500]);
  assert.throws(() => new TokenBucket(0, 1), RangeError);
  assert.throws(() => new TokenBucket(1, 0), RangeError);
});

test('registry limits (real time): 20 requests at 50/s with burst 5 take about 300 ms', async () => {
  const limits = new RegistryLimits({ concurrency: 4, rateLimit: { requestsPerSecond: 50, burst: 5 } });
  const start = performance.now();
  await Promise.all(Array.from({ length: 20 }, () => limits.run(() => limits.throttle())));
  const elapsed = performance.now() - start;
  // 5 immediately, 15 more spaced 20 ms apart = 300 ms; allow for a busy shared machine.
  assert.ok(elapsed >= 280, `took ${elapsed} ms, expected >= 280`);
  assert.ok(elapsed < 1500, `took ${elapsed} ms`);
  const unlimited = new RegistryLimits({ concurrency: 2 });
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) await unlimited.throttle();
  assert.ok(performance.now() - t0 < 100);
});
