// AWS ECR GetAuthorizationToken against a local stand-in of https://api.ecr.<region>.amazonaws.com/ (the real
// endpoint cannot be reached from tests). The stand-in speaks the real AWS JSON 1.1 shapes and verifies the
// SigV4 signature the way AWS does: it recomputes it from the received request and the known secret key.
// The token is then used against Debian's real docker-registry with htpasswd (user AWS), like ECR's Basic auth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';
import bcrypt from 'bcryptjs';
import { RegistryClient } from '../../image/registry/client.js';
import { integration } from '../../../test/support/integration.js';
import { registryAvailable, startRegistry } from '../../../test/support/registry.js';
import { pushImage, tarLayer } from '../../../test/support/oci-builder.js';
import { parseConfig } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { registrySourcesFromConfig } from '../config.js';
import { discover } from '../discovery/discover.js';
import { createRegistryAccess } from './access.js';
import { ECR_TARGET, ecrProvider } from './ecr.js';

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

interface Seen {
  headers: IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
}

/** ECR API stand-in: answers GetAuthorizationToken with successive passwords. */
async function ecrStandIn(registryHost: string, passwords: string[], expiresInS = 12 * 3600) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const h = req.headers;
      // Recompute the signature over exactly what arrived (method, path, host, x-amz-*, body).
      const recomputed = aws4.sign(
        {
          host: h.host!,
          path: req.url!,
          method: req.method!,
          service: 'ecr',
          region: 'eu-west-1',
          body,
          headers: {
            'Content-Type': String(h['content-type']),
            'X-Amz-Target': String(h['x-amz-target']),
            'X-Amz-Date': String(h['x-amz-date']),
            ...(h['x-amz-security-token']
              ? { 'X-Amz-Security-Token': String(h['x-amz-security-token']) }
              : {}),
          },
        },
        { ...KEY, ...(h['x-amz-security-token'] ? { sessionToken: String(h['x-amz-security-token']) } : {}) },
      );
      const signatureValid = recomputed.headers?.Authorization === h.authorization;
      seen.push({ headers: h, body, signatureValid });
      if (!signatureValid || h['x-amz-target'] !== ECR_TARGET) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            __type: 'InvalidSignatureException',
            message: 'The request signature we calculated does not match',
          }),
        );
        return;
      }
      const pw = passwords[Math.min(seen.length - 1, passwords.length - 1)]!;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'r-1' });
      res.end(
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:${pw}`).toString('base64'),
              expiresAt: Date.now() / 1000 + expiresInS,
              proxyEndpoint: `https://${registryHost}`,
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { endpoint, seen, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

test('ECR: SigV4-signed GetAuthorizationToken request, AWS:password decoded, 12 h expiry', async () => {
  const standIn = await ecrStandIn('123456789012.dkr.ecr.eu-west-1.amazonaws.com', ['pw-1']);
  try {
    const provider = ecrProvider({
      host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      ...KEY,
      sessionToken: 'session-tok',
      registryId: '123456789012',
      endpoint: standIn.endpoint,
    });
    const creds = await provider('123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    assert.equal(creds?.username, 'AWS');
    assert.equal(creds?.password, 'pw-1');
    const hours = ((creds?.expiresAt ?? 0) - Date.now()) / 3600_000;
    assert.ok(hours > 11.8 && hours < 12, `refresh scheduled 5 min before the 12 h expiry (${hours} h)`);
    const [req] = standIn.seen;
    assert.ok(req?.signatureValid, 'signature verifies');
    assert.match(
      String(req.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ecr\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(req.headers['x-amz-target'], 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    assert.equal(req.headers['content-type'], 'application/x-amz-json-1.1');
    assert.equal(req.headers['x-amz-security-token'], 'session-tok');
    assert.deepEqual(JSON.parse(req.body), { registryIds: ['123456789012'] });
    assert.equal(await provider('other.example'), undefined);

    // A token for another registry than the configured one is refused.
    const wrong = ecrProvider({
      host: 'elsewhere.example',
      region: 'eu-west-1',
      ...KEY,
      endpoint: standIn.endpoint,
    });
    await assert.rejects(wrong('elsewhere.example'), /ECR token is for 123456789012\.dkr\.ecr/);
    // A wrong secret: AWS's error type and message surface.
    const bad = ecrProvider({
      host: 'x',
      region: 'eu-west-1',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'nope',
      endpoint: standIn.endpoint,
    });
    await assert.rejects(bad('x'), /HTTP 400 \(InvalidSignatureException: The request signature/);
    // Endpoints other than https (or loopback stand-ins) are refused: the request carries a signature.
    const plain = ecrProvider({
      host: 'x',
      region: 'eu-west-1',
      ...KEY,
      endpoint: 'http://ecr.example.com/',
    });
    await assert.rejects(plain('x'), /refusing endpoint http:\/\/ecr\.example\.com \(https only\)/);
  } finally {
    await standIn.stop();
  }
});

test('ECR flow end to end: discovery through a Basic-auth registry; a rejected token is refreshed once', async (t) => {
  if (!integration(t, 'registry-ecr', registryAvailable(), 'docker-registry not installed')) return;
  // The registry accepts only the second password: the first token "expired" before it was used.
  const reg = await startRegistry({ htpasswd: `AWS:${bcrypt.hashSync('pw-2', 6)}\n` });
  const standIn = await ecrStandIn(reg.host, ['pw-1', 'pw-2']);
  try {
    const pusher = new RegistryClient({
      insecure: () => true,
      backoffMs: 10,
      credentials: async () => ({ username: 'AWS', password: 'pw-2' }),
    });
    const img = await pushImage(
      pusher,
      { registry: reg.host, repository: 'team/svc' },
      { layers: [{ tar: await tarLayer([{ path: 'a', content: 'ecr' }]) }] },
      'v1',
    );
    const config = parseConfig(
      `registries:\n  scan:\n    - url: http://${reg.host}\n      insecure: true\n      credentials:\n        ecr: {region: eu-west-1}\n`,
      '/tmp/k.yaml',
    );
    const sources = registrySourcesFromConfig(config);
    const access = createRegistryAccess(sources, {
      provider: {
        env: { AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey },
        ecrEndpoint: standIn.endpoint,
        minRefreshIntervalMs: 0,
      },
      client: { backoffMs: 10 },
    });
    const res = await discover(sources[0]!, access.client);
    assert.deepEqual(res.errors, []);
    assert.equal(res.repositories[0]?.tags[0]?.digest, img.manifestDigest);
    assert.equal(standIn.seen.length, 2, 'one token, rejected, then one refresh');
    assert.ok(standIn.seen.every((s) => s.signatureValid));
    await Promise.all([pusher.close(), access.client.close()]);

    // Missing AWS keys are a UserError naming the setting.
    const noKeys = createRegistryAccess(sources, { provider: { env: {}, ecrEndpoint: standIn.endpoint } });
    await assert.rejects(
      discover(sources[0]!, noKeys.client),
      (e: unknown) =>
        e instanceof UserError &&
        e.oneLine() ===
          '/tmp/k.yaml:3: environment variable AWS_ACCESS_KEY_ID (credentials.ecr.accessKeyIdEnv) is not set',
    );
    await noKeys.client.close();
  } finally {
    await standIn.stop();
    await reg.stop();
  }
});
