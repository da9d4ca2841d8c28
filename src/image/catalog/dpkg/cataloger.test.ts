import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fsWith } from '../testkit.js';
import { dpkgCataloger } from './cataloger.js';
import { detectDistro, osvEcosystem, parseOsRelease } from '../os-release.js';

const status = readFileSync(new URL('./testdata/status', import.meta.url));

test('dpkg status: installed packages with source package, arch, purl and ecosystem', () => {
  const fs = fsWith({
    'var/lib/dpkg/status': status,
    'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  });
  const distro = detectDistro(fs);
  const r = dpkgCataloger.catalog(fs, distro ? { distro } : {});
  assert.equal(r.status, 'ok');
  assert.deepEqual(
    r.packages.map((p) => p.name),
    ['libssl3', 'tzdata', 'libgcc-s1'],
  );
  const ssl = r.packages[0]!;
  assert.equal(ssl.ecosystem, 'Debian:12');
  assert.deepEqual(ssl.source, { name: 'openssl', version: '3.0.11-1~deb12u2' });
  assert.equal(
    ssl.purl,
    'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
  );
  assert.deepEqual(r.packages[2]!.source, { name: 'gcc-12', version: '12.2.0-14' });
  assert.ok(r.notes.some((n) => n.includes('without Package/Version')));
});

test('distroless status.d entries are catalogued, md5sums ignored', () => {
  assert.ok(dpkgCataloger.wants('var/lib/dpkg/status.d/libc6', { mode: 0o644, size: 10 }));
  assert.ok(!dpkgCataloger.wants('var/lib/dpkg/status.d/libc6.md5sums', { mode: 0o644, size: 10 }));
  const fs = fsWith({
    'var/lib/dpkg/status.d/base': 'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n',
  });
  assert.deepEqual(
    dpkgCataloger.catalog(fs, {}).packages.map((p) => `${p.name}@${p.version}`),
    ['base-files@12.4+deb12u5'],
  );
});

test('os-release parsing and OSV ecosystem names', () => {
  assert.deepEqual(parseOsRelease('ID="ubuntu"\nVERSION_ID="22.04"\n# c\nNAME=\'Ubuntu\'\n'), {
    ID: 'ubuntu',
    VERSION_ID: '22.04',
    NAME: 'Ubuntu',
  });
  assert.equal(osvEcosystem({ id: 'ubuntu', versionId: '22.04' }), 'Ubuntu:22.04:LTS');
  assert.equal(osvEcosystem({ id: 'ubuntu', versionId: '23.10' }), 'Ubuntu:23.10');
  assert.equal(osvEcosystem({ id: 'alpine', versionId: '3.20.3' }), 'Alpine:v3.20');
  assert.equal(osvEcosystem({ id: 'rocky', versionId: '9.3' }), 'Rocky Linux:9');
  assert.deepEqual(detectDistro(fsWith({ 'etc/alpine-release': '3.19.1\n' })), {
    id: 'alpine',
    versionId: '3.19.1',
  });
});
