import type { RegistryEvent } from './event.js';

/** Where events go: stdout as JSON lines, a generic JSON webhook, a Slack incoming webhook. */
export interface EventSink {
  readonly name: string;
  /**
   * Delivers a batch. May throw: the bus counts the failure and moves on (a sink never crashes the loop).
   * `signal` aborts when the bus gives up waiting (the deadline of a flush).
   */
  deliver(events: readonly RegistryEvent[], signal: AbortSignal): Promise<void>;
}

export interface EventBusOptions {
  /** Events waiting per sink; beyond it the oldest are dropped (and counted), so memory stays bounded. */
  maxQueue?: number;
  /** Events handed to a sink at once. */
  batchSize?: number;
  /** Told about every failed delivery (the CLI logs it to stderr). */
  onError?: (sink: string, error: Error) => void;
}

export interface SinkStats {
  delivered: number;
  failed: number;
  dropped: number;
}

interface Lane {
  sink: EventSink;
  queue: RegistryEvent[];
  running: Promise<void> | undefined;
  stats: SinkStats;
}

/**
 * Fans events out to sinks. `emit` only queues and returns at once, so a slow or dead webhook never holds up
 * scanning; each sink drains its own queue in the background, one batch at a time.
 */
export class EventBus {
  private readonly lanes: Lane[];
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly abort = new AbortController();

  constructor(
    sinks: readonly EventSink[],
    private readonly opts: EventBusOptions = {},
  ) {
    this.maxQueue = opts.maxQueue ?? 10_000;
    this.batchSize = opts.batchSize ?? 50;
    this.lanes = sinks.map((sink) => ({
      sink,
      queue: [],
      running: undefined,
      stats: { delivered: 0, failed: 0, dropped: 0 },
    }));
  }

  emit(events: RegistryEvent | readonly RegistryEvent[]): void {
    const list = Array.isArray(events) ? (events as readonly RegistryEvent[]) : [events as RegistryEvent];
    if (list.length === 0) return;
    for (const lane of this.lanes) {
      lane.queue.push(...list);
      const over = lane.queue.length - this.maxQueue;
      if (over > 0) {
        lane.queue.splice(0, over);
        lane.stats.dropped += over;
      }
      lane.running ??= this.drain(lane);
    }
  }

  stats(): Record<string, SinkStats> {
    return Object.fromEntries(this.lanes.map((l) => [l.sink.name, { ...l.stats }]));
  }

  /** Waits until every queue is empty, or `timeoutMs` passed; then pending deliveries are aborted. */
  async flush(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    const idle = (async (): Promise<void> => {
      for (;;) {
        const running = this.lanes.map((l) => l.running).filter((p): p is Promise<void> => !!p);
        if (running.length === 0) return;
        await Promise.all(running);
      }
    })();
    await Promise.race([idle, deadline]);
    clearTimeout(timer);
    this.abort.abort();
  }

  private async drain(lane: Lane): Promise<void> {
    try {
      while (lane.queue.length > 0 && !this.abort.signal.aborted) {
        const batch = lane.queue.splice(0, this.batchSize);
        try {
          await lane.sink.deliver(batch, this.abort.signal);
          lane.stats.delivered += batch.length;
        } catch (e) {
          lane.stats.failed += batch.length;
          this.opts.onError?.(lane.sink.name, e instanceof Error ? e : new Error(String(e)));
        }
      }
    } finally {
      lane.running = undefined;
    }
  }
}
