// Protocol edge cases the real docker-registry cannot be made to produce (429/503 storms, blob redirects
// to another host, hostile sizes): a faithful local HTTP stand-in speaking the OCI Distribution API on
// 127.0.0.1, with the redirect target on 127.0.0.2 (a different origin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient, RegistryError } from './client.js';
import { dockerConfigProvider } from './credentials.js';
import { digestOf } from './digest.js';

async function serve(
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; addr: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, addr: `${host}:${(server.address() as AddressInfo).port}` };
}
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

async function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of s) out.push(c as Buffer);
  return Buffer.concat(out);
}

test('retries 429 and 503 with backoff, honouring Retry-After', async () => {
  let calls = 0;
  let alwaysFail = false;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {},
      layers: [],
    }),
  );
  const { server, addr } = await serve('127.0.0.1', (req, res) => {
    calls++;
    if (alwaysFail) return void res.writeHead(503).end();
    if (calls === 1) return void res.writeHead(429, { 'retry-after': '0' }).end();
    if (calls === 2) return void res.writeHead(503).end();
    res
      .writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'docker-content-digest': digestOf(manifest),
      })
      .end(manifest);
  });
  try {
    const client = new RegistryClient({ insecure: () => true, backoffMs: 5 });
    const m = await client.getManifest({ registry: addr, repository: 'a/b' }, 'v1');
    assert.equal(m.digest, digestOf(manifest));
    assert.equal(calls, 3);
    const failing = new RegistryClient({ insecure: () => true, backoffMs: 1, retries: 2 });
    alwaysFail = true;
    calls = 0;
    await assert.rejects(
      failing.getManifest({ registry: addr, repository: 'a/b' }, 'v1'),
      (e: unknown) => e instanceof RegistryError && e.status === 503,
    );
    assert.equal(calls, 2, 'gives up after the configured attempts');
    await Promise.all([client.close(), failing.close()]);
  } finally {
    await close(server);
  }
});

test('a blob redirect to another host does not carry the Authorization header', async () => {
  const blob = Buffer.from('layer bytes');
  const digest = digestOf(blob);
  const seen: Array<{ host: string; auth: string | undefined }> = [];
  const cdn = await serve('127.0.0.2', (req, res) => {
    seen.push({ host: 'cdn', auth: req.headers.authorization });
    res.writeHead(200).end(blob);
  });
  const reg = await serve('127.0.0.1', (req, res) => {
    seen.push({ host: 'registry', auth: req.headers.authorization });
    if (!req.headers.authorization)
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
    res.writeHead(307, { location: `http://${cdn.addr}/blobs/data?sig=x` }).end();
  });
  try {
    const client = new RegistryClient({
      insecure: () => true,
      backoffMs: 5,
      credentials: async () => ({ username: 'u', password: 'p' }),
    });
    const data = await collect(await client.fetchBlob({ registry: reg.addr, repository: 'a/b' }, { digest }));
    assert.deepEqual(data, blob);
    assert.ok(
      seen.some((s) => s.host === 'registry' && s.auth?.startsWith('Basic ')),
      'registry got credentials',
    );
    assert.deepEqual(
      seen.filter((s) => s.host === 'cdn').map((s) => s.auth),
      [undefined],
      'CDN got none',
    );
    await client.close();
  } finally {
    await Promise.all([close(reg.server), close(cdn.server)]);
  }
});

test('hostile answers: oversized manifest, content not matching its declared digest', async () => {
  const { server, addr } = await serve('127.0.0.1', (req, res) => {
    if (req.url?.includes('/manifests/huge'))
      return void res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).end();
    if (req.url?.includes('/manifests/liar'))
      return void res
        .writeHead(200, { 'docker-content-digest': `sha256:${'0'.repeat(64)}` })
        .end('{"schemaVersion":2}');
    res.writeHead(404).end();
  });
  try {
    const client = new RegistryClient({ insecure: () => true, backoffMs: 1 });
    await assert.rejects(client.getManifest({ registry: addr, repository: 'a' }, 'huge'), /larger than/);
    await assert.rejects(client.getManifest({ registry: addr, repository: 'a' }, 'liar'), /digest mismatch/);
    await client.close();
  } finally {
    await close(server);
  }
});

test('docker config: auths per exact host, credHelpers run docker-credential-<name>, never sent elsewhere', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-dockercfg-'));
  try {
    const helper = join(dir, 'docker-credential-kwtest');
    // A real credential helper executable speaking the helper protocol (server URL on stdin, JSON out).
    writeFileSync(
      helper,
      '#!/bin/sh\nread host\nif [ "$1" = get ] && [ "$host" = "helper.example" ]; then echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"hu\\",\\"Secret\\":\\"hs\\"}"; else echo "credentials not found in native keychain"; exit 1; fi\n',
    );
    chmodSync(helper, 0o755);
    const cfg = join(dir, 'config.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        auths: {
          'registry.example:5000': { auth: Buffer.from('alice:pw').toString('base64') },
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:hpw').toString('base64') },
        },
        credHelpers: { 'helper.example': 'kwtest' },
      }),
    );
    const oldPath = process.env.PATH;
    process.env.PATH = `${dir}:${oldPath ?? ''}`;
    try {
      const provider = dockerConfigProvider(cfg);
      assert.deepEqual(await provider('registry.example:5000'), { username: 'alice', password: 'pw' });
      assert.deepEqual(await provider('docker.io'), { username: 'hub', password: 'hpw' });
      assert.deepEqual(await provider('helper.example'), { username: 'hu', password: 'hs' });
      assert.equal(
        await provider('registry.example'),
        undefined,
        'port-less host does not get the port-specific credential',
      );
      assert.equal(await provider('evil.example'), undefined);
    } finally {
      process.env.PATH = oldPath;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
