/** Raised when work that may touch the network did not finish before its absolute deadline. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor(readonly what: string) {
    super(`${what} did not finish within the time budget`);
  }
}

/**
 * Settles with `work`, or rejects with DeadlineExceededError at `deadline` (epoch ms), whichever is first.
 * The work itself is not cancelled (the registry client has its own idle timeouts); its late result is
 * simply not waited for, so an admission request never hangs on a slow registry.
 */
export function withDeadline<T>(work: Promise<T>, deadline: number | undefined, what: string): Promise<T> {
  if (deadline === undefined) return work;
  const left = deadline - Date.now();
  if (left <= 0) {
    work.catch(() => undefined); // the late outcome is dropped, never an unhandled rejection
    return Promise.reject(new DeadlineExceededError(what));
  }
  return new Promise<T>((resolve, reject) => {
    // Not unref'd: the caller is waiting on this promise, so the timer must keep the process alive.
    const timer = setTimeout(() => reject(new DeadlineExceededError(what)), left);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
