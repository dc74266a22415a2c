/**
 * The backtest's input: every kline series of the chosen symbols, loaded and validated, and merged into ONE
 * chronological stream of closed candles. A candle is delivered at its close (`closeTime + 1`), never at
 * its open, so a 4h or 1d candle becomes visible only once it is final.
 *
 * Order at equal close time: 1d before 4h before 30m, then by symbol. The 30m candle that closes at 04:00 is
 * also the last piece of the 4h candle closing at 04:00; live, the bot builds that 4h candle from the very
 * same 30m close and analyses with it, so the trigger must see it here too. Higher timeframes first gives
 * the 30m trigger exactly what live had, and nothing from later.
 */

import {
  type KlineColumns,
  type KlineFile,
  listKlineFiles,
  readKlineFile,
  readKlineFileCached,
} from "@signalbot/adapters/csv";
import { MarketDataError, type Timeframe } from "@signalbot/core";
import { Effect } from "effect";

/** One loaded series and the part of it the replay delivers. */
export interface ReplaySeries {
  readonly symbol: string;
  /** Position of the symbol in `ReplayData.symbols`. */
  readonly symbolIndex: number;
  readonly timeframe: Timeframe;
  readonly columns: KlineColumns;
  /** First delivered row: candles before it are warm-up history. */
  readonly warmupStart: number;
  /** First row inside the period. */
  readonly start: number;
  /** One past the last row inside the period. */
  readonly end: number;
}

export interface ReplayData {
  /** Sorted symbol names. */
  readonly symbols: readonly string[];
  /** Sorted by symbol, then 30m, 4h, 1d. */
  readonly series: readonly ReplaySeries[];
  /** Human-readable notes on the data (gaps, symbols without trigger candles...). */
  readonly warnings: readonly string[];
}

export interface ReplayWindow {
  /** Candles closing at or before this instant are history (ms UTC, inclusive); undefined = from the start. */
  readonly from?: number;
  /** Candles closing after this instant are not replayed (ms UTC); undefined = to the end. */
  readonly to?: number;
  /** History kept before `from` per series to warm the indicators up (live warms up 500). */
  readonly warmupCandles: number;
}

/** Index of the first row whose close (`closeTime + 1`) is after `time`. */
const firstClosingAfter = (c: KlineColumns, time: number): number => {
  let lo = 0;
  let hi = c.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c.closeTime[mid]! + 1 <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** The rows of `columns` a window delivers: warm-up history, then the period. */
const rowsOf = (
  columns: KlineColumns,
  window: ReplayWindow,
): Pick<ReplaySeries, "warmupStart" | "start" | "end"> => {
  const end = window.to === undefined ? columns.length : firstClosingAfter(columns, window.to);
  const start = Math.min(end, window.from === undefined ? 0 : firstClosingAfter(columns, window.from));
  return { warmupStart: Math.max(0, start - window.warmupCandles), start, end };
};

/**
 * The same loaded data cut to another window (the columns are shared, nothing is copied): a walk-forward
 * loads the files once and replays many windows of them. Candles closing after `window.to` are not part of
 * the result at all, so nothing a replay of it computes can depend on them.
 */
export const windowOf = (data: ReplayData, window: ReplayWindow): ReplayData => ({
  symbols: data.symbols,
  series: data.series.map((s) => ({ ...s, ...rowsOf(s.columns, window) })),
  warnings: data.warnings,
});

export interface LoadOptions {
  /**
   * Keep a binary copy of each validated file in this folder and read the copy next time (`KlineCache`;
   * the CLI's default is `defaultKlineCacheDir()`); absent: every file is parsed.
   */
  readonly cacheDir?: string;
}

/**
 * Finds and reads the series of `symbols` (all symbols in `dir` when empty) and cuts them to the window.
 * Fails, naming the file and line, on any unreadable or malformed file, and when a requested symbol has no
 * file at all.
 */
export const loadReplay = (
  dir: string,
  symbols: readonly string[],
  window: ReplayWindow,
  options: LoadOptions = {},
): Effect.Effect<ReplayData, MarketDataError> =>
  Effect.gen(function* () {
    const all = yield* listKlineFiles(dir);
    const wanted = symbols.length === 0 ? undefined : new Set(symbols);
    const files: KlineFile[] = all.filter((f) => wanted === undefined || wanted.has(f.symbol));
    const found = [...new Set(files.map((f) => f.symbol))].sort();
    if (wanted !== undefined) {
      const missing = symbols.filter((s) => !found.includes(s));
      if (missing.length > 0) {
        return yield* new MarketDataError({
          reason: "notFound",
          source: dir,
          message: `no kline files for ${missing.join(", ")} in ${dir} (expected <SYMBOL>-30m.csv[.gz] and friends)`,
        });
      }
    }
    if (found.length === 0) {
      return yield* new MarketDataError({
        reason: "notFound",
        source: dir,
        message: `no kline files (<SYMBOL>-<30m|4h|1d>.csv[.gz]) in ${dir}`,
      });
    }
    const warnings: string[] = [];
    const series: ReplaySeries[] = [];
    for (const file of files) {
      const columns = yield* options.cacheDir === undefined
        ? readKlineFile(file)
        : readKlineFileCached(file, options.cacheDir);
      if (columns.missing > 0) {
        const first = columns.gaps[0]!;
        warnings.push(
          `${file.path}: ${columns.missing} missing candle(s) in ${columns.gaps.length} gap(s), first before line ${first.line}`,
        );
      }
      series.push({
        symbol: file.symbol,
        symbolIndex: found.indexOf(file.symbol),
        timeframe: file.timeframe,
        columns,
        ...rowsOf(columns, window),
      });
    }
    for (const symbol of found) {
      const has = (tf: Timeframe) => series.some((s) => s.symbol === symbol && s.timeframe === tf);
      if (!has("30m")) {
        warnings.push(`${symbol}: no 30m file, so no trigger candles: it cannot produce signals`);
        continue;
      }
      for (const tf of ["4h", "1d"] as const) {
        if (!has(tf))
          warnings.push(`${symbol}: no ${tf} file: ${tf} candles are built from its 30m candles, as live`);
      }
    }
    if (series.every((s) => s.start === s.end)) {
      warnings.push("no candles inside the period: check --from and --to against the data");
    }
    return { symbols: found, series, warnings };
  });

const RANK: Readonly<Record<Timeframe, number>> = { "1d": 0, "4h": 1, "30m": 2 };

/**
 * A k-way merge over the series by (close time, timeframe rank, series order): `next()` advances to the
 * next candle and exposes it as (`series`, `row`) without allocating. A binary heap of series indices keyed
 * by a number `closeTime × 3 + rank` keeps each step O(log k).
 */
export class ReplayCursor {
  /** Index into `data.series` of the current candle. */
  series = -1;
  /** Row of the current candle in its series' columns. */
  row = -1;
  private readonly heap: Int32Array;
  private readonly keys: Float64Array;
  private readonly rows: Int32Array;
  // Per series, read on every step: close times, timeframe rank, end row (no object or string lookups).
  private readonly closeTimes: Float64Array[];
  private readonly ranks: Int32Array;
  private readonly ends: Int32Array;
  private size = 0;

  constructor(
    all: readonly ReplaySeries[],
    /** Start each series at its warm-up (true) or at the period start (false). */
    withWarmup = true,
    /** Per series: deliver only its history, none of its period (whose candles the caller only counts). */
    historyOnly?: readonly boolean[],
  ) {
    this.heap = new Int32Array(all.length);
    this.keys = new Float64Array(all.length);
    this.rows = new Int32Array(all.length);
    this.closeTimes = all.map((s) => s.columns.closeTime);
    this.ranks = Int32Array.from(all, (s) => RANK[s.timeframe]);
    this.ends = Int32Array.from(all, (s, k) => (historyOnly?.[k] === true ? s.start : s.end));
    for (let s = 0; s < all.length; s++) {
      const first = withWarmup ? all[s]!.warmupStart : all[s]!.start;
      this.rows[s] = first;
      if (first < this.ends[s]!) {
        this.keys[s] = this.keyOf(s, first);
        this.push(s);
      }
    }
  }

  /** Total candles this cursor will deliver. */
  static count(all: readonly ReplaySeries[], withWarmup = true): number {
    let n = 0;
    for (const s of all) n += s.end - (withWarmup ? s.warmupStart : s.start);
    return n;
  }

  private keyOf(s: number, row: number): number {
    return this.closeTimes[s]![row]! * 3 + this.ranks[s]!;
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private push(s: number): void {
    let i = this.size++;
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(s, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = s;
  }

  private siftDown(s: number): void {
    const heap = this.heap;
    const n = this.size;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(heap[right]!, heap[left]!) ? right : left;
      if (!this.less(heap[child]!, s)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = s;
  }

  /** Moves to the next candle in replay order; false when every series is exhausted. */
  next(): boolean {
    if (this.size === 0) return false;
    const s = this.heap[0]!;
    const row = this.rows[s]!;
    this.series = s;
    this.row = row;
    const nextRow = row + 1;
    this.rows[s] = nextRow;
    if (nextRow < this.ends[s]!) {
      this.keys[s] = this.keyOf(s, nextRow);
      this.siftDown(s);
    } else {
      const last = this.heap[--this.size]!;
      if (this.size > 0) this.siftDown(last);
    }
    return true;
  }
}
