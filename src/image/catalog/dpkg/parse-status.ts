/** One stanza of a dpkg status database (deb-control(5) syntax). */
export type Stanza = Map<string, string>;

/**
 * Parses RFC 822-style control stanzas separated by blank lines. Continuation lines (starting with a space
 * or tab) extend the previous field. Malformed lines are ignored rather than failing the whole database.
 */
export function parseControlStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza = new Map();
  let lastKey: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur.size) out.push(cur);
      cur = new Map();
      lastKey = undefined;
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && lastKey) {
      cur.set(lastKey, `${cur.get(lastKey) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim();
    cur.set(lastKey, line.slice(colon + 1).trim());
  }
  if (cur.size) out.push(cur);
  return out;
}

/** `Source: name (version)` or `Source: name`; the version defaults to the binary's version. */
export function parseSource(
  field: string | undefined,
  binaryName: string,
  binaryVersion: string,
): { name: string; version: string } {
  if (!field) return { name: binaryName, version: binaryVersion };
  const m = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(field.trim());
  return { name: m?.[1] ?? binaryName, version: m?.[2]?.trim() ?? binaryVersion };
}
