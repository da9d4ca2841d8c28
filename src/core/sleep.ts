/**
 * Resolves after `ms`, or early (never rejecting) when `signal` aborts: loops that wait between attempts
 * (informers, registry watch, webhook retries) stop promptly on shutdown without an AbortError to filter.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
