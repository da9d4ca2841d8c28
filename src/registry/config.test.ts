import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../core/config.js';
import { UserError } from '../core/errors.js';
import { registrySourceFromFlag, registrySourcesFromConfig } from './config.js';

const FILE = '/repo/.kubeward.yaml';

function sources(text: string) {
  return registrySourcesFromConfig(parseConfig(text, FILE));
}

function userError(fn: () => unknown, pattern: RegExp, line?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.match(e.oneLine(), pattern);
    if (line !== undefined) assert.equal(e.where?.line, line, e.oneLine());
    return true;
  });
}

test('registries.scan entries resolve with defaults; registries.allowed keeps working', () => {
  const text = `registries:
  allowed: [ghcr.io/acme/*]
  scan:
    - url: https://ghcr.io/
      include: ['acme/**']
      exclude: ['acme/tmp-*']
      tags: {include: ['v*'], exclude: ['*-rc*'], maxTags: 10}
      credentials:
        env: {usernameEnv: GH_USER, passwordEnv: GH_TOKEN}
      rateLimit: {requestsPerSecond: 2.5}
    - url: https://registry-1.docker.io
      repositories: [nginx, bitnami/redis]
      concurrency: 2
    - url: http://127.0.0.1:5000
      insecure: true
      credentials:
        ecr: {region: eu-west-1, registryId: '123456789012'}
`;
  const config = parseConfig(text, FILE);
  assert.deepEqual(config.registries?.allowed, ['ghcr.io/acme/*']);
  const [gh, hub, local] = registrySourcesFromConfig(config);
  assert.deepEqual(gh, {
    url: 'https://ghcr.io',
    host: 'ghcr.io',
    insecure: false,
    repositories: [],
    include: ['acme/**'],
    exclude: ['acme/tmp-*'],
    tags: { include: ['v*'], exclude: ['*-rc*'], maxTags: 10 },
    credentials: { env: { usernameEnv: 'GH_USER', passwordEnv: 'GH_TOKEN' } },
    concurrency: 4,
    rateLimit: { requestsPerSecond: 2.5, burst: 3 },
    origin: `${FILE}:4`,
    file: FILE,
    line: 4,
  });
  assert.equal(hub!.host, 'docker.io');
  assert.deepEqual(hub!.repositories, ['library/nginx', 'bitnami/redis']);
  assert.equal(hub!.concurrency, 2);
  assert.equal(local!.host, '127.0.0.1:5000');
  assert.equal(local!.insecure, true);
  assert.equal(local!.origin, `${FILE}:14`);
});

test('schema errors name the line of the offending key', () => {
  userError(
    () => sources('registries:\n  scan:\n    - url: https://x.io\n      bogus: 1\n'),
    /:4: .*unknown key "bogus"/,
    4,
  );
  userError(
    () =>
      sources(
        'registries:\n  scan:\n    - url: https://x.io\n      credentials:\n        static: {username: a, password: b}\n        env: {usernameEnv: A, passwordEnv: B}\n',
      ),
    /registries\.scan\.0\.credentials must NOT have more than 1 properties/,
  );
  userError(
    () => sources('registries:\n  scan:\n    - url: https://x.io\n      concurrency: 0\n'),
    /concurrency must be >= 1/,
    4,
  );
  userError(
    () => sources('registries:\n  scan:\n    - url: https://x.io\n      rateLimit: {requestsPerSecond: 0}\n'),
    /requestsPerSecond must be > 0/,
  );
  userError(
    () =>
      sources(
        'registries:\n  scan:\n    - url: https://x.io\n      credentials:\n        ecr: {region: mars}\n',
      ),
    /ecr\.region must match pattern/,
    5,
  );
  userError(
    () => sources('registries:\n  scan:\n    - url: https://x.io\n      credentials:\n        gcp: {}\n'),
    /gcp must NOT have fewer than 1 properties/,
  );
  userError(() => sources('registries:\n  scan:\n    - insecure: true\n'), /missing "url"/, 3);
});

test('semantic checks name the entry line', () => {
  userError(
    () => sources('registries:\n  scan:\n    - url: https://a.io\n    - url: http://b.io:5000\n'),
    /:4: .*plain http:\/\/; set insecure: true/,
    4,
  );
  userError(() => sources('registries:\n  scan:\n    - url: ftp://a.io\n'), /must start with https:\/\//, 3);
  userError(() => sources('registries:\n  scan:\n    - url: https://a.io/v2/x\n'), /only scheme and host/);
  userError(
    () => sources('registries:\n  scan:\n    - url: https://u:p@a.io\n'),
    /must not contain credentials/,
  );
  userError(() => sources('registries:\n  scan:\n    - url: not a url\n'), /is not a URL/);
  userError(
    () => sources('registries:\n  scan:\n    - url: https://a.io\n    - url: https://a.io/\n'),
    /a\.io is configured twice \(first at \/repo\/\.kubeward\.yaml:3\)/,
    4,
  );
  userError(
    () => sources('registries:\n  scan:\n    - url: https://a.io\n      repositories: ["../etc"]\n'),
    /invalid repository name/,
  );
  userError(
    () =>
      sources(
        'registries:\n  scan:\n    - url: https://a.io\n      credentials:\n        static: {username: a}\n',
      ),
    /exactly one of password or passwordEnv/,
  );
  userError(
    () =>
      sources(
        'registries:\n  scan:\n    - url: https://a.azurecr.io\n      credentials:\n        acr: {tenant: t}\n',
      ),
    /aadTokenEnv, or clientId and clientSecretEnv/,
  );
});

test('flag form: --registry URL with options; errors name the flag', () => {
  const s = registrySourceFromFlag('http://localhost:5000', {
    insecure: true,
    tags: ['v*'],
    repositories: ['a/b'],
  });
  assert.equal(s.host, 'localhost:5000');
  assert.equal(s.origin, '--registry');
  assert.deepEqual(s.tags, { include: ['v*'], exclude: [] });
  assert.deepEqual(s.repositories, ['a/b']);
  userError(() => registrySourceFromFlag('http://localhost:5000'), /^--registry: .*insecure/);
  userError(
    () => registrySourceFromFlag('https://x.io', { concurrency: 1000 }),
    /^--registry: concurrency must be/,
  );
});
