import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { normalizeEntryPath } from '../layers/analyze-layer.js';
import {
  isZeroBlock,
  MAX_EXTENDED_HEADER_BYTES,
  parseHeaderBlock,
  parsePaxRecords,
  cString,
} from '../layers/tar-header.js';

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
      if (isZeroBlock(header)) break; // end-of-archive marker
      let h;
      try {
        h = parseHeaderBlock(header);
      } catch {
        throw new Error(`not a tar archive (bad header at offset ${pos})`);
      }
      const size = h.size;
      const dataStart = pos + BLOCK;
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      if (next > total + BLOCK) throw new Error(`tar entry at offset ${pos} runs past the end of the file`);
      if (h.type === 'L' || h.type === 'x') {
        if (size > MAX_EXTENDED_HEADER_BYTES) throw new Error('oversized tar extended header');
        const buf = Buffer.alloc(size);
        readSync(fd, buf, 0, size, dataStart);
        if (h.type === 'L') longName = cString(buf);
        else paxPath = parsePaxRecords(buf).get('path') ?? paxPath;
      } else {
        const name = paxPath ?? longName ?? h.name;
        longName = paxPath = undefined;
        if (h.type === '0' || h.type === '\0' || h.type === '7') {
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
