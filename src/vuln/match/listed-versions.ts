/**
 * An affected entry's explicit `versions` list as stored: `\n`-joined with a `\n` at both ends, so a
 * membership test is one substring search and needs neither JSON.parse nor a Set (PyPI entries list
 * hundreds of versions, and most are never looked at). A list holding a version with a newline in it is
 * stored as JSON instead; it starts with `[` and is parsed when used.
 */
export function encodeVersionList(versions: readonly string[]): string | null {
  if (!versions.length) return null;
  if (versions.some((v) => v.includes('\n'))) return JSON.stringify(versions);
  return `\n${versions.join('\n')}\n`;
}

/** Whether the encoded list holds exactly `v`. */
export function listedHas(encoded: string | null, v: string): boolean {
  if (encoded === null) return false;
  if (encoded.charCodeAt(0) === 10) return !v.includes('\n') && encoded.includes(`\n${v}\n`);
  return (JSON.parse(encoded) as string[]).includes(v);
}

/** The listed versions in record order. */
export function listedItems(encoded: string | null): string[] {
  if (encoded === null) return [];
  if (encoded.charCodeAt(0) === 10) return encoded.slice(1, -1).split('\n');
  return JSON.parse(encoded) as string[];
}
