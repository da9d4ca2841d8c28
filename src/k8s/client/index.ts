/**
 * A small Kubernetes API client for kubeward: configuration, requests and list+watch informers.
 *
 * Used by the admission webhook (ValidatingAdmissionPolicy/Binding objects and a Namespace label cache
 * from the cluster) and by posture scanning of a live cluster. Deliberately small instead of
 * @kubernetes/client-node: JSON over undici, only the verbs we need.
 *
 * ## Configuration → `ClusterConnection`
 *
 * - `loadKubeConfig({ path?, context?, env?, home?, tokenRefreshMs? })` reads kubeconfig as kubectl does:
 *   `path` (like --kubeconfig), else `$KUBECONFIG` (a `:`-separated list merged per name, first file wins,
 *   missing files skipped), else `~/.kube/config`; `context` or current-context. Supports `server`,
 *   `certificate-authority(-data)`, `insecure-skip-tls-verify`, `tls-server-name`, client certificates
 *   (file or `-data`), `token`, `tokenFile` (re-read periodically and after a 401), `username`/`password`,
 *   and `exec` credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`; cached until
 *   `expirationTimestamp`, re-run after a 401). `auth-provider`, impersonation and `proxy-url` are refused.
 * - `inClusterConfig({ env?, serviceAccountDir?, tokenRefreshMs? })`: KUBERNETES_SERVICE_HOST/PORT and the
 *   mounted service account token (re-read, bound tokens rotate), CA and namespace. `isInCluster(env?)`.
 * - Every problem the user can fix is a `UserError` naming the file:line and setting, e.g.
 *   `~/.kube/config:14: users[dev].user.client-key-data is not valid base64`.
 *
 * ## Requests
 *
 * ```ts
 * const client = new KubeClient(loadKubeConfig());
 * const obj = await client.get('/api/v1/namespaces/default');          // decoded JSON (unknown)
 * const { items, resourceVersion } = await client.list(PATHS.namespaces, { labelSelector: 'a=b' });
 * for await (const ev of client.watch(PATHS.namespaces, resourceVersion, { timeoutSeconds: 300 })) { … }
 * await client.close();
 * ```
 *
 * - `list` follows `continue` pages (limit 500) and restarts when a continue token expires (410).
 * - `watch` yields `WatchEvent`s (ADDED/MODIFIED/DELETED with the object, BOOKMARK with its
 *   resourceVersion, ERROR with a Status). Event lines are bounded (`maxEventBytes`, default 16 MiB);
 *   oversized or malformed lines go to `onMalformed` (the watch continues) or, without it, throw a
 *   `WatchLineError`. A stream cut mid-event throws; the watch ends on `signal`, on the server's
 *   `timeoutSeconds`, or 30 s after it at the latest.
 * - Failures are `KubeApiError { status, reason, body }` carrying the server's Status.
 * - `resourcePath({ group?, version, resource, namespace?, name? })` builds `/api/v1/…` and
 *   `/apis/<group>/<version>/…` paths and refuses segments that could escape them.
 *
 * ## Informers
 *
 * ```ts
 * const namespaces = createInformer({ client, path: PATHS.namespaces, onChange, onError });
 * if (!(await namespaces.waitForSync(10_000))) throw namespaces.lastError;
 * namespaces.get(undefined, 'payments')?.metadata?.labels;
 * await namespaces.stop();
 * ```
 *
 * List, then watch from the list's resourceVersion; an in-memory store keyed `namespace/name` (or `name`);
 * BOOKMARKs advance the version; 410 Gone relists and reports the difference as changes; ended streams
 * resume from the last version; failures retry with capped, jittered exponential backoff; malformed events
 * and throwing `onChange` callbacks are reported to `onError` and skipped.
 */
export {
  KubeClient,
  WatchStreamError,
  type KubeClientOptions,
  type ListOptions,
  type ObjectList,
  type WatchOptions,
} from './client.js';
export type { ClusterConnection } from './connection.js';
export {
  FileTokenSource,
  staticCredentials,
  type ClientCertificate,
  type CredentialSource,
  type Credentials,
} from './credentials.js';
export {
  ExecCredentialSource,
  EXEC_API_VERSIONS,
  type ExecConfig,
  type ExecApiVersion,
} from './exec-plugin.js';
export { loadKubeConfig, type LoadKubeConfigOptions } from './kubeconfig.js';
export { inClusterConfig, isInCluster, SERVICE_ACCOUNT_DIR, type InClusterOptions } from './in-cluster.js';
export {
  createInformer,
  objectKey,
  type Informer,
  type InformerChange,
  type InformerOptions,
} from './informer.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { PATHS, resourcePath, type ResourceRef } from './paths.js';
export { KubeApiError, type KubeObject, type KubeStatus, type ObjectMeta } from './types.js';
export { MAX_EVENT_BYTES, WatchLineError, type WatchEvent } from './watch-lines.js';
