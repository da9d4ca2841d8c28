/** Image policies (ImagePolicy documents) for the shared policy engine: parse, compile, evaluate. */
export {
  createImagePolicyFamily,
  DEFAULT_NETWORK_TIMEOUT_MS,
  DEFAULT_SCAN_BUDGET_MS,
  type ImagePolicyDeps,
} from './family.js';
export { createDigestResolver, type DigestResolverOptions, type ResolveDigest } from './digest-resolver.js';
export { imageSitesOf, MAX_CONTAINERS_PER_REQUEST, type ImageSite } from './images.js';
export {
  parseImagePolicy,
  parseImagePolicyFile,
  type ImagePolicy,
  type ImagePolicySource,
  type ParseImagePolicyOptions,
} from './parse.js';
export { compileMutableTagCheck, compileRegistryAllowList, normaliseRegistryPattern } from './rules.js';
export {
  InlineScanSource,
  MemoryScanResults,
  summariseFindings,
  type ImageScanSummary,
  type InlineScanOptions,
  type ScanLookup,
  type ScanResultSource,
} from './scan-results.js';
export {
  ChainedScanResults,
  StoreScanResults,
  summariseStoredFindings,
  type StoreScanResultsOptions,
} from './stored-scan-results.js';
export {
  IMAGE_POLICY_API_VERSION,
  IMAGE_POLICY_KIND,
  IMAGE_POLICY_SCHEMA,
  type ImagePolicyDocument,
  type ImagePolicyMatch,
  type ImagePolicySpec,
  type SignatureRules,
  type UnscannedAction,
  type VulnerabilityRules,
} from './spec.js';
export { vulnerabilityGate, type GateFailure } from './vuln-gate.js';
