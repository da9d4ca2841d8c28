/**
 * Base-library functions whose semantics differ from Kubernetes/cel-go and cannot be re-registered (the library
 * refuses overlapping overloads). index.ts renames these calls in the parsed AST before type checking, so
 * they resolve to our implementations registered under the internal names below.
 */
export const OVERRIDDEN = {
  /** JS RegExp (backtracking) → RE2 via re2js. */
  matches: 'kubewardRe2Matches',
  /** Unicode-wide case mapping → ASCII only, as cel-go. */
  lowerAscii: 'kubewardLowerAscii',
  upperAscii: 'kubewardUpperAscii',
} as const;

const byName: ReadonlyMap<string, string> = new Map(Object.entries(OVERRIDDEN));

/** The internal name a call to `name` is routed to, if any. */
export function overrideFor(name: string): string | undefined {
  return byName.get(name);
}
