import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarReference,
  formatReference,
  ImageReferenceError,
  namePrefixes,
  parseImageReference,
  tryParseImageReference,
  type ImageReference,
} from './reference.js';

const SHA = `sha256:${'a'.repeat(64)}`;

function ref(
  registry: string,
  repository: string,
  extra: { tag?: string; digest?: string } = {},
): ImageReference {
  return { registry, repository, name: `${registry}/${repository}`, ...extra };
}

const VALID: Array<[string, ImageReference]> = [
  ['nginx', ref('docker.io', 'library/nginx')],
  ['nginx:1.25', ref('docker.io', 'library/nginx', { tag: '1.25' })],
  ['nginx:latest', ref('docker.io', 'library/nginx', { tag: 'latest' })],
  [`nginx@${SHA}`, ref('docker.io', 'library/nginx', { digest: SHA })],
  [`nginx:1.25@${SHA}`, ref('docker.io', 'library/nginx', { tag: '1.25', digest: SHA })],
  ['bitnami/redis:7.2', ref('docker.io', 'bitnami/redis', { tag: '7.2' })],
  ['docker.io/nginx', ref('docker.io', 'library/nginx')],
  ['index.docker.io/nginx', ref('docker.io', 'library/nginx')],
  ['docker.io/library/nginx', ref('docker.io', 'library/nginx')],
  ['library/nginx', ref('docker.io', 'library/nginx')],
  ['ghcr.io/acme/app:v1.2.3', ref('ghcr.io', 'acme/app', { tag: 'v1.2.3' })],
  ['registry.k8s.io/pause:3.9', ref('registry.k8s.io', 'pause', { tag: '3.9' })],
  ['gcr.io/proj/team/svc/api', ref('gcr.io', 'proj/team/svc/api')],
  ['localhost/app', ref('localhost', 'app')],
  ['localhost:5000/app:dev', ref('localhost:5000', 'app', { tag: 'dev' })],
  ['myregistry:5000/app', ref('myregistry:5000', 'app')],
  ['10.0.0.1:5000/ns/app:1', ref('10.0.0.1:5000', 'ns/app', { tag: '1' })],
  ['[::1]:5000/app', ref('[::1]:5000', 'app')],
  ['[2001:db8::1]/app:1', ref('[2001:db8::1]', 'app', { tag: '1' })],
  // Upper case in the first component can only be a host (paths are lower case).
  ['Registry/app', ref('Registry', 'app')],
  // Without a slash "localhost:5000" is the official image "localhost" with tag "5000".
  ['localhost:5000', ref('docker.io', 'library/localhost', { tag: '5000' })],
  ['my_app-x.y__z---w', ref('docker.io', 'library/my_app-x.y__z---w')],
  ['app:V1_2-rc.3', ref('docker.io', 'library/app', { tag: 'V1_2-rc.3' })],
  [`app@sha512:${'b'.repeat(128)}`, ref('docker.io', 'library/app', { digest: `sha512:${'b'.repeat(128)}` })],
  [
    `app@multihash+base58:${'C'.repeat(32)}`,
    ref('docker.io', 'library/app', { digest: `multihash+base58:${'C'.repeat(32)}` }),
  ],
];

for (const [input, expected] of VALID) {
  test(`parses ${input}`, () => {
    assert.deepEqual(parseImageReference(input), expected);
  });
}

const INVALID: Array<[string, RegExp]> = [
  ['', /empty/],
  [' nginx', /whitespace/],
  ['nginx ', /whitespace/],
  ['Nginx', /lower case/],
  ['acme/App', /lower case/],
  ['nginx:', /invalid tag/],
  ['nginx:-1', /invalid tag/],
  [`nginx:${'t'.repeat(129)}`, /invalid tag/],
  ['nginx:a/b', /invalid registry host "nginx:a"/],
  ['nginx@', /invalid digest/],
  ['nginx@sha256', /invalid digest/],
  ['nginx@sha256:abc', /invalid sha256 digest/],
  [`nginx@sha256:${'A'.repeat(64)}`, /invalid sha256 digest/],
  [`nginx@sha256:${'a'.repeat(63)}`, /invalid sha256 digest/],
  [`nginx@1sha:${'a'.repeat(64)}`, /invalid digest algorithm/],
  [`nginx@${SHA}@${SHA}`, /invalid sha256 digest/],
  ['/nginx', /invalid repository path component ""/],
  ['nginx/', /invalid repository path component ""/],
  ['a//b', /invalid repository path component ""/],
  ['ghcr.io/', /repository name is empty/],
  [':tag', /repository name is empty/],
  ['-nginx', /invalid repository path component/],
  ['nginx-', /invalid repository path component/],
  ['a..b', /invalid repository path component/],
  ['a___b', /invalid repository path component/],
  ['bad_host.io/app', /invalid registry host/],
  ['-host.io/app', /invalid registry host/],
  ['host.io:port/app', /invalid registry host/],
  ['[::1/app', /invalid registry host/],
  ['a'.repeat(64), /image ID/],
  [`ghcr.io/${'a'.repeat(250)}`, /longer than 255/],
];

for (const [input, reason] of INVALID) {
  test(`rejects ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`, () => {
    assert.equal(tryParseImageReference(input), undefined);
    assert.throws(
      () => parseImageReference(input),
      (e: unknown) => e instanceof ImageReferenceError && e.input === input && reason.test(e.reason),
    );
  });
}

test('a 64-hex name is fine when it is not the whole Docker Hub name', () => {
  assert.equal(parseImageReference(`acme/${'a'.repeat(64)}`).repository, `acme/${'a'.repeat(64)}`);
  assert.equal(parseImageReference(`ghcr.io/${'a'.repeat(64)}`).repository, 'a'.repeat(64));
});

test('the total name limit counts the normalised name', () => {
  // 246 characters + "docker.io/library/" would be 264.
  assert.equal(tryParseImageReference('a'.repeat(246)), undefined);
  assert.ok(tryParseImageReference('a'.repeat(237)));
});

test('formatReference gives the canonical, fully qualified form', () => {
  assert.equal(formatReference(parseImageReference('nginx')), 'docker.io/library/nginx');
  assert.equal(formatReference(parseImageReference('acme/app:1')), 'docker.io/acme/app:1');
  assert.equal(
    formatReference(parseImageReference(`localhost:5000/app:1@${SHA}`)),
    `localhost:5000/app:1@${SHA}`,
  );
});

test('familiarReference gives the short form Docker prints', () => {
  assert.equal(familiarReference(parseImageReference('docker.io/library/nginx:1.25')), 'nginx:1.25');
  assert.equal(familiarReference(parseImageReference('index.docker.io/acme/app')), 'acme/app');
  assert.equal(familiarReference(parseImageReference('library/a/b')), 'library/a/b');
  assert.equal(familiarReference(parseImageReference(`ghcr.io/a/b@${SHA}`)), `ghcr.io/a/b@${SHA}`);
});

test('round trip: the canonical form parses back to the same reference', () => {
  for (const [input] of VALID) {
    const r = parseImageReference(input);
    assert.deepEqual(parseImageReference(formatReference(r)), r, input);
    assert.deepEqual(parseImageReference(familiarReference(r)), r, input);
  }
});

test('namePrefixes lists registry, component prefixes and the full name', () => {
  assert.deepEqual(namePrefixes(parseImageReference('ghcr.io/acme/team/app:1')), [
    'ghcr.io',
    'ghcr.io/acme',
    'ghcr.io/acme/team',
    'ghcr.io/acme/team/app',
  ]);
  assert.deepEqual(namePrefixes(parseImageReference('nginx')), [
    'docker.io',
    'docker.io/library',
    'docker.io/library/nginx',
  ]);
  assert.deepEqual(namePrefixes(parseImageReference('localhost:5000/app')), [
    'localhost:5000',
    'localhost:5000/app',
  ]);
});
