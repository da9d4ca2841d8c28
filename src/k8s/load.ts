import {
  openSync,
  readSync,
  closeSync,
  readdirSync,
  statSync,
  readFileSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { UserError, type ScanWarning } from '../core/errors.js';
import type { Resource } from './resource.js';
import { decodeManifests } from './decode.js';

/** Files larger than this are skipped with a warning instead of being parsed. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** kubeward's own config files sit beside manifests; they are not manifests. */
const CONFIG_FILES = new Set(['.kubeward.yaml', '.kubeward.yml']);
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Directory names never descended into. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform']);

export interface LoadOptions {
  cwd: string;
  /** Content of standard input, when `-` is among the inputs. */
  readStdin?: () => string;
  /**
   * Renders a Helm chart or Kustomize directory; returns undefined when `dir` is neither. `dir` is
   * absolute, `shown` is how the directory is displayed (relative to cwd when inside it).
   */
  render?: (dir: string, shown: string) => RenderedSource | undefined;
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

/**
 * Loads every manifest under the given inputs. Missing inputs, malformed YAML and explicitly named binary
 * files are user errors; files met while walking a directory that are too large or binary are skipped
 * with a warning. Symbolic links inside directories are never followed (no loops, no escaping the tree).
 */
export function loadManifests(inputs: readonly string[], opts: LoadOptions): LoadResult {
  const result: LoadResult = { resources: [], warnings: [], files: 0 };
  for (const input of inputs) {
    if (input === '-') {
      if (!opts.readStdin) throw new UserError('standard input is not available');
      addText(result, opts.readStdin(), '<stdin>', true);
      continue;
    }
    const abs = resolve(opts.cwd, input);
    let st: Stats;
    try {
      st = statSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`path not found: ${input}`);
      if (code === 'ELOOP') throw new UserError(`symbolic link loop: ${input}`);
      throw new UserError(`cannot read ${input}: ${code ?? String(e)}`);
    }
    if (st.isDirectory()) walk(abs, opts, result);
    else if (st.isFile()) addFile(result, abs, displayPath(opts.cwd, abs), st.size, true);
    else throw new UserError(`not a file or directory: ${input}`);
  }
  return result;
}

function walk(dir: string, opts: LoadOptions, result: LoadResult): void {
  const shownDir = displayPath(opts.cwd, dir);
  const rendered = opts.render?.(dir, shownDir);
  if (rendered) {
    for (const part of rendered.parts) addText(result, part.text, part.file, false, part.lineOffset ?? 0);
    result.warnings.push(...(rendered.warnings ?? []));
    return;
  }
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    result.warnings.push({ file: shownDir, message: `skipped: cannot read directory (${code})` });
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(full, opts, result);
    } else if (
      e.isFile() &&
      MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase()) &&
      !CONFIG_FILES.has(e.name)
    ) {
      let size: number;
      try {
        size = statSync(full).size;
      } catch {
        continue; // vanished while walking
      }
      addFile(result, full, displayPath(opts.cwd, full), size, false);
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
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (explicit) throw new UserError(`cannot read file (${code})`, { file: shown });
    result.warnings.push({ file: shown, message: `skipped: cannot read file (${code})` });
    return;
  }
  addText(result, text, shown, explicit);
}

function addText(result: LoadResult, text: string, file: string, explicit: boolean, lineOffset = 0): void {
  if (text.length > MAX_MANIFEST_BYTES || Buffer.byteLength(text) > MAX_MANIFEST_BYTES) {
    result.warnings.push({ file, message: `skipped: input is larger than ${MAX_MANIFEST_BYTES >> 20} MiB` });
    return;
  }
  if (text.includes('\u0000')) {
    // NUL past the first 8 KiB, or in standard input / rendered output.
    if (explicit) throw new UserError('not a text manifest (binary content)', { file });
    result.warnings.push({ file, message: 'skipped: binary file' });
    return;
  }
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
