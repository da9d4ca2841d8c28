/**
 * Kubernetes format library (k8s.io/apiserver/pkg/cel/library/format.go): `format.dns1123Label()` and friends,
 * `format.named(name)`, and `<format>.validate(value)` returning none when valid or a list of error messages.
 */
import { Optional } from '@marcbachmann/cel-js';

import type { CelLibrary } from '../library.js';
import { equalityOperators, namespace } from '../library.js';
import { chargeString } from '../limits.js';
import { isStdBase64 } from './base64.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  maskTrailingDash,
} from './name-validation.js';
import { parseRequestURI } from './url-parse.js';

export class CelFormat {
  constructor(
    readonly name: string,
    readonly validate: (s: string) => string[],
  ) {}

  celEquals(other: unknown): boolean {
    return other === this;
  }

  toString(): string {
    return this.name;
  }
}

const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** strfmt "date": a real calendar date in full-date form. */
function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** strfmt "date-time": RFC 3339. */
function isDateTime(s: string): boolean {
  const m = DATETIME.exec(s);
  if (!m?.[1] || !isDate(m[1])) return false;
  const [h, mi, sec] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const offsetOk = m[5] === undefined || (Number(m[5]) < 24 && Number(m[6]) < 60);
  return h < 24 && mi < 60 && sec < 61 && offsetOk;
}

const check = (ok: (s: string) => boolean, message: string) => (s: string) => (ok(s) ? [] : [message]);

const FORMATS: ReadonlyMap<string, CelFormat> = new Map(
  (
    [
      ['dns1123Label', isDNS1123Label],
      ['dns1123Subdomain', isDNS1123Subdomain],
      ['dns1035Label', isDNS1035Label],
      ['qualifiedName', isQualifiedName],
      ['dns1123LabelPrefix', (s: string) => isDNS1123Label(maskTrailingDash(s))],
      ['dns1123SubdomainPrefix', (s: string) => isDNS1123Subdomain(maskTrailingDash(s))],
      ['dns1035LabelPrefix', (s: string) => isDNS1035Label(maskTrailingDash(s))],
      ['labelValue', isValidLabelValue],
      [
        'uri',
        (s: string) => {
          const r = parseRequestURI(s);
          return typeof r === 'string' ? [r] : [];
        },
      ],
      ['uuid', check((s) => UUID.test(s), 'does not match the UUID format')],
      ['byte', check(isStdBase64, 'invalid base64')],
      ['date', check(isDate, 'invalid date')],
      ['datetime', check(isDateTime, 'invalid datetime')],
    ] as const
  ).map(([name, fn]) => [name, new CelFormat(name, fn)]),
);

function validate(f: CelFormat, s: string): Optional<string[]> {
  chargeString(s.length);
  const errs = f.validate(s);
  return errs.length === 0 ? Optional.none() : Optional.of(errs);
}

const ns = namespace('format', 'KubewardFormats');

export const formatLibrary: CelLibrary = {
  types: [['kubernetes.NamedFormat', CelFormat], ...(ns.types ?? [])],
  constants: ns.constants,
  operators: equalityOperators('kubernetes.NamedFormat'),
  functions: [
    ...[...FORMATS].map(
      ([name, f]) => [`KubewardFormats.${name}(): kubernetes.NamedFormat`, () => f] as const,
    ),
    [
      'KubewardFormats.named(string): optional<kubernetes.NamedFormat>',
      (_n: object, name: string) => {
        const f = FORMATS.get(name);
        return f ? Optional.of(f) : Optional.none();
      },
    ],
    ['kubernetes.NamedFormat.validate(string): optional<list<string>>', validate],
  ],
};
