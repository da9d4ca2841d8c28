import { posix } from 'node:path';
import type { LayerAnalysis, LayerFile } from './analyze-layer.js';

export interface ImageFile extends LayerFile {
  /** Index of the layer that provided this version of the file (0 = base). */
  layer: number;
}

const MAX_SYMLINK_HOPS = 40;

/**
 * The filesystem the container sees, restricted to wanted files: layers applied in order, whiteouts and
 * opaque directories hiding lower content. Lookups follow symlinks (bounded, never leaving the root).
 */
export class SquashedFs {
  readonly files = new Map<string, ImageFile>();
  readonly symlinks = new Map<string, { target: string; layer: number }>();
  readonly setuid = new Map<string, { mode: number; layer: number }>();

  /** Applies one more layer on top. */
  apply(layer: LayerAnalysis, index: number): void {
    if (layer.opaque.length || layer.deleted.length) this.hideLower(layer.opaque, layer.deleted);
    for (const [p, f] of layer.files) {
      this.symlinks.delete(p);
      this.files.set(p, { ...f, layer: index });
    }
    for (const [p, target] of layer.symlinks) {
      this.files.delete(p);
      this.symlinks.set(p, { target, layer: index });
    }
    for (const s of layer.setuid) this.setuid.set(s.path, { mode: s.mode, layer: index });
  }

  /** Reads a file by path, following symlinks in any component's final position. */
  get(path: string): ImageFile | undefined {
    let p = path.replace(/^\/+/, '');
    for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
      const f = this.files.get(p);
      if (f) return f;
      const link = this.resolveLink(p);
      if (link === undefined) return undefined;
      p = link;
    }
    return undefined;
  }

  /** Paths of files whose path satisfies `pred` (already-wanted files only). */
  *paths(pred: (p: string) => boolean = () => true): Iterable<string> {
    for (const p of this.files.keys()) if (pred(p)) yield p;
  }

  private resolveLink(p: string): string | undefined {
    // Resolve the longest prefix of `p` that is a symlink.
    const parts = p.split('/');
    for (let i = parts.length; i > 0; i--) {
      const prefix = parts.slice(0, i).join('/');
      const l = this.symlinks.get(prefix);
      if (!l) continue;
      const base = l.target.startsWith('/') ? '' : posix.dirname(prefix);
      const joined = posix.normalize('/' + posix.join(base, l.target, ...parts.slice(i))).replace(/^\/+/, '');
      return joined;
    }
    return undefined;
  }

  /**
   * Hides lower-layer entries under opaque directories (their content, not the directory) and deleted paths
   * (the path and its content) in one pass per map: each key's ancestors are looked up in the two sets, so
   * the cost is entries × depth, not entries × whiteouts.
   */
  private hideLower(opaque: readonly string[], deleted: readonly string[]): void {
    const opaqueSet = new Set(opaque);
    const deletedSet = new Set(deleted);
    const hidden = (k: string): boolean => {
      if (deletedSet.has(k) || opaqueSet.has('')) return true;
      for (let i = k.lastIndexOf('/'); i > 0; i = k.lastIndexOf('/', i - 1)) {
        const dir = k.slice(0, i);
        if (opaqueSet.has(dir) || deletedSet.has(dir)) return true;
      }
      return false;
    };
    for (const map of [this.files, this.symlinks, this.setuid] as Array<Map<string, unknown>>) {
      for (const k of [...map.keys()]) if (hidden(k)) map.delete(k);
    }
  }
}

export function squash(layers: readonly LayerAnalysis[]): SquashedFs {
  const fs = new SquashedFs();
  layers.forEach((l, i) => fs.apply(l, i));
  return fs;
}
