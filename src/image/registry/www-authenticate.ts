/** A parsed `WWW-Authenticate` challenge (RFC 7235), as sent by OCI registries. */
export interface AuthChallenge {
  scheme: 'basic' | 'bearer' | string;
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header into challenges. Registries send one Bearer challenge with
 * realm/service/scope (the Docker token flow) or a Basic challenge with a realm. Quoted strings may contain
 * commas and escaped quotes (e.g. scope="repository:a/b:pull,push").
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const n = header.length;
  let current: AuthChallenge | undefined;
  while (i < n) {
    while (i < n && (header[i] === ' ' || header[i] === ',' || header[i] === '\t')) i++;
    const tokenStart = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i] ?? '')) i++;
    const token = header.slice(tokenStart, i);
    if (!token) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && header[j] === ' ') j++;
    if (header[j] === '=') {
      // auth-param: token=value
      j++;
      while (j < n && header[j] === ' ') j++;
      let value = '';
      if (header[j] === '"') {
        j++;
        while (j < n && header[j] !== '"') {
          if (header[j] === '\\' && j + 1 < n) j++;
          value += header[j];
          j++;
        }
        j++; // closing quote
      } else {
        const vs = j;
        while (j < n && header[j] !== ',' && header[j] !== ' ') j++;
        value = header.slice(vs, j);
      }
      i = j;
      if (current) current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}
