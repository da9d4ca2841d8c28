import { openSync, readSync, closeSync, readdirSync, statSync, readFileSync, existsSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { UserError, type ScanWarning } from '../core/errors.js';
import type { Resource } from './resource.js';
import { decodeManifests } from './decode.js';

/** Files larger than this are skipped with a warning instead of being parsed. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Directory names never descended into. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform']);

export interface LoadOptions {
  cwd: string;
  /** Content of standard input, when `-` is among the inputs. */
  readStdin?: () => string;
  /** Renders a Helm chart or Kustomize directory; returns undefined when `dir` is neither. */
  render?: (dir: string) => RenderedSource | undefined;
}

export interface RenderedSource {
  /** Rendered multi-document YAML, split into parts attributed to a source file. */
  parts: Array<{ file: string; text: string; lineOffset?: number }>;
  warnings?: ScanWarning[];
}

export interface LoadResult {
  resources: Resource[];
  warnings: ScanWarning[];
  files: number;
}

/** Loads every manifest under the given inputs. Missing inputs are user errors; bad files are warnings. */
export function loadManifests(inputs: readonly string[], opts: LoadOptions): LoadResult {
  const result: LoadResult = { resources: [], warnings: [], files: 0 };
  for (const input of inputs) {
    if (input === '-') {
      if (!opts.readStdin) throw new UserError('standard input is not available');
      addText(result, opts.readStdin(), '<stdin>');
      continue;
    }
    const abs = resolve(opts.cwd, input);
    if (!existsSync(abs)) throw new UserError(`path not found: ${input}`);
    const st = statSync(abs);
    if (st.isDirectory()) walk(abs, opts, result);
    else addFile(result, abs, displayPath(opts.cwd, abs), st.size, true);
  }
  return result;
}

function walk(dir: string, opts: LoadOptions, result: LoadResult): void {
  const rendered = opts.render?.(dir);
  if (rendered) {
    for (const part of rendered.parts) addText(result, part.text, part.file, part.lineOffset ?? 0);
    result.warnings.push(...(rendered.warnings ?? []));
    return;
  }
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(full, opts, result);
    } else if (e.isFile() && MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase())) {
      addFile(result, full, displayPath(opts.cwd, full), statSync(full).size, false);
    }
    // Symlinks are not followed: a link out of the scanned tree (or a loop) must not be read.
  }
}

function addFile(result: LoadResult, abs: string, shown: string, size: number, explicit: boolean): void {
  if (size > MAX_MANIFEST_BYTES) {
    result.warnings.push({
      file: shown,
      message: `skipped: file is larger than ${MAX_MANIFEST_BYTES >> 20} MiB`,
    });
    return;
  }
  if (isBinary(abs)) {
    const message = 'skipped: binary file';
    if (explicit) throw new UserError('not a text manifest (binary content)', { file: shown });
    result.warnings.push({ file: shown, message });
    return;
  }
  addText(result, readFileSync(abs, 'utf8'), shown);
}

function addText(result: LoadResult, text: string, file: string, lineOffset = 0): void {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) {
    result.warnings.push({ file, message: `skipped: input is larger than ${MAX_MANIFEST_BYTES >> 20} MiB` });
    return;
  }
  if (text.includes('\u0000')) throw new UserError('not a text manifest (binary content)', { file });
  const decoded = decodeManifests(text, file, lineOffset);
  result.files++;
  result.resources.push(...decoded.resources);
  result.warnings.push(...decoded.warnings);
}

/** NUL bytes in the first 8 KiB mark a file as binary, as git does. */
function isBinary(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).includes(0);
  } finally {
    closeSync(fd);
  }
}

function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}
