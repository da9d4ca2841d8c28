// Azure Container Registry: an Azure AD (Entra ID) access token is exchanged at the registry's
// `POST /oauth2/exchange` for an ACR refresh token; the RegistryClient then trades that refresh token at the
// registry's `/oauth2/token` (its Bearer realm) for scoped access tokens (identityToken → refresh_token grant).
import type { CredentialProvider } from '../../image/registry/credentials.js';
import { UserError } from '../../core/errors.js';
import { expiringProvider } from './expiring.js';
import { checkTokenEndpoint, postForm, usableToken } from './http.js';

export const ACR_AAD_SCOPE = 'https://containerregistry.azure.net/.default';
/** ACR refresh tokens last about 3 hours; used when the token's own `exp` cannot be read. */
const ACR_REFRESH_LIFETIME_MS = 3 * 3600_000;

export interface AcrOptions {
  /** Registry host, e.g. `myregistry.azurecr.io`. */
  host: string;
  /** `https://myregistry.azurecr.io` (http only for insecure loopback stand-ins). */
  registryUrl: string;
  tenant: string;
  /** An AAD access token from the environment (e.g. `az account get-access-token`)... */
  aadTokenEnv?: string;
  /** ...or a service principal: client credentials grant at the AAD token endpoint. */
  clientId?: string;
  clientSecretEnv?: string;
  /** Default `https://login.microsoftonline.com`. */
  authorityHost?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** See expiringProvider (default 5 s). */
  minRefreshIntervalMs?: number;
}

export function acrProvider(opts: AcrOptions): CredentialProvider {
  const now = opts.now ?? Date.now;
  const env = opts.env ?? process.env;
  return expiringProvider(
    async () => {
      const aad = await aadToken(opts, env);
      const exchange = checkTokenEndpoint(new URL('/oauth2/exchange', opts.registryUrl).href, 'ACR exchange');
      const answer = await postForm(
        exchange,
        { grant_type: 'access_token', service: opts.host, tenant: opts.tenant, access_token: aad },
        'ACR exchange',
      );
      const refreshToken = usableToken(answer.refresh_token, 'ACR exchange');
      const exp = jwtExpiry(refreshToken);
      return {
        // The null GUID is the user name `az acr login` uses with a refresh token.
        credentials: { username: '00000000-0000-0000-0000-000000000000', identityToken: refreshToken },
        expiresAt: exp ?? now() + ACR_REFRESH_LIFETIME_MS,
      };
    },
    {
      host: opts.host,
      now,
      ...(opts.minRefreshIntervalMs !== undefined ? { minRefreshIntervalMs: opts.minRefreshIntervalMs } : {}),
    },
  );
}

async function aadToken(opts: AcrOptions, env: NodeJS.ProcessEnv): Promise<string> {
  if (opts.aadTokenEnv) {
    const t = env[opts.aadTokenEnv];
    if (!t)
      throw new UserError(
        `environment variable ${opts.aadTokenEnv} (credentials.acr.aadTokenEnv) is not set`,
      );
    return usableToken(t, opts.aadTokenEnv);
  }
  const secret = opts.clientSecretEnv ? env[opts.clientSecretEnv] : undefined;
  if (!opts.clientId || !secret)
    throw new UserError(
      `credentials.acr: clientId and the secret in ${opts.clientSecretEnv ?? 'clientSecretEnv'} are needed`,
    );
  const authority = opts.authorityHost ?? 'https://login.microsoftonline.com';
  const url = checkTokenEndpoint(
    new URL(`/${encodeURIComponent(opts.tenant)}/oauth2/v2.0/token`, authority).href,
    'Azure AD token',
  );
  const answer = await postForm(
    url,
    {
      grant_type: 'client_credentials',
      client_id: opts.clientId,
      client_secret: secret,
      scope: ACR_AAD_SCOPE,
    },
    'Azure AD token',
  );
  return usableToken(answer.access_token, 'Azure AD token');
}

/** `exp` of a JWT in epoch ms, without verifying it (the registry verifies; we only schedule a refresh). */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
