/** Kubernetes URL library (k8s.io/apiserver/pkg/cel/library/urls.go) over Go ParseRequestURI semantics. */
import type { CelLibrary } from '../library.js';
import { equalityOperators } from '../library.js';
import { chargeString } from '../limits.js';
import { type ParsedURL, escapedPath, hostname, parseQuery, parseRequestURI, port } from './url-parse.js';

export class CelURL {
  constructor(
    readonly text: string,
    readonly parts: ParsedURL,
  ) {}

  celEquals(other: unknown): boolean {
    return other instanceof CelURL && other.text === this.text;
  }

  toString(): string {
    return this.text;
  }
}

function url(s: string): CelURL {
  chargeString(s.length);
  const parsed = parseRequestURI(s);
  if (typeof parsed === 'string') throw new Error(`URL parse error during conversion from string: ${parsed}`);
  return new CelURL(s, parsed);
}

export const urlLibrary: CelLibrary = {
  types: [['URL', CelURL]],
  operators: equalityOperators('URL'),
  functions: [
    ['url(string): URL', url],
    ['isURL(string): bool', (s: string) => (chargeString(s.length), typeof parseRequestURI(s) !== 'string')],
    ['string(URL): string', (u: CelURL) => u.text],
    ['URL.getScheme(): string', (u: CelURL) => u.parts.scheme],
    ['URL.getHost(): string', (u: CelURL) => u.parts.host],
    ['URL.getHostname(): string', (u: CelURL) => hostname(u.parts.host)],
    ['URL.getPort(): string', (u: CelURL) => port(u.parts.host)],
    ['URL.getEscapedPath(): string', (u: CelURL) => escapedPath(u.parts)],
    ['URL.getQuery(): map<string, list<string>>', (u: CelURL) => parseQuery(u.parts.rawQuery)],
  ],
};
