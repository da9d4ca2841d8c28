import { Optional } from '@marcbachmann/cel-js';

import { CelEvalError } from './errors.js';
import { DEFAULT_COST_LIMIT, charge, popBudget, pushBudget } from './limits.js';

/**
 * Conversions between plain JSON-like values and the CEL runtime's values. Kubernetes decodes JSON integers as
 * CEL `int` (bigint here) and other numbers as `double`; we do the same. Library types (Quantity, IP, CIDR,
 * URL) convert back to their string form.
 */

/** Hostile input guard: JSON deeper than this is refused rather than overflowing the stack. */
export const MAX_INPUT_DEPTH = 200;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export class InputTooDeep extends Error {
  override readonly name = 'InputTooDeep';
}

/**
 * A value already in CEL form (a program's result kept by `evaluateValue`). Handed back in an activation (e.g.
 * from a lazy VAP variable) it is used as-is, so its CEL type survives: no int/double guessing, and library
 * values (Quantity, IP...) keep their methods.
 */
export class CelValue {
  constructor(
    /** The runtime value, in the CEL library's representation. */
    readonly raw: unknown,
    /** The expression that produced it, for error messages. */
    readonly expression = '',
  ) {}

  /** The plain JS form, as `CelProgram.evaluate` returns it; converting is budgeted too. Throws CelEvalError. */
  toJS(): unknown {
    pushBudget(DEFAULT_COST_LIMIT);
    try {
      return fromCel(this.raw);
    } catch (e) {
      throw new CelEvalError(this.expression, e instanceof Error ? e.message : String(e));
    } finally {
      popBudget();
    }
  }
}

/** Converts one JSON-like value to a CEL runtime value. */
export function toCel(value: unknown, depth = 0): unknown {
  if (value instanceof CelValue) return value.raw;
  switch (typeof value) {
    case 'number':
      return numberToCel(value);
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'undefined':
      return null;
    case 'object':
      if (value === null) return null;
      if (depth > MAX_INPUT_DEPTH)
        throw new InputTooDeep(`input nested deeper than ${MAX_INPUT_DEPTH} levels`);
      if (Array.isArray(value)) return arrayToCel(value, depth);
      if (value instanceof Uint8Array) return value;
      if (value instanceof Map) return mapToCel(value, depth);
      if (isPlainObject(value)) return objectToCel(value, depth);
      return value; // library values (Quantity, IP...) handed back in, e.g. from a lazy variable
    default:
      return null;
  }
}

function numberToCel(n: number): unknown {
  if (Number.isInteger(n)) {
    const big = BigInt(n);
    if (big >= INT64_MIN && big <= INT64_MAX) return big;
  }
  return n;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Arrays and objects are converted copy-on-write: a subtree in which nothing changes (no integer to turn
 * into an int, no undefined entry to drop) is handed to the runtime as it is, and only the paths leading to
 * a change are copied. A pod is mostly strings, so a request converts in a fraction of the time and garbage
 * of a full copy (the webhook converts every request). Sharing is safe because the runtime never mutates
 * its inputs and results go back through {@link fromCel}, which copies.
 */
function arrayToCel(arr: readonly unknown[], depth: number): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    const c = toCel(v, depth + 1);
    if (out) out.push(c);
    else if (c !== v) {
      out = arr.slice(0, i);
      out.push(c);
    }
  }
  return out ?? arr;
}

function objectToCel(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  // Objects without a prototype are always copied: the runtime expects ordinary objects as maps.
  let out: Record<string, unknown> | undefined =
    Object.getPrototypeOf(obj) === Object.prototype ? undefined : {};
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = obj[key];
    const c = v === undefined ? undefined : toCel(v, depth + 1);
    if (!out) {
      if (c === v && v !== undefined) continue;
      out = {};
      for (let j = 0; j < i; j++) defineValue(out, keys[j] as string, obj[keys[j] as string]);
    }
    if (c !== undefined) defineValue(out, key, c); // an undefined entry is absent, as in JSON
  }
  return out ?? obj;
}

function mapToCel(map: Map<unknown, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of map) if (v !== undefined) defineValue(out, String(k), toCel(v, depth + 1));
  return out;
}

/**
 * Plain assignment keeps V8's fast object shapes (defineProperty on every key made lookups several times
 * slower); only a `__proto__` key from hostile JSON needs defineProperty to stay an ordinary own property.
 */
function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Converts a top-level activation value. Own getter properties (lazily evaluated VAP `variables`) stay lazy:
 * the getter runs on first access from CEL, and its result is converted and memoised.
 */
export function activationValueToCel(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !isPlainObject(value)) {
    return toCel(value);
  }
  const descriptors = Object.getOwnPropertyDescriptors(value);
  let hasGetter = false;
  for (const key in descriptors) if (descriptors[key]?.get) hasGetter = true;
  if (!hasGetter) return toCel(value);

  const out: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(descriptors)) {
    const getter = d.get;
    if (getter) {
      let memo: { v: unknown } | undefined;
      Object.defineProperty(out, key, {
        enumerable: true,
        configurable: true,
        get: () => (memo ??= { v: toCel(getter.call(value)) }).v,
      });
    } else if (d.value !== undefined) {
      defineValue(out, key, toCel(d.value, 1));
    }
  }
  return out;
}

/** Converts a CEL result back to a plain JS value. */
export function fromCel(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    case 'object': {
      if (value === null) return null;
      if (depth > MAX_INPUT_DEPTH)
        throw new InputTooDeep(`result nested deeper than ${MAX_INPUT_DEPTH} levels`);
      // a result may share one big list many times over (`l.map(x, l)`): converting it is charged too
      if (Array.isArray(value))
        return (charge(value.length), value.map((v: unknown) => fromCel(v, depth + 1)));
      if (value instanceof Set) return [...value].map((v: unknown) => fromCel(v, depth + 1));
      if (value instanceof Uint8Array) return value;
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) defineValue(out, String(k), fromCel(v, depth + 1));
        return out;
      }
      if (value instanceof Optional) return value.hasValue() ? fromCel(value.value(), depth + 1) : null;
      if (value instanceof Date) return value.toISOString();
      if (isPlainObject(value)) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) defineValue(out, key, fromCel(value[key], depth + 1));
        return out;
      }
      if (value.constructor.name === 'UnsignedInt') return fromCel(value.valueOf(), depth);
      // duration and kubeward library values (Quantity, IP, CIDR, URL) all have a canonical string form
      return String(value);
    }
    default:
      return value;
  }
}
