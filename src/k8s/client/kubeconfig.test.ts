// Tests of kubeconfig loading, credential sources and in-cluster config. Everything here is local files
// and real processes (an exec plugin script is written and run); connecting with the result is covered by
// client.test.ts against the stand-in API server.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../../core/errors.js';
import { HAVE_OPENSSL, makePki, pkiTest, type Pki } from '../../../test/fixtures/k8s-api/pki.js';
import { loadKubeConfig } from './kubeconfig.js';
import { inClusterConfig, isInCluster } from './in-cluster.js';
import { ExecCredentialSource } from './exec-plugin.js';

// Real certificates and keys (client-key checks parse them); made once, only when openssl is there.
const pki: Pki = HAVE_OPENSSL ? makePki() : ({} as Pki);
const root = mkdtempSync(join(tmpdir(), 'kubeward-kubeconfig-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
  if (pki.dir) rmSync(pki.dir, { recursive: true, force: true });
});
let n = 0;
const dir = (): string => {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
};
const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64');

function writeConfig(d: string, name: string, doc: unknown): string {
  const file = join(d, name);
  writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));
  return file;
}

function config(users: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c1',
        cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64(pki.ca) },
      },
    ],
    users,
    contexts: [
      { name: 'ctx', context: { cluster: 'c1', user: users.length ? 'u' : '', namespace: 'team-a' } },
    ],
    'current-context': 'ctx',
    ...extra,
  };
}

/** Runs `fn`, expects a UserError, returns its one-line form. */
function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    return e.oneLine();
  }
  assert.fail('expected a UserError');
}

pkiTest('client certificate and CA data from the current context', async () => {
  const d = dir();
  const file = writeConfig(
    d,
    'config',
    config([
      {
        name: 'u',
        user: { 'client-certificate-data': b64(pki.client.cert), 'client-key-data': b64(pki.client.key) },
      },
    ]),
  );
  const conn = loadKubeConfig({ path: file });
  assert.equal(conn.server, 'https://127.0.0.1:6443');
  assert.ok(conn.ca?.equals(pki.ca));
  assert.equal(conn.namespace, 'team-a');
  assert.equal(conn.insecureSkipTlsVerify, false);
  assert.match(conn.origin, /context "ctx"/);
  const creds = await conn.credentials.get();
  assert.ok(creds.clientCertificate?.cert.equals(pki.client.cert));
  assert.equal(creds.authorization, undefined);
  assert.equal(conn.credentials.invalidate(), false, 'fixed credentials cannot be refreshed');
});

pkiTest('file paths are resolved against the kubeconfig directory; tls-server-name is kept', async () => {
  const d = dir();
  writeFileSync(join(d, 'ca.crt'), pki.ca);
  writeFileSync(join(d, 'admin.crt'), pki.client.cert);
  writeFileSync(join(d, 'admin.key'), pki.client.key);
  const file = writeConfig(d, 'config', {
    clusters: [
      {
        name: 'c1',
        cluster: {
          server: 'https://10.0.0.1/',
          'certificate-authority': 'ca.crt',
          'tls-server-name': 'kubernetes.default.svc',
        },
      },
    ],
    users: [{ name: 'u', user: { 'client-certificate': 'admin.crt', 'client-key': './admin.key' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c1', user: 'u' } }],
    'current-context': 'ctx',
  });
  const conn = loadKubeConfig({ path: file });
  assert.equal(conn.server, 'https://10.0.0.1', 'trailing slash dropped');
  assert.equal(conn.tlsServerName, 'kubernetes.default.svc');
  assert.equal(conn.namespace, 'default');
  assert.ok(conn.ca?.equals(pki.ca));
  assert.ok((await conn.credentials.get()).clientCertificate?.key.equals(pki.client.key));
});

pkiTest('named context, bearer token and basic auth', async () => {
  const d = dir();
  const file = writeConfig(d, 'config', {
    clusters: [
      { name: 'c1', cluster: { server: 'https://a.example:6443', 'insecure-skip-tls-verify': true } },
    ],
    users: [
      { name: 'tok', user: { token: 'abc.def' } },
      { name: 'basic', user: { username: 'admin', password: 's3cret' } },
    ],
    contexts: [
      { name: 'one', context: { cluster: 'c1', user: 'tok' } },
      { name: 'two', context: { cluster: 'c1', user: 'basic', namespace: 'ops' } },
    ],
    'current-context': 'one',
  });
  const one = loadKubeConfig({ path: file });
  assert.equal(one.insecureSkipTlsVerify, true);
  assert.equal((await one.credentials.get()).authorization, 'Bearer abc.def');
  const two = loadKubeConfig({ path: file, context: 'two' });
  assert.equal(two.namespace, 'ops');
  assert.equal((await two.credentials.get()).authorization, `Basic ${b64('admin:s3cret')}`);
});

pkiTest(
  'KUBECONFIG list is merged as kubectl does: first file wins per name, missing files skipped',
  async () => {
    const a = dir();
    const b = dir();
    writeFileSync(join(b, 'ca-b.crt'), pki.ca);
    const fa = writeConfig(a, 'config-a', {
      clusters: [{ name: 'shared', cluster: { server: 'https://from-a:6443' } }],
      users: [{ name: 'u', user: { token: 'token-a' } }],
      contexts: [{ name: 'a', context: { cluster: 'shared', user: 'u' } }],
      'current-context': 'a',
    });
    const fb = writeConfig(b, 'config-b', {
      clusters: [
        { name: 'shared', cluster: { server: 'https://from-b:6443' } },
        { name: 'only-b', cluster: { server: 'https://only-b:6443', 'certificate-authority': 'ca-b.crt' } },
      ],
      users: [
        { name: 'u', user: { token: 'token-b' } },
        { name: 'ub', user: { tokenFile: 'token' } },
      ],
      contexts: [
        { name: 'b', context: { cluster: 'shared', user: 'u' } },
        { name: 'b2', context: { cluster: 'only-b', user: 'ub' } },
      ],
      'current-context': 'b',
    });
    writeFileSync(join(b, 'token'), 'token-from-file\n');
    const env = { KUBECONFIG: [join(a, 'missing'), fa, '', fb].join(delimiter) };
    const cur = loadKubeConfig({ env });
    assert.equal(cur.server, 'https://from-a:6443', 'current-context and cluster from the first file');
    assert.equal((await cur.credentials.get()).authorization, 'Bearer token-a');
    const b1 = loadKubeConfig({ env, context: 'b' });
    assert.equal(b1.server, 'https://from-a:6443', 'context of file B sees cluster "shared" of file A');
    const b2 = loadKubeConfig({ env, context: 'b2' });
    assert.equal(b2.server, 'https://only-b:6443');
    assert.ok(b2.ca?.equals(pki.ca), 'CA path relative to file B');
    assert.equal(
      (await b2.credentials.get()).authorization,
      'Bearer token-from-file',
      'tokenFile relative to file B',
    );
    // The default location is ~/.kube/config when KUBECONFIG is unset.
    const home = dir();
    mkdirSync(join(home, '.kube'));
    writeConfig(join(home, '.kube'), 'config', config([{ name: 'u', user: { token: 't' } }]));
    assert.equal(loadKubeConfig({ env: {}, home }).server, 'https://127.0.0.1:6443');
  },
);

pkiTest('token files are re-read after the refresh interval and after a 401', async () => {
  const d = dir();
  writeFileSync(join(d, 'tok'), 'first');
  const file = writeConfig(d, 'config', config([{ name: 'u', user: { tokenFile: 'tok' } }]));
  const slow = loadKubeConfig({ path: file });
  const fast = loadKubeConfig({ path: file, tokenRefreshMs: 0 });
  assert.equal((await slow.credentials.get()).authorization, 'Bearer first');
  writeFileSync(join(d, 'tok'), 'second\n');
  assert.equal((await slow.credentials.get()).authorization, 'Bearer first', 'cached within the interval');
  assert.equal((await fast.credentials.get()).authorization, 'Bearer second');
  assert.equal(slow.credentials.invalidate(), true);
  assert.equal((await slow.credentials.get()).authorization, 'Bearer second', 're-read after invalidate');
  rmSync(join(d, 'tok'));
  slow.credentials.invalidate();
  await assert.rejects(
    slow.credentials.get(),
    (e: unknown) =>
      e instanceof UserError && /users\[u\]\.user\.tokenFile: cannot read token file/.test(e.message),
  );
});

pkiTest('errors name the file, line and setting', () => {
  const d = dir();
  assert.match(
    userError(() => loadKubeConfig({ path: join(d, 'nope') })),
    /nope: cannot read kubeconfig/,
  );
  assert.match(
    userError(() => loadKubeConfig({ env: { KUBECONFIG: join(d, 'x') + delimiter + join(d, 'y') } })),
    /none of the files in \$KUBECONFIG exists/,
  );
  assert.match(
    userError(() => loadKubeConfig({ env: {}, home: d })),
    /\.kube[/\\]config does not exist/,
  );

  const bad = writeConfig(d, 'broken', 'clusters:\n  - name: a\n    cluster: {server: [\n');
  assert.match(
    userError(() => loadKubeConfig({ path: bad })),
    /broken:\d+: /,
  );

  const badData = writeConfig(
    d,
    'b64',
    config([
      {
        name: 'u',
        user: { 'client-certificate-data': b64(pki.client.cert), 'client-key-data': 'not base64!!' },
      },
    ]),
  );
  const msg = userError(() => loadKubeConfig({ path: badData }));
  const line =
    readFileSync(badData, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('client-key-data')) + 1;
  assert.equal(msg, `${badData}:${line}: users[u].user.client-key-data is not valid base64`);

  const wrongKey = writeConfig(
    d,
    'wrongkey',
    config([
      {
        name: 'u',
        user: {
          'client-certificate-data': b64(pki.client.cert),
          'client-key-data': b64(pki.rogueClient.key),
        },
      },
    ]),
  );
  assert.match(
    userError(() => loadKubeConfig({ path: wrongKey })),
    /users\[u\]\.user\.client-key-data is unusable/,
  );

  const certOnly = writeConfig(
    d,
    'certonly',
    config([{ name: 'u', user: { 'client-certificate-data': b64(pki.client.cert) } }]),
  );
  assert.match(
    userError(() => loadKubeConfig({ path: certOnly })),
    /users\[u\]\.user\.client-key is required/,
  );

  const ap = writeConfig(
    d,
    'ap',
    config([{ name: 'u', user: { 'auth-provider': { name: 'gcp', config: {} } } }]),
  );
  assert.match(
    userError(() => loadKubeConfig({ path: ap })),
    /ap:\d+: users\[u\]\.user\.auth-provider is not supported .*exec credential plugin/,
  );

  const both = writeConfig(
    d,
    'both',
    config([{ name: 'u', user: { token: 't', username: 'x', password: 'y' } }]),
  );
  assert.match(
    userError(() => loadKubeConfig({ path: both })),
    /users\[u\]\.user\.username cannot be combined with a bearer token/,
  );

  const insecureCa = config([]);
  (insecureCa.clusters as Array<{ cluster: Record<string, unknown> }>)[0]!.cluster[
    'insecure-skip-tls-verify'
  ] = true;
  assert.match(
    userError(() => loadKubeConfig({ path: writeConfig(d, 'ica', insecureCa) })),
    /clusters\[c1\]\.cluster\.insecure-skip-tls-verify cannot be combined/,
  );

  const noCtx = writeConfig(d, 'noctx', config([], { 'current-context': '' }));
  assert.match(
    userError(() => loadKubeConfig({ path: noCtx })),
    /no current-context is set in .*noctx/,
  );
  assert.match(
    userError(() => loadKubeConfig({ path: noCtx, context: 'prod' })),
    /context "prod" is not defined in .*noctx/,
  );

  const danglingCluster = config([]);
  (danglingCluster.contexts as Array<{ context: Record<string, unknown> }>)[0]!.context.cluster = 'gone';
  assert.match(
    userError(() => loadKubeConfig({ path: writeConfig(d, 'dc', danglingCluster) })),
    /dc:\d+: contexts\[ctx\]\.context\.cluster names cluster "gone", which is not defined/,
  );

  const badServer = config([]);
  (badServer.clusters as Array<{ cluster: Record<string, unknown> }>)[0]!.cluster.server = 'ftp://x';
  assert.match(
    userError(() => loadKubeConfig({ path: writeConfig(d, 'srv', badServer) })),
    /clusters\[c1\]\.cluster\.server must be an https:\/\/ \(or http:\/\/\) URL/,
  );

  const execBad = writeConfig(
    d,
    'execbad',
    config([
      { name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } } },
    ]),
  );
  assert.match(
    userError(() => loadKubeConfig({ path: execBad })),
    /users\[u\]\.user\.exec\.apiVersion must be one of/,
  );
});

/** Writes a plugin script that logs each run and prints the JSON file named by $KW_OUT. */
function writePlugin(d: string): string {
  const script = join(d, 'bin', 'kw-plugin');
  mkdirSync(join(d, 'bin'), { recursive: true });
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'echo run >> "$KW_COUNT"',
      'if [ -n "$KW_INFO" ]; then printf "%s" "$KUBERNETES_EXEC_INFO" > "$KW_INFO"; fi',
      'if [ -f "$KW_FAIL" ]; then echo "error: you must log in first" >&2; exit 1; fi',
      'cat "$KW_OUT"',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}

function execUser(d: string, apiVersion: string, extra: Record<string, unknown> = {}): unknown[] {
  const env = ['KW_COUNT', 'KW_INFO', 'KW_FAIL', 'KW_OUT'].map((k) => ({
    name: k,
    value: join(d, k.toLowerCase()),
  }));
  // A relative command with a slash is resolved against the kubeconfig's directory, as client-go does.
  return [
    {
      name: 'u',
      user: { exec: { apiVersion, command: './bin/kw-plugin', env, interactiveMode: 'Never', ...extra } },
    },
  ];
}

const runs = (d: string): number =>
  readFileSync(join(d, 'kw_count'), 'utf8').split('\n').filter(Boolean).length;
const credential = (apiVersion: string, status: Record<string, unknown>): string =>
  JSON.stringify({ apiVersion, kind: 'ExecCredential', status });

pkiTest(
  'exec plugin (v1): token cached until expirationTimestamp, re-run after expiry and after a 401',
  async () => {
    const d = dir();
    writePlugin(d);
    const v1 = 'client.authentication.k8s.io/v1';
    const later = new Date(Date.now() + 3600_000).toISOString();
    writeFileSync(join(d, 'kw_out'), credential(v1, { token: 'tok-1', expirationTimestamp: later }));
    const file = writeConfig(d, 'config', config(execUser(d, v1, { provideClusterInfo: true })));
    const conn = loadKubeConfig({ path: file });
    assert.equal((await conn.credentials.get()).authorization, 'Bearer tok-1');
    assert.equal((await conn.credentials.get()).authorization, 'Bearer tok-1');
    assert.equal(runs(d), 1, 'cached while not expired');
    const info = JSON.parse(readFileSync(join(d, 'kw_info'), 'utf8')) as {
      apiVersion: string;
      spec: { interactive: boolean; cluster: { server: string; 'certificate-authority-data': string } };
    };
    assert.equal(info.apiVersion, v1);
    assert.equal(info.spec.interactive, false);
    assert.equal(info.spec.cluster.server, 'https://127.0.0.1:6443');
    assert.equal(info.spec.cluster['certificate-authority-data'], b64(pki.ca));

    writeFileSync(join(d, 'kw_out'), credential(v1, { token: 'tok-2', expirationTimestamp: later }));
    assert.equal(conn.credentials.invalidate(), true);
    assert.equal((await conn.credentials.get()).authorization, 'Bearer tok-2');
    assert.equal(runs(d), 2, 're-run after 401');

    writeFileSync(
      join(d, 'kw_out'),
      credential(v1, { token: 'tok-3', expirationTimestamp: '2020-01-01T00:00:00Z' }),
    );
    conn.credentials.invalidate();
    await conn.credentials.get();
    await conn.credentials.get();
    assert.equal(runs(d), 4, 'an expired credential is not cached');

    // Concurrent callers share one run.
    writeFileSync(join(d, 'kw_out'), credential(v1, { token: 'tok-4', expirationTimestamp: later }));
    const all = await Promise.all([conn.credentials.get(), conn.credentials.get(), conn.credentials.get()]);
    assert.deepEqual(
      all.map((c) => c.authorization),
      ['Bearer tok-4', 'Bearer tok-4', 'Bearer tok-4'],
    );
    assert.equal(runs(d), 5);
  },
);

pkiTest('exec plugin (v1beta1): client certificate credentials; failures are clear errors', async () => {
  const d = dir();
  writePlugin(d);
  const beta = 'client.authentication.k8s.io/v1beta1';
  writeFileSync(
    join(d, 'kw_out'),
    credential(beta, {
      clientCertificateData: pki.client.cert.toString(),
      clientKeyData: pki.client.key.toString(),
    }),
  );
  const file = writeConfig(d, 'config', config(execUser(d, beta)));
  const conn = loadKubeConfig({ path: file });
  const creds = await conn.credentials.get();
  assert.ok(creds.clientCertificate?.cert.equals(pki.client.cert));
  assert.equal(creds.authorization, undefined);

  const cases: Array<[string, RegExp]> = [
    [
      credential('client.authentication.k8s.io/v1', { token: 'x' }),
      /printed apiVersion client\.authentication\.k8s\.io\/v1, expected .*v1beta1/,
    ],
    ['{"kind":"ExecCredential"', /did not print a JSON ExecCredential/],
    [credential(beta, { clientCertificateData: 'x' }), /only one of clientCertificateData and clientKeyData/],
    [
      credential(beta, { token: 't', expirationTimestamp: 'tomorrow' }),
      /invalid expirationTimestamp "tomorrow"/,
    ],
    [credential(beta, {}), /neither a token nor a client certificate/],
  ];
  for (const [out, re] of cases) {
    writeFileSync(join(d, 'kw_out'), out);
    conn.credentials.invalidate();
    await assert.rejects(
      conn.credentials.get(),
      (e: unknown) => e instanceof UserError && re.test(e.message) && e.oneLine().startsWith(`${file}:`),
    );
  }
  writeFileSync(join(d, 'kw_fail'), '');
  conn.credentials.invalidate();
  await assert.rejects(
    conn.credentials.get(),
    (e: unknown) =>
      e instanceof UserError &&
      /users\[u\]\.user\.exec: exec plugin ".*kw-plugin" failed: error: you must log in first/.test(
        e.message,
      ),
  );

  const missing = new ExecCredentialSource(
    {
      apiVersion: beta,
      command: 'kubeward-no-such-plugin',
      args: [],
      env: [],
      provideClusterInfo: false,
      installHint: 'install it with brew',
    },
    { setting: 'users[u].user.exec' },
  );
  await assert.rejects(
    missing.get(),
    /exec plugin "kubeward-no-such-plugin" not found \(install it with brew\)/,
  );
});

pkiTest('in-cluster config from the pod environment and service account mount', async () => {
  const sa = dir();
  writeFileSync(join(sa, 'token'), 'sa-token-1\n');
  writeFileSync(join(sa, 'ca.crt'), pki.ca);
  writeFileSync(join(sa, 'namespace'), 'kubeward-system');
  const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
  assert.equal(isInCluster(env), true);
  assert.equal(isInCluster({}), false);
  const conn = inClusterConfig({ env, serviceAccountDir: sa, tokenRefreshMs: 0 });
  assert.equal(conn.server, 'https://10.96.0.1:443');
  assert.equal(conn.namespace, 'kubeward-system');
  assert.ok(conn.ca?.equals(pki.ca));
  assert.equal(conn.origin, 'in-cluster');
  assert.equal((await conn.credentials.get()).authorization, 'Bearer sa-token-1');
  writeFileSync(join(sa, 'token'), 'sa-token-2'); // the kubelet rotated the bound token
  assert.equal((await conn.credentials.get()).authorization, 'Bearer sa-token-2');
  assert.equal(
    inClusterConfig({
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: sa,
    }).server,
    'https://[fd00::1]:443',
  );

  assert.match(
    userError(() => inClusterConfig({ env: {}, serviceAccountDir: sa })),
    /not running in a cluster/,
  );
  const empty = dir();
  assert.match(
    userError(() => inClusterConfig({ env, serviceAccountDir: empty })),
    /token: cannot read service account token/,
  );
  writeFileSync(join(empty, 'token'), 'x');
  writeFileSync(join(empty, 'ca.crt'), 'garbage');
  assert.match(
    userError(() => inClusterConfig({ env, serviceAccountDir: empty })),
    /ca\.crt: service account CA is not a PEM certificate/,
  );
});
