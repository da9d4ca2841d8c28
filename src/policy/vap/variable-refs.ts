/**
 * Finds `variables.<name>` references in a CEL expression. The CEL engine types `variables` as dyn, so an
 * unknown name would only fail at admission time; upstream's type checker rejects it when the policy is
 * loaded, and so do we (parse.ts). String literals are skipped so `'variables.x'` in a message is no reference.
 */

/** Names used as `variables.<name>` outside string literals. */
export function variableRefs(expression: string): string[] {
  const code = stripStrings(expression);
  const out = new Set<string>();
  for (const m of code.matchAll(/(?<![\w.])variables\s*\.\s*([_a-zA-Z][_a-zA-Z0-9]*)/g))
    out.add(m[1] as string);
  return [...out];
}

/** Replaces the contents of CEL string literals (', ", triple-quoted, raw and bytes forms) with spaces. */
function stripStrings(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '"' || c === "'") {
      const prev = s[i - 1];
      const raw = prev === 'r' || prev === 'R';
      const triple = s.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < s.length && !s.startsWith(quote, j)) {
        if (!raw && s[j] === '\\') j++;
        if (!triple && (s[j] === '\n' || s[j] === '\r')) break;
        j++;
      }
      j = Math.min(s.length, j + quote.length);
      out += ' '.repeat(j - i);
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Whether every use of `variables` is a `variables.<name>` field (no `variables['x']`, no `size(variables)`),
 * so that `variableRefs` lists everything the expression can read from it.
 */
export function variablesOnlyByName(expression: string): boolean {
  const code = stripStrings(expression);
  const uses = code.match(/(?<![\w.])variables(?!\w)/g)?.length ?? 0;
  const named = code.match(/(?<![\w.])variables\s*\.\s*[_a-zA-Z]/g)?.length ?? 0;
  return uses === named;
}
