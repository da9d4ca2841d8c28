// Small HTTP helpers shared by the cloud token flows: bounded JSON responses, endpoint safety.
import { fetch, type Dispatcher } from 'undici';
import { readLimited, RegistryError } from '../../image/registry/client.js';

/** A cloud token endpoint (ECR API, Google OAuth, AAD, ACR exchange) failed: the credentials are unusable. */
export class TokenEndpointError extends RegistryError {}

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Token endpoints get secrets (signed assertions, client secrets, AAD tokens): https only, except loopback
 * (local stand-ins in tests, a metadata proxy on the node).
 */
export function checkTokenEndpoint(raw: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new TokenEndpointError(`${what}: invalid endpoint ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))) return u;
  throw new TokenEndpointError(`${what}: refusing endpoint ${u.origin} (https only)`);
}

/** POSTs/GETs and returns the JSON object answer; a non-2xx answer is a RegistryError with a short detail. */
export async function fetchJson(
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string; dispatcher?: Dispatcher },
  what: string,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  let res;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.dispatcher ? { dispatcher: init.dispatcher } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: Error }).cause;
    throw new TokenEndpointError(`${what}: network error: ${(cause ?? (e as Error)).message.split('\n')[0]}`);
  }
  const bytes = await readLimited(res, MAX_TOKEN_RESPONSE_BYTES, `${what} response`, timeoutMs);
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    body = undefined;
  }
  const obj =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  if (!res.ok) {
    const detail = obj
      ? [obj.__type, obj.error, obj.message, obj.error_description]
          .filter((x) => typeof x === 'string')
          .join(': ')
      : '';
    throw new TokenEndpointError(
      `${what} failed with HTTP ${res.status}${detail ? ` (${detail.slice(0, 200)})` : ''}`,
      res.status,
    );
  }
  if (!obj) throw new TokenEndpointError(`${what}: response is not a JSON object`);
  return obj;
}

/** A token goes into an Authorization header: printable ASCII only (no header injection). */
/** POSTs an `application/x-www-form-urlencoded` form (every OAuth token endpoint takes one) and reads JSON. */
export function postForm(
  url: URL,
  form: Record<string, string>,
  what: string,
): Promise<Record<string, unknown>> {
  return fetchJson(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    },
    what,
  );
}

export function usableToken(v: unknown, what: string): string {
  if (typeof v !== 'string' || !/^[\x21-\x7e]{1,16384}$/.test(v))
    throw new TokenEndpointError(`${what}: response without a usable token`);
  return v;
}
