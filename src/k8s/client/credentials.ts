import { readFile } from 'node:fs/promises';
import { UserError } from '../../core/errors.js';

/** A PEM client certificate and its key, presented during the TLS handshake. */
export interface ClientCertificate {
  cert: Buffer;
  key: Buffer;
}

/** What one request authenticates with. Both may be set (a cert plus a bearer token is legal). */
export interface Credentials {
  /** Full `Authorization` header value: `Bearer …` or `Basic …`. */
  authorization?: string;
  clientCertificate?: ClientCertificate;
}

/**
 * Supplies credentials per request. Sources that can change (token files that rotate, exec plugins whose
 * tokens expire) re-read or re-run on their own schedule and after the server rejected them.
 */
export interface CredentialSource {
  get(): Promise<Credentials>;
  /**
   * The server answered 401 to credentials from `get()`: drop anything cached. Returns true when fetching
   * again could give different credentials, so the caller retries the request once.
   */
  invalidate(): boolean;
}

/** Fixed credentials (inline token, basic auth, client cert): a 401 cannot be fixed by asking again. */
export function staticCredentials(creds: Credentials): CredentialSource {
  return { get: () => Promise.resolve(creds), invalidate: () => false };
}

export interface FileTokenOptions {
  /** Re-read the file when the cached token is older than this (default 60 s, as client-go does). */
  refreshMs?: number;
  /** Sent alongside the token when the kubeconfig also has a client certificate. */
  clientCertificate?: ClientCertificate;
  /** Names the setting in errors, e.g. `users[dev].user.tokenFile`. */
  setting: string;
  now?: () => number;
}

/**
 * A bearer token read from a file. Bound service-account tokens are rotated by the kubelet about hourly, so
 * the file is read again periodically and after a 401 instead of once at start-up.
 */
export class FileTokenSource implements CredentialSource {
  private token: string | undefined;
  private readAt = 0;
  private pending: Promise<string> | undefined;

  constructor(
    readonly file: string,
    private readonly opts: FileTokenOptions,
  ) {}

  async get(): Promise<Credentials> {
    const now = (this.opts.now ?? Date.now)();
    if (this.token === undefined || now - this.readAt >= (this.opts.refreshMs ?? 60_000)) {
      // Concurrent requests share one read.
      this.pending ??= this.read().finally(() => (this.pending = undefined));
      this.token = await this.pending;
      this.readAt = now;
    }
    const creds: Credentials = { authorization: `Bearer ${this.token}` };
    if (this.opts.clientCertificate) creds.clientCertificate = this.opts.clientCertificate;
    return creds;
  }

  invalidate(): boolean {
    this.token = undefined;
    return true;
  }

  private async read(): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      throw new UserError(`${this.opts.setting}: cannot read token file: ${(e as Error).message}`, {
        file: this.file,
      });
    }
    const token = text.trim();
    if (!token) throw new UserError(`${this.opts.setting}: token file is empty`, { file: this.file });
    if (/[\r\n]/.test(token)) {
      // A header value with a newline would be refused by undici; say so in terms of the file.
      throw new UserError(`${this.opts.setting}: token file holds more than one line`, { file: this.file });
    }
    return token;
  }
}
