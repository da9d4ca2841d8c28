import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Inventory } from '../inventory.js';
import { toCycloneDx } from './cyclonedx.js';
import { toSpdx } from './spdx.js';
import { packageFromPurl, readSbom } from './read-sbom.js';

const inv: Inventory = {
  source: {
    kind: 'registry',
    name: 'registry.example/acme/app:1.0',
    manifestDigest: `sha256:${'a'.repeat(64)}`,
  },
  distro: { id: 'debian', versionId: '12' },
  packages: [
    {
      type: 'deb',
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      ecosystem: 'Debian:12',
      purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
      source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
      locations: ['var/lib/dpkg/status'],
      layer: 0,
      layerDigest: `sha256:${'b'.repeat(64)}`,
    },
    {
      type: 'npm',
      name: '@babel/core',
      version: '7.22.0',
      ecosystem: 'npm',
      purl: 'pkg:npm/%40babel/core@7.22.0',
      locations: ['app/node_modules/@babel/core/package.json'],
      licenses: ['MIT'],
    },
    {
      type: 'golang',
      name: 'golang.org/x/net',
      version: '0.7.0',
      ecosystem: 'Go',
      purl: 'pkg:golang/golang.org/x/net@v0.7.0',
      locations: ['usr/bin/app'],
    },
  ],
  layers: [],
  setuid: [],
  catalogers: [],
  skipped: [],
};
const tool = { name: 'kubeward', version: '0.1.0' };

function tmpFile(name: string, text: string): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-sbom-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('CycloneDX 1.6 output validates against the official schema and round-trips', async () => {
  const json = toCycloneDx(inv, tool);
  const errors = await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(json);
  assert.equal(errors, null, JSON.stringify(errors));
  const t = tmpFile('bom.json', json);
  try {
    const back = readSbom(t.file);
    assert.equal(back.format, 'cyclonedx');
    assert.equal(back.name, inv.source.name);
    assert.deepEqual(
      back.packages.map((p) => `${p.ecosystem}|${p.name}@${p.version}`),
      ['Debian:12|libssl3@3.0.11-1~deb12u2', 'Go|golang.org/x/net@0.7.0', 'npm|@babel/core@7.22.0'],
    );
    assert.deepEqual(back.packages[0]!.source, { name: 'openssl', version: '3.0.11-1~deb12u2' });
  } finally {
    t.done();
  }
});

test('SPDX 2.3 output: document structure and round-trip through purls', () => {
  const json = toSpdx(inv, tool);
  const doc = JSON.parse(json) as {
    spdxVersion: string;
    packages: Array<{ SPDXID: string }>;
    relationships: unknown[];
  };
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  assert.equal(doc.packages.length, 4);
  assert.ok(doc.packages.every((p) => /^SPDXRef-[A-Za-z0-9.-]+$/.test(p.SPDXID)));
  assert.equal(new Set(doc.packages.map((p) => p.SPDXID)).size, 4);
  const t = tmpFile('sbom.spdx.json', json);
  try {
    const back = readSbom(t.file);
    assert.equal(back.format, 'spdx');
    assert.deepEqual(
      back.packages.map((p) => `${p.ecosystem}|${p.name}@${p.version}`),
      ['Debian:12|libssl3@3.0.11-1~deb12u2', 'npm|@babel/core@7.22.0', 'Go|golang.org/x/net@0.7.0'],
    );
  } finally {
    t.done();
  }
});

test('purls map to OSV ecosystems', () => {
  assert.equal(
    packageFromPurl('pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1', 'x')?.ecosystem,
    'Alpine:v3.19',
  );
  assert.equal(
    packageFromPurl('pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=ubuntu-22.04', 'x')?.ecosystem,
    'Ubuntu:22.04:LTS',
  );
  assert.equal(
    packageFromPurl('pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?epoch=1&distro=rocky-9.3', 'x')?.version,
    '1:3.0.7-27.el9',
  );
  assert.equal(
    packageFromPurl('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', 'x')?.name,
    'org.apache.logging.log4j:log4j-core',
  );
  assert.equal(packageFromPurl('not a purl', 'x'), undefined);
});

test('bad SBOM input is a one-line user error', () => {
  for (const [name, text, re] of [
    ['x.json', '{nope', /not valid JSON/],
    ['y.json', '{"hello": 1}', /not a CycloneDX or SPDX/],
  ] as const) {
    const t = tmpFile(name, text);
    try {
      assert.throws(() => readSbom(t.file), re);
    } finally {
      t.done();
    }
  }
  assert.throws(() => readSbom('/nonexistent/sbom.json'), /cannot read SBOM \(ENOENT\)/);
});
