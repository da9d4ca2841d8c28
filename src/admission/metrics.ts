/**
 * A minimal Prometheus text-exposition (format 0.0.4) registry: just the counters and histogram the
 * admission server exports. Hand-rolled to avoid a dependency; names and semantics follow prom-client.
 */

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/**
 * Series by label set, found by walking label names and values through nested maps: no key string is built
 * per call (this runs once per policy per request), and any value is safe, separators included. Callers
 * always pass labels in the same key order.
 */
class SeriesIndex<T> {
  private readonly root = new Map<string, unknown>();
  /** The series without labels. */
  private unlabelled: T | undefined;
  /** Every series, in creation order (the exposition order). */
  readonly all: T[] = [];

  get(labels: Labels): T | undefined {
    let node: unknown = this.root;
    for (const name in labels) {
      node = (node as Map<string, unknown>).get(name);
      if (node === undefined) return undefined;
      node = (node as Map<string, unknown>).get(labels[name] as string);
      if (node === undefined) return undefined;
    }
    return node === this.root ? this.unlabelled : (node as T);
  }

  getOrCreate(labels: Labels, create: () => T): T {
    const found = this.get(labels);
    if (found !== undefined) return found;
    const series = create();
    this.all.push(series);
    const names = Object.keys(labels);
    if (names.length === 0) return (this.unlabelled = series);
    // Walk (creating) name → value maps down to the last label's value map, which holds the series.
    let byValue = this.root;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      let values = byValue.get(name) as Map<string, unknown> | undefined;
      if (!values) byValue.set(name, (values = new Map()));
      const value = labels[name] as string;
      if (i === names.length - 1) {
        values.set(value, series);
        break;
      }
      let next = values.get(value) as Map<string, unknown> | undefined;
      if (!next) values.set(value, (next = new Map()));
      byValue = next;
    }
    return series;
  }
}

class Counter {
  private readonly values = new SeriesIndex<{ labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    this.values.getOrCreate(labels, () => ({ labels: { ...labels }, value: 0 })).value += by;
  }

  get(labels: Labels): number {
    return this.values.get(labels)?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.all)
      lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new SeriesIndex<{
    labels: Labels;
    buckets: number[];
    sum: number;
    count: number;
  }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const s = this.series.getOrCreate(labels, () => ({
      labels: { ...labels },
      buckets: this.bounds.map(() => 0),
      sum: 0,
      count: 0,
    }));
    for (let i = 0; i < this.bounds.length; i++)
      if (value <= (this.bounds[i] ?? Infinity)) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  count(labels: Labels): number {
    return this.series.get(labels)?.count ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.all) {
      // Buckets are cumulative by construction: each observation increments every bucket it fits.
      this.bounds.forEach((b, i) =>
        lines.push(`${this.name}_bucket${labelText(s.labels, ['le', formatNumber(b)])} ${s.buckets[i] ?? 0}`),
      );
      lines.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${formatNumber(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class AdmissionMetrics {
  readonly requestDuration = new Histogram(
    'kubeward_admission_request_duration_seconds',
    'Time to answer an AdmissionReview, by webhook.',
    DURATION_BUCKETS,
  );
  readonly decisions = new Counter(
    'kubeward_admission_decisions_total',
    'Policy results returned by the engine, by policy and result.',
  );
  readonly tlsReloads = new Counter(
    'kubeward_admission_tls_reloads_total',
    'Attempts to reload the serving certificate, by result.',
  );

  private readonly collectors: Array<() => string> = [];

  /** Extra exposition text rendered after the built-ins on every scrape (the background audit's gauges). */
  addCollector(render: () => string): void {
    this.collectors.push(render);
  }

  render(): string {
    const own = `${[this.requestDuration, this.decisions, this.tlsReloads].map((m) => m.render()).join('\n')}\n`;
    return own + this.collectors.map((c) => c()).join('');
  }
}
