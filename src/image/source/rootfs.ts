import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { FileReducer, FileWanted, LayerAnalysis, LayerFile } from '../layers/analyze-layer.js';

const MAX_FILES = 2_000_000;
const MAX_DEPTH = 64;

/**
 * Reads a plain root filesystem directory as if it were one layer: wanted files are read, symlinks are
 * recorded (never followed on the host), setuid bits noted. Unreadable entries are skipped and reported.
 */
export async function analyzeRootfs(
  root: string,
  wanted: FileWanted,
  reduce?: FileReducer,
  maxFileBytes = 256 * 1024 * 1024,
): Promise<LayerAnalysis> {
  const out: LayerAnalysis = {
    files: new Map(),
    symlinks: new Map(),
    deleted: [],
    opaque: [],
    setuid: [],
    skipped: [],
    entries: 0,
  };
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) {
      out.skipped.push({ path: rel, reason: 'directory nesting too deep' });
      return;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      out.skipped.push({ path: rel || '/', reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
      return;
    }
    for (const name of names) {
      if (++out.entries > MAX_FILES) return;
      const full = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) {
        out.symlinks.set(path, readlinkSync(full));
      } else if (st.isDirectory()) {
        // Virtual filesystems of a live root are not part of an image.
        if (!rel && (name === 'proc' || name === 'sys' || name === 'dev')) continue;
        await walk(full, path, depth + 1);
      } else if (st.isFile()) {
        if (st.mode & 0o6000) out.setuid.push({ path, mode: st.mode & 0o7777 });
        if (!wanted(path, { mode: st.mode, size: st.size })) continue;
        if (st.size > maxFileBytes) {
          out.skipped.push({ path, reason: `larger than ${maxFileBytes} bytes` });
          continue;
        }
        try {
          const raw = readFileSync(full);
          const reduced = reduce ? await reduce(path, raw) : { content: raw };
          const file: LayerFile = { path, content: reduced.content, mode: st.mode & 0o7777, size: st.size };
          if (reduced.extracted !== undefined) file.extracted = reduced.extracted;
          out.files.set(path, file);
        } catch (e) {
          out.skipped.push({ path, reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
        }
      }
    }
  };
  await walk(root, '', 0);
  return out;
}
