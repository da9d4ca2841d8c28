// A cluster to audit, served by the local HTTPS stand-in API server (test/fixtures/k8s-api): no real API
// server can run here. It serves the Namespace fixture (payments: enforce restricted, legacy: privileged,
// default: unlabelled) and Pod/workload Lists (fixtures/) with known violations, behind real TLS and a
// bearer token; `kubeconfig()` writes a kubeconfig for it. Also an async CLI runner: the stand-in lives in
// the test process, so the CLI must not be run with spawnSync (that would block the server).
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { resourcePath } from '../../src/k8s/client/paths.js';
import { PATHS } from '../../src/k8s/client/paths.js';
import { makePki, type Pki } from '../fixtures/k8s-api/pki.js';
import { StandInApiServer } from '../fixtures/k8s-api/stand-in.js';
import { CLI_PATH, ensureBuilt } from '../support/cli.js';

export const D_BAD = `sha256:${'a'.repeat(64)}`;
export const D_OK = `sha256:${'b'.repeat(64)}`;

export const WORKLOADS: ReadonlyArray<[path: string, fixture: string]> = [
  [resourcePath({ version: 'v1', resource: 'pods' }), 'pod-list.json'],
  [resourcePath({ group: 'apps', version: 'v1', resource: 'deployments' }), 'deployment-list.json'],
  [resourcePath({ group: 'apps', version: 'v1', resource: 'statefulsets' }), 'statefulset-list.json'],
  [resourcePath({ group: 'apps', version: 'v1', resource: 'daemonsets' }), 'daemonset-list.json'],
  [resourcePath({ group: 'apps', version: 'v1', resource: 'replicasets' }), 'replicaset-list.json'],
  [resourcePath({ group: 'batch', version: 'v1', resource: 'jobs' }), 'job-list.json'],
  [resourcePath({ group: 'batch', version: 'v1', resource: 'cronjobs' }), 'cronjob-list.json'],
];

export interface AuditCluster {
  api: StandInApiServer;
  pki: Pki;
  /** Writes a kubeconfig (context `stand-in`, bearer token) into `dir` and returns its path. */
  kubeconfig(dir: string): string;
}

export async function startAuditCluster(t: { after: (fn: () => unknown) => void }): Promise<AuditCluster> {
  const pki = makePki();
  const api = await StandInApiServer.start({ pki, tokens: ['audit-token'] });
  t.after(async () => {
    await api.close();
    rmSync(pki.dir, { recursive: true, force: true });
  });
  api.seed(PATHS.namespaces, 'namespace-list.json');
  // The stand-in resolves fixture names against its own folder.
  for (const [path, fixture] of WORKLOADS) api.seed(path, join('..', '..', 'policy', 'fixtures', fixture));
  return {
    api,
    pki,
    kubeconfig(dir) {
      const file = join(dir, 'kubeconfig');
      writeFileSync(
        file,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            {
              name: 'c',
              cluster: { server: api.url, 'certificate-authority-data': pki.ca.toString('base64') },
            },
          ],
          users: [{ name: 'u', user: { token: 'audit-token' } }],
          contexts: [{ name: 'stand-in', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'stand-in',
        }),
      );
      return file;
    },
  };
}

export interface AsyncCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI without blocking this process's event loop (the stand-in answers meanwhile). */
export async function runCli(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<AsyncCliResult> {
  ensureBuilt();
  const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'NODE_OPTIONS', 'KUBEWARD_DEBUG', 'CI', 'KUBECONFIG'])
    delete env[k];
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: opts.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
