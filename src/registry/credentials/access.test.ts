// createRegistryAccess wires per-host credentials, insecure hosts and request-rate limits into one client;
// checked against a local HTTP registry stand-in that timestamps every request it receives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registrySourceFromFlag } from '../config.js';
import { discover } from '../discovery/discover.js';
import { createRegistryAccess } from './access.js';

test('rate limit applies to every HTTP request (real time); credentials only go to their own host', async () => {
  const stamps: number[] = [];
  const auths: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    stamps.push(performance.now());
    auths.push(req.headers.authorization);
    if (!req.headers.authorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v2/_catalog') return res.end(JSON.stringify({ repositories: ['a/b'] }));
    if (url.pathname === '/v2/a/b/tags/list')
      return res.end(JSON.stringify({ name: 'a/b', tags: ['1', '2', '3', '4', '5', '6'] }));
    res.writeHead(200, { 'docker-content-digest': `sha256:${'a'.repeat(64)}` }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const src = {
    ...registrySourceFromFlag(`http://${host}`, { insecure: true, concurrency: 4 }),
    credentials: { static: { username: 'u', password: 'p' } },
    rateLimit: { requestsPerSecond: 25, burst: 2 },
  };
  const access = createRegistryAccess([src], { client: { backoffMs: 1 } });
  try {
    const res = await discover(src, access.client);
    assert.deepEqual(res.errors, []);
    assert.equal(res.repositories[0]?.tags.length, 6);
    // 401 + catalog + tag list + 6 HEADs = 9 requests; after a burst of 2, one per 40 ms.
    assert.equal(stamps.length, 9);
    const span = stamps[stamps.length - 1]! - stamps[0]!;
    // Server-side stamps: on a loaded machine the first request can arrive late (connection set-up), which
    // shortens the observed span by up to one interval; unlimited, the 9 requests take about 10 ms.
    assert.ok(span >= (stamps.length - 3) * 40, `9 requests took ${span} ms; expected >= ${6 * 40}`);
    assert.ok(auths.slice(1).every((a) => a === `Basic ${Buffer.from('u:p').toString('base64')}`));
    // The same registry under another host name (not configured): no credentials, no insecure HTTP.
    const other = `localhost:${host.split(':')[1]}`;
    await assert.rejects(access.client.catalog(other), /network error|fetch failed|EPROTO|wrong version/i);
    assert.equal(auths.length, 9, 'nothing reached the server over plain HTTP for the unconfigured host');
  } finally {
    await access.client.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
