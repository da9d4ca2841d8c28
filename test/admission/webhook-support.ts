// Test harness for `kubeward admission serve` run as a separate process: starts the built CLI with a fresh
// serving certificate, collects its JSON log lines, resolves once it listens, and calls it over real TLS.
import type { TestContext } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { generateServingCerts } from '../../src/admission/install/certs.js';
import { CLI_PATH, ensureBuilt } from '../support/cli.js';

export type Json = Record<string, unknown>;

export interface Webhook {
  port: number;
  ca: string;
  /** Every log line so far, parsed (or `{ raw }` when a line is not JSON). */
  logs: Json[];
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Writes `tls.crt`/`tls.key` into `dir`, runs `admission serve --listen 127.0.0.1:0 ... ARGS` with `dir` as its
 * working directory, and resolves with the port it logged. With `t`, the process is killed after the test.
 */
export async function startWebhook(
  dir: string,
  args: string[],
  opts: { t?: TestContext; env?: NodeJS.ProcessEnv } = {},
): Promise<Webhook> {
  ensureBuilt();
  const certs = generateServingCerts({ dnsNames: ['localhost'], days: 1 });
  writeFileSync(join(dir, 'tls.crt'), certs.cert);
  writeFileSync(join(dir, 'tls.key'), certs.key);
  const child = spawn(
    process.execPath,
    [
      CLI_PATH,
      'admission',
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--tls-cert',
      join(dir, 'tls.crt'),
      '--tls-key',
      join(dir, 'tls.key'),
      ...args,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], ...(opts.env ? { env: opts.env } : {}) },
  );
  opts.t?.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const logs: Json[] = [];
  let buf = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`webhook did not start: ${buf}${JSON.stringify(logs)}`)),
      20_000,
    );
    child.stderr?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Json;
          logs.push(entry);
          if (entry.msg === 'admission webhook listening') {
            clearTimeout(timer);
            resolve(entry.port as number);
          }
        } catch {
          logs.push({ raw: line });
        }
      }
    });
    void exited.then((code) =>
      reject(new Error(`webhook exited ${String(code)}: ${buf}${JSON.stringify(logs)}`)),
    );
  });
  return { port, ca: certs.caCert, logs, child, exited };
}

/** One HTTPS request to the webhook; `json` is the parsed body, `{}` for plain-text endpoints. */
export function call(
  w: Webhook,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json; text: string }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: w.port,
        ca: w.ca,
        servername: 'localhost',
        method,
        path,
        agent: false,
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const t = Buffer.concat(chunks).toString('utf8');
          let json: Json = {};
          try {
            json = JSON.parse(t) as Json;
          } catch {
            // /metrics, /healthz and /readyz are text
          }
          resolve({ status: res.statusCode ?? 0, json, text: t });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Polls `cond` every 100 ms until it holds or `ms` pass. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
