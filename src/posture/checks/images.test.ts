import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Check } from '../check.js';
import { parseImageReference } from '../../image/reference.js';
import { runCheck, pod } from './testkit.js';
import {
  imageChecks,
  latestTag,
  missingTag,
  notPinnedByDigest,
  registryAllowed,
  registryNotAllowed,
} from './images.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** One pod with a container per image; container i's image is on line 9 + 2i. */
function podWith(...images: string[]): string {
  return pod(`containers:\n${images.map((img, i) => `  - name: c${i}\n    image: ${img}`).join('\n')}`);
}
const lines = (check: Check, yaml: string, allowed?: string[]): number[] =>
  runCheck(check, yaml, allowed ? { registries: { allowed } } : {}).map((f) => f.location.line);

test('KW-IMG-001 flags the latest tag at the image line, unless a digest pins it', () => {
  const yaml = podWith(
    'nginx:latest',
    'nginx:1.27',
    `nginx:latest@${DIGEST}`,
    'nginx',
    'ghcr.io/acme/app:latest',
  );
  const f = runCheck(latestTag, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [9, 'container "c0" image "nginx:latest" uses the mutable "latest" tag'],
      [17, 'container "c4" image "ghcr.io/acme/app:latest" uses the mutable "latest" tag'],
    ],
  );
  assert.equal(f[0]?.severity, 'medium');
  // Tags are case-sensitive: "Latest" is just another tag.
  assert.deepEqual(lines(latestTag, podWith('nginx:Latest')), []);
});

test('KW-IMG-001..003 look at init and ephemeral containers too', () => {
  const yaml = pod(`
initContainers:
  - name: init
    image: busybox:latest
containers:
  - name: app
    image: nginx:1.27
ephemeralContainers:
  - name: debug
    image: busybox:latest`);
  const f = runCheck(latestTag, yaml);
  assert.deepEqual(
    f.map((x) => x.message),
    [
      'init container "init" image "busybox:latest" uses the mutable "latest" tag',
      'ephemeral container "debug" image "busybox:latest" uses the mutable "latest" tag',
    ],
  );
});

test('KW-IMG-002 flags an image without tag or digest', () => {
  const yaml = podWith('nginx', 'localhost:5000/app', 'nginx:1.27', `nginx@${DIGEST}`, 'localhost:5000');
  assert.deepEqual(lines(missingTag, yaml), [9, 11]);
  assert.match(runCheck(missingTag, yaml)[0]?.message ?? '', /has no tag or digest, so it pulls ":latest"/);
});

test('KW-IMG-003 flags every image without a digest, with low severity', () => {
  const yaml = podWith('nginx', 'nginx:1.27', `nginx:1.27@${DIGEST}`, `ghcr.io/a/b@${DIGEST}`);
  const f = runCheck(notPinnedByDigest, yaml);
  assert.deepEqual(
    f.map((x) => x.location.line),
    [9, 11],
  );
  assert.equal(f[0]?.severity, 'low');
});

test('image checks skip missing, empty and unparsable images (no crash, no guess)', () => {
  const yaml = pod(`
containers:
  - name: a
  - name: b
    image: ""
  - name: c
    image: "Not A Valid Ref"
  - name: d
    image: 42`);
  for (const c of [latestTag, missingTag, notPinnedByDigest]) assert.deepEqual(lines(c, yaml), [], c.id);
});

test('KW-IMG-004 is a no-op without an allow-list (unset or empty)', () => {
  const yaml = podWith('quay.io/evil/miner:1.0');
  assert.deepEqual(lines(registryNotAllowed, yaml), []);
  assert.deepEqual(lines(registryNotAllowed, yaml, []), []);
});

test('KW-IMG-004 flags images outside the allow-list, naming the normalised repository', () => {
  const yaml = podWith('nginx:1.27', 'quay.io/evil/miner:1.0', 'ghcr.io/acme/app:1', 'bitnami/redis:7');
  const f = runCheck(registryNotAllowed, yaml, {
    registries: { allowed: ['ghcr.io/acme', 'docker.io/library/*'] },
  });
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [
        11,
        'container "c1" image "quay.io/evil/miner:1.0" (quay.io/evil/miner) is not from an allowed registry',
      ],
      [
        15,
        'container "c3" image "bitnami/redis:7" (docker.io/bitnami/redis) is not from an allowed registry',
      ],
    ],
  );
  assert.equal(f[0]?.severity, 'high');
  assert.deepEqual(
    f[0]?.frameworks.map((m) => `${m.framework}:${m.id}`),
    ['cis-k8s:5.5.1', 'nsa-cisa:supply-chain', 'mitre-attack:T1525'],
  );
});

test('KW-IMG-004 fails closed on an image reference it cannot parse', () => {
  const f = runCheck(registryNotAllowed, podWith('"ghcr.io/acme/App:1"'), {
    registries: { allowed: ['ghcr.io'] },
  });
  assert.equal(f.length, 1);
  assert.match(f[0]?.message ?? '', /is not a valid image reference/);
});

test('registryAllowed matches the host, component prefixes or the full name, never a partial component', () => {
  const allowed = (image: string, patterns: string[]) =>
    registryAllowed(parseImageReference(image), patterns);
  // Registry host.
  assert.ok(allowed('ghcr.io/acme/app:1', ['ghcr.io']));
  assert.ok(allowed('localhost:5000/app', ['localhost:5000']));
  assert.ok(allowed('localhost:5000/app', ['localhost:*']));
  assert.ok(!allowed('localhost:5001/app', ['localhost:5000']));
  // Repository prefix at a component boundary.
  assert.ok(allowed('ghcr.io/acme/team/app:1', ['ghcr.io/acme']));
  assert.ok(allowed('ghcr.io/acme/team/app:1', ['ghcr.io/acme/']));
  assert.ok(!allowed('ghcr.io/acme-evil/app:1', ['ghcr.io/acme']));
  assert.ok(!allowed('ghcr.io.evil.com/acme/app', ['ghcr.io']));
  // Full repository, globs, normalisation of Docker Hub names.
  assert.ok(allowed('nginx:1.27', ['docker.io/library/nginx']));
  assert.ok(allowed('nginx', ['docker.io/library/*']));
  assert.ok(allowed('index.docker.io/library/nginx', ['docker.io']));
  assert.ok(!allowed('bitnami/nginx', ['docker.io/library/*']));
  assert.ok(allowed('registry.k8s.io/sig/pause:3.9', ['registry.k8s.io/**']));
  assert.ok(allowed('123.dkr.ecr.eu-west-1.amazonaws.com/x', ['*.dkr.ecr.eu-west-1.amazonaws.com']));
  assert.ok(!allowed('123.dkr.ecr.us-east-1.amazonaws.com/x', ['*.dkr.ecr.eu-west-1.amazonaws.com']));
  // A tag or digest never matters.
  assert.ok(allowed(`ghcr.io/acme/app:1@${DIGEST}`, ['ghcr.io/acme/app']));
  // Unrelated or empty patterns allow nothing.
  assert.ok(!allowed('nginx', ['ghcr.io', ' ', '']));
});

test('the allow-list answer is memoised per config array, so a changed config is seen', () => {
  const ref = parseImageReference('ghcr.io/acme/app:1');
  assert.ok(!registryAllowed(ref, ['quay.io']));
  assert.ok(registryAllowed(ref, ['ghcr.io']));
});

test('image checks have the KW-IMG ids in order and framework mappings', () => {
  assert.deepEqual(
    imageChecks.map((c) => c.id),
    ['KW-IMG-001', 'KW-IMG-002', 'KW-IMG-003', 'KW-IMG-004'],
  );
  for (const c of imageChecks)
    assert.ok(
      c.frameworks.some((f) => f.id === 'T1525'),
      c.id,
    );
});
