// Discovery against a hostile registry: a local HTTP server speaking the distribution API with looping and
// endless Link pagination, hostile names, a failing repository, a repository that vanished, a missing
// Docker-Content-Digest header, and a count of concurrent requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../image/registry/client.js';
import { registrySourceFromFlag } from '../config.js';
import { RegistryLimits } from '../limits/registry-limits.js';
import { discover } from './discover.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

async function serve(handler: Handler): Promise<{ host: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    void Promise.resolve(handler(req, res, new URL(req.url ?? '/', 'http://x'))).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, stop: () => new Promise((r) => server.close(() => r())) };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] }),
);
const MANIFEST_DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

const client = () => new RegistryClient({ insecure: () => true, backoffMs: 1, retries: 2 });

test('a catalog Link that points back to a seen page stops with an error', async () => {
  const srv = await serve((_req, res, url) => {
    if (url.pathname === '/v2/_catalog')
      return json(res, 200, { repositories: ['a/x'] }, { link: '</v2/_catalog?n=100>; rel="next"' });
    json(res, 404, {});
  });
  const c = client();
  try {
    const res = await discover(registrySourceFromFlag(`http://${srv.host}`, { insecure: true }), c);
    assert.deepEqual(res.repositories, []);
    assert.equal(res.errors.length, 1);
    assert.match(res.errors[0]!.message, /^catalog pagination loops/);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('endless catalog pagination with fresh links stops after maxPages', async () => {
  let pages = 0;
  const srv = await serve((_req, res, url) => {
    if (url.pathname !== '/v2/_catalog') return json(res, 404, {});
    pages++;
    json(
      res,
      200,
      { repositories: [`r/p${pages}`] },
      { link: `</v2/_catalog?last=r/p${pages}&n=1>; rel="next"` },
    );
  });
  const c = client();
  try {
    const res = await discover(registrySourceFromFlag(`http://${srv.host}`, { insecure: true }), c, {
      maxPages: 5,
    });
    assert.equal(pages, 5);
    assert.match(res.errors[0]!.message, /^catalog has more than 5 pages/);
    assert.deepEqual(res.repositories, []);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('hostile names are skipped; a failing repository is recorded and the rest continues', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const srv = await serve(async (req, res, url) => {
    const p = url.pathname;
    if (p === '/v2/_catalog')
      return json(res, 200, {
        repositories: ['ok/one', 'ok/two', '../../etc', 'Bad Name', 'broken/repo', 'gone/repo', 7],
      });
    if (p === '/v2/broken/repo/tags/list')
      return json(res, 500, { errors: [{ code: 'UNKNOWN', message: 'boom' }] });
    if (p === '/v2/gone/repo/tags/list')
      return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known' }] });
    const tags = /^\/v2\/(ok\/\w+)\/tags\/list$/.exec(p);
    if (tags)
      return json(res, 200, {
        name: tags[1],
        tags: ['v1', 'v2', 'v3', '../../../v2/_catalog', 'x'.repeat(300)],
      });
    if (/^\/v2\/ok\/\w+\/manifests\/v\d$/.test(p)) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      // No Docker-Content-Digest on HEAD: discovery must fall back to GET and hash the body.
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': MANIFEST.length,
      });
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    }
    json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  });
  const c = client();
  try {
    const src = registrySourceFromFlag(`http://${srv.host}`, { insecure: true, concurrency: 2 });
    const res = await discover(src, c, { limits: new RegistryLimits(src) });
    assert.deepEqual(
      res.repositories.map((r) => [r.name, r.deleted, r.tags.map((x) => `${x.tag}@${x.digest}`)]),
      [
        ['gone/repo', true, []],
        ['ok/one', false, [`v3@${MANIFEST_DIGEST}`, `v2@${MANIFEST_DIGEST}`, `v1@${MANIFEST_DIGEST}`]],
        ['ok/two', false, [`v3@${MANIFEST_DIGEST}`, `v2@${MANIFEST_DIGEST}`, `v1@${MANIFEST_DIGEST}`]],
      ],
    );
    const msgs = res.errors.map((e) => `${e.repository ?? ''}|${e.tag ?? ''}|${e.message}`);
    assert.ok(msgs.some((m) => m.startsWith('../../etc||invalid repository name')));
    assert.ok(msgs.some((m) => m.startsWith('Bad Name||invalid repository name')));
    assert.ok(msgs.some((m) => m.startsWith('broken/repo||') && /HTTP 500/.test(m)));
    assert.ok(msgs.some((m) => m.startsWith('ok/one|../../../v2/_catalog|invalid tag name')));
    assert.ok(maxInFlight <= 2, `at most 2 manifest requests at once (saw ${maxInFlight})`);
    assert.equal(maxInFlight, 2, 'the two slots are used');
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('no catalog (Docker Hub style 401/404): the explicit repository list is used', async () => {
  const srv = await serve((req, res, url) => {
    if (url.pathname === '/v2/_catalog') return json(res, 404, { errors: [{ code: 'UNSUPPORTED' }] });
    if (url.pathname === '/v2/library/nginx/tags/list')
      return json(res, 200, { name: 'library/nginx', tags: ['1.27', 'latest'] });
    if (url.pathname.startsWith('/v2/library/nginx/manifests/')) {
      res.writeHead(200, {
        'docker-content-digest': MANIFEST_DIGEST,
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
      });
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    }
    json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  });
  const c = client();
  try {
    const src = registrySourceFromFlag(`http://${srv.host}`, {
      insecure: true,
      repositories: ['library/nginx'],
      tags: ['1.*'],
    });
    const res = await discover(src, c);
    assert.equal(res.listing, 'explicit');
    assert.deepEqual(res.errors, []);
    assert.deepEqual(res.repositories, [
      {
        name: 'library/nginx',
        deleted: false,
        tags: [
          { tag: '1.27', digest: MANIFEST_DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
        ],
      },
    ]);
    const none = await discover(registrySourceFromFlag(`http://${srv.host}`, { insecure: true }), c);
    assert.equal(none.listing, 'none');
    assert.match(none.errors[0]!.message, /no usable catalog.*list repositories/);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('a huge tag list is capped at the newest tags with an error naming tags.maxTags', async () => {
  const tags = Array.from({ length: 3000 }, (_, i) => `1.${i}`);
  let heads = 0;
  const srv = await serve((req, res, url) => {
    if (url.pathname === '/v2/_catalog') return json(res, 200, { repositories: ['big/repo'] });
    if (url.pathname === '/v2/big/repo/tags/list') return json(res, 200, { name: 'big/repo', tags });
    heads++;
    res.writeHead(200, { 'docker-content-digest': MANIFEST_DIGEST }).end();
  });
  const c = client();
  try {
    const res = await discover(
      registrySourceFromFlag(`http://${srv.host}`, { insecure: true, concurrency: 8 }),
      c,
      {
        maxTagsPerRepository: 50,
      },
    );
    assert.equal(heads, 50);
    assert.deepEqual(
      res.repositories[0]!.tags.slice(0, 2).map((t) => t.tag),
      ['1.2999', '1.2998'],
    );
    assert.match(res.errors[0]!.message, /more than 50 tags.*tags\.maxTags/);
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('a registry killed mid-pass: the failing repository is recorded, the rest skipped without waiting', async () => {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/v2/_catalog')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ repositories: ['a/one', 'a/two', 'a/three'] }), () => {
        server.close();
        server.closeAllConnections();
      });
      return;
    }
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const c = client();
  try {
    const res = await discover(
      registrySourceFromFlag(`http://${host}`, { insecure: true, concurrency: 1 }),
      c,
    );
    assert.deepEqual(res.repositories, []);
    assert.deepEqual(
      res.errors.map((e) => e.repository),
      ['a/one', 'a/three', 'a/two'],
    );
    assert.match(res.errors[0]!.message, /network error/);
    assert.equal(res.errors.filter((e) => e.message.startsWith('skipped:')).length, 2);
  } finally {
    await c.close();
  }
});

test('a catalog that fails with 500 falls back to the explicit list and records the failure', async () => {
  const srv = await serve((req, res, url) => {
    if (url.pathname === '/v2/_catalog')
      return json(res, 500, { errors: [{ code: 'UNKNOWN', message: 'db down' }] });
    if (url.pathname === '/v2/a/b/tags/list') return json(res, 200, { name: 'a/b', tags: ['1'] });
    res
      .writeHead(200, { 'docker-content-digest': MANIFEST_DIGEST })
      .end(req.method === 'HEAD' ? undefined : MANIFEST);
  });
  const c = client();
  try {
    const res = await discover(
      registrySourceFromFlag(`http://${srv.host}`, { insecure: true, repositories: ['a/b'] }),
      c,
    );
    assert.equal(res.listing, 'explicit');
    assert.deepEqual(res.repositories, [
      { name: 'a/b', deleted: false, tags: [{ tag: '1', digest: MANIFEST_DIGEST }] },
    ]);
    assert.equal(res.errors.length, 1);
    assert.match(res.errors[0]!.message, /HTTP 500 \(db down\)/);
  } finally {
    await c.close();
    await srv.stop();
  }
});
