import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/** TLS options every serving context gets; TLS 1.2 is the floor the API server also enforces. */
export const TLS_BASE_OPTIONS = { minVersion: 'TLSv1.2' } as const satisfies SecureContextOptions;

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks a cert/key pair; throws when either is unreadable or they do not belong together. */
export function loadKeyPair(certFile: string, keyFile: string): KeyPair {
  const pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  // createSecureContext parses both and runs OpenSSL's key/cert consistency check.
  createSecureContext({ ...TLS_BASE_OPTIONS, ...pair });
  return pair;
}

export interface CertWatcherOptions {
  certFile: string;
  keyFile: string;
  current: KeyPair;
  /** Called with a checked new pair. */
  apply: (pair: KeyPair) => void;
  onError: (err: Error) => void;
  debounceMs?: number;
  /** Backstop re-check for file systems where fs.watch misses events; 0 disables. */
  pollMs?: number;
}

/**
 * Watches the directories holding the cert and key (so the atomic `..data` symlink swap Kubernetes
 * uses for mounted Secrets is seen) and reloads when the file contents change. A broken or
 * half-written pair is reported and the previous one stays in use.
 */
export class CertWatcher {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private current: KeyPair;
  private lastError = '';
  private closed = false;

  constructor(private readonly opts: CertWatcherOptions) {
    this.current = opts.current;
    const dirs = new Set([dirname(opts.certFile), dirname(opts.keyFile)]);
    for (const dir of dirs) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', (e) => this.opts.onError(e));
        this.watchers.push(w);
      } catch (e) {
        this.opts.onError(e instanceof Error ? e : new Error(String(e)));
      }
    }
    const pollMs = opts.pollMs ?? 60_000;
    if (pollMs > 0) {
      this.poll = setInterval(() => this.check(), pollMs);
      this.poll.unref();
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), this.opts.debounceMs ?? 500);
    this.timer.unref();
  }

  /** Re-reads both files now; applies them when they changed and are valid. */
  check(): void {
    if (this.closed) return;
    let pair: KeyPair;
    try {
      const cert = readFileSync(this.opts.certFile);
      const key = readFileSync(this.opts.keyFile);
      if (cert.equals(this.current.cert) && key.equals(this.current.key)) {
        this.lastError = '';
        return;
      }
      pair = loadKeyPair(this.opts.certFile, this.opts.keyFile);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      // The periodic backstop would otherwise repeat the same error every poll.
      if (err.message !== this.lastError) this.opts.onError(err);
      this.lastError = err.message;
      return;
    }
    this.lastError = '';
    this.current = pair;
    this.opts.apply(pair);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    for (const w of this.watchers) w.close();
  }
}
