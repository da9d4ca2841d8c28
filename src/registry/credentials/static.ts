import type { CredentialProvider, RegistryCredentials } from '../../image/registry/credentials.js';

/**
 * Fixed credentials for exactly one host. `read` is called on every lookup, so a password rotated in the
 * environment (or a refresh after a 401) is picked up without a restart.
 */
export function staticProvider(
  host: string,
  read: () => RegistryCredentials | undefined,
): CredentialProvider {
  return (h) => Promise.resolve(h === host ? read() : undefined);
}
