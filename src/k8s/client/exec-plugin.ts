import { execFile } from 'node:child_process';
import { UserError } from '../../core/errors.js';
import type { ClientCertificate, CredentialSource, Credentials } from './credentials.js';
import { isRecord } from './types.js';

/** The API versions of ExecCredential we speak; v1alpha1 was removed from client-go in 1.24. */
export const EXEC_API_VERSIONS = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
] as const;
export type ExecApiVersion = (typeof EXEC_API_VERSIONS)[number];

/** A kubeconfig `users[].user.exec` block, already checked for types. */
export interface ExecConfig {
  apiVersion: ExecApiVersion;
  /** Absolute, or a bare name looked up on PATH (relative paths are resolved by the kubeconfig loader). */
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  installHint?: string;
  provideClusterInfo: boolean;
}

/** Cluster details passed to plugins that ask for them (`provideClusterInfo: true`). */
export interface ExecClusterInfo {
  server: string;
  'certificate-authority-data'?: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
}

export interface ExecSourceOptions {
  /** Names the setting in errors, e.g. `users[eks].user.exec` in `/home/me/.kube/config:12`. */
  setting: string;
  where?: { file: string; line?: number };
  cluster?: ExecClusterInfo;
  /** Plugins that hang (waiting for a browser login nobody completes) are killed after this. */
  timeoutMs?: number;
  now?: () => number;
}

/** Plugin output beyond this is refused; real ExecCredentials are a few KiB. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Credentials from a client-go exec plugin (aws eks get-token, gke-gcloud-auth-plugin, kubelogin…). The
 * result is cached until its expirationTimestamp, or until the server rejects it when it has none.
 */
export class ExecCredentialSource implements CredentialSource {
  private cached: { creds: Credentials; expiresAt: number | undefined } | undefined;
  private pending: Promise<Credentials> | undefined;
  private runCount = 0;

  constructor(
    private readonly exec: ExecConfig,
    private readonly opts: ExecSourceOptions,
  ) {}

  get(): Promise<Credentials> {
    const now = (this.opts.now ?? Date.now)();
    const c = this.cached;
    if (c && (c.expiresAt === undefined || now < c.expiresAt)) return Promise.resolve(c.creds);
    // Concurrent requests share one plugin run.
    this.pending ??= this.run().finally(() => (this.pending = undefined));
    return this.pending;
  }

  invalidate(): boolean {
    this.cached = undefined;
    return true;
  }

  /** How often the plugin ran, for diagnostics (a plugin run per request means caching is broken). */
  get runs(): number {
    return this.runCount;
  }

  private async run(): Promise<Credentials> {
    this.runCount++;
    const info = {
      kind: 'ExecCredential',
      apiVersion: this.exec.apiVersion,
      spec: {
        interactive: false,
        ...(this.exec.provideClusterInfo && this.opts.cluster ? { cluster: this.opts.cluster } : {}),
      },
    };
    const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
    for (const { name, value } of this.exec.env) env[name] = value;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        this.exec.command,
        this.exec.args,
        { env, timeout: this.opts.timeoutMs ?? 60_000, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
        (err, out, errOut) => {
          if (err) reject(this.failure(err, errOut));
          else resolve(out);
        },
      );
    });
    const { creds, expiresAt } = this.parse(stdout);
    this.cached = { creds, expiresAt };
    return creds;
  }

  private failure(
    err: Error & { code?: string | number | null; killed?: boolean },
    stderr: string,
  ): UserError {
    const what = `${this.opts.setting}: exec plugin "${this.exec.command}"`;
    if (err.code === 'ENOENT') {
      const hint = this.exec.installHint ? ` (${this.exec.installHint.trim()})` : '';
      return new UserError(`${what} not found${hint}`, this.opts.where);
    }
    if (err.killed) return new UserError(`${what} did not finish in time`, this.opts.where);
    const lastLine = stderr.trim().split('\n').pop()?.slice(0, 300) ?? '';
    return new UserError(`${what} failed: ${lastLine || err.message}`, this.opts.where);
  }

  /** Checks the plugin's stdout is an ExecCredential of the version we asked for, as client-go does. */
  private parse(stdout: string): { creds: Credentials; expiresAt: number | undefined } {
    const bad = (why: string): UserError =>
      new UserError(`${this.opts.setting}: exec plugin "${this.exec.command}" ${why}`, this.opts.where);
    let doc: unknown;
    try {
      doc = JSON.parse(stdout);
    } catch {
      throw bad('did not print a JSON ExecCredential');
    }
    if (!isRecord(doc) || doc.kind !== 'ExecCredential') throw bad('did not print an ExecCredential');
    if (doc.apiVersion !== this.exec.apiVersion) {
      throw bad(`printed apiVersion ${String(doc.apiVersion)}, expected ${this.exec.apiVersion}`);
    }
    const status = doc.status;
    if (!isRecord(status)) throw bad('printed an ExecCredential without status');
    const str = (k: string): string | undefined => {
      const v = status[k];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw bad(`printed a non-string status.${k}`);
      return v;
    };
    const token = str('token');
    const certData = str('clientCertificateData');
    const keyData = str('clientKeyData');
    const expiry = str('expirationTimestamp');
    if (!!certData !== !!keyData) throw bad('printed only one of clientCertificateData and clientKeyData');
    if (!token && !certData) throw bad('printed neither a token nor a client certificate');
    let expiresAt: number | undefined;
    if (expiry !== undefined) {
      expiresAt = Date.parse(expiry);
      if (Number.isNaN(expiresAt)) throw bad(`printed an invalid expirationTimestamp "${expiry}"`);
    }
    const creds: Credentials = {};
    if (token) {
      if (/[\r\n]/.test(token)) throw bad('printed a token containing a newline');
      creds.authorization = `Bearer ${token}`;
    }
    if (certData && keyData) {
      // ExecCredential carries PEM text directly (not base64 like kubeconfig -data fields).
      const cc: ClientCertificate = { cert: Buffer.from(certData), key: Buffer.from(keyData) };
      creds.clientCertificate = cc;
    }
    return { creds, expiresAt };
  }
}
