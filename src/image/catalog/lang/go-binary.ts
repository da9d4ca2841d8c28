import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, langPackage } from './common.js';

/** `\xff Go buildinf:` — the header of the .go.buildinfo section (Go >= 1.13). */
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Bounds: only executables of plausible size are read. */
const MIN_SIZE = 4 * 1024;
const MAX_SIZE = 512 * 1024 * 1024;

export interface GoBuildInfo {
  goVersion: string;
  mainPath?: string;
  mainVersion?: string;
  deps: Array<{ path: string; version: string }>;
  /** Set when the binary predates Go 1.18's inline format (pointer-based; not decoded). */
  legacy?: boolean;
}

/** Alignment of the header in the file (the linker aligns the section; Go's reader checks it too). */
const ALIGN = 16;
const HEADER_BYTES = 32;
/** Longest string read from the header: more is hostile (real modinfo is a few kilobytes). */
const MAX_STRING = 16 * 1024 * 1024;

/**
 * Reads the build information embedded by the Go linker. Go 1.18+ stores the Go version and module info
 * inline as varint-prefixed strings right after the 32-byte header (flag bit 2); the modinfo text has
 * 16-byte sentinels around it and `path`, `mod`, `dep` and `=>` (replacement) lines.
 */
export function parseGoBuildInfo(bin: Buffer): GoBuildInfo | undefined {
  let at = bin.indexOf(MAGIC);
  while (at !== -1 && at % ALIGN !== 0) at = bin.indexOf(MAGIC, at + 1);
  return at === -1 ? undefined : parseHeaderAt(bin.subarray(at));
}

/**
 * The same as {@link parseGoBuildInfo}, fed a file's content chunk by chunk (a layer's tar stream), so a
 * binary is never copied whole: only 16-byte-aligned offsets are compared with the header's first byte,
 * and from the header on only the bytes {@link parseHeaderAt} reads are kept.
 */
export class GoBuildInfoScanner {
  /** File offset of the next byte written. */
  private offset = 0;
  /** Bytes of the magic matched so far at a candidate that began in an earlier write. */
  private pending = 0;
  /** From the header on: the kept bytes, and how many are needed (undefined until the lengths are known). */
  private parts: Buffer[] | undefined;
  private kept = 0;
  private needed: number | undefined;
  private checkpoint = HEADER_BYTES;
  private done = false;

  write(chunk: Buffer, start: number, end: number): void {
    if (this.done) return;
    const base = this.offset - start; // file offset of chunk[0]
    this.offset += end - start;
    if (this.parts) return this.keep(chunk, start, end);
    let i = start;
    if (this.pending > 0) {
      // A candidate that began in an earlier write: compare what this write adds.
      while (this.pending < MAGIC.length && i < end && chunk[i] === MAGIC[this.pending]) {
        this.pending++;
        i++;
      }
      if (this.pending === MAGIC.length) {
        this.pending = 0;
        this.parts = [MAGIC];
        this.kept = MAGIC.length;
        return this.keep(chunk, i, end);
      }
      if (i < end)
        this.pending = 0; // mismatch (otherwise the write ended mid-candidate: keep waiting)
      else return;
    }
    // First aligned file offset at or after chunk[start].
    for (let p = start + ((ALIGN - ((base + start) % ALIGN)) % ALIGN); p < end; p += ALIGN) {
      if (chunk[p] !== 0xff) continue;
      let k = 1;
      while (k < MAGIC.length && p + k < end && chunk[p + k] === MAGIC[k]) k++;
      if (k === MAGIC.length) {
        this.parts = [];
        return this.keep(chunk, p, end);
      }
      if (p + k === end) {
        this.pending = k; // the chunk ended inside a possible header
        return;
      }
    }
  }

  /** What {@link parseGoBuildInfo} would return for the whole content. Call once the content has ended. */
  result(): GoBuildInfo | undefined {
    if (!this.parts) return undefined;
    return parseHeaderAt(Buffer.concat(this.parts, this.kept));
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    const parts = this.parts as Buffer[];
    const take = this.needed === undefined ? end - start : Math.min(end - start, this.needed - this.kept);
    if (take > 0) {
      parts.push(Buffer.from(chunk.subarray(start, start + take)));
      this.kept += take;
    }
    // Until the string lengths are known, look again only once enough is kept to learn more (a hostile
    // first length of megabytes must not make every write re-join what is kept).
    while (this.needed === undefined && this.kept >= this.checkpoint) {
      const n = headerLength(Buffer.concat(parts, this.kept));
      if ('atLeast' in n) this.checkpoint = n.atLeast;
      else {
        this.needed = n.exact;
        if (this.kept > n.exact) {
          this.parts = [Buffer.concat(parts, this.kept).subarray(0, n.exact)];
          this.kept = n.exact;
        }
      }
    }
    if (this.needed !== undefined && this.kept >= this.needed) this.done = true;
  }
}

/** A varint as the header's strings are prefixed (read exactly as {@link parseHeaderAt} reads it). */
function readVarint(bin: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    const b = bin[pos++];
    if (b === undefined) return undefined;
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  return { value, next: pos };
}

/**
 * How many bytes from the header's start {@link parseHeaderAt} reads (`exact`), or how many `bin` must
 * hold before that can be told (`atLeast`, more than it holds now).
 */
function headerLength(bin: Buffer): { exact: number } | { atLeast: number } {
  if (bin.length < HEADER_BYTES) return { atLeast: HEADER_BYTES };
  if (((bin[15] ?? 0) & 0x2) === 0) return { exact: HEADER_BYTES };
  let pos = HEADER_BYTES;
  for (let s = 0; s < 2; s++) {
    const v = readVarint(bin, pos);
    if (!v) return { atLeast: bin.length + 1 };
    // An impossible length ends the parse there, whatever follows.
    if (v.value < 0 || v.value > MAX_STRING) return { exact: v.next };
    pos = v.next + v.value;
    if (s === 0 && bin.length <= pos) return { atLeast: pos + 1 };
  }
  return { exact: pos };
}

/** Decodes the build information whose 32-byte header starts at `bin[0]`. */
function parseHeaderAt(bin: Buffer): GoBuildInfo | undefined {
  if (HEADER_BYTES > bin.length) return undefined;
  const flags = bin[15] ?? 0;
  if ((flags & 0x2) === 0) return { goVersion: '', deps: [], legacy: true };
  let pos = HEADER_BYTES;
  const readString = (): string | undefined => {
    const v = readVarint(bin, pos);
    if (!v) return undefined;
    const len = v.value;
    pos = v.next;
    if (len < 0 || pos + len > bin.length || len > MAX_STRING) return undefined;
    const s = bin.toString('utf8', pos, pos + len);
    pos += len;
    return s;
  };
  const goVersion = readString();
  const modinfo = readString();
  if (goVersion === undefined) return undefined;
  const info: GoBuildInfo = { goVersion, deps: [] };
  // Strip the 16-byte sentinels when present.
  const text =
    modinfo && modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n'
      ? modinfo.slice(16, -16)
      : (modinfo ?? '');
  let last: { path: string; version: string } | undefined;
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'path') info.mainPath = f[1];
    else if (f[0] === 'mod') {
      info.mainPath = f[1] ?? info.mainPath;
      if (f[2]) info.mainVersion = f[2];
    } else if (f[0] === 'dep' && f[1] && f[2]) {
      last = { path: f[1], version: f[2] };
      info.deps.push(last);
    } else if (f[0] === '=>' && last && f[1]) {
      // A replacement: the code built is the replacement module at its version. A local directory
      // replacement (`=> ../lib (devel)`) has no module version, so the dependency cannot be matched.
      if (f[1].startsWith('.') || f[1].startsWith('/') || !f[2] || f[2] === '(devel)') {
        info.deps.pop();
      } else {
        last.path = f[1];
        last.version = f[2];
      }
      last = undefined;
    }
  }
  return info;
}

/** Go modules and the Go standard library version compiled into binaries. */
export const goBinaryCataloger: Cataloger = {
  name: 'go-binary',
  wants: (_p, info) => (info.mode & 0o111) !== 0 && info.size >= MIN_SIZE && info.size <= MAX_SIZE,
  reduce: (_p, content) => parseGoBuildInfo(content),
  scanner: () => new GoBuildInfoScanner(),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths()) {
      const f = fs.get(path);
      const info = f?.extracted as GoBuildInfo | undefined;
      if (!f || !info || typeof info !== 'object' || !('deps' in info)) continue;
      if (info.legacy) {
        notes.push(`${path}: Go binary built before Go 1.18; its module list is not analysed`);
        continue;
      }
      const std = info.goVersion.replace(/^go/, '').split(' ')[0];
      const add = (mod: string, version: string): void => {
        // Build info is attacker-controlled: one unparsable entry is noted, the rest still count.
        try {
          packages.push(goPackage(mod, version, path, f.layer));
        } catch {
          notes.push(
            `${path}: module ${mod.slice(0, 100)}@${version.slice(0, 40)} is not a valid module version`,
          );
        }
      };
      if (std) add('stdlib', std);
      if (info.mainPath && info.mainVersion && info.mainVersion !== '(devel)')
        add(info.mainPath, info.mainVersion);
      for (const d of info.deps) add(d.path, d.version);
    }
    const legacy = notes.some((n) => n.includes('before Go 1.18'));
    return { packages: dedupe(packages), status: legacy ? 'not-analysed' : 'ok', notes };
  },
};

/** OSV's Go ecosystem uses versions without the `v`; the purl keeps Go's own `v1.2.3` form. */
function goPackage(modulePath: string, version: string, location: string, layer: number): Package {
  const slash = modulePath.lastIndexOf('/');
  const p = langPackage(
    'golang',
    'Go',
    slash === -1 ? modulePath : modulePath.slice(slash + 1),
    version.startsWith('v') || modulePath === 'stdlib' ? version : `v${version}`,
    location,
    layer,
    slash === -1 ? undefined : modulePath.slice(0, slash),
  );
  p.name = modulePath;
  p.version = version.replace(/^v/, '');
  return p;
}
