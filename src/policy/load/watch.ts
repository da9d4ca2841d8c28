/**
 * Reloads a policy directory when it changes. Editors save in bursts (temp file, rename, chmod), so
 * changes are debounced; a broken edit keeps the last good PolicySet (the caller logs the error) — a
 * webhook must never drop to "no policies" because someone saved half a file. A slow poll of file
 * sizes and mtimes backs up fs.watch, which misses events on some filesystems (NFS, ConfigMap symlink swaps).
 */
import { watch, readdirSync, statSync, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PolicySet } from '../engine/policy-set.js';
import { loadPolicySet, type LoadedPolicies, type PolicySourceOptions } from './load-policies.js';

export interface PolicyWatcher {
  close(): void;
  /** Re-reads now (tests, SIGHUP). Resolves once the reload was attempted. */
  reload(): void;
}

export interface WatchOptions extends PolicySourceOptions {
  /** Default 300 ms. */
  debounceMs?: number;
  /** Backstop poll of the tree's sizes/mtimes. Default 5 s; 0 disables. */
  pollMs?: number;
}

/** Sizes and mtimes of everything under `path` (bounded walk; symlinks followed one level, as ConfigMaps use them). */
function fingerprint(path: string): string {
  const parts: string[] = [];
  const walk = (p: string, depth: number): void => {
    if (parts.length > 10_000 || depth > 20) return;
    let st;
    try {
      st = statSync(p);
    } catch {
      parts.push(`${p}:missing`);
      return;
    }
    if (st.isDirectory()) {
      let names: string[] = [];
      try {
        names = readdirSync(p).sort();
      } catch {
        return;
      }
      for (const n of names) if (n !== '.git' && n !== 'node_modules') walk(join(p, n), depth + 1);
    } else parts.push(`${p}:${st.size}:${st.mtimeMs}`);
  };
  walk(path, 0);
  return parts.join('\n');
}

/**
 * Watches `inputs` (files or directories) and calls `onReload` with a freshly built set after each change,
 * or `onError` when the new files do not load (the previous set stays in force).
 */
export function watchPolicies(
  inputs: readonly string[],
  onReload: (set: PolicySet, loaded: LoadedPolicies) => void,
  onError: (err: Error) => void,
  opts: WatchOptions,
): PolicyWatcher {
  const debounceMs = opts.debounceMs ?? 300;
  const pollMs = opts.pollMs ?? 5_000;
  const abs = inputs.map((i) => resolve(opts.cwd, i));
  let last = abs.map(fingerprint).join('\n');
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (): void => {
    timer = undefined;
    if (closed) return;
    last = abs.map(fingerprint).join('\n');
    try {
      const loaded = loadPolicySet(inputs, opts);
      onReload(loaded.set, loaded);
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
    timer.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const p of abs) {
    try {
      const w = watch(p, { recursive: true, persistent: false }, schedule);
      w.on('error', () => {
        // The watched path vanished or the platform gave up: the poll below still notices changes.
      });
      watchers.push(w);
    } catch {
      // Unsupported here: rely on polling.
    }
  }
  const poll =
    pollMs > 0
      ? setInterval(() => {
          // Only start a debounce window, never extend one: a poll shorter than the debounce would
          // otherwise keep pushing the reload back forever.
          if (!timer && abs.map(fingerprint).join('\n') !== last) schedule();
        }, pollMs)
      : undefined;
  poll?.unref();

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      for (const w of watchers) w.close();
    },
    reload,
  };
}
