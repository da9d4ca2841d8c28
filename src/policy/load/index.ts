/**
 * Policy sources: files and directories (`--policies`), watched and reloaded. Builds the PolicySet the
 * evaluation core (src/policy/engine) judges requests with.
 */
export {
  buildPolicySet,
  loadPolicySet,
  VAP_BINDING_KIND,
  VAP_KIND,
  type LoadedPolicies,
  type PolicySourceOptions,
  type VapCompiler,
} from './load-policies.js';
export { watchPolicies, type PolicyWatcher, type WatchOptions } from './watch.js';
export { clusterPolicySource, type ClusterPolicySource, type ClusterSourceOptions } from './cluster.js';
