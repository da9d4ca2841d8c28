import type { RegistrySource } from '../config.js';
import { DEFAULT_EVENT_POLICY } from './event-policy.js';
import { rematchIfDbChanged, type DbChangeResult } from './db-change.js';
import { runPass, type PassSummary, type ScanDeps } from './pass.js';
import { scanPushed } from './push-scan.js';
import type { PushQueue } from './push-queue.js';
import { RetryBook } from './retry.js';
import { sleep } from '../../core/sleep.js';

export interface WatchOptions {
  sources: readonly RegistrySource[];
  deps: ScanDeps;
  /** Time between full passes (discovery of every registry). */
  intervalMs: number;
  /** How often the vulnerability database is checked for an update between passes (default 60 s). */
  dbCheckMs?: number;
  /** Pushes reported by registry notifications; scanned as they arrive. */
  pushes?: PushQueue;
  /** After each pass or push-triggered scan. */
  onPass?: (summary: PassSummary, kind: 'pass' | 'push') => void;
  /** After a database update was picked up between passes and every stored inventory re-matched. */
  onRematch?: (change: DbChangeResult) => void;
  /** An unexpected failure of a whole pass (e.g. the store went away): logged, retried after backoff. */
  onError?: (error: Error) => void;
  signal: AbortSignal;
}

/**
 * Runs forever (until `signal` aborts): a full pass every `intervalMs`; in between, pushes from
 * notifications are scanned as they arrive and the vulnerability database is checked every `dbCheckMs`
 * (an update re-matches every stored inventory, pulling nothing). Nothing that fails inside a pass ends the
 * loop: registries and repositories back off, and a pass that throws is retried with backoff too.
 */
export async function watch(opts: WatchOptions): Promise<void> {
  const { signal } = opts;
  const deps: ScanDeps = { ...opts.deps, retry: opts.deps.retry ?? new RetryBook(), signal };
  const dbCheckMs = opts.dbCheckMs ?? 60_000;
  const loopRetry = new RetryBook({ baseMs: Math.min(30_000, opts.intervalMs), maxMs: opts.intervalMs });
  let nextPass = 0;
  let nextDbCheck = 0;
  while (!signal.aborted) {
    const t = Date.now();
    try {
      if (t >= nextPass) {
        nextPass = t + opts.intervalMs;
        nextDbCheck = t + dbCheckMs;
        const summary = await runPass(opts.sources, deps);
        loopRetry.succeed('pass');
        opts.onPass?.(summary, 'pass');
      } else {
        // Between passes: a database update first (cheap to check, and a flood of pushes must not starve
        // it), then whatever pushes arrived.
        if (t >= nextDbCheck) {
          nextDbCheck = t + dbCheckMs;
          const change = await rematchIfDbChanged(
            deps.store,
            deps.vulnDb,
            deps.policy ?? DEFAULT_EVENT_POLICY,
            deps.now?.() ?? new Date(),
            signal,
          );
          if (change.rematched) opts.onRematch?.(change);
          if (change.events.length) deps.onEvents?.(change.events);
        }
        if (opts.pushes && opts.pushes.size > 0) {
          const summary = await scanPushed(opts.sources, opts.pushes.take(), deps);
          opts.onPass?.(summary, 'push');
        }
      }
    } catch (e) {
      if (signal.aborted) break;
      const entry = loopRetry.fail('pass', (e as Error).message, Date.now());
      nextPass = entry.nextAttemptAt;
      opts.onError?.(e instanceof Error ? e : new Error(String(e)));
    }
    const wakeAt = Math.min(nextPass, nextDbCheck);
    const wait = wakeAt - Date.now();
    if (wait > 0) await (opts.pushes ? opts.pushes.wait(wait, signal) : sleep(wait, signal));
  }
}
