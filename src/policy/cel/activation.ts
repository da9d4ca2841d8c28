/**
 * Activations in CEL form. Converting JSON-like values to the runtime's representation is the dominant cost
 * of evaluating a cheap expression against a big object, so it is done once per object: plain activation
 * records are converted entry by entry through an identity cache, and a `CelActivation` holds entries
 * already converted, so a VAP engine evaluating dozens of expressions per request builds its activations
 * once and shares them (`with` adds the per-policy entries without converting the shared ones again).
 */
import { CelValue, activationValueToCel, toCel } from './values.js';

/** Objects already converted, by identity (callers promise not to mutate what they pass in). */
const converted = new WeakMap<object, unknown>();

function entryToCel(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return activationValueToCel(value);
  if (value instanceof CelValue) return value.raw; // already converted; caching it would only cost a WeakMap entry
  let cel = converted.get(value);
  if (cel === undefined) converted.set(value, (cel = activationValueToCel(value)));
  return cel;
}

/**
 * Converts an activation record entry by entry: through the identity cache and with getter support
 * (`entryToCel`), or, for plain JSON-like data ({@link CelActivation.ofData}), with `toCel` directly.
 */
function recordToCel(
  values: Readonly<Record<string, unknown>>,
  into: Record<string, unknown>,
  convert: (value: unknown) => unknown = entryToCel,
): Record<string, unknown> {
  for (const key in values) if (Object.hasOwn(values, key)) setEntry(into, key, convert(values[key]));
  return into;
}

/** Sets an own entry; `__proto__` as a plain assignment would replace the prototype instead. */
function setEntry(into: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(into, key, { value, enumerable: true, configurable: true, writable: true });
  else into[key] = value;
}

/**
 * An activation converted to CEL form once, for evaluating many programs. Entries follow the rules of plain
 * activations (getter objects stay lazy, CelValues are used as-is); like them, values must not be mutated
 * after the activation is built. Conversion happens on the first evaluation, inside its error handling, so
 * an unconvertible input (nested too deep) fails that evaluation as a CelEvalError, as a plain record does.
 */
export class CelActivation {
  private cel: Readonly<Record<string, unknown>> | undefined;

  private constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly parent: CelActivation | undefined,
    /** Entries are plain data: see {@link ofData}. */
    private readonly data = false,
  ) {}

  static of(values: Readonly<Record<string, unknown>>): CelActivation {
    return new CelActivation(values, undefined);
  }

  /**
   * An activation of plain JSON-like data that lives as long as one request (an admission request, its
   * object): converted directly, without looking for getter properties and without entering the process-wide
   * identity cache, which would only keep a few entries per request alive until the next full collection.
   */
  static ofData(values: Readonly<Record<string, unknown>>): CelActivation {
    return new CelActivation(values, undefined, true);
  }

  /** A new activation with `values` added (or replacing same-named entries); shared entries are not converted again. */
  with(values: Readonly<Record<string, unknown>>): CelActivation {
    return new CelActivation(values, this);
  }

  /** The entries in the CEL runtime's representation, converted on first use. Throws what conversion throws. */
  converted(): Readonly<Record<string, unknown>> {
    // A child copies its parent's converted entries (a handful of variable names) rather than inheriting
    // them through Object.create(parent): V8 gives every new prototype object its own map in the old
    // generation, and that map's pointer back to the per-request prototype kept the request's whole CEL
    // tree alive through every young-generation collection until the next full one (about 2 MB/s of
    // promoted garbage at 1,000 requests/s, then 8-13 ms mark-compact pauses in the webhook).
    if (this.cel) return this.cel;
    const into: Record<string, unknown> = {};
    if (this.parent) {
      const inherited = this.parent.converted();
      for (const key of Object.keys(inherited)) setEntry(into, key, inherited[key]);
    }
    return (this.cel = recordToCel(this.values, into, this.data ? toCel : entryToCel));
  }
}

/** The CEL form of an activation given to `evaluate`. */
export function activationToCel(
  activation: Readonly<Record<string, unknown>> | CelActivation,
): Readonly<Record<string, unknown>> {
  return activation instanceof CelActivation ? activation.converted() : recordToCel(activation, {});
}

/**
 * A CEL map whose entries are computed when an expression first reads them (VAP `variables`). It is built
 * directly in the runtime's representation, so handing it to an activation converts nothing; `compute(i)`
 * returns entry `names[i]` in CEL form and runs on every read, so it should memoise (and may throw, failing
 * the reading expression).
 */
export function lazyCelMap(names: readonly string[], compute: (index: number) => CelValue): CelValue {
  // The getters are shared by every map over the same names (they find `compute` on the map itself), so a
  // map costs one object, not a closure and a descriptor per entry; the symbol is invisible to CEL.
  const raw: LazyMap = { [COMPUTE]: compute };
  Object.defineProperties(raw, descriptorsFor(names));
  return new CelValue(raw);
}

const COMPUTE = Symbol('compute');
interface LazyMap {
  [COMPUTE]: (index: number) => CelValue;
}

const descriptorCache = new WeakMap<readonly string[], PropertyDescriptorMap>();

function descriptorsFor(names: readonly string[]): PropertyDescriptorMap {
  let descriptors = descriptorCache.get(names);
  if (!descriptors) {
    descriptors = {};
    for (let i = 0; i < names.length; i++) {
      const descriptor: PropertyDescriptor = {
        enumerable: true,
        configurable: true,
        get(this: LazyMap) {
          return this[COMPUTE](i).raw;
        },
      };
      // `__proto__` as a plain key would set the prototype instead of declaring an entry
      Object.defineProperty(descriptors, names[i] as string, {
        value: descriptor,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    descriptorCache.set(names, descriptors);
  }
  return descriptors;
}
