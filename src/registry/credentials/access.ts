// Wires configured sources into one RegistryClient: per-host credentials, insecure hosts and rate limits.
import { RegistryClient, type RegistryClientOptions } from '../../image/registry/client.js';
import type { RegistrySource } from '../config.js';
import { RegistryLimits } from '../limits/registry-limits.js';
import type { Clock } from '../limits/token-bucket.js';
import { credentialProviderFor, type ProviderContext } from './provider-for.js';

export interface RegistryAccess {
  client: RegistryClient;
  /** The limits of a configured host (a host that is not configured gets an unlimited default). */
  limitsFor(host: string): RegistryLimits;
}

export function createRegistryAccess(
  sources: RegistrySource[],
  opts: {
    provider?: ProviderContext;
    clock?: Clock;
    client?: Omit<RegistryClientOptions, 'credentials' | 'insecure' | 'beforeRequest'>;
  } = {},
): RegistryAccess {
  const byHost = new Map(
    sources.map((s) => [
      s.host,
      {
        source: s,
        provider: credentialProviderFor(s, opts.provider),
        limits: new RegistryLimits(s, opts.clock),
      },
    ]),
  );
  const fallback = new RegistryLimits({ concurrency: 4 });
  const client = new RegistryClient({
    ...opts.client,
    credentials: (host, o) => byHost.get(host)?.provider(host, o) ?? Promise.resolve(undefined),
    insecure: (host) => byHost.get(host)?.source.insecure ?? false,
    beforeRequest: (host) => byHost.get(host)?.limits.throttle() ?? Promise.resolve(),
  });
  return { client, limitsFor: (host) => byHost.get(host)?.limits ?? fallback };
}
