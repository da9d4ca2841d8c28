import { backoffDelay, type BackoffOptions } from './backoff.js';
import { sleep } from '../../core/sleep.js';
import type { KubeClient } from './client.js';
import { KubeApiError, type KubeObject } from './types.js';
import type { WatchEvent } from './watch-lines.js';

export type InformerChange<T extends KubeObject> =
  { type: 'added'; object: T } | { type: 'modified'; object: T; old: T } | { type: 'deleted'; object: T };

export interface InformerOptions<T extends KubeObject> {
  client: Pick<KubeClient, 'list' | 'watch'>;
  /** Collection path, e.g. PATHS.namespaces. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Called for every change to the store, including those a relist discovers. Exceptions are reported. */
  onChange?: (change: InformerChange<T>) => void;
  /** Called for every problem the informer recovers from: skipped events, failed lists/watches. */
  onError?: (err: Error) => void;
  /** List page size (default 500). */
  pageSize?: number;
  /** Per-watch server timeout; default a random 300–600 s so informers do not reconnect together. */
  watchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  maxEventBytes?: number;
  /** Source of jitter (default Math.random); tests pass a fixed one. */
  random?: () => number;
}

export interface Informer<T extends KubeObject> {
  /** True once the first list has filled the store. */
  hasSynced(): boolean;
  /** Resolves true when synced, false when `timeoutMs` passes or the informer stops first. */
  waitForSync(timeoutMs: number): Promise<boolean>;
  /** Snapshot of all objects in the store. */
  list(): T[];
  /** One object; `namespace` is undefined for cluster-scoped kinds. */
  get(namespace: string | undefined, name: string): T | undefined;
  /** The collection version the store reflects (from the last list, event or bookmark). */
  readonly resourceVersion: string | undefined;
  /** The last error met (cleared by nothing: it says why an informer has not synced yet). */
  readonly lastError: Error | undefined;
  /** Ends the watch and the retry loop; resolves when both are gone. */
  stop(): Promise<void>;
}

/** A watch that ends this fast without delivering anything counts as a failure (backoff applies). */
const MIN_HEALTHY_WATCH_MS = 1000;

/**
 * Keeps an in-memory copy of one collection: LIST, then WATCH from the list's resourceVersion. Bookmarks
 * advance the version; a 410 Gone (the version was compacted away) relists and reports the difference as
 * changes; a stream that ends is resumed from the last version; failures retry with capped, jittered
 * backoff. Malformed events are skipped and reported; nothing the server sends can stop the loop.
 */
export function createInformer<T extends KubeObject = KubeObject>(opts: InformerOptions<T>): Informer<T> {
  return new ListWatchInformer(opts);
}

export function objectKey(obj: KubeObject): string | undefined {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const ns = obj.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? `${ns}/${name}` : name;
}

class ListWatchInformer<T extends KubeObject> implements Informer<T> {
  private store = new Map<string, T>();
  private synced = false;
  private rv: string | undefined;
  private error: Error | undefined;
  private readonly abort = new AbortController();
  private readonly waiters = new Set<(synced: boolean) => void>();
  private readonly loop: Promise<void>;

  constructor(private readonly opts: InformerOptions<T>) {
    this.loop = this.run();
  }

  get resourceVersion(): string | undefined {
    return this.rv;
  }

  get lastError(): Error | undefined {
    return this.error;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.abort.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(done);
    });
  }

  list(): T[] {
    return [...this.store.values()];
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const w of [...this.waiters]) w(false);
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const random = this.opts.random ?? Math.random;
    let failures = 0;
    let needList = true;
    while (!this.stopped) {
      const started = Date.now();
      let delivered = 0;
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const timeoutSeconds = this.opts.watchTimeoutSeconds ?? Math.floor(300 + random() * 300);
        const events = this.opts.client.watch<T>(this.opts.path, this.rv ?? '', {
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          maxEventBytes: this.opts.maxEventBytes,
          signal: this.abort.signal,
          onMalformed: (e) => this.report(e),
        });
        for await (const ev of events) {
          if (this.stopped) break;
          if (ev.type === 'ERROR') {
            if (ev.status.code === 410) {
              needList = true; // our resourceVersion was compacted away: only a fresh list is consistent
              break;
            }
            throw new KubeApiError(
              `watch ${this.opts.path}: ${ev.status.message ?? 'ERROR event'}`,
              ev.status.code ?? 0,
              ev.status.reason,
              ev.status,
            );
          }
          delivered++;
          this.apply(ev);
        }
        if (delivered > 0 || Date.now() - started >= MIN_HEALTHY_WATCH_MS) {
          failures = 0;
          continue;
        }
      } catch (e) {
        if (this.stopped) break;
        const err = e instanceof Error ? e : new Error(String(e));
        if (err instanceof KubeApiError && err.status === 410) needList = true;
        else this.report(err);
      }
      // A failure, or a watch that ended at once with nothing (a server closing every stream straight
      // away would otherwise be hammered in a tight loop).
      await sleep(backoffDelay(failures++, this.opts.backoff, random), this.abort.signal);
    }
  }

  private async relist(): Promise<void> {
    const res = await this.opts.client.list<T>(this.opts.path, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      limit: this.opts.pageSize ?? 500,
      signal: this.abort.signal,
    });
    if (this.stopped) return;
    const next = new Map<string, T>();
    for (const item of res.items) {
      const key = objectKey(item);
      if (key === undefined) {
        this.report(new Error(`list ${this.opts.path}: item without metadata.name skipped`));
        continue;
      }
      next.set(key, item);
    }
    const old = this.store;
    this.store = next;
    this.rv = res.resourceVersion;
    // Tell listeners what changed while we were not watching (deletions included), as client-go's Replace.
    for (const [key, obj] of next) {
      const before = old.get(key);
      if (!before) this.emit({ type: 'added', object: obj });
      else if (before.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
        this.emit({ type: 'modified', object: obj, old: before });
      }
    }
    for (const [key, obj] of old) if (!next.has(key)) this.emit({ type: 'deleted', object: obj });
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.waiters]) w(true);
    }
  }

  private apply(ev: Exclude<WatchEvent<T>, { type: 'ERROR' }>): void {
    if (ev.type === 'BOOKMARK') {
      this.rv = ev.resourceVersion;
      return;
    }
    const obj = ev.object;
    const key = objectKey(obj)!; // parseWatchLine guarantees metadata.name
    this.rv = obj.metadata?.resourceVersion ?? this.rv;
    const before = this.store.get(key);
    if (ev.type === 'DELETED') {
      this.store.delete(key);
      this.emit({ type: 'deleted', object: obj });
    } else {
      this.store.set(key, obj);
      this.emit(before ? { type: 'modified', object: obj, old: before } : { type: 'added', object: obj });
    }
  }

  private emit(change: InformerChange<T>): void {
    if (!this.opts.onChange) return;
    try {
      this.opts.onChange(change);
    } catch (e) {
      this.report(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private report(err: Error): void {
    this.error = err;
    try {
      this.opts.onError?.(err);
    } catch {
      // A failing error callback must not take the informer down with it.
    }
  }
}
