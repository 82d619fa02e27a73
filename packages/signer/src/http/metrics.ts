/** Prometheus text exposition (version 0.0.4), written by hand: counters and one histogram. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Metrics {
  readonly #counters = new Map<string, { help: string; values: Map<string, number> }>();
  readonly #hist = { counts: new Map<string, number[]>(), sums: new Map<string, number>() };

  constructor() {
    this.#def('cairn_signer_requests_total', 'HTTP requests by route, method and status');
    this.#def('cairn_signer_signatures_total', 'Signatures made, by worker and format');
    this.#def('cairn_signer_denials_total', 'Requests denied, by reason code');
  }

  #def(name: string, help: string): void {
    this.#counters.set(name, { help, values: new Map() });
  }

  inc(
    name:
      | 'cairn_signer_requests_total'
      | 'cairn_signer_signatures_total'
      | 'cairn_signer_denials_total',
    labels: Record<string, string>,
  ): void {
    const c = this.#counters.get(name)!;
    const key = labelText(labels);
    c.values.set(key, (c.values.get(key) ?? 0) + 1);
  }

  observe(route: string, seconds: number): void {
    const key = labelText({ route });
    let counts = this.#hist.counts.get(key);
    if (!counts) {
      counts = new Array<number>(BUCKETS.length + 1).fill(0);
      this.#hist.counts.set(key, counts);
    }
    const i = BUCKETS.findIndex((b) => seconds <= b);
    counts[i === -1 ? BUCKETS.length : i]! += 1;
    this.#hist.sums.set(key, (this.#hist.sums.get(key) ?? 0) + seconds);
  }

  render(): string {
    const out: string[] = [];
    for (const [name, c] of this.#counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [k, v] of c.values) out.push(`${name}${k} ${v}`);
    }
    const h = 'cairn_signer_request_duration_seconds';
    out.push(`# HELP ${h} Request latency by route`, `# TYPE ${h} histogram`);
    for (const [key, counts] of this.#hist.counts) {
      const inner = key.slice(1, -1);
      let cum = 0;
      BUCKETS.forEach((b, i) => {
        cum += counts[i]!;
        out.push(`${h}_bucket{${inner},le="${b}"} ${cum}`);
      });
      cum += counts[BUCKETS.length]!;
      out.push(
        `${h}_bucket{${inner},le="+Inf"} ${cum}`,
        `${h}_sum${key} ${this.#hist.sums.get(key) ?? 0}`,
        `${h}_count${key} ${cum}`,
      );
    }
    return out.join('\n') + '\n';
  }
}
