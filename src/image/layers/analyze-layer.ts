import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { readTar, type ContentSink, type TarEntry, type TarVisitor } from './tar-reader.js';

/** What is known of an entry before its content is read (from the tar header). */
export interface EntryInfo {
  mode: number;
  size: number;
}

/**
 * Decides from the path (and header, e.g. the executable bit) whether a file's content is needed: the
 * cataloger's FileRequired. Called for every entry, so it must be cheap.
 */
export type FileWanted = (path: string, info: EntryInfo) => boolean;

/**
 * Turns a wanted file's bytes into what is kept for it. Binaries (Go, Java archives) are reduced to their
 * extracted metadata while the layer streams, so their content is never held until cataloguing.
 */
export type FileReducer = (
  path: string,
  content: Buffer,
) => { content: Buffer; extracted?: unknown } | Promise<{ content: Buffer; extracted?: unknown }>;

/** A streaming reduction of one file (see `Cataloger.scanner`): fed the content, then asked for the result. */
export interface ContentScanner extends ContentSink {
  /** The extracted metadata, as `FileReducer` would return it for the whole content. */
  result(): unknown;
}

export interface LayerFile {
  path: string;
  content: Buffer;
  mode: number;
  size: number;
  /** Metadata a reducer extracted at layer time (content is then usually empty). */
  extracted?: unknown;
}

/** What one layer contributes, reduced to the files someone asked for plus the structure that matters. */
export interface LayerAnalysis {
  /** Wanted regular files (and hard links resolved within the layer), by normalised path. */
  files: Map<string, LayerFile>;
  /** Symlinks, path → target as written in the archive; kept for every entry since they are cheap. */
  symlinks: Map<string, string>;
  /** Paths deleted by `.wh.<name>` whiteouts (the path and everything under it in lower layers). */
  deleted: string[];
  /** Directories made opaque by `.wh..wh..opq` (their lower-layer content is hidden). */
  opaque: string[];
  /** Regular files with the setuid or setgid bit. */
  setuid: Array<{ path: string; mode: number }>;
  /** Every regular file path in the layer, only when `listAll` was asked for (e.g. Go/Java binaries search). */
  paths?: string[];
  /** Entries skipped: unsafe names, or wanted files above the size bound. */
  skipped: Array<{ path: string; reason: string }>;
  entries: number;
}

export interface AnalyzeOptions {
  wanted: FileWanted;
  reduce?: FileReducer;
  /**
   * Files of which only what `reduce` extracts is kept (their raw bytes are dropped, e.g. binaries searched
   * for Go build info). Their content is read into one buffer reused for every such file of the layer, so it
   * is valid only until `reduce` settles: this saves an allocation per binary, and the full garbage
   * collections that a stream of large short-lived buffers triggers.
   */
  reduceOnly?: (path: string) => boolean;
  /**
   * For a `reduceOnly` file, a scanner that reduces its content as it streams (no copy at all), when the
   * reduction has one; otherwise the file goes through `reduce` as above.
   */
  scanner?: (path: string) => ContentScanner | undefined;
  /** Upper bound for one file read into memory (default 256 MiB). */
  maxFileBytes?: number;
  /** Upper bound on entries in one layer (default 2 million), against tar bombs of empty entries. */
  maxEntries?: number;
}

const WHITEOUT_PREFIX = '.wh.';
/** The content kept for a file only reduced (shared: nobody writes to a zero-length buffer). */
const EMPTY = Buffer.alloc(0);
const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * Normalises a tar entry name to a relative POSIX path inside the root; returns undefined for names that
 * would escape it (`../`), which are never applied.
 */
/** Names that are already clean (`usr/bin/x`, `./usr/bin/x`): no `//`, `/./`, `..`, backslash or trailing `/`. */
const CLEAN_NAME = /^(?:\.\/)?(?!\.{1,2}(?:\/|$))[^/\\]+(?:\/(?!\.{1,2}(?:\/|$))[^/\\]+)*$/;

export function normalizeEntryPath(name: string): string | undefined {
  // Fast path for the common case (every entry of a layer passes here); anything odd takes the full route.
  if (CLEAN_NAME.test(name)) return name.startsWith('./') ? name.slice(2) : name;
  const n = posix
    .normalize('/' + name.replace(/\\/g, '/'))
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
  if (n === '' || n === '.') return '';
  if (n.split('/').includes('..')) return undefined;
  return n;
}

/** Streams one uncompressed layer tar, keeping only what `wanted` asks for. */
export async function analyzeLayer(tar: Readable, opts: AnalyzeOptions): Promise<LayerAnalysis> {
  const maxFile = opts.maxFileBytes ?? 256 * 1024 * 1024;
  const maxEntries = opts.maxEntries ?? 2_000_000;
  const result: LayerAnalysis = {
    files: new Map(),
    symlinks: new Map(),
    deleted: [],
    opaque: [],
    setuid: [],
    skipped: [],
    entries: 0,
  };
  const hardlinks: Array<{ path: string; target: string; mode: number }> = [];
  let scratch = Buffer.alloc(0);
  const scratchView = (n: number): Buffer => {
    if (scratch.length < n)
      scratch = Buffer.allocUnsafeSlow(Math.max(n, Math.min(2 * scratch.length, maxFile)));
    return scratch.subarray(0, n);
  };
  /**
   * Path of the entry whose content is being read, whether its buffer is the transient scratch, and the
   * scanner that receives it instead of a buffer.
   */
  let current: { path: string; transient: boolean; scanner?: ContentScanner } | undefined;

  const visitor: TarVisitor = {
    entry(e: TarEntry): Buffer | ContentScanner | undefined {
      current = undefined;
      if (++result.entries > maxEntries) throw new Error(`layer has more than ${maxEntries} entries`);
      const path = normalizeEntryPath(e.name);
      if (path === undefined) {
        result.skipped.push({ path: e.name, reason: 'path escapes the root' });
        return undefined;
      }
      const slash = path.lastIndexOf('/');
      const base = slash === -1 ? path : path.slice(slash + 1);
      const dir = slash === -1 ? '' : path.slice(0, slash);
      if (base.startsWith(WHITEOUT_PREFIX)) {
        if (base === OPAQUE_MARKER) result.opaque.push(dir);
        else result.deleted.push(posix.join(dir, base.slice(WHITEOUT_PREFIX.length)));
        return undefined;
      }
      const mode = e.mode;
      if (e.type === 'symlink') {
        result.symlinks.set(path, e.linkname);
        return undefined;
      }
      if (e.type === 'link') {
        const target = e.linkname ? normalizeEntryPath(e.linkname) : undefined;
        if (target !== undefined && opts.wanted(path, { mode, size: 0 }))
          hardlinks.push({ path, target, mode });
        return undefined;
      }
      if (e.type !== 'file') return undefined;
      if (mode & 0o6000) result.setuid.push({ path, mode });
      result.paths?.push(path);
      const size = e.size;
      if (!opts.wanted(path, { mode, size })) return undefined;
      if (size > maxFile) {
        result.skipped.push({ path, reason: `larger than ${maxFile} bytes` });
        return undefined;
      }
      // The size is known from the header: the content is copied once into a buffer of that size.
      const transient = opts.reduce !== undefined && opts.reduceOnly?.(path) === true;
      const scanner = transient ? opts.scanner?.(path) : undefined;
      if (scanner) {
        current = { path, transient, scanner };
        return scanner;
      }
      current = { path, transient };
      return transient ? scratchView(size) : Buffer.allocUnsafe(size);
    },
    async content(e: TarEntry, data: Buffer | ContentSink): Promise<void> {
      if (!current) return;
      const { path, transient, scanner } = current;
      if (scanner) {
        const extracted = scanner.result();
        const file: LayerFile = { path, content: EMPTY, mode: e.mode, size: e.size };
        if (extracted !== undefined) file.extracted = extracted;
        result.files.set(path, file);
        return;
      }
      const content = data as Buffer;
      const reduced = opts.reduce ? await opts.reduce(path, content) : { content };
      // A reducer that returned the transient bytes after all gets its own copy of them.
      const kept = transient && reduced.content.buffer === scratch.buffer;
      const file: LayerFile = {
        path,
        content: kept ? Buffer.from(reduced.content) : reduced.content,
        mode: e.mode,
        size: e.size,
      };
      if (reduced.extracted !== undefined) file.extracted = reduced.extracted;
      result.files.set(path, file);
    },
  };
  await readTar(tar, visitor);
  for (const h of hardlinks) {
    const t = result.files.get(h.target);
    if (t) result.files.set(h.path, { ...t, path: h.path, mode: h.mode });
  }
  return result;
}
