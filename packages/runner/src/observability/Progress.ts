/**
 * Progress of long work (a replay, a download) on stderr: nothing for runs under a second, then a
 * percentage with an ETA — redrawn in place on a terminal (with a bar when asked), or one line every few
 * seconds when asked for on a pipe (CI logs). Time and output are injected so tests script them.
 */

export interface ProgressOptions {
  readonly total: number;
  /** "tty": redraw one line; "lines": a line per interval; "off": silent. */
  readonly style: "tty" | "lines" | "off";
  readonly write: (text: string) => void;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Quiet period before the first report (default 1000 ms). */
  readonly delayMs?: number;
  /** Between reports (default 200 ms on a terminal, 5000 ms for lines). */
  readonly intervalMs?: number;
  /** What is working, first on the line (default "backtest"). */
  readonly label?: string;
  /** What `done` counts (default "candles"). */
  readonly unit?: string;
  /** Draw a bar of this many characters before the percentage (default none). */
  readonly barWidth?: number;
  /** Extra text after the ETA, e.g. the file being written (read at each report). */
  readonly detail?: () => string;
}

export interface Progress {
  /** Cheap: call as often as you like; reports at most once per interval. */
  readonly update: (done: number) => void;
  /** Clears the progress line (terminal) or writes a final line (lines), if anything was shown. */
  readonly finish: () => void;
}

const clock = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
};

/** "42.0% · 80,000/190,327 candles · ETA 3s" (with `barWidth`: "[████░░░░░░] 42.0% · ..."). */
export const progressLine = (
  done: number,
  total: number,
  elapsedMs: number,
  unit = "candles",
  barWidth = 0,
): string => {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const eta = fraction > 0 ? (elapsedMs / fraction) * (1 - fraction) : Number.NaN;
  const filled = Math.round(fraction * barWidth);
  const bar = barWidth > 0 ? `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ` : "";
  return (
    `${bar}${(fraction * 100).toFixed(1)}% · ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${unit}` +
    ` · ETA ${Number.isFinite(eta) ? clock(eta) : "?"}`
  );
};

export const makeProgress = (options: ProgressOptions): Progress => {
  const { total, style, write, now } = options;
  const label = options.label ?? "backtest";
  const unit = options.unit ?? "candles";
  const line = (done: number, elapsed: number) => {
    const detail = options.detail?.() ?? "";
    return `${label} ${progressLine(done, total, elapsed, unit, options.barWidth ?? 0)}${detail === "" ? "" : ` · ${detail}`}`;
  };
  if (style === "off") return { update: () => {}, finish: () => {} };
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? (style === "tty" ? 200 : 5000);
  const started = now();
  let nextAt = started + delay;
  let shown = false;
  let last = 0;
  return {
    update: (done) => {
      last = done;
      const t = now();
      if (t < nextAt) return;
      nextAt = t + interval;
      shown = true;
      const text = line(done, t - started);
      write(style === "tty" ? `\r\x1b[2K${text}` : `${text}\n`);
    },
    finish: () => {
      if (!shown) return;
      if (style === "tty") write("\r\x1b[2K");
      else write(`${line(last, now() - started)}\n`);
    },
  };
};
