import { fetch } from 'undici';
import { UserError } from '../../core/errors.js';
import { sleep } from '../../core/sleep.js';

export interface PostOptions {
  /** Attempts in all (default 3): network errors, timeouts, 429 and 5xx are retried, other 4xx are not. */
  attempts?: number;
  /** Per-attempt deadline in ms (default 10 s). */
  timeoutMs?: number;
  /** First backoff in ms (default 500), doubled per attempt. */
  backoffMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** Webhook URLs carry secrets (Slack's path is the credential): messages name only the origin. */
export function redactUrl(url: URL): string {
  return url.origin;
}

/** Parses a webhook URL given on the command line or in config: http(s) only. */
export function parseWebhookUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`${what}: not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UserError(`${what}: only http and https URLs are allowed (got ${url.protocol})`);
  return url;
}

/**
 * POSTs a JSON body with retries and a deadline per attempt. The response body is never read beyond a
 * small prefix (a hostile or broken endpoint cannot make us buffer it). Throws after the last attempt.
 */
export async function postJson(
  url: URL,
  body: unknown,
  signal: AbortSignal,
  opts: PostOptions = {},
): Promise<void> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const payload = JSON.stringify(body);
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (signal.aborted) throw new Error(`${redactUrl(url)}: delivery aborted`);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'kubeward', ...opts.headers },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs ?? 10_000)]),
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return;
      last = `HTTP ${res.status}`;
      if (res.status !== 429 && res.status < 500) break;
    } catch (e) {
      const err = e as Error & { cause?: Error };
      last = err.name === 'TimeoutError' ? 'timed out' : (err.cause?.message ?? err.message);
    }
    if (i < attempts - 1) await sleep((opts.backoffMs ?? 500) * 2 ** i, signal);
  }
  throw new Error(`${redactUrl(url)}: ${last}`);
}
