// Picks the credential flavour configured for a registry source and builds its provider.
import { dirname, resolve } from 'node:path';
import {
  dockerConfigPath,
  dockerConfigProvider,
  type CredentialProvider,
} from '../../image/registry/credentials.js';
import { UserError } from '../../core/errors.js';
import type { RegistrySource } from '../config.js';
import { staticProvider } from './static.js';
import { ecrProvider } from './ecr.js';
import { gcpProvider } from './gcp.js';
import { acrProvider } from './acr.js';

export interface ProviderContext {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Test stand-ins: override the cloud endpoints (must be https or loopback). */
  ecrEndpoint?: string;
  gcpMetadataHost?: string;
  acrAuthorityHost?: string;
  /** A rejected token fetched less than this long ago is not fetched again (default 5 s). */
  minRefreshIntervalMs?: number;
}

/**
 * The CredentialProvider for one source; it answers only for the source's host. Without a `credentials`
 * setting the user's docker config is used (like `docker pull`). Missing environment variables are
 * UserErrors naming the setting, raised when the registry first asks for credentials.
 */
export function credentialProviderFor(source: RegistrySource, ctx: ProviderContext = {}): CredentialProvider {
  const env = ctx.env ?? process.env;
  const c = source.credentials;
  const host = source.host;
  const tuning = {
    ...(ctx.now ? { now: ctx.now } : {}),
    ...(ctx.minRefreshIntervalMs !== undefined ? { minRefreshIntervalMs: ctx.minRefreshIntervalMs } : {}),
  };
  const needEnv = (name: string, setting: string): string => {
    const v = env[name];
    if (!v)
      throw source.file
        ? new UserError(`environment variable ${name} (${setting}) is not set`, {
            file: source.file,
            ...(source.line ? { line: source.line } : {}),
          })
        : new UserError(`${source.origin}: environment variable ${name} (${setting}) is not set`);
    return v;
  };
  if (!c || c.dockerConfig) {
    const file = c?.dockerConfig?.file
      ? resolve(source.file ? dirname(source.file) : process.cwd(), c.dockerConfig.file)
      : dockerConfigPath(env);
    const docker = dockerConfigProvider(file);
    return (h) => (h === host ? docker(h) : Promise.resolve(undefined));
  }
  if (c.static) {
    const s = c.static;
    return staticProvider(host, () => ({
      username: s.username,
      password: s.passwordEnv ? needEnv(s.passwordEnv, 'credentials.static.passwordEnv') : (s.password ?? ''),
    }));
  }
  if (c.env) {
    const e = c.env;
    return staticProvider(host, () => ({
      username: needEnv(e.usernameEnv, 'credentials.env.usernameEnv'),
      password: needEnv(e.passwordEnv, 'credentials.env.passwordEnv'),
    }));
  }
  if (c.ecr) {
    const e = c.ecr;
    const endpoint = ctx.ecrEndpoint ?? e.endpoint;
    let inner: CredentialProvider | undefined;
    // Keys are read when the registry first asks, so a config without AWS variables still loads.
    return (h, o) => {
      inner ??= ecrProvider({
        host,
        region: e.region,
        accessKeyId: needEnv(e.accessKeyIdEnv ?? 'AWS_ACCESS_KEY_ID', 'credentials.ecr.accessKeyIdEnv'),
        secretAccessKey: needEnv(
          e.secretAccessKeyEnv ?? 'AWS_SECRET_ACCESS_KEY',
          'credentials.ecr.secretAccessKeyEnv',
        ),
        ...(env[e.sessionTokenEnv ?? 'AWS_SESSION_TOKEN']
          ? { sessionToken: env[e.sessionTokenEnv ?? 'AWS_SESSION_TOKEN'] }
          : {}),
        ...(e.registryId ? { registryId: e.registryId } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...tuning,
      });
      return inner(h, o);
    };
  }
  if (c.gcp) {
    const g = c.gcp;
    const now = tuning; // clock and refresh tuning for the token cache
    if (g.serviceAccountKeyFile)
      return gcpProvider({
        host,
        serviceAccountKeyFile: resolve(
          source.file ? dirname(source.file) : process.cwd(),
          g.serviceAccountKeyFile,
        ),
        ...now,
      });
    if (g.accessTokenEnv) return gcpProvider({ host, accessTokenEnv: g.accessTokenEnv, env, ...now });
    return gcpProvider({
      host,
      metadata: true,
      ...(ctx.gcpMetadataHost ? { metadataHost: ctx.gcpMetadataHost } : {}),
      ...now,
    });
  }
  if (c.acr) {
    const a = c.acr;
    const authorityHost = ctx.acrAuthorityHost ?? a.authorityHost;
    return acrProvider({
      host,
      registryUrl: source.url,
      tenant: a.tenant,
      env,
      ...(a.aadTokenEnv ? { aadTokenEnv: a.aadTokenEnv } : {}),
      ...(a.clientId ? { clientId: a.clientId } : {}),
      ...(a.clientSecretEnv ? { clientSecretEnv: a.clientSecretEnv } : {}),
      ...(authorityHost ? { authorityHost } : {}),
      ...tuning,
    });
  }
  return () => Promise.resolve(undefined);
}
