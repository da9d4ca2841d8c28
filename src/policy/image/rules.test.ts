import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageReference } from '../../image/reference.js';
import { TtlCache } from '../../image/signature/ttl-cache.js';
import { compileMutableTagCheck, compileRegistryAllowList, normaliseRegistryPattern } from './rules.js';

test('allow-list patterns are normalised like image references', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'docker.io/library/nginx'],
    ['docker.io/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx'],
    ['bitnami/*', 'docker.io/bitnami/*'],
    ['docker.io/*', 'docker.io/*'],
    ['ghcr.io/acme/*', 'ghcr.io/acme/*'],
    ['ghcr.io/', 'ghcr.io'],
    ['localhost:5000/team', 'localhost:5000/team'],
    ['*.gcr.io/prod', '*.gcr.io/prod'],
    ['  quay.io/org/  ', 'quay.io/org'],
  ];
  for (const [pattern, want] of cases) assert.equal(normaliseRegistryPattern(pattern), want, pattern);
});

test('a pattern matches the registry, any component prefix, or the full name; never a look-alike', () => {
  const allowed = compileRegistryAllowList(['ghcr.io/acme/*', 'nginx', '*.pkg.dev/prod']);
  const ok = (image: string): boolean => allowed(parseImageReference(image));
  assert.equal(ok('ghcr.io/acme/app:1'), true);
  assert.equal(ok('ghcr.io/acme/team/app:1'), true);
  assert.equal(ok('nginx:1.27'), true);
  assert.equal(ok('index.docker.io/library/nginx'), true);
  assert.equal(ok('europe-docker.pkg.dev/prod/app'), true);
  assert.equal(ok('ghcr.io/acme'), false, 'the org itself is not a repository under it');
  assert.equal(ok('ghcr.io/acmecorp/app'), false);
  assert.equal(ok('nginx-evil/nginx'), false);
  assert.equal(ok('ghcr.io.evil.com/acme/app'), false);
  assert.equal(ok('europe-docker.pkg.dev/production/app'), false);
  assert.equal(
    compileRegistryAllowList([])(parseImageReference('nginx')),
    false,
    'an empty list allows nothing',
  );
});

test('mutable tags: no digest means mutable unless the tag is allowed; a missing tag is "latest"', () => {
  const check = compileMutableTagCheck(['v*.*.*']);
  const r = (image: string): string | undefined => check(parseImageReference(image));
  assert.match(r('nginx') ?? '', /no tag or digest/);
  assert.match(r('nginx:latest') ?? '', /mutable tag "latest"/);
  assert.match(r('nginx:1.27') ?? '', /mutable tag "1.27"/);
  assert.equal(r('app:v1.2.3'), undefined);
  assert.equal(r(`nginx:latest@sha256:${'0'.repeat(64)}`), undefined);
  assert.equal(r(`nginx@sha256:${'0'.repeat(64)}`), undefined);
  assert.match(compileMutableTagCheck(['latest'])(parseImageReference('nginx')) ?? 'allowed', /allowed/);
});

test('TtlCache expires entries and evicts the least recently used beyond its bound', () => {
  let now = 0;
  const c = new TtlCache<string, number>(2, 100, () => now);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1); // a is now the most recently used
  c.set('c', 3);
  assert.equal(c.get('b'), undefined, 'b was evicted');
  assert.equal(c.size, 2);
  now = 100;
  assert.equal(c.get('a'), undefined, 'expired');
  c.set('d', 4, 1000);
  now = 500;
  assert.equal(c.get('d'), 4);
  assert.throws(() => new TtlCache(0, 1), RangeError);
});
