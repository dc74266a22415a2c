/**
 * Fast, validating parser for Binance kline CSV files (the data.binance.vision 12-column layout or its
 * 7-column subset, header row optional) into columnar `Float64Array`s: a year of 30m candles for twenty
 * symbols parses in milliseconds, without one object per row.
 */
import { type Candle, TIMEFRAME_MS, type Timeframe } from "@signalbot/core";

/** One file's candles as parallel columns, ascending open time, every row validated. */
export interface KlineColumns {
  /** The file the candles came from (for messages). */
  readonly source: string;
  readonly timeframe: Timeframe;
  readonly length: number;
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly closeTime: Float64Array;
  /** Missing candles between consecutive rows (sum over all gaps). */
  readonly missing: number;
  /** Where the gaps are: the line after each gap and how many candles are missing there. */
  readonly gaps: readonly { readonly line: number; readonly openTime: number; readonly missing: number }[];
}

/** A row that cannot be trusted: the 1-based line and what is wrong with it. */
export interface KlineCsvProblem {
  readonly line: number;
  readonly message: string;
}

export type KlineCsvResult =
  | { readonly _tag: "Parsed"; readonly columns: KlineColumns }
  | { readonly _tag: "Malformed"; readonly problem: KlineCsvProblem };

const COMMA = 44;
const NL = 10;
const CR = 13;
const DOT = 46;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
const decoder = new TextDecoder();

/**
 * Parses the decimal number in `buf[start, end)`. Up to 15 significant digits and 22 decimals this is exact
 * (an integer mantissa divided by an exact power of ten is correctly rounded, like `parseFloat`); anything
 * else (exponents, longer numbers) falls back to `Number`. NaN when the text is not a number.
 */
const parseDecimal = (buf: Uint8Array, start: number, end: number): number => {
  let i = start;
  let negative = false;
  if (i < end && buf[i] === MINUS) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  let sawDigit = false;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c >= ZERO && c <= NINE) {
      sawDigit = true;
      mantissa = mantissa * 10 + (c - ZERO);
      if (mantissa !== 0) digits++;
      if (decimals >= 0) decimals++;
    } else if (c === DOT && decimals < 0) {
      decimals = 0;
    } else {
      return Number(decoder.decode(buf.subarray(start, end)).trim() || "x");
    }
  }
  if (!sawDigit) return Number.NaN;
  if (digits > 15 || decimals > 22) return Number(decoder.decode(buf.subarray(start, end)));
  const value = decimals > 0 ? mantissa / POW10[decimals]! : mantissa;
  return negative ? -value : value;
};

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

/** Column names, for messages. */
const FIELD = ["open_time", "open", "high", "low", "close", "volume", "close_time"] as const;

/**
 * Parses a whole file. Rules (each violation names the line):
 * - 7 or 12 comma-separated columns; a first line that does not start with a digit is a header; blank lines
 *   are skipped; `\r\n` line ends are accepted.
 * - Times are integer milliseconds (microsecond timestamps, as in some Binance archives, are converted);
 *   `close_time = open_time + interval − 1`; open times strictly increase.
 * - Prices are positive, `low ≤ open, close ≤ high`, volume ≥ 0.
 * A jump in open time larger than the interval is a gap: counted, not an error.
 */
export const parseKlineCsv = (bytes: Uint8Array, source: string, timeframe: Timeframe): KlineCsvResult => {
  const intervalMs = TIMEFRAME_MS[timeframe];
  // Upper bound on rows: count newlines once.
  let capacity = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NL) capacity++;
  const openTime = new Float64Array(capacity);
  const open = new Float64Array(capacity);
  const high = new Float64Array(capacity);
  const low = new Float64Array(capacity);
  const close = new Float64Array(capacity);
  const volume = new Float64Array(capacity);
  const closeTime = new Float64Array(capacity);
  const columns = [openTime, open, high, low, close, volume, closeTime];
  const gaps: { line: number; openTime: number; missing: number }[] = [];
  let missing = 0;
  let n = 0;
  let line = 0;
  let pos = 0;
  const len = bytes.length;
  const malformed = (message: string): KlineCsvResult => ({
    _tag: "Malformed",
    problem: { line, message },
  });

  while (pos < len) {
    line++;
    let end = pos;
    while (end < len && bytes[end] !== NL) end++;
    let stop = end;
    if (stop > pos && bytes[stop - 1] === CR) stop--;
    const rowStart = pos;
    pos = end + 1;
    if (stop === rowStart) continue; // blank line
    if (n === 0 && line === 1 && !isDigit(bytes[rowStart])) continue; // header

    // Fields: the first 7 are parsed, the rest only counted.
    let field = 0;
    let fieldStart = rowStart;
    for (let i = rowStart; i <= stop; i++) {
      if (i === stop || bytes[i] === COMMA) {
        if (field < 7) {
          const v = parseDecimal(bytes, fieldStart, i);
          if (Number.isNaN(v)) {
            const text = decoder.decode(bytes.subarray(fieldStart, i));
            return malformed(`${FIELD[field]} is not a number: "${text}"`);
          }
          columns[field]![n] = v;
        }
        field++;
        fieldStart = i + 1;
      }
    }
    if (field !== 7 && field !== 12) return malformed(`expected 7 or 12 columns, found ${field}`);

    let ot = openTime[n]!;
    let ct = closeTime[n]!;
    if (ot > 1e14) {
      // Microsecond timestamps (newer Binance archives).
      ot = Math.floor(ot / 1000);
      ct = Math.floor(ct / 1000);
      openTime[n] = ot;
      closeTime[n] = ct;
    }
    if (!Number.isInteger(ot) || ot < 0) return malformed(`open_time is not a millisecond timestamp: ${ot}`);
    if (ct !== ot + intervalMs - 1) {
      return malformed(`close_time ${ct} is not open_time + ${timeframe} − 1 ms (${ot + intervalMs - 1})`);
    }
    const o = open[n]!;
    const h = high[n]!;
    const l = low[n]!;
    const c = close[n]!;
    if (!(l > 0)) return malformed(`low must be positive, got ${l}`);
    if (!(h >= l && o >= l && o <= h && c >= l && c <= h)) {
      return malformed(`prices are inconsistent (open ${o}, high ${h}, low ${l}, close ${c})`);
    }
    if (!(volume[n]! >= 0)) return malformed(`volume must not be negative, got ${volume[n]}`);
    if (n > 0) {
      const prev = openTime[n - 1]!;
      if (ot <= prev) return malformed(`open_time ${ot} is not after the previous row's ${prev}`);
      const step = ot - prev;
      if (step !== intervalMs) {
        const gap = Math.round(step / intervalMs) - 1;
        if (gap <= 0) return malformed(`open_time ${ot} is not aligned to ${timeframe} after ${prev}`);
        missing += gap;
        gaps.push({ line, openTime: ot, missing: gap });
      }
    }
    n++;
  }

  return {
    _tag: "Parsed",
    columns: {
      source,
      timeframe,
      length: n,
      openTime: openTime.subarray(0, n),
      open: open.subarray(0, n),
      high: high.subarray(0, n),
      low: low.subarray(0, n),
      close: close.subarray(0, n),
      volume: volume.subarray(0, n),
      closeTime: closeTime.subarray(0, n),
      missing,
      gaps,
    },
  };
};

/** The `i`-th candle of `columns` as a `Candle` object (allocates: not for hot loops). */
export const candleAt = (columns: KlineColumns, i: number): Candle => ({
  openTime: columns.openTime[i]!,
  open: columns.open[i]!,
  high: columns.high[i]!,
  low: columns.low[i]!,
  close: columns.close[i]!,
  volume: columns.volume[i]!,
  closeTime: columns.closeTime[i]!,
});

/** Index of the first candle whose open time is ≥ `time` (binary search; `length` when none). */
export const lowerBound = (times: Float64Array, time: number): number => {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
