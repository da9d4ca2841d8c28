import type { CredentialSource } from './credentials.js';

/**
 * Everything needed to talk to one API server, whichever way it was configured (kubeconfig or in-cluster).
 * A `KubeClient` is built from this.
 */
export interface ClusterConnection {
  /** Base URL, no trailing slash, e.g. `https://10.0.0.1:6443` or `https://example.com/k8s`. */
  server: string;
  /** PEM bundle to trust instead of the system roots. */
  ca?: Buffer;
  /** Only when the kubeconfig says so: the server certificate is not verified at all. */
  insecureSkipTlsVerify: boolean;
  /** Name to verify the server certificate against (and send as SNI) instead of the URL's host. */
  tlsServerName?: string;
  credentials: CredentialSource;
  /** The context's namespace, `default` when unset; the service account's namespace in-cluster. */
  namespace: string;
  /** Where this came from, for messages: `context "dev" of /home/me/.kube/config`, `in-cluster`. */
  origin: string;
}
