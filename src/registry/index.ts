/**
 * Public API of registry sources, credentials, limits and discovery (issue 4). The pass/watch orchestration
 * (`src/registry/scan/`) and the CLI build on these; nothing here prints or exits.
 *
 * Typical use by a pass:
 *
 * ```ts
 * const sources = registrySourcesFromConfig(config);            // or [registrySourceFromFlag(url, opts)]
 * const { client, limitsFor } = createRegistryAccess(sources);   // credentials + insecure + rate limits wired
 * for (const source of sources) {
 *   const result = await discover(source, client, { limits: limitsFor(source.host) });
 *   // result.repositories: [{ name, deleted, tags: [{ tag, digest, mediaType? }] }], result.errors: [...]
 * }
 * await client.close();
 * ```
 *
 * - Config (`config.ts`): `.kubeward.yaml` `registries.scan[]` and the `--registry URL` flag form are resolved
 *   into `RegistrySource`s (URL normalised to a host, defaults applied, credentials checked); mistakes are
 *   `UserError`s naming `file:line` or the flag.
 * - Credentials (`credentials/`): `credentialProviderFor(source)` returns a `CredentialProvider` for
 *   `RegistryClient` that only answers for the source's host: static, env, docker config, AWS ECR
 *   GetAuthorizationToken (SigV4 via `aws4`), Google (service-account JWT, metadata server, or an access token
 *   from the environment) and Azure ACR (AAD token → `/oauth2/exchange` → ACR refresh token). Cloud tokens
 *   carry `expiresAt`, so the client asks again before they expire, and the client asks with
 *   `{ refresh: true }` once when a registry rejects them (401).
 * - Limits (`limits/`): `ConcurrencyLimiter`, `TokenBucket` and `RegistryLimits` (both per registry);
 *   `RegistryLimits.throttle` is the client's per-request `beforeRequest` hook.
 * - Discovery (`discovery/`): `discover(source, client, opts)` lists repositories (catalog with bounded
 *   pagination, or the explicit list when the registry has no catalog), filters names and tags with globs,
 *   and resolves each tag to its manifest digest with a HEAD request (GET when the header is missing).
 *   Failures are collected per repository; a vanished repository is reported `deleted`.
 */
export {
  registrySourcesFromConfig,
  registrySourceFromFlag,
  DEFAULT_CONCURRENCY,
  type RegistrySource,
  type RegistryFlagOptions,
} from './config.js';
export type {
  RegistryScanEntry,
  RegistryCredentialsConfig,
  TagFilterConfig,
  RateLimitConfig,
} from '../core/config-schema.js';
export { credentialProviderFor, type ProviderContext } from './credentials/provider-for.js';
export { ecrProvider, type EcrOptions } from './credentials/ecr.js';
export { gcpProvider, type GcpOptions } from './credentials/gcp.js';
export { acrProvider, type AcrOptions } from './credentials/acr.js';
export { staticProvider } from './credentials/static.js';
export { expiringProvider, type ExpiringToken } from './credentials/expiring.js';
export { TokenEndpointError } from './credentials/http.js';
export { ConcurrencyLimiter } from './limits/concurrency.js';
export { TokenBucket, type Clock, systemClock } from './limits/token-bucket.js';
export { RegistryLimits } from './limits/registry-limits.js';
export { createRegistryAccess, type RegistryAccess } from './credentials/access.js';
export {
  discover,
  type DiscoverOptions,
  type DiscoveryResult,
  type DiscoveredRepository,
  type DiscoveredTag,
  type DiscoveryError,
} from './discovery/discover.js';
export { filterRepositories, filterTags, compareTagsNewestFirst } from './discovery/filters.js';
