// A docker-registry (Debian's CNCF distribution 2.8) for the registry-scanning tests that test/support/
// registry.ts cannot provide: it can be killed (SIGKILL, mid-pass) and restarted on the same port with the
// same data, and it can send notifications (`notifications.endpoints`) to a receiver under test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/registry.js';

export interface NotifyEndpoint {
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

export interface RegistryProcess {
  host: string;
  dir: string;
  running(): boolean;
  /** SIGKILL: the registry vanishes mid-request, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port and storage. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRegistryProcess(opts: { notify?: NotifyEndpoint } = {}): Promise<RegistryProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-regproc-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let notifications = '';
  if (opts.notify) {
    notifications =
      `notifications:\n  endpoints:\n    - name: kubeward\n      url: ${opts.notify.url}\n` +
      (opts.notify.token ? `      headers:\n        Authorization: [Bearer ${opts.notify.token}]\n` : '') +
      `      timeout: 2s\n      threshold: 10\n      backoff: 200ms\n`;
  }
  const config =
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n` +
    `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n` +
    `http:\n  addr: ${host}\n  secret: kubeward-test-secret\n${notifications}`;
  writeFileSync(join(dir, 'config.yml'), config);
  let child: ChildProcess | undefined;
  let stderr = '';

  const start = async (): Promise<void> => {
    stderr = '';
    const c = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = c;
    c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`docker-registry exited: ${stderr.slice(0, 500)}`);
      try {
        const res = await fetch(`http://${host}/v2/`);
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`docker-registry did not start: ${stderr.slice(0, 500)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };

  await start();
  return {
    host,
    dir,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    kill: () => halt('SIGKILL'),
    restart: start,
    async stop() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
