/**
 * Serialises write transactions on one SQLite file within this process. better-sqlite3 is synchronous:
 * when a second connection's BEGIN IMMEDIATE waits for the file lock (busy_timeout), it blocks the event
 * loop, so the connection holding the lock can never finish — a deadlock until the timeout. Between
 * processes the busy timeout works as intended; inside one process writers queue here instead.
 */
const tails = new Map<string, Promise<void>>();

export async function withFileLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = prev.then(() => mine);
  tails.set(key, tail);
  await prev;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
