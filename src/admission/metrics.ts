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
 * Key of a label set, built without JSON.stringify (this runs once per policy per request). Label names and
 * values are separated by NUL and SOH, which never occur in the values exported here (Kubernetes object
 * names, fixed result words). Callers always pass labels in the same key order.
 */
function keyOf(labels: Labels): string {
  let k = '';
  for (const name in labels) k += `${name}\u0000${labels[name] ?? ''}\u0001`;
  return k;
}

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = keyOf(labels);
    const cur = this.values.get(key);
    if (cur) cur.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }

  get(labels: Labels): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values())
      lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; buckets: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.bounds.length; i++)
      if (value <= (this.bounds[i] ?? Infinity)) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  count(labels: Labels): number {
    return this.series.get(keyOf(labels))?.count ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
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
