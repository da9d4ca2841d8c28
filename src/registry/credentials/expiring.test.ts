import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiringProvider } from './expiring.js';

const HOUR = 3600_000;

test('expiring provider: cached until 5 min before a 12 h expiry, shared in-flight fetch, host-bound', async () => {
  let t = 1_000_000;
  let fetches = 0;
  const provider = expiringProvider(
    async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 5));
      return { credentials: { username: 'AWS', password: `pw-${fetches}` }, expiresAt: t + 12 * HOUR };
    },
    { host: 'reg.example', now: () => t },
  );
  const [a, b] = await Promise.all([provider('reg.example'), provider('reg.example')]);
  assert.equal(fetches, 1, 'concurrent callers share one fetch');
  assert.equal(a?.password, 'pw-1');
  assert.equal(b?.password, 'pw-1');
  assert.equal(
    a?.expiresAt,
    1_000_000 + 12 * HOUR - 5 * 60_000,
    'the client is told to ask again 5 min early',
  );
  assert.equal(await provider('evil.example'), undefined, 'never handed to another host');
  t += 12 * HOUR - 6 * 60_000;
  assert.equal((await provider('reg.example'))?.password, 'pw-1');
  t += 2 * 60_000; // now inside the 5 min margin
  assert.equal((await provider('reg.example'))?.password, 'pw-2');
  assert.equal(fetches, 2);
});

test('expiring provider: a rejection refreshes, but not twice within minRefreshIntervalMs', async () => {
  let t = 0;
  let fetches = 0;
  const provider = expiringProvider(
    () => Promise.resolve({ credentials: { password: `tok-${++fetches}` }, expiresAt: t + HOUR }),
    { host: 'h', now: () => t, minRefreshIntervalMs: 5_000 },
  );
  assert.equal((await provider('h'))?.password, 'tok-1');
  t += 1_000;
  assert.equal((await provider('h', { refresh: true }))?.password, 'tok-1', 'fetched 1 s ago: reused');
  t += 10_000;
  assert.equal((await provider('h', { refresh: true }))?.password, 'tok-2');
  // A short-lived token refreshes at half its lifetime.
  const short = expiringProvider(
    () => Promise.resolve({ credentials: { password: 'x' }, expiresAt: t + 60_000 }),
    {
      host: 'h',
      now: () => t,
    },
  );
  assert.equal((await short('h'))?.expiresAt, t + 30_000);
});

test('expiring provider: a failed fetch is not cached', async () => {
  let fail = true;
  const provider = expiringProvider(
    async () => {
      if (fail) throw new Error('endpoint down');
      return { credentials: { password: 'ok' }, expiresAt: Date.now() + HOUR };
    },
    { host: 'h' },
  );
  await assert.rejects(provider('h'), /endpoint down/);
  fail = false;
  assert.equal((await provider('h'))?.password, 'ok');
});
