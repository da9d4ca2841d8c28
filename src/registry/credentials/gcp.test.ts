// Google flows against local stand-ins of the real endpoints (oauth2.googleapis.com/token and the GCE metadata
// server cannot be reached from tests), with their real request and response shapes. The service-account
// access token is then used against Debian's docker-registry in token-auth mode, the way Artifact Registry
// takes it: Basic `oauth2accesstoken:<token>` at the token realm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '../../image/registry/client.js';
import { commandWorks, integration } from '../../../test/support/integration.js';
import { registryAvailable, startRegistry } from '../../../test/support/registry.js';
import { startTokenServer } from '../../../test/support/token-server.js';
import { pushImage, tarLayer } from '../../../test/support/oci-builder.js';
import { registrySourceFromFlag } from '../config.js';
import { discover } from '../discovery/discover.js';
import { createRegistryAccess } from './access.js';
import { GCP_SCOPE, gcpProvider } from './gcp.js';

async function standIn(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

function decodeJwt(jwt: string) {
  const [h, p, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>,
    signed: `${h}.${p}`,
    signature: Buffer.from(s!, 'base64url'),
  };
}

test('Google service account: RS256 JWT assertion exchanged for an access token, used at the registry', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-gcp-'));
  const assertions: Array<ReturnType<typeof decodeJwt> & { form: URLSearchParams; valid: boolean }> = [];
  let tokenUri = '';
  const google = await standIn((req, body, res) => {
    const form = new URLSearchParams(body);
    const jwt = decodeJwt(form.get('assertion') ?? '..');
    const valid = createVerify('RSA-SHA256').update(jwt.signed).verify(publicKey, jwt.signature);
    assertions.push({ ...jwt, form, valid });
    const ok =
      req.method === 'POST' &&
      req.url === '/token' &&
      req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
      form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
      valid &&
      jwt.claims.aud === tokenUri;
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify(
        ok
          ? { access_token: `ya29.token-${assertions.length}`, expires_in: 3599, token_type: 'Bearer' }
          : { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
      ),
    );
  });
  tokenUri = `${google.base}/token`;
  const keyFile = join(dir, 'sa.json');
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: 'service_account',
      project_id: 'acme',
      private_key_id: 'kid-123',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: 'scanner@acme.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: tokenUri,
    }),
  );
  try {
    const provider = gcpProvider({ host: 'europe-docker.pkg.dev', serviceAccountKeyFile: keyFile });
    const creds = await provider('europe-docker.pkg.dev');
    assert.deepEqual(
      { username: creds?.username, password: creds?.password },
      { username: 'oauth2accesstoken', password: 'ya29.token-1' },
    );
    const minutes = ((creds?.expiresAt ?? 0) - Date.now()) / 60_000;
    assert.ok(minutes > 54 && minutes < 55.1, `refreshed 5 min before the 1 h expiry (${minutes})`);
    const a = assertions[0]!;
    assert.ok(a.valid, 'RS256 signature verifies with the public key');
    assert.deepEqual(a.header, { alg: 'RS256', typ: 'JWT', kid: 'kid-123' });
    assert.equal(a.claims.iss, 'scanner@acme.iam.gserviceaccount.com');
    assert.equal(a.claims.scope, GCP_SCOPE);
    assert.equal(a.claims.aud, tokenUri);
    assert.equal((a.claims.exp as number) - (a.claims.iat as number), 3600);
    assert.ok(Math.abs((a.claims.iat as number) - Date.now() / 1000) < 60);

    // A key file that is not a service account key is the user's mistake, naming the file.
    writeFileSync(join(dir, 'bad.json'), '{"type":"authorized_user"}');
    await assert.rejects(
      gcpProvider({ host: 'h', serviceAccountKeyFile: join(dir, 'bad.json') })('h'),
      /not a Google service account key/,
    );

    if (
      !integration(
        t,
        'registry-gcp',
        registryAvailable() && commandWorks('openssl', ['version']),
        'docker-registry or openssl missing',
      )
    )
      return;
    // The next token the stand-in issues is ya29.token-2; the registry's token server accepts exactly it.
    const tokens = await startTokenServer({ oauth2accesstoken: 'ya29.token-2' });
    const reg = await startRegistry({
      token: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        rootCertBundlePem: tokens.certPem,
      },
    });
    try {
      const pusher = new RegistryClient({
        insecure: () => true,
        backoffMs: 10,
        credentials: async () => ({ username: 'oauth2accesstoken', password: 'ya29.token-2' }),
      });
      const img = await pushImage(
        pusher,
        { registry: reg.host, repository: 'acme/app' },
        { layers: [{ tar: await tarLayer([{ path: 'g', content: 'gcp' }]) }] },
        'v1',
      );
      const src = {
        ...registrySourceFromFlag(`http://${reg.host}`, { insecure: true }),
        credentials: { gcp: { serviceAccountKeyFile: keyFile } },
      };
      const access = createRegistryAccess([src], { client: { backoffMs: 10 } });
      const res = await discover(src, access.client);
      assert.deepEqual(res.errors, []);
      assert.equal(res.repositories[0]?.tags[0]?.digest, img.manifestDigest);
      assert.ok(
        tokens.requests.some((r) => r.user === 'oauth2accesstoken' && r.scope === 'registry:catalog:*'),
      );
      await Promise.all([pusher.close(), access.client.close()]);
    } finally {
      await reg.stop();
      await tokens.stop();
    }
  } finally {
    await google.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Google metadata server and GOOGLE_OAUTH_ACCESS_TOKEN-style environment tokens', async () => {
  let calls = 0;
  const metadata = await standIn((req, _body, res) => {
    calls++;
    if (
      req.headers['metadata-flavor'] !== 'Google' ||
      req.url !== '/computeMetadata/v1/instance/service-accounts/default/token'
    ) {
      res.writeHead(403).end('Missing Metadata-Flavor:Google header.');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'metadata-flavor': 'Google' });
    res.end(JSON.stringify({ access_token: `ya29.meta-${calls}`, expires_in: 3000, token_type: 'Bearer' }));
  });
  try {
    const provider = gcpProvider({
      host: 'gcr.io',
      metadata: true,
      metadataHost: metadata.base.slice('http://'.length),
    });
    assert.equal((await provider('gcr.io'))?.password, 'ya29.meta-1');
    assert.equal((await provider('gcr.io'))?.password, 'ya29.meta-1', 'cached');
    const env: NodeJS.ProcessEnv = { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.env-1' };
    const fromEnv = gcpProvider({ host: 'gcr.io', accessTokenEnv: 'GOOGLE_OAUTH_ACCESS_TOKEN', env });
    assert.equal((await fromEnv('gcr.io'))?.password, 'ya29.env-1');
    env.GOOGLE_OAUTH_ACCESS_TOKEN = 'ya29.env-2';
    assert.equal((await fromEnv('gcr.io', { refresh: true }))?.password, 'ya29.env-2', 're-read after a 401');
    env.GOOGLE_OAUTH_ACCESS_TOKEN = 'bad\r\ninjected: header';
    await assert.rejects(fromEnv('gcr.io', { refresh: true }), /without a usable token/);
  } finally {
    await metadata.stop();
  }
});
