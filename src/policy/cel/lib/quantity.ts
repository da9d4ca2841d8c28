/**
 * Kubernetes quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go) over a hand-written
 * resource.Quantity: `<sign><digits>[.<digits>]<suffix>` with binary SI (Ki..Ei), decimal SI (n u m k M G T P E)
 * or a decimal exponent (e3, E-2). Values are exact: a bigint mantissa times a power of ten.
 */
import type { CelLibrary } from '../library.js';
import { equalityOperators } from '../library.js';

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
const EXPONENT = /^[eE]([+-]?\d{1,4})$/;
/** Hostile-input guards: Kubernetes quantities are short, and 10^1000 is far past any real resource. */
const MAX_QUANTITY_LENGTH = 256;
const MAX_EXPONENT = 1000;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTPE]*[-+]?[0-9]*)$'";

export class Quantity {
  /** value = mantissa × 10^exponent, kept reduced (no trailing zeros in the mantissa unless it is 0). */
  private constructor(
    readonly mantissa: bigint,
    readonly exponent: number,
    private readonly text: string,
  ) {}

  static parse(s: string): Quantity {
    const q = Quantity.tryParse(s);
    if (!q) throw new Error(QUANTITY_FORMAT_ERROR);
    return q;
  }

  static tryParse(s: string): Quantity | undefined {
    if (s.length === 0 || s.length > MAX_QUANTITY_LENGTH) return undefined;
    const m = QUANTITY.exec(s);
    if (!m) return undefined;
    const [, sign = '', whole = '', frac = '', suffix = ''] = m;
    if (whole === '' && frac === '') return undefined;
    let mantissa = BigInt(whole + frac || '0');
    let exponent = -frac.length;
    const binary = BINARY_SUFFIX[suffix];
    const decimal = DECIMAL_SUFFIX[suffix];
    if (binary !== undefined) mantissa *= binary;
    else if (decimal !== undefined) exponent += decimal;
    else {
      const e = EXPONENT.exec(suffix);
      if (!e?.[1]) return undefined;
      exponent += Number(e[1]);
    }
    if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
    return Quantity.of(sign === '-' ? -mantissa : mantissa, exponent, s);
  }

  static of(mantissa: bigint, exponent: number, text?: string): Quantity {
    if (mantissa === 0n) return new Quantity(0n, 0, text ?? '0');
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    return new Quantity(mantissa, exponent, text ?? canonical(mantissa, exponent));
  }

  sign(): bigint {
    return this.mantissa > 0n ? 1n : this.mantissa < 0n ? -1n : 0n;
  }

  /** The integer value when it is whole and fits in int64 (resource.Quantity.AsInt64). */
  asInt64(): bigint | undefined {
    if (this.exponent < 0) return undefined;
    if (this.exponent > 19) return undefined;
    const v = this.mantissa * 10n ** BigInt(this.exponent);
    return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
  }

  asApproximateFloat(): number {
    return Number.parseFloat(`${this.mantissa}e${this.exponent}`);
  }

  add(other: Quantity): Quantity {
    const e = Math.min(this.exponent, other.exponent);
    return Quantity.of(this.scaledTo(e) + other.scaledTo(e), e);
  }

  negate(): Quantity {
    return Quantity.of(-this.mantissa, this.exponent);
  }

  compareTo(other: unknown): number {
    if (!(other instanceof Quantity)) throw new Error('no such overload: compareTo needs a quantity');
    const e = Math.min(this.exponent, other.exponent);
    const a = this.scaledTo(e);
    const b = other.scaledTo(e);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  celEquals(other: unknown): boolean {
    return other instanceof Quantity && this.compareTo(other) === 0;
  }

  private scaledTo(exponent: number): bigint {
    return this.mantissa * 10n ** BigInt(this.exponent - exponent);
  }

  toString(): string {
    return this.text;
  }
}

/** Canonical decimal-SI text for computed quantities (e.g. 51M, 1500m, 12e-11 below nano). */
function canonical(mantissa: bigint, exponent: number): string {
  const suffixes: readonly [number, string][] = [
    [18, 'E'],
    [15, 'P'],
    [12, 'T'],
    [9, 'G'],
    [6, 'M'],
    [3, 'k'],
    [0, ''],
    [-3, 'm'],
    [-6, 'u'],
    [-9, 'n'],
  ];
  for (const [e, suffix] of suffixes) {
    if (exponent >= e) return `${mantissa * 10n ** BigInt(exponent - e)}${suffix}`;
  }
  return `${mantissa}e${exponent}`;
}

function toQuantity(v: Quantity | bigint): Quantity {
  return typeof v === 'bigint' ? Quantity.of(v, 0) : v;
}

function asInteger(q: Quantity): bigint {
  const v = q.asInt64();
  if (v === undefined) throw new Error('cannot convert value to integer');
  return v;
}

export const quantityLibrary: CelLibrary = {
  types: [['Quantity', Quantity]],
  operators: equalityOperators('Quantity'),
  functions: [
    ['quantity(string): Quantity', (s: string) => Quantity.parse(s)],
    ['isQuantity(string): bool', (s: string) => Quantity.tryParse(s) !== undefined],
    ['Quantity.sign(): int', (q: Quantity) => q.sign()],
    ['Quantity.isInteger(): bool', (q: Quantity) => q.asInt64() !== undefined],
    ['Quantity.asInteger(): int', asInteger],
    ['Quantity.asApproximateFloat(): double', (q: Quantity) => q.asApproximateFloat()],
    ['Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b)],
    ['Quantity.add(int): Quantity', (a: Quantity, b: bigint) => a.add(toQuantity(b))],
    ['Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b.negate())],
    ['Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => a.add(toQuantity(b).negate())],
    ['Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(a.compareTo(b))],
    ['Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) > 0],
    ['Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) < 0],
  ],
};
