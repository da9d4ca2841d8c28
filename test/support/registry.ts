// Starts Debian's real `docker-registry` (CNCF distribution 2.8) on 127.0.0.1 for integration tests.
// Variants: plain (anonymous), htpasswd Basic auth, and token auth with a small token server run here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  dir: string;
  stop(): Promise<void>;
}

export function registryAvailable(): boolean {
  return spawnSync('docker-registry', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RegistryOptions {
  /** htpasswd file content (bcrypt entries) for Basic auth. */
  htpasswd?: string;
  /** Token auth: realm URL, service, issuer and the PEM certificate bundle that signs tokens. */
  token?: { realm: string; service: string; issuer: string; rootCertBundlePem: string };
  /** Extra YAML appended under the top level (e.g. notifications). */
  extraYaml?: string;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-registry-'));
  const port = await freePort();
  let auth = '';
  if (opts.htpasswd) {
    writeFileSync(join(dir, 'htpasswd'), opts.htpasswd);
    auth = `auth:\n  htpasswd:\n    realm: kubeward-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (opts.token) {
    writeFileSync(join(dir, 'token-ca.pem'), opts.token.rootCertBundlePem);
    auth =
      `auth:\n  token:\n    realm: ${opts.token.realm}\n    service: ${opts.token.service}\n` +
      `    issuer: ${opts.token.issuer}\n    rootcertbundle: ${join(dir, 'token-ca.pem')}\n`;
  }
  const config =
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n` +
    `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n` +
    `http:\n  addr: 127.0.0.1:${port}\n  secret: kubeward-test-secret\n${auth}${opts.extraYaml ?? ''}`;
  writeFileSync(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr.slice(0, 500)}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start: ${stderr.slice(0, 500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
