/**
 * The one optional-types function the base library lacks: `optional.ofNonZeroValue(v)`, none for a zero value
 * ('' / 0 / 0.0 / false / null / [] / {} / b''), as cel-go. The `optional` namespace type is the library's own.
 */
import { Optional } from '@marcbachmann/cel-js';

import type { CelLibrary } from '../library.js';

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === 0n || v === false) return true;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.keys(v).length === 0;
  return false;
}

export const optionalLibrary: CelLibrary = {
  functions: [
    [
      'OptionalNamespace.ofNonZeroValue(dyn): optional<dyn>',
      (_ns: object, v: unknown) => (isZero(v) ? Optional.none() : Optional.of(v)),
    ],
  ],
};
