import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { normalizeEntryPath } from '../layers/analyze-layer.js';

/** Where one regular file's content sits inside an uncompressed tar archive. */
export interface TarEntryRange {
  offset: number;
  size: number;
}

const BLOCK = 512;
const MAX_ENTRIES = 1_000_000;

/**
 * Indexes an uncompressed tar file (docker save archives, OCI layout tars) by reading only its headers, so
 * layers inside can be streamed by byte range instead of re-reading the archive once per layer. Supports
 * ustar prefixes, GNU long names (`L`) and PAX `path` records; names are normalised and never escape.
 */
export function indexTar(file: string): Map<string, TarEntryRange> {
  const fd = openSync(file, 'r');
  try {
    const total = fstatSync(fd).size;
    const index = new Map<string, TarEntryRange>();
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    let paxPath: string | undefined;
    for (let n = 0; n < MAX_ENTRIES && pos + BLOCK <= total; n++) {
      if (readSync(fd, header, 0, BLOCK, pos) !== BLOCK) break;
      if (header.every((b) => b === 0)) break; // end-of-archive marker
      if (!checksumOk(header)) throw new Error(`not a tar archive (bad header checksum at offset ${pos})`);
      const size = parseNumeric(header.subarray(124, 136));
      const type = String.fromCharCode(header[156] ?? 0);
      const dataStart = pos + BLOCK;
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      if (!Number.isSafeInteger(size) || size < 0 || next > total + BLOCK)
        throw new Error(`tar entry at offset ${pos} runs past the end of the file`);
      if (type === 'L' || type === 'x') {
        if (size > 1024 * 1024) throw new Error('oversized tar extended header');
        const buf = Buffer.alloc(size);
        readSync(fd, buf, 0, size, dataStart);
        if (type === 'L') longName = cString(buf);
        else paxPath = parsePaxPath(buf) ?? paxPath;
      } else {
        const name = paxPath ?? longName ?? ustarName(header);
        longName = paxPath = undefined;
        if (type === '0' || type === '\0' || type === '7') {
          const path = normalizeEntryPath(name);
          if (path) index.set(path, { offset: dataStart, size });
        }
      }
      pos = next;
    }
    return index;
  } finally {
    closeSync(fd);
  }
}

function ustarName(h: Buffer): string {
  const name = cString(h.subarray(0, 100));
  const magic = h.subarray(257, 262).toString('latin1');
  const prefix = magic === 'ustar' ? cString(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z === -1 ? b.length : z).toString('utf8');
}

/** Octal (NUL/space padded) or GNU base-256 for large sizes. */
function parseNumeric(b: Buffer): number {
  if ((b[0] ?? 0) & 0x80) {
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + (b[i] ?? 0);
    return v;
  }
  const s = cString(b).trim();
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  const stored = parseNumeric(h.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
  return sum === stored;
}

function parsePaxPath(buf: Buffer): string | undefined {
  let i = 0;
  let path: string | undefined;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(buf.subarray(i, sp).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = buf.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    i += len;
  }
  return path;
}
