/**
 * Runs audit passes periodically in the background: the first at once, each next one `intervalMs` after the
 * previous pass ended (passes never overlap, a slow cluster only stretches the period). A failed pass is
 * reported and the loop goes on.
 */
export interface AuditLoopOptions<T> {
  intervalMs: number;
  pass: (signal: AbortSignal) => Promise<T>;
  onPass: (result: T) => void;
  onError: (err: Error) => void;
}

export interface AuditLoop {
  /** Stops scheduling, aborts a running pass and resolves when it has ended. */
  stop(): Promise<void>;
}

export function startAuditLoop<T>(opts: AuditLoopOptions<T>): AuditLoop {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = (): void => {
    running = opts
      .pass(abort.signal)
      .then(
        (r) => {
          if (!abort.signal.aborted) opts.onPass(r);
        },
        (e: unknown) => {
          if (!abort.signal.aborted) opts.onError(e instanceof Error ? e : new Error(String(e)));
        },
      )
      .finally(() => {
        running = undefined;
        if (!abort.signal.aborted) timer = setTimeout(run, opts.intervalMs);
      });
  };
  timer = setTimeout(run, 0);
  return {
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
