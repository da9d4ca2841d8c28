// Discovery against Debian's real docker-registry (distribution 2.8) on 127.0.0.1: plain, htpasswd and token
// auth. Images are pushed through the real client; nothing here is mocked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { RegistryClient } from '../../image/registry/client.js';
import { commandWorks, integration } from '../../../test/support/integration.js';
import {
  registryAvailable,
  startRegistry,
  type RunningRegistry,
  freePort,
} from '../../../test/support/registry.js';
import { startTokenServer } from '../../../test/support/token-server.js';
import { pushImage, tarLayer } from '../../../test/support/oci-builder.js';
import { registrySourcesFromConfig, type RegistrySource } from '../config.js';
import { parseConfig } from '../../core/config.js';
import { createRegistryAccess } from '../credentials/access.js';
import { discover } from './discover.js';

const available = registryAvailable();
const reason = 'docker-registry not installed (apt-get install docker-registry)';

function source(host: string, extra: string): RegistrySource {
  const text = `registries:\n  scan:\n    - url: http://${host}\n      insecure: true\n${extra}`;
  const [s] = registrySourcesFromConfig(parseConfig(text, '/tmp/kubeward-test.yaml'));
  return s!;
}

async function push(client: RegistryClient, host: string, repository: string, tag: string, content: string) {
  const layer = await tarLayer([{ path: 'etc/marker', content }]);
  return pushImage(client, { registry: host, repository }, { layers: [{ tar: layer }] }, tag);
}

let plain: RunningRegistry | undefined;
before(async () => {
  if (available) plain = await startRegistry();
});
after(async () => {
  await plain?.stop();
});

test('plain registry: paginated catalog, include/exclude, tag globs, moved tag, deleted repository', async (t) => {
  if (!integration(t, 'registry-discovery', available, reason)) return;
  const host = plain!.host;
  const pusher = new RegistryClient({ insecure: () => true, backoffMs: 10 });
  const repos = ['team/api', 'team/web', 'team/tmp-build', 'other/tool', 'z/old'];
  const pushed = new Map<string, string>();
  for (const r of repos) {
    for (const tag of ['v1.9', 'v1.10', 'dev-1']) {
      const img = await push(pusher, host, r, tag, `${r}:${tag}`);
      pushed.set(`${r}:${tag}`, img.manifestDigest);
    }
  }
  const src = source(
    host,
    "      include: ['team/*', 'z/*']\n      exclude: ['team/tmp-*']\n      tags:\n        include: ['v*']\n",
  );
  const { client } = createRegistryAccess([src], { client: { backoffMs: 10 } });

  // Page size 2 over 5 repositories: three catalog pages followed through Link headers.
  const first = await discover(src, client, { pageSize: 2 });
  assert.deepEqual(first.errors, []);
  assert.equal(first.listing, 'catalog');
  assert.deepEqual(
    first.repositories.map((r) => r.name),
    ['team/api', 'team/web', 'z/old'],
  );
  for (const r of first.repositories) {
    assert.equal(r.deleted, false);
    // newest first by version order, `dev-1` excluded by the tag glob
    assert.deepEqual(
      r.tags.map((x) => x.tag),
      ['v1.10', 'v1.9'],
    );
    for (const tg of r.tags) assert.equal(tg.digest, pushed.get(`${r.name}:${tg.tag}`));
  }

  // v1.10 of team/api moves to a new image; z/old is deleted (its manifests, by digest).
  const moved = await push(pusher, host, 'team/api', 'v1.10', 'rebuilt');
  for (const tag of ['v1.9', 'v1.10', 'dev-1'])
    await pusher.deleteManifest({ registry: host, repository: 'z/old' }, pushed.get(`z/old:${tag}`)!);

  const second = await discover(src, client, { pageSize: 2 });
  assert.deepEqual(second.errors, []);
  const api = second.repositories.find((r) => r.name === 'team/api')!;
  assert.equal(api.tags.find((x) => x.tag === 'v1.10')?.digest, moved.manifestDigest);
  assert.notEqual(moved.manifestDigest, pushed.get('team/api:v1.10'));
  assert.equal(api.tags.find((x) => x.tag === 'v1.9')?.digest, pushed.get('team/api:v1.9'));
  const old = second.repositories.find((r) => r.name === 'z/old')!;
  assert.deepEqual(old, { name: 'z/old', deleted: true, tags: [] });

  // maxTags keeps the newest by version order.
  const one = await discover(
    source(host, "      include: ['team/web']\n      tags:\n        maxTags: 1\n"),
    client,
  );
  assert.deepEqual(one.repositories, [
    {
      name: 'team/web',
      deleted: false,
      tags: [
        {
          tag: 'v1.10',
          digest: pushed.get('team/web:v1.10'),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
        },
      ],
    },
  ]);
  await Promise.all([client.close(), pusher.close()]);
});

test('htpasswd registry: static credentials from the config; wrong password is an error, not a crash', async (t) => {
  if (!integration(t, 'registry-discovery', available, reason)) return;
  const reg = await startRegistry({ htpasswd: `alice:${bcrypt.hashSync('s3cret', 6)}\n` });
  try {
    const pusher = new RegistryClient({
      insecure: () => true,
      backoffMs: 10,
      credentials: async () => ({ username: 'alice', password: 's3cret' }),
    });
    const img = await push(pusher, reg.host, 'private/app', 'v1', 'secret image');
    const good = source(
      reg.host,
      '      credentials:\n        static: {username: alice, passwordEnv: KW_TEST_PW}\n',
    );
    const access = createRegistryAccess([good], {
      provider: { env: { KW_TEST_PW: 's3cret' } },
      client: { backoffMs: 10 },
    });
    const res = await discover(good, access.client);
    assert.deepEqual(res.errors, []);
    assert.deepEqual(res.repositories, [
      {
        name: 'private/app',
        deleted: false,
        tags: [
          { tag: 'v1', digest: img.manifestDigest, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
        ],
      },
    ]);
    const bad = source(reg.host, '      credentials:\n        static: {username: alice, password: wrong}\n');
    const badAccess = createRegistryAccess([bad], { client: { backoffMs: 10 } });
    const denied = await discover(bad, badAccess.client);
    assert.deepEqual(denied.repositories, []);
    assert.equal(denied.errors.length, 1);
    assert.match(denied.errors[0]!.message, /no usable catalog.*401/);
    await Promise.all([pusher.close(), access.client.close(), badAccess.client.close()]);
  } finally {
    await reg.stop();
  }
});

test('token-auth registry: env credentials; catalog scope granted through the token server', async (t) => {
  if (
    !integration(
      t,
      'registry-discovery',
      available && commandWorks('openssl', ['version']),
      `${reason} or openssl missing`,
    )
  )
    return;
  const tokens = await startTokenServer({ bob: 'hunter2' });
  const reg = await startRegistry({
    token: {
      realm: tokens.realm,
      service: tokens.service,
      issuer: tokens.issuer,
      rootCertBundlePem: tokens.certPem,
    },
  });
  try {
    const pusher = new RegistryClient({
      insecure: () => true,
      backoffMs: 10,
      credentials: async () => ({ username: 'bob', password: 'hunter2' }),
    });
    const a = await push(pusher, reg.host, 'sec/a', '1.0', 'a');
    const b = await push(pusher, reg.host, 'sec/b', '2.0', 'b');
    const src = source(reg.host, '      credentials:\n        env: {usernameEnv: KW_U, passwordEnv: KW_P}\n');
    const access = createRegistryAccess([src], {
      provider: { env: { KW_U: 'bob', KW_P: 'hunter2' } },
      client: { backoffMs: 10 },
    });
    const res = await discover(src, access.client, { pageSize: 1 });
    assert.deepEqual(res.errors, []);
    assert.deepEqual(
      res.repositories.map((r) => [r.name, r.tags.map((x) => `${x.tag}@${x.digest}`)]),
      [
        ['sec/a', [`1.0@${a.manifestDigest}`]],
        ['sec/b', [`2.0@${b.manifestDigest}`]],
      ],
    );
    assert.ok(tokens.requests.some((r) => r.scope === 'registry:catalog:*' && r.user === 'bob'));
    await Promise.all([pusher.close(), access.client.close()]);
  } finally {
    await reg.stop();
    await tokens.stop();
  }
});

test('a registry that is down yields one error and no repositories', async () => {
  const host = `127.0.0.1:${await freePort()}`; // nothing listens here
  const src = source(host, '      repositories: [a/b, c/d]\n');
  const { client } = createRegistryAccess([src], { client: { backoffMs: 1, retries: 2 } });
  const res = await discover(src, client);
  assert.deepEqual(res.repositories, []);
  assert.equal(res.errors.length, 1);
  assert.match(res.errors[0]!.message, /unreachable/);
  await client.close();
});
