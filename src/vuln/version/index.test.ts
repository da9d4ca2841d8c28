import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparatorFor } from './index.js';

test('comparatorFor maps OSV ecosystems, ignoring the release suffix', () => {
  const cases: [string, string | undefined][] = [
    ['Debian', 'dpkg'],
    ['Debian:12', 'dpkg'],
    ['Ubuntu', 'dpkg'],
    ['Ubuntu:22.04:LTS', 'dpkg'],
    ['Ubuntu:Pro:18.04:LTS', 'dpkg'],
    ['Alpine', 'apk'],
    ['Alpine:v3.20', 'apk'],
    ['Wolfi', 'apk'],
    ['Chainguard', 'apk'],
    ['Red Hat', 'rpm'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['Rocky Linux:9', 'rpm'],
    ['AlmaLinux:8', 'rpm'],
    ['openSUSE:Leap 15.5', 'rpm'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['Mageia:9', 'rpm'],
    ['Photon OS:5.0', 'rpm'],
    ['Fedora', 'rpm'],
    ['npm', 'semver'],
    ['Go', 'semver'],
    ['crates.io', 'semver'],
    ['Hex', 'semver'],
    ['Pub', 'semver'],
    ['Packagist', 'semver-loose'],
    ['PyPI', 'pep440'],
    ['Maven', 'maven'],
    ['RubyGems', 'rubygems'],
    ['NuGet', 'nuget'],
    ['pypi', 'pep440'],
    ['Linux', undefined],
    ['OSS-Fuzz', undefined],
    ['GIT', undefined],
    ['', undefined],
    ['Debianish', undefined],
  ];
  for (const [eco, want] of cases) assert.equal(comparatorFor(eco)?.name, want, eco);
});

test('comparatorFor: comparators behave per ecosystem', () => {
  assert.ok((comparatorFor('Debian:12')?.compare('1:1.0', '2.0') ?? 0) > 0);
  assert.ok((comparatorFor('Alpine:v3.20')?.compare('1.0_rc1', '1.0') ?? 0) < 0);
  assert.ok((comparatorFor('Red Hat')?.compare('1.0~rc1', '1.0') ?? 0) < 0);
  assert.ok((comparatorFor('PyPI')?.compare('1.0.dev0', '1.0a0') ?? 0) < 0);
  assert.ok((comparatorFor('Maven')?.compare('1.0-SNAPSHOT', '1.0') ?? 0) < 0);
  assert.ok((comparatorFor('Go')?.compare('v0.0.0-20210101000000-abcdef123456', 'v0.0.1') ?? 0) < 0);
});
