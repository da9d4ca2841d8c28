/** The shape every kubeward CEL library module exports; environment.ts registers them all. */

/** Any function with typed parameters; CEL's type checker guarantees the argument types at call time. */
export type CelHandler = (...args: never[]) => unknown;

/** A class registered as a CEL object type (e.g. Quantity). */
/** (Structural, not `new (...)`: our value classes keep their constructors private behind parse functions.) */
export interface CelClass {
  readonly prototype: object;
  readonly name: string;
}

export interface CelLibrary {
  /** Object types: `[celTypeName, class]`. */
  readonly types?: readonly (readonly [string, CelClass])[];
  /** Namespace-like constants: `[name, celTypeName, value]` (e.g. `sets`, `base64`). */
  readonly constants?: readonly (readonly [string, string, object])[];
  /** `[signature, handler]`; receiver-style signatures (`string.charAt(int): string`) get the receiver first. */
  readonly functions: readonly (readonly [string, CelHandler])[];
  /** Operator overloads: `[signature, handler]`, e.g. `['Quantity == Quantity', eq]`. */
  readonly operators?: readonly (readonly [string, CelHandler])[];
}

/** `==` (and with it the library's derived `!=`) for a library type whose instances implement `celEquals`. */
export function equalityOperators(typeName: string): NonNullable<CelLibrary['operators']> {
  const eq = (a: { celEquals(o: unknown): boolean }, b: unknown): boolean => a.celEquals(b);
  return [[`${typeName} == ${typeName}`, eq]];
}

/** Declares a namespace (`sets.contains(...)`): an empty class, its CEL type name and the constant. */
export function namespace(name: string, typeName: string): Pick<CelLibrary, 'types' | 'constants'> {
  const Ns = { [typeName]: class {} }[typeName] as new () => object;
  return { types: [[typeName, Ns]], constants: [[name, typeName, new Ns()]] };
}
