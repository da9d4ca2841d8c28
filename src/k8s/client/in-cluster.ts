import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { ClusterConnection } from './connection.js';
import { FileTokenSource } from './credentials.js';

/** Where the kubelet mounts the service account token, CA and namespace into every pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  /** Environment holding KUBERNETES_SERVICE_HOST/PORT (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Directory holding `token`, `ca.crt` and `namespace` (default SERVICE_ACCOUNT_DIR). */
  serviceAccountDir?: string;
  /** The token file is re-read after this many ms (default 60 s): bound tokens rotate about hourly. */
  tokenRefreshMs?: number;
}

/** True when the pod environment variables for in-cluster access are present. */
export function isInCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT;
}

/**
 * The connection a pod uses to reach its own API server: the service address from the environment, the
 * mounted CA and the mounted (rotating) service account token, as client-go's rest.InClusterConfig.
 */
export function inClusterConfig(opts: InClusterOptions = {}): ClusterConnection {
  const env = opts.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new UserError(
      'not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set',
    );
  }
  if (!/^\d{1,5}$/.test(port)) throw new UserError(`KUBERNETES_SERVICE_PORT "${port}" is not a port number`);
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = join(dir, 'token');
  const caFile = join(dir, 'ca.crt');
  // Read once now so a missing mount fails at start-up, not on the first request.
  const token = readRequired(tokenFile, 'service account token');
  if (!token.toString('utf8').trim())
    throw new UserError('service account token is empty', { file: tokenFile });
  const ca = readRequired(caFile, 'service account CA');
  if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE')) {
    throw new UserError('service account CA is not a PEM certificate', { file: caFile });
  }
  let namespace = 'default';
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || 'default';
  } catch {
    // Optional: automount can be configured without it; client-go falls back to "default" as well.
  }
  const hostPart = host.includes(':') ? `[${host}]` : host; // IPv6 service addresses
  return {
    server: `https://${hostPart}:${port}`,
    ca,
    insecureSkipTlsVerify: false,
    credentials: new FileTokenSource(tokenFile, {
      setting: 'service account token',
      refreshMs: opts.tokenRefreshMs,
    }),
    namespace,
    origin: 'in-cluster',
  };
}

function readRequired(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read ${what}: ${(e as Error).message}`, { file });
  }
}
