/**
 * Counters and gauges for `/metrics`, rendered in the Prometheus text exposition format (version 0.0.4).
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly values: Map<string, { labels: Labels; value: number }>;
}

const labelKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, help: string, type: Family["type"]): Family {
    let f = this.families.get(name);
    if (f === undefined) {
      f = { name, help, type, values: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  /** Declare a metric so it shows (at 0) before its first event. */
  declare(name: string, help: string, type: Family["type"]): void {
    this.family(name, help, type);
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const f = this.family(name, help, "counter");
    const key = labelKey(labels);
    const entry = f.values.get(key);
    if (entry === undefined) f.values.set(key, { labels, value: by });
    else entry.value += by;
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.family(name, help, "gauge").values.set(labelKey(labels), { labels, value });
  }

  get(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelKey(labels))?.value ?? 0;
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      if (f.values.size === 0) out.push(`${f.name} 0`);
      for (const { labels, value } of f.values.values()) {
        const keys = Object.keys(labels).sort();
        const l =
          keys.length === 0 ? "" : `{${keys.map((k) => `${k}="${escapeLabel(labels[k] ?? "")}"`).join(",")}}`;
        out.push(`${f.name}${l} ${Number.isFinite(value) ? value : 0}`);
      }
    }
    return `${out.join("\n")}\n`;
  }
}
