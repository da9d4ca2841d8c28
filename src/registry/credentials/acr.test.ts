// Azure ACR against local stand-ins of the real endpoints (login.microsoftonline.com and <name>.azurecr.io
// cannot be reached from tests), with their documented request and response shapes: the AAD client-credentials
// grant, ACR's POST /oauth2/exchange (AAD access token → ACR refresh token) and POST /oauth2/token (refresh
// token → scoped access token, driven by the RegistryClient from the Bearer challenge).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../image/registry/client.js';
import { registrySourceFromFlag } from '../config.js';
import { discover } from '../discovery/discover.js';
import { createRegistryAccess } from './access.js';
import { ACR_AAD_SCOPE } from './acr.js';

async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

const REFRESH_EXP = Math.floor(Date.now() / 1000) + 3 * 3600; // fixed, so refreshJwt(n) is stable

function refreshJwt(n: number): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b({ alg: 'RS256', typ: 'JWT' })}.${b({ exp: REFRESH_EXP, jti: `r${n}` })}.sig`;
}

test('ACR: AAD client credentials → /oauth2/exchange → refresh token → /oauth2/token; a revoked refresh token is renewed once', async () => {
  const aadForms: URLSearchParams[] = [];
  const aad = await listen((req, body, res) => {
    const form = new URLSearchParams(body);
    aadForms.push(form);
    if (
      req.method !== 'POST' ||
      req.url !== '/tenant-1/oauth2/v2.0/token' ||
      form.get('client_secret') !== 'sp-secret'
    )
      return json(res, 401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret',
      });
    json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: `aad-${aadForms.length}` });
  });
  const exchanges: URLSearchParams[] = [];
  const tokenForms: URLSearchParams[] = [];
  let registryHost = '';
  const acr = await listen((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/oauth2/exchange') {
      const form = new URLSearchParams(body);
      exchanges.push(form);
      if (form.get('grant_type') !== 'access_token' || !form.get('access_token')?.startsWith('aad-'))
        return json(res, 400, { errors: [{ code: 'BAD_REQUEST' }] });
      return json(res, 200, { refresh_token: refreshJwt(exchanges.length) });
    }
    if (url.pathname === '/oauth2/token') {
      const form = new URLSearchParams(body);
      tokenForms.push(form);
      // The first refresh token has been revoked: ACR answers 401 and the client must exchange again.
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshJwt(2))
        return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid refresh token' }] });
      return json(res, 200, { access_token: `acr-access:${form.get('scope')}` });
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer acr-access:'))
      return json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED' }] },
        {
          'www-authenticate': `Bearer realm="http://${registryHost}/oauth2/token",service="${registryHost}"`,
        },
      );
    if (url.pathname === '/v2/_catalog') return json(res, 200, { repositories: ['hello-world'] });
    if (url.pathname === '/v2/hello-world/tags/list')
      return json(res, 200, { name: 'hello-world', tags: ['v1'] });
    if (url.pathname === '/v2/hello-world/manifests/v1') {
      res.writeHead(200, {
        'docker-content-digest': DIGEST,
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
      });
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    }
    json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  });
  registryHost = acr.host;
  try {
    const src = {
      ...registrySourceFromFlag(`http://${acr.host}`, { insecure: true }),
      credentials: { acr: { tenant: 'tenant-1', clientId: 'app-id', clientSecretEnv: 'AZ_SECRET' } },
    };
    const access = createRegistryAccess([src], {
      provider: {
        env: { AZ_SECRET: 'sp-secret' },
        acrAuthorityHost: `http://${aad.host}`,
        minRefreshIntervalMs: 0,
      },
      client: { backoffMs: 10 },
    });
    const res = await discover(src, access.client);
    assert.deepEqual(res.errors, []);
    assert.deepEqual(res.repositories, [
      {
        name: 'hello-world',
        deleted: false,
        tags: [{ tag: 'v1', digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json' }],
      },
    ]);
    // AAD client-credentials grant with the ACR scope.
    assert.equal(aadForms[0]?.get('grant_type'), 'client_credentials');
    assert.equal(aadForms[0]?.get('client_id'), 'app-id');
    assert.equal(aadForms[0]?.get('scope'), ACR_AAD_SCOPE);
    // Exchange form fields, twice: the first refresh token was rejected at /oauth2/token.
    assert.equal(exchanges.length, 2);
    assert.deepEqual(Object.fromEntries(exchanges[0]!), {
      grant_type: 'access_token',
      service: acr.host,
      tenant: 'tenant-1',
      access_token: 'aad-1',
    });
    assert.equal(exchanges[1]?.get('access_token'), 'aad-2');
    // Token requests: refresh_token grant with service and the scope the registry needs.
    assert.ok(
      tokenForms.some((f) => f.get('scope') === 'registry:catalog:*' && f.get('service') === acr.host),
    );
    assert.ok(tokenForms.some((f) => f.get('scope') === 'repository:hello-world:pull'));
    await access.client.close();

    // A wrong client secret: one error line with AAD's answer, no crash.
    const bad = createRegistryAccess([src], {
      provider: { env: { AZ_SECRET: 'wrong' }, acrAuthorityHost: `http://${aad.host}` },
      client: { backoffMs: 10 },
    });
    const denied = await discover(src, bad.client);
    assert.deepEqual(denied.repositories, []);
    assert.match(
      denied.errors[0]?.message ?? '',
      /^credentials for 127\.0\.0\.1:\d+: Azure AD token failed with HTTP 401 \(invalid_client: AADSTS7000215/,
    );
    await bad.client.close();

    // An AAD token from the environment skips the client-credentials grant.
    const direct = createRegistryAccess(
      [{ ...src, credentials: { acr: { tenant: 'tenant-1', aadTokenEnv: 'AZ_TOKEN' } } }],
      { provider: { env: { AZ_TOKEN: 'aad-from-env' }, minRefreshIntervalMs: 0 } },
    );
    const before = aadForms.length;
    await discover(src, direct.client).catch(() => undefined);
    assert.equal(aadForms.length, before);
    assert.ok(exchanges.some((f) => f.get('access_token') === 'aad-from-env'));
    await direct.client.close();
  } finally {
    await acr.stop();
    await aad.stop();
  }
});

test('a registry that keeps rejecting: one refresh per request, then the 401 surfaces (no token storm)', async () => {
  let tokenCalls = 0;
  const srv = await listen((req, _body, res) => {
    if (req.url?.startsWith('/token')) {
      tokenCalls++;
      return json(res, 200, { token: 'always-rejected' });
    }
    json(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED' }] },
      {
        'www-authenticate': `Bearer realm="http://${srv.host}/token",service="x"`,
      },
    );
  });
  let providerCalls = 0;
  const client = new RegistryClient({
    insecure: () => true,
    backoffMs: 1,
    credentials: async () => {
      providerCalls++;
      return { username: 'u', password: 'p' };
    },
  });
  try {
    await assert.rejects(client.listTags({ registry: srv.host, repository: 'a/b' }), /HTTP 401/);
    assert.equal(providerCalls, 2, 'asked once, then once more with refresh');
    assert.equal(tokenCalls, 2);
  } finally {
    await client.close();
    await srv.stop();
  }
});
