import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fsWith } from '../testkit.js';
import { apkCataloger } from './cataloger.js';
import { detectDistro } from '../os-release.js';

const INSTALLED = `C:Q1Jf6zQ+ZoQk9H5UwZfHk3yXcvlbQ=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407278
I:667648
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
F:lib
R:libc.musl-x86_64.so.1

P:libcrypto3
V:3.1.4-r5
A:x86_64
L:Apache-2.0
o:openssl

P:broken
`;

test('apk installed database: packages, origin as source, Alpine ecosystem and purl', () => {
  const fs = fsWith({
    'lib/apk/db/installed': INSTALLED,
    'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n',
  });
  const distro = detectDistro(fs)!;
  const r = apkCataloger.catalog(fs, { distro });
  assert.deepEqual(
    r.packages.map((p) => `${p.name}@${p.version}`),
    ['musl@1.2.4_git20230717-r4', 'libcrypto3@3.1.4-r5'],
  );
  const crypto = r.packages[1]!;
  assert.equal(crypto.ecosystem, 'Alpine:v3.19');
  assert.deepEqual(crypto.source, { name: 'openssl', version: '3.1.4-r5' });
  assert.equal(
    crypto.purl,
    'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl',
  );
  assert.deepEqual(r.packages[0]!.licenses, ['MIT']);
  assert.equal(r.notes.length, 1);
});
