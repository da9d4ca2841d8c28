/** CEL equality and ordering over runtime values, shared by the lists and sets libraries. */

/** Values kubeward's library classes expose so that equality means "same value", not "same object". */
export interface CelComparable {
  celEquals(other: unknown): boolean;
}

function hasCelEquals(v: object): v is CelComparable {
  return typeof (v as Partial<CelComparable>).celEquals === 'function';
}

/** The library's uint is an object wrapping a bigint; numeric comparisons want the bigint. */
function unwrapUint(v: unknown): unknown {
  return typeof v === 'object' && v !== null && v.constructor.name === 'UnsignedInt' ? v.valueOf() : v;
}

/** CEL `==`: numbers compare across int/uint/double, lists and maps deeply, library values by value. */
export function celEquals(x: unknown, y: unknown): boolean {
  const a = unwrapUint(x);
  const b = unwrapUint(y);
  if (a === b) return true;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return compareNumbers(a, b) === 0;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.from(a).equals(b);
  if (hasCelEquals(a)) return a.celEquals(b);
  if (a instanceof Map || b instanceof Map) return false; // inputs are plain objects (values.ts)
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && celEquals((a as Record<string, unknown>)[k], rb[k]));
}

function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** CEL ordering for the comparable types (int, uint, double, string, bool, bytes); throws otherwise. */
export function celCompare(x: unknown, y: unknown): number {
  const a = unwrapUint(x);
  const b = unwrapUint(y);
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return compareNumbers(a, b);
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === 'object' && a !== null && typeof (a as { compareTo?: unknown }).compareTo === 'function') {
    return (a as { compareTo(o: unknown): number }).compareTo(b);
  }
  throw new TypeError(
    `no such overload: values of type ${typeName(a)} and ${typeName(b)} are not comparable`,
  );
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return v.constructor?.name ?? 'map';
  return typeof v;
}
