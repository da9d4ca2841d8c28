/**
 * Heterogeneous numeric equality (`1 == 1.0`, `1u == 1`), which cel-go has and Kubernetes relies on; the base
 * library only compares across numeric types when a side is `dyn`. Registering `int == double` also gives
 * `double == int` and the `!=` forms.
 */
import type { CelLibrary } from '../library.js';

/** Exact: a double equals an int only when it is integral and the same value (no float rounding of the int). */
function numericEquals(a: unknown, b: unknown): boolean {
  const x = toExact(a);
  const y = toExact(b);
  return x !== undefined && y !== undefined && x === y;
}

function toExact(v: unknown): bigint | number | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v === 'object' && v !== null) return toExact(v.valueOf()); // uint wraps a bigint
  return undefined;
}

export const numericLibrary: CelLibrary = {
  functions: [],
  operators: [
    ['int == double', numericEquals],
    ['int == uint', numericEquals],
    ['uint == double', numericEquals],
  ],
};
