/**
 * Go's url.ParseRequestURI, which the Kubernetes URL library and `format.uri()` use: an absolute URI or an
 * absolute path, no fragment handling, strict percent-escapes. Hand-written because WHATWG `URL` normalises
 * (drops default ports, lower-cases, resolves dots) where Go keeps the text.
 */
export interface ParsedURL {
  readonly scheme: string;
  readonly opaque: string;
  readonly host: string;
  readonly rawPath: string;
  readonly path: string;
  readonly rawQuery: string;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*$/;

/** Parses `raw`; returns the Go-style error message instead of throwing. */
export function parseRequestURI(raw: string): ParsedURL | string {
  const fail = (why: string): string => `parse ${JSON.stringify(raw.slice(0, 200))}: ${why}`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) return fail('net/url: invalid control character in URL');
  if (raw === '') return fail('empty url');
  if (raw === '*') return { scheme: '', opaque: '', host: '', rawPath: '*', path: '*', rawQuery: '' };

  let scheme = '';
  let rest = raw;
  const colon = raw.search(/[^a-zA-Z0-9+.-]/);
  if (colon === 0 && raw[0] === ':') return fail('missing protocol scheme');
  if (colon > 0 && raw[colon] === ':' && SCHEME.test(raw.slice(0, colon))) {
    scheme = raw.slice(0, colon).toLowerCase();
    rest = raw.slice(colon + 1);
  }

  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) [rest, rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];

  if (!rest.startsWith('/')) {
    if (scheme !== '') return { scheme, opaque: rest, host: '', rawPath: '', path: '', rawQuery };
    return fail('invalid URI for request');
  }

  let host = '';
  if (scheme !== '' && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const parsedHost = parseHost(authority.slice(authority.lastIndexOf('@') + 1));
    if (parsedHost === undefined) return fail('invalid host or port');
    host = parsedHost;
  }
  const path = unescape(rest);
  if (path === undefined) return fail('invalid URL escape');
  return { scheme, opaque: '', host, rawPath: rest, path, rawQuery };
}

function parseHost(host: string): string | undefined {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return undefined;
    return validOptionalPort(host.slice(close + 1)) ? host : undefined;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !validOptionalPort(host.slice(colon))) return undefined;
  return host;
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:\d*$/.test(port);
}

/** Percent-decoding of a path; undefined on a malformed escape. */
export function unescape(s: string, plusIsSpace = false): string | undefined {
  if (!s.includes('%') && !(plusIsSpace && s.includes('+'))) return s;
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '%') {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+' && plusIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's shouldEscape(c, encodePath): unreserved and `$&+,/:;=@` stay as they are. */
function pathByteIsSafe(b: number): boolean {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c);
}

/** Go's URL.EscapedPath: the original text when it is a valid encoding, else the escaped path. */
export function escapedPath(u: ParsedURL): string {
  if (u.path === '*') return '*';
  if (/^(?:[A-Za-z0-9\-_.~$&+,/:;=@!'()*[\]]|%[0-9a-fA-F]{2})*$/.test(u.rawPath)) return u.rawPath;
  let out = '';
  for (const b of Buffer.from(u.path, 'utf8')) {
    out += pathByteIsSafe(b) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's URL.Query(): `&`-separated pairs, `+` is a space; malformed pairs (or ones with `;`) are skipped. */
export function parseQuery(rawQuery: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = unescape(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = unescape(eq < 0 ? '' : pair.slice(eq + 1), true);
    if (key === undefined || value === undefined) continue;
    const list = Object.hasOwn(out, key) ? out[key] : undefined;
    if (list) list.push(value);
    else
      Object.defineProperty(out, key, {
        value: [value],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

/** Go's URL.Hostname(): the host without port and without IPv6 brackets. */
export function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** Go's URL.Port(): the digits after the host's last colon, or ''. */
export function port(host: string): string {
  const start = host.startsWith('[') ? host.indexOf(']') + 1 : 0;
  const colon = host.indexOf(':', start);
  if (colon < 0) return '';
  const p = host.slice(host.lastIndexOf(':') + 1);
  return /^\d+$/.test(p) ? p : '';
}
