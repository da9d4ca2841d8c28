import type { CredentialProvider, RegistryCredentials } from '../../image/registry/credentials.js';

export interface ExpiringToken {
  credentials: RegistryCredentials;
  /** Epoch ms when the token stops working, as told by the issuer. */
  expiresAt: number;
}

export interface ExpiringOptions {
  /** The only host these credentials are for; other hosts get nothing (no token leaks to another registry). */
  host: string;
  now?: () => number;
  /** Refresh this long before expiry (default 5 min, at most half the token's lifetime). */
  marginMs?: number;
  /** A rejection within this long after a fetch reuses that token instead of fetching again (default 5 s). */
  minRefreshIntervalMs?: number;
}

/**
 * Wraps a token fetch (ECR, Google, ACR) into a CredentialProvider: the token is cached and handed out with
 * `expiresAt` set `marginMs` before its real expiry, so the RegistryClient asks again in time; `refresh`
 * (credentials rejected) fetches a new one. Concurrent callers share one fetch.
 */
export function expiringProvider(
  fetchToken: () => Promise<ExpiringToken>,
  opts: ExpiringOptions,
): CredentialProvider {
  const now = opts.now ?? Date.now;
  const margin = opts.marginMs ?? 5 * 60_000;
  const minInterval = opts.minRefreshIntervalMs ?? 5_000;
  let current: { creds: RegistryCredentials; refreshAt: number; fetchedAt: number } | undefined;
  let inFlight: Promise<RegistryCredentials> | undefined;

  const fetchNew = (): Promise<RegistryCredentials> => {
    inFlight ??= (async () => {
      try {
        const fetchedAt = now();
        const t = await fetchToken();
        const lifetime = Math.max(0, t.expiresAt - fetchedAt);
        const refreshAt = t.expiresAt - Math.min(margin, lifetime / 2);
        const creds = { ...t.credentials, expiresAt: refreshAt };
        current = { creds, refreshAt, fetchedAt };
        return creds;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  return async (host, o) => {
    if (host !== opts.host) return undefined;
    if (inFlight) return inFlight;
    if (current) {
      const t = now();
      const fresh = t < current.refreshAt;
      const justFetched = t - current.fetchedAt < minInterval;
      if (fresh && (!o?.refresh || justFetched)) return current.creds;
    }
    return fetchNew();
  };
}
