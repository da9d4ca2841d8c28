import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import {
  ENVELOPE_MEDIA_TYPE,
  parseEnvelope,
  parseListen,
  startNotificationReceiver,
  type PushedManifest,
} from './index.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

/** Shaped like distribution 2.8's envelope: a layer push, a manifest push, a pull, as it batches them. */
const ENVELOPE = {
  events: [
    {
      id: 'e1',
      timestamp: '2026-01-01T00:00:00Z',
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        size: 10,
        digest: D2,
        repository: 'acme/api',
      },
      request: { id: 'r1', addr: '127.0.0.1:1', host: '127.0.0.1:5000', method: 'PUT', useragent: 'x' },
    },
    {
      id: 'e2',
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 500,
        digest: D1,
        length: 500,
        repository: 'acme/api',
        url: 'http://127.0.0.1:5000/v2/acme/api/manifests/sha256:...',
        tag: 'v1.2',
      },
      request: { host: '127.0.0.1:5000', method: 'PUT' },
      source: { addr: 'registry:5000' },
    },
    {
      action: 'pull',
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, repository: 'acme/api' },
    },
  ],
};

test('parseEnvelope: keeps manifest pushes only, with tag and host', () => {
  assert.deepEqual(parseEnvelope(ENVELOPE), [
    { repository: 'acme/api', digest: D1, tag: 'v1.2', host: '127.0.0.1:5000' },
  ]);
});

test('parseEnvelope: hostile entries are dropped, not trusted', () => {
  const manifest = 'application/vnd.docker.distribution.manifest.v2+json';
  const bad = [
    { action: 'push', target: { mediaType: manifest, digest: 'sha256:zz', repository: 'a/b' } },
    { action: 'push', target: { mediaType: manifest, digest: D1, repository: '../../etc' } },
    { action: 'push', target: { mediaType: manifest, digest: D1, repository: 'A/B' } },
    {
      action: 'push',
      target: { mediaType: manifest, digest: D1, repository: 'a/b', tag: 'bad tag\n' },
      request: { host: 'evil host/x' },
    },
    { action: 'push', target: 'nope' },
    null,
    42,
  ];
  assert.deepEqual(parseEnvelope({ events: bad }), [{ repository: 'a/b', digest: D1 }]);
  assert.throws(() => parseEnvelope([]), /not a JSON object/);
  assert.throws(() => parseEnvelope({ events: 'x' }), /no events array/);
  const dup = { action: 'push', target: { mediaType: manifest, digest: D1, repository: 'a/b', tag: 't' } };
  assert.equal(parseEnvelope({ events: [dup, dup, dup] }).length, 1);
});

test('parseListen: host:port, :port, [v6]:port', () => {
  assert.deepEqual(parseListen(':9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListen('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
  assert.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
  assert.throws(() => parseListen('9000'), /host:port/);
  assert.throws(() => parseListen('x:99999'), /host:port/);
});

/** Raw HTTP so the test controls headers, chunking and body size exactly. */
function send(
  address: string,
  opts: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    chunks?: number;
  },
): Promise<number> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port),
        method: opts.method ?? 'POST',
        path: opts.path ?? '/notifications',
        headers: opts.headers,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (e) => (/ECONNRESET|EPIPE/.test(e.message) ? resolve(-1) : reject(e)));
    if (opts.chunks) {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < opts.chunks; i++) req.write(chunk);
    } else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

test('receiver: accepts envelopes (202) and hands over pushes; refuses everything else', async () => {
  const got: PushedManifest[][] = [];
  const rejects: number[] = [];
  const r = await startNotificationReceiver({
    listen: '127.0.0.1:0',
    token: 's3cret',
    maxBodyBytes: 64 * 1024,
    onPush: (p) => got.push(p),
    onReject: (status) => rejects.push(status),
  });
  const ok = { authorization: 'Bearer s3cret', 'content-type': ENVELOPE_MEDIA_TYPE };
  try {
    assert.equal(await send(r.address, { headers: ok, body: JSON.stringify(ENVELOPE) }), 202);
    assert.deepEqual(got, [[{ repository: 'acme/api', digest: D1, tag: 'v1.2', host: '127.0.0.1:5000' }]]);
    assert.equal(
      await send(r.address, { headers: { 'content-type': ENVELOPE_MEDIA_TYPE }, body: '{}' }),
      401,
    );
    assert.equal(
      await send(r.address, { headers: { ...ok, authorization: 'Bearer s3cre' }, body: '{}' }),
      401,
    );
    assert.equal(
      await send(r.address, { headers: { ...ok, 'content-type': 'text/plain' }, body: '{}' }),
      415,
    );
    assert.equal(await send(r.address, { headers: ok, body: '{"events": [' }), 400);
    assert.equal(await send(r.address, { headers: ok, path: '/other', body: '{}' }), 404);
    assert.equal(await send(r.address, { headers: ok, method: 'GET' }), 405);
    assert.equal(await send(r.address, { method: 'GET', path: '/healthz' }), 200);
    // Over the limit: declared up front, or streamed without a length.
    assert.equal(
      await send(r.address, { headers: { ...ok, 'content-length': String(10 * 1024 * 1024) }, body: '' }),
      413,
    );
    const chunked = await send(r.address, { headers: { ...ok, 'transfer-encoding': 'chunked' }, chunks: 32 });
    assert.ok(chunked === 413 || chunked === -1, `streamed oversize body refused (${chunked})`);
    assert.equal(got.length, 1, 'nothing else reached the scanner');
    assert.ok(rejects.includes(413) && rejects.includes(401));
    assert.equal(r.stats.envelopes, 1);
  } finally {
    await r.close();
  }
});
