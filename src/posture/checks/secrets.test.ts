import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCheck, pod } from './testkit.js';
import {
  committedSecret,
  configMapCredential,
  detectCredential,
  envLiteralSecret,
  literalSecretValue,
  secretAsEnv,
  secretAssignment,
  secretChecks,
  secretLikeName,
} from './secrets.js';

// Token-shaped test values are assembled at run time so this file itself holds no credential-like literal.
const T = {
  aws: ['AK', 'IA', 'Z7Q3K5M2N4P6R8TX'].join(''),
  awsSts: ['AS', 'IA', 'Z7Q3K5M2N4P6R8TX'].join(''),
  awsExample: ['AK', 'IA', 'IOSFODNN7EXAMPLE'].join(''),
  ghp: ['gh', 'p_', 'Ab1'.repeat(12)].join(''),
  ghs: ['gh', 's_', 'Zz9'.repeat(12)].join(''),
  ghPat: ['github', '_pat_', '11ABCDEFG0123456789_abcdefghij'].join(''),
  slack: ['xo', 'xb-', '1234567890-0987654321-AbCdEfGh'].join(''),
  pem: ['-----BEGIN ', 'RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----'].join(''),
  openssh: ['-----BEGIN ', 'OPENSSH PRIVATE KEY-----'].join(''),
  jwt: [
    'eyJ',
    'hbGciOiJIUzI1NiJ9',
    '.eyJ',
    'zdWIiOiIxMjM0NTY3ODkwIn0',
    '.',
    'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ].join(''),
  google: ['AI', 'za', 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'].join(''),
  stripe: ['sk', '_live_', '51H8abcdefghijklmnopqrstuv'].join(''),
};

/** Container env entries (YAML) in a pod; entry i's `value` line is 12 + 2i. */
function envPod(entries: Array<[string, string]>): string {
  const env = entries.map(([n, v]) => `      - name: ${n}\n        value: ${JSON.stringify(v)}`).join('\n');
  return pod(`containers:\n  - name: app\n    image: nginx:1.27\n    env:\n${env.replace(/^ {2}/gm, '')}`);
}

test('detectCredential recognises well-known credential formats', () => {
  const cases: Array<[string, string]> = [
    [T.aws, 'an AWS access key ID'],
    [`key=${T.awsSts};`, 'an AWS access key ID'],
    [T.ghp, 'a GitHub token'],
    [T.ghs, 'a GitHub token'],
    [T.ghPat, 'a GitHub token'],
    [T.slack, 'a Slack token'],
    [T.pem, 'a private key'],
    [T.openssh, 'a private key'],
    [`Bearer ${T.jwt}`, 'a JSON Web Token'],
    [T.google, 'a Google API key'],
    [T.stripe, 'a Stripe live key'],
    ['postgres://app:hunter2@db:5432/x', 'a URL with a password'],
    ['redis://:hunter2@redis:6379', 'a URL with a password'],
    ['amqp://guest:guest@rabbit', 'a URL with a password'],
  ];
  for (const [value, what] of cases) assert.equal(detectCredential(value), what, value.slice(0, 20));
});

test('detectCredential ignores look-alikes, documentation examples and placeholders', () => {
  for (const value of [
    '',
    'info',
    T.awsExample,
    `X${T.aws}`, // part of a longer identifier
    T.aws.slice(0, 19),
    ['gh', 'p_', 'short'].join(''),
    ['sk', '_test_', 'a'.repeat(24)].join(''),
    'eyJhbGciOi.notajwt',
    'postgres://app@db:5432/x',
    'postgres://app:$(DB_PASSWORD)@db/x',
    'postgres://app:${DB_PASSWORD}@db/x',
    'https://user:<password>@host',
    'https://example.com/a:b@c', // "@" after the path is not userinfo
    'git@github.com:acme/repo.git',
  ]) {
    assert.equal(detectCredential(value), undefined, value);
  }
});

test('secretLikeName matches secret words in any naming style', () => {
  for (const n of [
    'PASSWORD',
    'DB_PASSWORD',
    'db.password',
    'dbPassword',
    'MYSQL_ROOT_PASSWD',
    'REDIS_PASS',
    'DB_PWD',
    'CLIENT_SECRET',
    'clientSecret',
    'JWT_SECRET_KEY',
    'GITHUB_TOKEN',
    'githubtoken',
    'API_KEY',
    'apiKey',
    'APIKey',
    'x-api-key',
    'PRIVATE_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY',
    'SIGNING_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS_JSON_DATA',
    'SSH_PASSPHRASE',
    'DB_CREDS',
  ]) {
    assert.ok(secretLikeName(n), n);
  }
});

test('secretLikeName rejects names that are about a secret rather than the secret', () => {
  for (const n of [
    'PWD',
    'OLDPWD',
    'LOG_LEVEL',
    'BYPASS_PROXY',
    'COMPASS_URL',
    'KEYCLOAK_REALM',
    'MONKEY',
    'DB_PASSWORD_FILE',
    'SECRET_NAME',
    'TOKEN_URL',
    'tokenEndpoint',
    'TOKEN_TTL',
    'SESSION_TOKEN_EXPIRY',
    'PASSWORD_MIN_LENGTH',
    'ENABLE_TOKEN_AUTH_ENABLED',
    'AWS_ACCESS_KEY_ID',
    'API_KEY_HEADER',
    'SECRETS_DIR',
    'KEY',
    'SSH_KEY_PATH',
    'password-policy.json',
  ]) {
    assert.ok(!secretLikeName(n), n);
  }
});

test('literalSecretValue skips flags, references, placeholders, paths and plain URLs', () => {
  for (const v of ['hunter2', 'changeme', 'p@ss w0rd', '123456', '!Passw0rd', '{noop}secret']) {
    assert.ok(literalSecretValue(v), v);
  }
  for (const v of [
    '',
    '  ',
    'true',
    'FALSE',
    'none',
    '$(DB_PASSWORD)',
    '${DB_PASSWORD}',
    '{{ .Values.password }}',
    '<your-token-here>',
    '***',
    'xxxx',
    '%s',
    '%(password)s',
    '/run/secrets/db',
    'https://vault.example.com/v1/secret/db',
  ]) {
    assert.ok(!literalSecretValue(v), v);
  }
});

test('secretAssignment finds secret settings in embedded config files', () => {
  assert.equal(
    secretAssignment('server.port=8080\nspring.datasource.password=hunter2\n'),
    'spring.datasource.password',
  );
  assert.equal(secretAssignment('export DB_PASSWORD="hunter2"\n'), 'DB_PASSWORD');
  assert.equal(secretAssignment('db:\n  host: x\n  password: hunter2\n'), 'password');
  assert.equal(secretAssignment('{\n  "apiKey": "abc123",\n  "x": 1\n}'), 'apiKey');
  assert.equal(secretAssignment('[auth]\ntoken = "abc123"\n'), 'token');
  assert.equal(secretAssignment('users:\n  - password: hunter2\n'), 'password');
  for (const text of [
    'password: ${DB_PASSWORD}',
    'password: ""',
    'password:\n  valueFrom: vault',
    'password: |\n  multi',
    'passwordPolicy: {min: 8}',
    'token_url: https://auth/token',
    'secrets: [a, b]',
    'password: &pw hunter',
    'log_level=info',
  ]) {
    assert.equal(secretAssignment(text), undefined, text);
  }
});

test('KW-SEC-001 flags literal env values by name or by format, at the value line', () => {
  const yaml = envPod([
    ['LOG_LEVEL', 'info'],
    ['DB_PASSWORD', 'hunter2'],
    ['NOT_SUSPICIOUS', T.ghp],
    ['DATABASE_URL', 'postgres://app:hunter2@db/x'],
    ['DB_PASSWORD_FILE', '/run/secrets/db'],
    ['API_TOKEN', '$(TOKEN_FROM_SECRET)'],
    ['PRIVATE_KEY', T.pem],
  ]);
  const f = runCheck(envLiteralSecret, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [
        14,
        'container "app" env var "DB_PASSWORD" has a literal value and its name suggests a secret (value not shown)',
      ],
      [16, 'container "app" env var "NOT_SUSPICIOUS" holds what looks like a GitHub token (value not shown)'],
      [
        18,
        'container "app" env var "DATABASE_URL" holds what looks like a URL with a password (value not shown)',
      ],
      [24, 'container "app" env var "PRIVATE_KEY" holds what looks like a private key (value not shown)'],
    ],
  );
  assert.equal(f[0]?.severity, 'high');
});

test('KW-SEC-001 passes valueFrom references and empty values, and checks init containers', () => {
  const yaml = pod(`
initContainers:
  - name: init
    image: busybox:1.36
    env:
      - name: TOKEN
        value: abc123def
containers:
  - name: app
    image: nginx:1.27
    env:
      - name: DB_PASSWORD
        valueFrom:
          secretKeyRef: { name: db, key: password }
      - name: API_KEY
        value: ""
      - name: TOKEN
`);
  assert.deepEqual(
    runCheck(envLiteralSecret, yaml).map((f) => [f.location.line, f.message]),
    [
      [
        12,
        'init container "init" env var "TOKEN" has a literal value and its name suggests a secret (value not shown)',
      ],
    ],
  );
});

test('no message ever contains the secret value', () => {
  const values = [T.aws, T.ghp, T.slack, T.jwt, T.google, T.stripe, 'hunter2', 'postgres://app:hunter2@db/x'];
  const env = envPod(values.map((v, i) => [`SECRET_${i}`, v]));
  const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: app }\ndata:\n${values
    .map(
      (v, i) =>
        `  TOKEN_${i}: ${JSON.stringify(v)}\n  file${i}.env: ${JSON.stringify(`X=1\nPASSWORD=${v}\n`)}`,
    )
    .join('\n')}\n`;
  const secret = `apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: app }\nstringData:\n${values
    .map((v, i) => `  k${i}: ${JSON.stringify(v)}`)
    .join('\n')}\n`;
  const findings = [
    ...runCheck(envLiteralSecret, env),
    ...runCheck(configMapCredential, cm),
    ...runCheck(committedSecret, secret),
  ];
  assert.equal(findings.length, values.length * 3 + 1);
  for (const f of findings) {
    for (const v of values) {
      assert.ok(!f.message.includes(v), `${f.checkId} message leaks a value: ${f.message}`);
      assert.ok(!f.message.includes('hunter2'), f.message);
    }
  }
});

test('KW-SEC-002 flags ConfigMap keys by name, format or embedded setting, at the key line', () => {
  const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  namespace: app
data:
  LOG_LEVEL: info
  SMTP_PASSWORD: hunter2
  TOKEN_URL: https://auth/token
  slack: ${T.slack}
  app.env: |
    PORT=8080
    API_KEY=abc123
  safe.env: |
    PORT=8080
    API_KEY=\${API_KEY}
  empty_password: ""
binaryData:
  password.bin: aHVudGVyMg==
`;
  const f = runCheck(configMapCredential, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [
        8,
        'ConfigMap key "SMTP_PASSWORD" has a literal value and its name suggests a secret (value not shown)',
      ],
      [10, 'ConfigMap key "slack" holds what looks like a Slack token (value not shown)'],
      [11, 'ConfigMap key "app.env" sets "API_KEY" to a literal value (value not shown)'],
    ],
  );
  assert.equal(f[0]?.severity, 'high');
});

test('KW-SEC-002 passes ConfigMaps without data or with harmless data', () => {
  assert.deepEqual(
    runCheck(configMapCredential, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n'),
    [],
  );
  assert.deepEqual(
    runCheck(
      configMapCredential,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: "1", b: x }\n',
    ),
    [],
  );
});

test('KW-SEC-003 flags secretKeyRef env vars and envFrom secretRef, at the reference', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx:1.27
    env:
      - name: DB_PASSWORD
        valueFrom:
          secretKeyRef: { name: db, key: password }
      - name: POD_IP
        valueFrom:
          fieldRef: { fieldPath: status.podIP }
    envFrom:
      - configMapRef: { name: cfg }
      - prefix: API_
        secretRef: { name: api }`);
  const f = runCheck(secretAsEnv, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [13, 'container "app" reads key "password" of Secret "db" into env var "DB_PASSWORD"'],
      [20, 'container "app" imports every key of Secret "api" as environment variables'],
    ],
  );
  assert.equal(f[0]?.severity, 'low');
  assert.deepEqual(
    f[0]?.frameworks.filter((m) => m.framework === 'cis-k8s').map((m) => m.id),
    ['5.4.1'],
  );
});

test('KW-SEC-003 passes Secrets mounted as files', () => {
  const yaml = pod(`
containers:
  - name: app
    image: nginx:1.27
    volumeMounts:
      - { name: db, mountPath: /run/secrets/db, readOnly: true }
volumes:
  - name: db
    secret: { secretName: db }`);
  assert.deepEqual(runCheck(secretAsEnv, yaml), []);
});

test('KW-SEC-004 flags data and stringData with literal values, once per field', () => {
  const yaml = `apiVersion: v1
kind: Secret
metadata:
  name: s
  namespace: app
data:
  a: YQ==
  b: Yg==
  c: Yw==
  d: ZA==
  e: ZQ==
  f: Zg==
  empty: ""
stringData:
  password: hunter2
`;
  const f = runCheck(committedSecret, yaml);
  assert.deepEqual(
    f.map((x) => [x.location.line, x.message]),
    [
      [6, 'Secret has 6 literal values in data (keys "a", "b", "c", "d", "e" and 1 more; values not shown)'],
      [14, 'Secret has 1 literal value in stringData (key "password"; values not shown)'],
    ],
  );
  assert.equal(f[0]?.severity, 'medium');
});

test('KW-SEC-004 passes empty, placeholder and SOPS-encrypted Secrets', () => {
  const base = 'apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: app }\n';
  for (const body of [
    '',
    'type: kubernetes.io/service-account-token\n',
    'data: {}\n',
    'data:\n  a: ""\n',
    'stringData:\n  password: ${DB_PASSWORD}\n  token: "{{ .Values.token }}"\n',
    // base64 of "${DB_PASSWORD}"
    'data:\n  password: JHtEQl9QQVNTV09SRH0=\n',
    'data:\n  password: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n',
    'data:\n  password: aHVudGVyMg==\nsops:\n  version: 3.9.1\n',
  ]) {
    assert.deepEqual(runCheck(committedSecret, base + body), [], body);
  }
});

test('detection stays linear on large adversarial values (no regex backtracking blow-up)', () => {
  const big = 200_000;
  const inputs = [
    `${'a'.repeat(big)}://`,
    `x://${'a:'.repeat(big / 2)}`,
    `${'A'.repeat(big)}eyJ${'a'.repeat(big)}`,
    `eyJ${'a'.repeat(big)}.eyJ${'b'.repeat(big)}`,
    `-----BEGIN ${'A '.repeat(big / 2)}`,
    `${'password'.repeat(big / 8)}`,
    `password${'.a'.repeat(big / 2)}`,
    `$(${'a'.repeat(big)}`,
  ];
  const start = performance.now();
  for (const v of inputs) {
    detectCredential(v);
    secretAssignment(v);
    literalSecretValue(v);
    secretLikeName(v.slice(0, 1000));
  }
  const ms = performance.now() - start;
  // A bound against runaway (quadratic) cost, loose enough for a loaded 2-core CI machine; the speed
  // itself is measured in bench/manifests.bench.ts, not asserted here.
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});

test('secret checks have the KW-SEC ids in order and map to T1552', () => {
  assert.deepEqual(
    secretChecks.map((c) => c.id),
    ['KW-SEC-001', 'KW-SEC-002', 'KW-SEC-003', 'KW-SEC-004'],
  );
  for (const c of secretChecks) {
    assert.ok(
      c.frameworks.some((f) => f.id === 'T1552'),
      c.id,
    );
    assert.ok(
      c.frameworks.some((f) => f.framework === 'nsa-cisa' && f.id === 'secrets'),
      c.id,
    );
  }
});
