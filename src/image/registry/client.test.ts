// Integration tests of the OCI Distribution client against Debian's real docker-registry (distribution
// 2.8) on 127.0.0.1: anonymous, htpasswd Basic auth, and token auth through a local token server.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { RegistryClient, RegistryError } from './client.js';
import { DigestMismatchError } from './digest.js';
import { commandWorks, integration } from '../../../test/support/integration.js';
import { registryAvailable, startRegistry, type RunningRegistry } from '../../../test/support/registry.js';
import { startTokenServer, type TokenServer } from '../../../test/support/token-server.js';
import { pushImage, pushIndex, tarLayer } from '../../../test/support/oci-builder.js';

const available = registryAvailable();
const insecure = () => true; // the test registries speak plain HTTP on loopback

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let plain: RunningRegistry | undefined;
before(async () => {
  if (available) plain = await startRegistry();
});
after(async () => {
  await plain?.stop();
});

test('anonymous registry: push, pull by tag and digest, index, tags pagination, catalog', async (t) => {
  if (
    !integration(
      t,
      'registry-client',
      available,
      'docker-registry not installed (apt-get install docker-registry)',
    )
  )
    return;
  const client = new RegistryClient({ insecure, backoffMs: 10 });
  const ref = { registry: plain!.host, repository: 'team/app' };
  const layer = await tarLayer([{ path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }]);
  const amd = await pushImage(client, ref, { layers: [{ tar: layer }] }, 'v1');
  const arm = await pushImage(client, ref, {
    layers: [{ tar: layer }],
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const indexDigest = await pushIndex(
    client,
    ref,
    [
      { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
      { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
    'multi',
  );

  const byTag = await client.getManifest(ref, 'v1');
  assert.equal(byTag.digest, amd.manifestDigest);
  const byDigest = await client.getManifest(ref, amd.manifestDigest);
  assert.deepEqual(byDigest.bytes, amd.manifest);
  const head = await client.headManifest(ref, 'multi');
  assert.equal(head.digest, indexDigest);
  const index = await client.getManifest(ref, 'multi');
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');

  const blob = await collect(await client.fetchBlob(ref, amd.layers[0]!.descriptor));
  assert.deepEqual(blob, amd.layers[0]!.data);

  for (let i = 0; i < 5; i++)
    await pushImage(
      client,
      ref,
      { layers: [{ tar: layer }], config: { created: `2020-01-0${i + 1}T00:00:00Z` } },
      `t${i}`,
    );
  const tags = await client.listTags(ref, 2); // page size 2 forces Link pagination
  assert.deepEqual([...tags].sort(), ['multi', 't0', 't1', 't2', 't3', 't4', 'v1']);
  await pushImage(
    client,
    { registry: plain!.host, repository: 'other/svc' },
    { layers: [{ tar: layer }] },
    'latest',
  );
  assert.deepEqual((await client.catalog(plain!.host, 1)).sort(), ['other/svc', 'team/app']);

  await assert.rejects(
    client.getManifest(ref, 'nope'),
    (e: unknown) => e instanceof RegistryError && e.status === 404 && e.codes.includes('MANIFEST_UNKNOWN'),
  );
  await client.close();
});

test('a blob tampered with in registry storage fails digest verification', async (t) => {
  if (!integration(t, 'registry-client', available, 'docker-registry not installed')) return;
  const client = new RegistryClient({ insecure, backoffMs: 10 });
  const ref = { registry: plain!.host, repository: 'tamper/me' };
  const img = await pushImage(
    client,
    ref,
    { layers: [{ tar: await tarLayer([{ path: 'a.txt', content: 'original content' }]) }] },
    'v1',
  );
  const digest = img.layers[0]!.descriptor.digest;
  // distribution stores blobs at docker/registry/v2/blobs/sha256/<2>/<hex>/data
  const hex = digest.slice('sha256:'.length);
  const file = join(plain!.dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  assert.ok(statSync(file).isFile());
  const data = readFileSync(file);
  const at = data.length - 20;
  data[at] = (data[at] ?? 0) ^ 0xff;
  writeFileSync(file, data);
  await assert.rejects(
    collect(await client.fetchBlob(ref, { digest, size: data.length })),
    DigestMismatchError,
  );
  await client.close();
});

test('htpasswd Basic auth: credentials from the provider, 401 without them', async (t) => {
  if (!integration(t, 'registry-client', available, 'docker-registry not installed')) return;
  const reg = await startRegistry({ htpasswd: `alice:${bcrypt.hashSync('s3cret', 6)}\n` });
  try {
    const ref = { registry: reg.host, repository: 'private/app' };
    const calls: string[] = [];
    const client = new RegistryClient({
      insecure,
      backoffMs: 10,
      credentials: async (host) => {
        calls.push(host);
        return host === reg.host ? { username: 'alice', password: 's3cret' } : undefined;
      },
    });
    const img = await pushImage(
      client,
      ref,
      { layers: [{ tar: await tarLayer([{ path: 'x', content: 'y' }]) }] },
      'v1',
    );
    assert.equal((await client.getManifest(ref, 'v1')).digest, img.manifestDigest);
    assert.deepEqual([...new Set(calls)], [reg.host]);
    const anon = new RegistryClient({ insecure, backoffMs: 10 });
    await assert.rejects(anon.getManifest(ref, 'v1'), /no credentials/);
    const wrong = new RegistryClient({
      insecure,
      backoffMs: 10,
      credentials: async () => ({ username: 'alice', password: 'nope' }),
    });
    await assert.rejects(
      wrong.getManifest(ref, 'v1'),
      (e: unknown) => e instanceof RegistryError && e.status === 401,
    );
    await Promise.all([client.close(), anon.close(), wrong.close()]);
  } finally {
    await reg.stop();
  }
});

test('token auth: Bearer flow with realm/service/scope, token cached per scope', async (t) => {
  if (
    !integration(
      t,
      'registry-client',
      available && commandWorks('openssl', ['version']),
      'docker-registry or openssl not installed',
    )
  )
    return;
  const tokens: TokenServer = await startTokenServer({ bob: 'hunter2' });
  const reg = await startRegistry({
    token: {
      realm: tokens.realm,
      service: tokens.service,
      issuer: tokens.issuer,
      rootCertBundlePem: tokens.certPem,
    },
  });
  try {
    const ref = { registry: reg.host, repository: 'secure/app' };
    const client = new RegistryClient({
      insecure,
      backoffMs: 10,
      credentials: async () => ({ username: 'bob', password: 'hunter2' }),
    });
    const img = await pushImage(
      client,
      ref,
      { layers: [{ tar: await tarLayer([{ path: 'f', content: 'z' }]) }] },
      'v1',
    );
    const before = tokens.requests.length;
    for (let i = 0; i < 3; i++)
      assert.equal((await client.getManifest(ref, 'v1')).digest, img.manifestDigest);
    await collect(await client.fetchBlob(ref, img.layers[0]!.descriptor));
    const pulls = tokens.requests.slice(before).filter((r) => r.scope === 'repository:secure/app:pull');
    assert.equal(pulls.length, 1, 'one token request for the pull scope, then cached');
    assert.ok(tokens.requests.every((r) => r.user === 'bob'));
    const anon = new RegistryClient({ insecure, backoffMs: 10 });
    await assert.rejects(
      anon.getManifest(ref, 'v1'),
      (e: unknown) => e instanceof RegistryError && e.status === 401,
    );
    await Promise.all([client.close(), anon.close()]);
  } finally {
    await reg.stop();
    await tokens.stop();
  }
});
