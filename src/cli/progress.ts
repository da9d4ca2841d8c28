import type { InventoryProgress } from '../image/inventory.js';

/**
 * A one-line progress display on standard error, only when it is a terminal (never in CI logs or pipes).
 * Returns the callback and a `done` that clears the line.
 */
export function inventoryProgress(what: string): {
  onProgress?: (p: InventoryProgress) => void;
  done: () => void;
} {
  if (!process.stderr.isTTY) return { done: () => {} };
  let last = '';
  const write = (text: string): void => {
    const line = text.slice(0, Math.max(20, (process.stderr.columns ?? 80) - 1));
    process.stderr.write(`\r\x1b[2K${line}`);
    last = line;
  };
  write(`${what}: resolving…`);
  return {
    onProgress: (p) => {
      if (p.phase === 'layer')
        write(
          `${what}: layer ${p.index + 1}/${p.total} ${p.digest.slice(7, 19)}${p.cached ? ' (cached)' : ''}`,
        );
      else write(`${what}: cataloguing ${p.cataloger}`);
    },
    done: () => {
      if (last) process.stderr.write('\r\x1b[2K');
    },
  };
}
