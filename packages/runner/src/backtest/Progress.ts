/**
 * Progress of a long replay on stderr: nothing for runs under a second, then a percentage with an ETA —
 * redrawn in place on a terminal, or one line every few seconds when asked for on a pipe (CI logs).
 * Time and output are injected so tests script them.
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

/** "42.0% · 80,000/190,327 candles · ETA 3s" */
export const progressLine = (done: number, total: number, elapsedMs: number): string => {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const eta = fraction > 0 ? (elapsedMs / fraction) * (1 - fraction) : Number.NaN;
  return (
    `${(fraction * 100).toFixed(1)}% · ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} candles` +
    ` · ETA ${Number.isFinite(eta) ? clock(eta) : "?"}`
  );
};

export const makeProgress = (options: ProgressOptions): Progress => {
  const { total, style, write, now } = options;
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
      const line = `backtest ${progressLine(done, total, t - started)}`;
      write(style === "tty" ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    finish: () => {
      if (!shown) return;
      if (style === "tty") write("\r\x1b[2K");
      else write(`backtest ${progressLine(last, total, now() - started)}\n`);
    },
  };
};
