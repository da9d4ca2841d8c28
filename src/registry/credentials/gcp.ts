// Google Artifact Registry / GCR: an OAuth2 access token used as the password of the `oauth2accesstoken` user.
// Sources: a service-account JSON key (RS256 JWT assertion → token exchange, RFC 7523), the GCE/GKE metadata
// server, or a token already in the environment (`gcloud auth print-access-token`).
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CredentialProvider } from '../../image/registry/credentials.js';
import { UserError } from '../../core/errors.js';
import { expiringProvider } from './expiring.js';
import { TokenEndpointError, checkTokenEndpoint, fetchJson, postForm, usableToken } from './http.js';

export const GCP_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const GCP_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const METADATA_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';
/** Tokens from the environment carry no expiry; they are re-read after this long (or on a 401). */
const ENV_TOKEN_TTL_MS = 10 * 60_000;

export type GcpOptions = {
  host: string;
  now?: () => number;
  /** See expiringProvider (default 5 s). */
  minRefreshIntervalMs?: number;
} & (
  | { serviceAccountKeyFile: string }
  | { metadata: true; /** default `GCE_METADATA_HOST` or metadata.google.internal */ metadataHost?: string }
  | { accessTokenEnv: string; env?: NodeJS.ProcessEnv }
);

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

export function gcpProvider(opts: GcpOptions): CredentialProvider {
  const now = opts.now ?? Date.now;
  const fetchToken = async (): Promise<{ token: string; expiresAt: number }> => {
    if ('serviceAccountKeyFile' in opts) return serviceAccountToken(readKey(opts.serviceAccountKeyFile), now);
    if ('metadata' in opts) {
      const host = opts.metadataHost ?? process.env.GCE_METADATA_HOST ?? 'metadata.google.internal';
      // The metadata server is link-local plain HTTP by design; it only answers with the Metadata-Flavor header.
      const answer = await fetchJson(
        new URL(`http://${host}${METADATA_PATH}`),
        { headers: { 'Metadata-Flavor': 'Google' } },
        'GCE metadata token',
      );
      return tokenFrom(answer, 'GCE metadata token', now());
    }
    const env = opts.env ?? process.env;
    const token = env[opts.accessTokenEnv];
    if (!token)
      throw new UserError(
        `environment variable ${opts.accessTokenEnv} (credentials.gcp.accessTokenEnv) is not set`,
      );
    return { token: usableToken(token, opts.accessTokenEnv), expiresAt: now() + ENV_TOKEN_TTL_MS };
  };
  return expiringProvider(
    async () => {
      const t = await fetchToken();
      return { credentials: { username: 'oauth2accesstoken', password: t.token }, expiresAt: t.expiresAt };
    },
    {
      host: opts.host,
      now,
      ...(opts.minRefreshIntervalMs !== undefined ? { minRefreshIntervalMs: opts.minRefreshIntervalMs } : {}),
      // A token from the environment cannot be renewed by us: re-read it on every refresh request.
      ...('accessTokenEnv' in opts ? { marginMs: 0, minRefreshIntervalMs: 0 } : {}),
    },
  );
}

function readKey(file: string): ServiceAccountKey {
  let key: unknown;
  try {
    key = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read service account key: ${(e as Error).message.split('\n')[0]}`, { file });
  }
  const k = key as Partial<ServiceAccountKey> & { type?: unknown };
  if (
    typeof k !== 'object' ||
    k === null ||
    k.type !== 'service_account' ||
    typeof k.client_email !== 'string' ||
    typeof k.private_key !== 'string'
  )
    throw new UserError('not a Google service account key (type, client_email, private_key)', { file });
  return {
    client_email: k.client_email,
    private_key: k.private_key,
    ...(typeof k.private_key_id === 'string' ? { private_key_id: k.private_key_id } : {}),
    token_uri: typeof k.token_uri === 'string' ? k.token_uri : GCP_TOKEN_URI,
  };
}

/** Signs the JWT assertion Google's token endpoint expects (iss/scope/aud/iat/exp, one hour). */
export function signServiceAccountJwt(key: ServiceAccountKey, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = { iss: key.client_email, scope: GCP_SCOPE, aud: key.token_uri, iat, exp: iat + 3600 };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  let signature: string;
  try {
    signature = createSign('RSA-SHA256').update(input).sign(key.private_key, 'base64url');
  } catch (e) {
    throw new UserError(`service account private_key is unusable: ${(e as Error).message.split('\n')[0]}`);
  }
  return `${input}.${signature}`;
}

async function serviceAccountToken(key: ServiceAccountKey, now: () => number) {
  const url = checkTokenEndpoint(key.token_uri, 'Google token exchange');
  const answer = await postForm(
    url,
    { grant_type: JWT_BEARER, assertion: signServiceAccountJwt(key, now()) },
    'Google token exchange',
  );
  return tokenFrom(answer, 'Google token exchange', now());
}

function tokenFrom(answer: Record<string, unknown>, what: string, now: number) {
  const token = usableToken(answer.access_token, what);
  const expiresIn = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 3600;
  if (!Number.isFinite(expiresIn)) throw new TokenEndpointError(`${what}: invalid expires_in`);
  return { token, expiresAt: now + Math.min(expiresIn, 24 * 3600) * 1000 };
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}
