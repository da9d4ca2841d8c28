import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SquashedFs } from '../../layers/squash.js';
import type { Cataloger } from '../cataloger.js';
import { npmCataloger } from './npm.js';
import { normalizePypiName, pythonCataloger } from './python.js';
import { cargoCataloger } from './cargo.js';
import { composerCataloger } from './composer.js';
import { dotnetCataloger } from './dotnet.js';
import { rubyCataloger } from './ruby.js';
import { goBinaryCataloger, parseGoBuildInfo } from './go-binary.js';

/** A squashed filesystem holding the given files, run through the cataloger's own wants/reduce. */
function run(c: Cataloger, files: Record<string, string | Buffer>, mode = 0o644) {
  const fs = new SquashedFs();
  const map = new Map();
  for (const [p, raw] of Object.entries(files)) {
    const content = Buffer.from(raw);
    if (!c.wants(p, { mode, size: content.length })) continue;
    const extracted = c.reduce?.(p, content);
    map.set(p, {
      path: p,
      content: c.reduce ? Buffer.alloc(0) : content,
      mode,
      size: content.length,
      ...(extracted !== undefined ? { extracted } : {}),
    });
  }
  fs.apply(
    { files: map, symlinks: new Map(), deleted: [], opaque: [], setuid: [], skipped: [], entries: 0 },
    0,
  );
  return c.catalog(fs, {});
}
const ids = (r: ReturnType<typeof run>) =>
  r.packages.map((p) => `${p.ecosystem}|${p.name}@${p.version}|${p.purl}`);

test('npm: node_modules (scoped too) and package-lock v3, installed wins over lock duplicates', () => {
  const r = run(npmCataloger, {
    'app/node_modules/lodash/package.json': '{"name":"lodash","version":"4.17.20"}',
    'app/node_modules/@babel/core/package.json': '{"name":"@babel/core","version":"7.22.0"}',
    'app/node_modules/lodash/node_modules/x/README.md': 'not wanted',
    'app/package-lock.json': JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app' },
        'node_modules/lodash': { version: '4.17.20' },
        'node_modules/minimist': { version: '1.2.5' },
      },
    }),
    'app/node_modules/broken/package.json': '{not json',
  });
  assert.deepEqual(ids(r).sort(), [
    'npm|@babel/core@7.22.0|pkg:npm/%40babel/core@7.22.0',
    'npm|lodash@4.17.20|pkg:npm/lodash@4.17.20',
    'npm|minimist@1.2.5|pkg:npm/minimist@1.2.5',
  ]);
  assert.equal(r.notes.length, 1);
});

test('python: dist-info METADATA and egg-info PKG-INFO, PEP 503 names', () => {
  const r = run(pythonCataloger, {
    'usr/lib/python3/dist-packages/PyYAML-6.0.1.dist-info/METADATA':
      'Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\nLicense: MIT\n\nName: not-this\n',
    'usr/local/lib/python3.11/site-packages/Jinja2.egg-info/PKG-INFO':
      'Metadata-Version: 1.1\nName: Jinja2\nVersion: 2.10\n',
  });
  assert.deepEqual(ids(r).sort(), [
    'PyPI|jinja2@2.10|pkg:pypi/jinja2@2.10',
    'PyPI|pyyaml@6.0.1|pkg:pypi/pyyaml@6.0.1',
  ]);
  assert.equal(normalizePypiName('Zope.Interface__x'), 'zope-interface-x');
});

test('cargo: Cargo.lock registry packages only', () => {
  const lock = `version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n\n[[package]]\nname = "smallvec"\nversion = "1.6.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "abc"\n\n[metadata]\nx = "y"\n`;
  assert.deepEqual(ids(run(cargoCataloger, { 'src/app/Cargo.lock': lock })), [
    'crates.io|smallvec@1.6.0|pkg:cargo/smallvec@1.6.0',
  ]);
});

test('composer: installed.json v1 and v2', () => {
  const v2 = JSON.stringify({ packages: [{ name: 'guzzlehttp/guzzle', version: 'v7.4.0' }] });
  const v1 = JSON.stringify([{ name: 'monolog/monolog', version: '2.3.5' }]);
  const r = run(composerCataloger, {
    'var/www/vendor/composer/installed.json': v2,
    'srv/x/vendor/composer/installed.json': v1,
  });
  assert.deepEqual(ids(r).sort(), [
    'Packagist|guzzlehttp/guzzle@7.4.0|pkg:composer/guzzlehttp/guzzle@7.4.0',
    'Packagist|monolog/monolog@2.3.5|pkg:composer/monolog/monolog@2.3.5',
  ]);
});

test('dotnet: deps.json packages, not projects', () => {
  const deps = JSON.stringify({
    libraries: { 'App/1.0.0': { type: 'project' }, 'Newtonsoft.Json/12.0.1': { type: 'package' } },
  });
  assert.deepEqual(ids(run(dotnetCataloger, { 'app/App.deps.json': deps })), [
    'NuGet|Newtonsoft.Json@12.0.1|pkg:nuget/Newtonsoft.Json@12.0.1',
  ]);
});

test('ruby: installed gemspecs', () => {
  const spec =
    '# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.3"\nend\n';
  assert.deepEqual(ids(run(rubyCataloger, { 'usr/local/bundle/specifications/rack-2.2.3.gemspec': spec })), [
    'RubyGems|rack@2.2.3|pkg:gem/rack@2.2.3',
  ]);
});

test('go: a real Go 1.19 binary gives stdlib; local replacements are dropped', () => {
  // testdata/go-app was built by testdata/make-go-app.sh with Debian's golang-go.
  const bin = readFileSync(new URL('./testdata/go-app', import.meta.url));
  const info = parseGoBuildInfo(bin);
  assert.equal(info?.goVersion, 'go1.19.8');
  assert.equal(info?.mainPath, 'example.com/app');
  assert.deepEqual(info?.deps, []);
  const r = run(goBinaryCataloger, { 'usr/local/bin/app': bin }, 0o755);
  assert.deepEqual(ids(r), ['Go|stdlib@1.19.8|pkg:golang/stdlib@1.19.8']);
  assert.deepEqual(
    run(goBinaryCataloger, { 'usr/local/bin/app': bin }, 0o644).packages,
    [],
    'non-executables are not read',
  );
});

test('go: module lines with versions and module replacements', () => {
  const modinfo =
    '0123456789abcdef' +
    'path\texample.com/svc\nmod\texample.com/svc\tv1.4.0\th1:x\ndep\tgolang.org/x/net\tv0.7.0\th1:y\ndep\tgithub.com/old/mod\tv1.0.0\n=>\tgithub.com/new/mod\tv1.0.5\th1:z\n' +
    '\n0123456789abcdef';
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header);
  header[14] = 8;
  header[15] = 2;
  const str = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);
  const modBuf = Buffer.from(modinfo);
  const varint =
    modBuf.length < 128
      ? Buffer.from([modBuf.length])
      : Buffer.from([(modBuf.length & 0x7f) | 0x80, modBuf.length >> 7]);
  const bin = Buffer.concat([Buffer.alloc(4096), header, str('go1.22.1'), varint, modBuf, Buffer.alloc(64)]);
  const r = run(goBinaryCataloger, { app: bin }, 0o755);
  assert.deepEqual(
    r.packages.map((p) => `${p.name}@${p.version}`),
    ['stdlib@1.22.1', 'example.com/svc@1.4.0', 'golang.org/x/net@0.7.0', 'github.com/new/mod@1.0.5'],
  );
  assert.equal(r.packages[2]!.purl, 'pkg:golang/golang.org/x/net@v0.7.0');
});

test('go: a malformed module version in build info is noted, other modules still reported', () => {
  const modinfo =
    '0123456789abcdef' +
    'path\tx\ndep\tgolang.org/x/net\tv0.7.0\ndep\tbad/mod\tv%%%not-semver\n' +
    '\n0123456789abcdef';
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header);
  header[14] = 8;
  header[15] = 2;
  const modBuf = Buffer.from(modinfo);
  const bin = Buffer.concat([
    Buffer.alloc(4096),
    header,
    Buffer.from([8]),
    Buffer.from('go1.22.1'),
    Buffer.from([modBuf.length]),
    modBuf,
    Buffer.alloc(64),
  ]);
  const r = run(goBinaryCataloger, { app: bin }, 0o755);
  assert.ok(r.packages.some((p) => p.name === 'golang.org/x/net'));
  assert.equal(r.status, 'ok');
});
