import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOpenVex, purlMatches, vexFor } from './openvex.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const doc = {
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/1',
  author: 'security@example.com',
  timestamp: '2026-01-01T00:00:00Z',
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2023-0001', aliases: ['GHSA-aaaa-bbbb-cccc'] },
      products: [
        {
          '@id': `pkg:oci/app@${encodeURIComponent(DIGEST)}`,
          subcomponents: [{ '@id': 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2' }],
        },
      ],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    },
    {
      vulnerability: { name: 'CVE-2023-0002' },
      products: [{ '@id': 'pkg:npm/lodash@4.17.20' }],
      status: 'fixed',
    },
    {
      vulnerability: { name: 'CVE-2023-0002' },
      products: [{ '@id': 'pkg:npm/lodash@4.17.20' }],
      status: 'affected',
      timestamp: '2026-06-01T00:00:00Z',
    },
  ],
};

test('OpenVEX statements: subcomponents within an image digest, aliases, latest statement wins', () => {
  const st = parseOpenVex(doc, 'vex.json');
  const ssl = {
    vulnerabilityIds: ['GHSA-AAAA-BBBB-CCCC'],
    packagePurl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64',
    image: { name: 'reg/app:1', digest: DIGEST },
  };
  assert.equal(vexFor(ssl, st)?.status, 'not_affected');
  assert.equal(
    vexFor({ ...ssl, image: { name: 'reg/app:1', digest: `sha256:${'d'.repeat(64)}` } }, st),
    undefined,
    'other image digest',
  );
  assert.equal(
    vexFor({ vulnerabilityIds: ['CVE-2023-0002'], packagePurl: 'pkg:npm/lodash@4.17.20' }, st)?.status,
    'affected',
  );
  assert.equal(
    vexFor({ vulnerabilityIds: ['CVE-2023-0002'], packagePurl: 'pkg:npm/lodash@4.17.21' }, st),
    undefined,
  );
});

test('purl matching ignores qualifiers the statement does not name', () => {
  assert.ok(
    purlMatches('pkg:deb/debian/curl@7.88.1', 'pkg:deb/debian/curl@7.88.1?arch=amd64&distro=debian-12'),
  );
  assert.ok(purlMatches('pkg:deb/debian/curl', 'pkg:deb/debian/curl@7.88.1'));
  assert.ok(!purlMatches('pkg:deb/debian/curl@7.88.1?arch=arm64', 'pkg:deb/debian/curl@7.88.1?arch=amd64'));
});

test('invalid VEX documents are user errors naming the problem', () => {
  assert.throws(() => parseOpenVex({ statements: [] }, 'v.json'), /not an OpenVEX document/);
  assert.throws(
    () =>
      parseOpenVex(
        {
          '@context': 'https://openvex.dev/ns/v0.2.0',
          statements: [{ vulnerability: { name: 'X' }, status: 'maybe' }],
        },
        'v.json',
      ),
    /invalid status "maybe"/,
  );
});
