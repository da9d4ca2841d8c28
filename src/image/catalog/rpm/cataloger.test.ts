import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fsWith } from '../testkit.js';
import { rpmCataloger } from './cataloger.js';
import { parseRpmHeader, parseSourceRpm } from './header.js';

// testdata/rpmdb.sqlite was made by testdata/make-rpmdb.sh: real packages built with rpmbuild and recorded
// by rpm 4.18 into an sqlite rpmdb, the format of RHEL 9 / Fedora images.
const rpmdb = readFileSync(new URL('./testdata/rpmdb.sqlite', import.meta.url));

test('rpm sqlite database: name, epoch:version-release, arch, source rpm, Rocky ecosystem', () => {
  const fs = fsWith({ 'var/lib/rpm/rpmdb.sqlite': rpmdb });
  const r = rpmCataloger.catalog(fs, { distro: { id: 'rocky', versionId: '9.3' } });
  assert.equal(r.status, 'ok');
  const byName = new Map(r.packages.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), ['bash', 'curl', 'curl-minimal', 'openssl', 'openssl-libs']);
  const libs = byName.get('openssl-libs')!;
  assert.equal(libs.version, '1:3.0.7-27.el9');
  assert.deepEqual(libs.source, { name: 'openssl', version: '1:3.0.7-27.el9' });
  assert.equal(libs.ecosystem, 'Rocky Linux:9');
  assert.equal(libs.arch, 'x86_64');
  assert.equal(
    libs.purl,
    'pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm',
  );
  assert.deepEqual(byName.get('curl-minimal')!.source, { name: 'curl', version: '7.76.1-29.el9_4' });
});

test('Berkeley DB / NDB databases are reported as not analysed, never silently skipped', () => {
  const r = rpmCataloger.catalog(fsWith({ 'var/lib/rpm/Packages': Buffer.alloc(4096) }), {});
  assert.equal(r.status, 'not-analysed');
  assert.match(r.notes[0] ?? '', /not analysed/);
});

test('a corrupt database or header is an error status with a note, not a crash', () => {
  const r = rpmCataloger.catalog(
    fsWith({ 'var/lib/rpm/rpmdb.sqlite': Buffer.from('garbage'.repeat(100)) }),
    {},
  );
  assert.equal(r.status, 'error');
  assert.throws(() => parseRpmHeader(Buffer.from([0, 0, 0, 1, 0, 0, 0, 100]), new Set([1000])), /truncated/);
  assert.throws(
    () => parseRpmHeader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), new Set([1000])),
    /out of range/,
  );
});

test('source rpm names', () => {
  assert.deepEqual(parseSourceRpm('openssl-3.0.7-27.el9.src.rpm'), {
    name: 'openssl',
    version: '3.0.7-27.el9',
  });
  assert.deepEqual(parseSourceRpm('python3.11-setuptools-65.5.1-2.el9.src.rpm'), {
    name: 'python3.11-setuptools',
    version: '65.5.1-2.el9',
  });
  assert.equal(parseSourceRpm('nonsense'), undefined);
});
