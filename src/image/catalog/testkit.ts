// Test helper for catalogers: a squashed filesystem holding exactly the given files, all in layer 0.
import { SquashedFs } from '../layers/squash.js';

export function fsWith(files: Record<string, string | Buffer>): SquashedFs {
  const fs = new SquashedFs();
  fs.apply(
    {
      files: new Map(
        Object.entries(files).map(([p, c]) => [
          p,
          { path: p, content: Buffer.from(c), mode: 0o644, size: c.length },
        ]),
      ),
      symlinks: new Map(),
      deleted: [],
      opaque: [],
      setuid: [],
      skipped: [],
      entries: 0,
    },
    0,
  );
  return fs;
}
