// A small Docker token server (https://distribution.github.io/distribution/spec/auth/token/) for the
// token-auth registry variant: it checks Basic credentials and issues ES256 JWTs whose x5c chain the real
// registry verifies against its rootcertbundle.
import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPem: string;
  /** Requests received, for assertions on caching (scope per request). */
  requests: Array<{ scope: string | null; user: string | undefined }>;
  stop(): Promise<void>;
}

export async function startTokenServer(
  users: Record<string, string>,
  opts: { expiresIn?: number } = {},
): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-token-'));
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=kubeward-token',
      '-days',
      '2',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  const key: KeyObject = createPrivateKey(readFileSync(join(dir, 'key.pem')));
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const certDer = certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  rmSync(dir, { recursive: true, force: true });
  const service = 'kubeward-test-registry';
  const issuer = 'kubeward-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const scope = url.searchParams.get('scope');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      if (u && users[u] === p) user = u;
      else {
        res.writeHead(401).end();
        return;
      }
    }
    requests.push({ scope, user });
    // Anonymous users get no access; authenticated users get what they ask for.
    const access =
      scope && user
        ? scope.split(' ').map((s) => {
            const [type, ...rest] = s.split(':');
            const actions = rest.pop() ?? '';
            return { type, name: rest.join(':'), actions: actions.split(',') };
          })
        : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + (opts.expiresIn ?? 300),
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64(header)}.${b64(claims)}`;
    const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token: `${input}.${sig}`,
        expires_in: opts.expiresIn ?? 300,
        issued_at: new Date().toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPem,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
