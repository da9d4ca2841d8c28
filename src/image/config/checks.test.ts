import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Inventory } from '../inventory.js';
import type { ImageConfigFile } from '../source/image-source.js';
import { scanImageConfig } from './scan.js';

function inv(config: ImageConfigFile, extra: Partial<Inventory> = {}): Inventory {
  return {
    source: { kind: 'registry', name: 'registry.example/app:1' },
    packages: [],
    layers: [],
    config,
    setuid: [],
    catalogers: [],
    skipped: [],
    ...extra,
  };
}

const clean: ImageConfigFile = {
  config: {
    User: '10001',
    Entrypoint: ['/app/server'],
    Healthcheck: { Test: ['CMD', '/app/server', '-health'] },
    Env: ['PATH=/usr/bin', 'DB_PASSWORD_FILE=/run/secrets/db'],
  },
  history: [{ created_by: 'COPY server /app/server' }],
};

const ids = (c: ImageConfigFile, extra: Partial<Inventory> = {}) =>
  scanImageConfig(inv(c, extra)).map((f) => f.checkId);

test('a well-configured image has no configuration findings', () => {
  assert.deepEqual(ids(clean), []);
});

test('KW-DKR-001 root user: missing USER, root, 0:0', () => {
  for (const User of [undefined, 'root', '0:0']) {
    assert.ok(
      ids({
        ...clean,
        config: { ...clean.config, ...(User === undefined ? { User: '' } : { User }) },
      }).includes('KW-DKR-001'),
      String(User),
    );
  }
});

test('KW-DKR-002 secrets in env, labels and history, values never printed', () => {
  const c: ImageConfigFile = {
    ...clean,
    config: {
      ...clean.config,
      Env: ['API_TOKEN=abcd1234efgh', 'HOME=/root'],
      Labels: { note: 'key AKIAABCDEFGHIJKLMNOP' },
    },
    history: [{ created_by: 'RUN git clone https://bob:hunter2secret@git.example/repo' }],
  };
  const f = scanImageConfig(inv(c)).filter((x) => x.checkId === 'KW-DKR-002');
  assert.equal(f.length, 3);
  assert.equal(f[2]!.location.line, 1);
  assert.ok(
    f.every((x) => !/abcd1234|AKIA|hunter2/.test(x.message)),
    'secret values are redacted',
  );
});

test('KW-DKR-003 ssh server package or sshd entrypoint', () => {
  assert.ok(
    ids({ ...clean, config: { ...clean.config, Entrypoint: ['/usr/sbin/sshd', '-D'] } }).includes(
      'KW-DKR-003',
    ),
  );
  const pkg = {
    type: 'deb' as const,
    name: 'openssh-server',
    version: '1',
    ecosystem: 'Debian:12',
    purl: 'pkg:deb/debian/openssh-server@1',
    locations: [],
  };
  assert.ok(ids(clean, { packages: [pkg] }).includes('KW-DKR-003'));
});

test('KW-DKR-004 shell-only entrypoint', () => {
  assert.ok(
    ids({ ...clean, config: { ...clean.config, Entrypoint: null, Cmd: ['/bin/sh'] } }).includes('KW-DKR-004'),
  );
  assert.ok(
    !ids({
      ...clean,
      config: { ...clean.config, Entrypoint: null, Cmd: ['/bin/sh', '-c', 'exec app'] },
    }).includes('KW-DKR-004'),
  );
});

test('KW-DKR-005 no HEALTHCHECK', () => {
  assert.ok(ids({ ...clean, config: { ...clean.config, Healthcheck: null } }).includes('KW-DKR-005'));
  assert.ok(
    ids({ ...clean, config: { ...clean.config, Healthcheck: { Test: ['NONE'] } } }).includes('KW-DKR-005'),
  );
});

test('KW-DKR-006 ADD from a remote URL points at the build step', () => {
  const f = scanImageConfig(
    inv({
      ...clean,
      history: [{ created_by: 'COPY a b' }, { created_by: 'ADD https://example.com/tool.tgz /opt/' }],
    }),
  ).filter((x) => x.checkId === 'KW-DKR-006');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.location.line, 2);
  assert.ok(!ids({ ...clean, history: [{ created_by: 'ADD file:abc in /' }] }).includes('KW-DKR-006'));
});

test('KW-DKR-007 setuid binaries', () => {
  const f = scanImageConfig(
    inv(clean, { setuid: [{ path: 'usr/bin/passwd', mode: 0o4755, layer: 0 }] }),
  ).filter((x) => x.checkId === 'KW-DKR-007');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /\/usr\/bin\/passwd has setuid \(mode 4755\)/);
});
