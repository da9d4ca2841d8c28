/**
 * Decoding of tar header blocks (POSIX ustar, GNU and PAX extensions), shared by the streaming layer reader
 * (`tar-reader.ts`) and the index of docker-save/OCI archives (`source/tar-index.ts`). Every field is
 * bounded by the 512-byte block; numbers that do not parse are errors, never NaN sizes.
 */

export const TAR_BLOCK = 512;

/** Extended headers (PAX `x`/`g`, GNU `L`/`K`) above this size are refused: real ones are a few hundred bytes. */
export const MAX_EXTENDED_HEADER_BYTES = 1024 * 1024;

/** One header block, decoded. `type` is the raw typeflag character (`'0'`, `'5'`, `'x'`, `'L'`...). */
export interface RawTarHeader {
  name: string;
  type: string;
  mode: number;
  size: number;
  linkname: string;
}

/** Entry kinds the layer reader distinguishes; everything else (devices, fifos, directories) is `other`. */
export type TarEntryType = 'file' | 'link' | 'symlink' | 'directory' | 'other';

export function entryType(typeflag: string): TarEntryType {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7': // contiguous file: a regular file everywhere that matters
      return 'file';
    case '1':
      return 'link';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}

/** A NUL-terminated string field, decoded as UTF-8 (what tar writers use for names today). */
export function cString(b: Uint8Array, start = 0, end = b.length): string {
  const buf = Buffer.from(b.buffer, b.byteOffset + start, end - start);
  const z = buf.indexOf(0);
  return buf.toString('utf8', 0, z === -1 ? buf.length : z);
}

/**
 * A numeric field: octal, NUL/space padded, or GNU base-256 (high bit set) for sizes of 8 GiB and more.
 * Returns -1 when the field is not a number, so callers can reject the header.
 */
export function parseNumeric(b: Uint8Array, start: number, end: number): number {
  if ((b[start] ?? 0) & 0x80) {
    let v = 0;
    for (let i = start + 1; i < end; i++) v = v * 256 + (b[i] ?? 0);
    return Number.isSafeInteger(v) ? v : -1;
  }
  let v = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] ?? 0;
    if (c === 0) break;
    if (c === 0x20) {
      if (digits > 0) break; // trailing space ends the number; leading spaces are padding
      continue;
    }
    if (c < 0x30 || c > 0x37) return -1;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  return v;
}

/** True when every byte of the block is zero (the end-of-archive marker is two of these). */
export function isZeroBlock(b: Uint8Array, start = 0): boolean {
  for (let i = start; i < start + TAR_BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** The header checksum: the unsigned sum with the checksum field as spaces (old writers used signed bytes). */
export function checksumOk(b: Uint8Array, start = 0): boolean {
  const stored = parseNumeric(b, start + 148, start + 156);
  if (stored < 0) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : (b[start + i] ?? 0);
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return stored === unsigned || stored === signed;
}

/**
 * Decodes one header block at `start`; throws on a bad checksum or an unparsable size. The name includes
 * the ustar prefix (POSIX `ustar\0` only: GNU tar stores other data there).
 */
export function parseHeaderBlock(b: Uint8Array, start = 0): RawTarHeader {
  if (!checksumOk(b, start)) throw new Error('invalid tar header (bad checksum)');
  const size = parseNumeric(b, start + 124, start + 136);
  if (size < 0) throw new Error('invalid tar header (bad size field)');
  const mode = parseNumeric(b, start + 100, start + 108);
  const name = cString(b, start, start + 100);
  const posix =
    b[start + 257] === 0x75 && // u
    b[start + 262] === 0 &&
    cString(b, start + 257, start + 262) === 'ustar';
  const prefix = posix ? cString(b, start + 345, start + 500) : '';
  return {
    name: prefix ? `${prefix}/${name}` : name,
    type: String.fromCharCode(b[start + 156] ?? 0),
    mode: mode < 0 ? 0 : mode,
    size,
    linkname: cString(b, start + 157, start + 257),
  };
}

/** PAX extended header records (`<len> <key>=<value>\n`); malformed records end the parse. */
export function parsePaxRecords(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    if (sp === -1 || sp - i > 20) break;
    const len = parseInt(buf.toString('latin1', i, sp), 10);
    if (!Number.isSafeInteger(len) || len <= sp - i + 1 || i + len > buf.length) break;
    const record = buf.toString('utf8', sp + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}
