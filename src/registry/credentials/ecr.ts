// AWS ECR: GetAuthorizationToken (AWS JSON 1.1 protocol, SigV4-signed by the `aws4` package) returns a
// base64 `AWS:<password>` valid for 12 hours, used as Basic credentials against the registry.
import aws4 from 'aws4';
import type { CredentialProvider } from '../../image/registry/credentials.js';
import { expiringProvider } from './expiring.js';
import { TokenEndpointError, checkTokenEndpoint, fetchJson } from './http.js';

export interface EcrOptions {
  /** Registry host the token is for, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  host: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Deprecated by AWS but still honoured: the account whose registry the token is for. */
  registryId?: string;
  /** API endpoint; default `https://api.ecr.<region>.amazonaws.com/` (VPC endpoints, test stand-ins). */
  endpoint?: string;
  now?: () => number;
  /** See expiringProvider (default 5 s). */
  minRefreshIntervalMs?: number;
}

export const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';
/** ECR tokens last 12 hours; used when the answer carries no usable expiresAt. */
const ECR_TOKEN_LIFETIME_MS = 12 * 3600_000;

export function ecrEndpoint(region: string): string {
  return `https://api.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`;
}

export function ecrProvider(opts: EcrOptions): CredentialProvider {
  const now = opts.now ?? Date.now;
  return expiringProvider(
    async () => {
      const url = checkTokenEndpoint(opts.endpoint ?? ecrEndpoint(opts.region), 'ECR GetAuthorizationToken');
      const body = JSON.stringify(opts.registryId ? { registryIds: [opts.registryId] } : {});
      const signed = aws4.sign(
        {
          host: url.host,
          path: url.pathname,
          method: 'POST',
          service: 'ecr',
          region: opts.region,
          body,
          headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': ECR_TARGET },
        },
        {
          accessKeyId: opts.accessKeyId,
          secretAccessKey: opts.secretAccessKey,
          ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}),
        },
      );
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed.headers ?? {})) {
        // undici sets Host and Content-Length from the URL and body (the same values that were signed).
        if (v !== undefined && !/^(host|content-length)$/i.test(k)) headers[k] = String(v);
      }
      const answer = await fetchJson(url, { method: 'POST', headers, body }, 'ECR GetAuthorizationToken');
      return parseEcrAnswer(answer, opts.host, now());
    },
    {
      host: opts.host,
      now,
      ...(opts.minRefreshIntervalMs !== undefined ? { minRefreshIntervalMs: opts.minRefreshIntervalMs } : {}),
    },
  );
}

function parseEcrAnswer(answer: Record<string, unknown>, host: string, now: number) {
  const list = answer.authorizationData;
  const data = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
  const token = data?.authorizationToken;
  if (typeof token !== 'string' || token.length > 64 * 1024)
    throw new TokenEndpointError('ECR GetAuthorizationToken: answer without authorizationToken');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const idx = decoded.indexOf(':');
  if (idx <= 0 || !/^[\x20-\x7e]+$/.test(decoded))
    throw new TokenEndpointError('ECR GetAuthorizationToken: authorizationToken is not base64 user:password');
  // AWS JSON protocols send timestamps as epoch seconds.
  const expiresAt =
    typeof data?.expiresAt === 'number' && Number.isFinite(data.expiresAt)
      ? data.expiresAt * 1000
      : now + ECR_TOKEN_LIFETIME_MS;
  const proxy = typeof data?.proxyEndpoint === 'string' ? data.proxyEndpoint : undefined;
  if (proxy && URL.canParse(proxy) && new URL(proxy).host !== host)
    throw new TokenEndpointError(
      `ECR token is for ${new URL(proxy).host}, not ${host} (check region and registryId)`,
    );
  return { credentials: { username: decoded.slice(0, idx), password: decoded.slice(idx + 1) }, expiresAt };
}
