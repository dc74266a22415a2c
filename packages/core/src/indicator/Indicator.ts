/**
 * The streaming indicator contract shared by every indicator in this folder (trading-signals style):
 * `add` a closed value, `replace` the forming one; values are `NaN` until the indicator is warmed up.
 */

/** An indicator over one number per bar (usually the close). */
export interface Indicator {
  /** Feeds a new closed value and returns the indicator's value after it (`NaN` until ready). */
  add(value: number): number;
  /**
   * Replaces the last added value (a forming candle updating): `add(a); replace(b)` equals `add(b)`, and
   * `replace(x)` right after `add(x)` changes nothing. Before any `add` it acts as `add`.
   */
  replace(value: number): number;
  /** The current value, `NaN` until `ready`. */
  readonly value: number;
  readonly ready: boolean;
}

/** An indicator over a candle's high, low and close (ATR, ADX). Same `add`/`replace` rules as `Indicator`. */
export interface CandleIndicator {
  add(high: number, low: number, close: number): number;
  replace(high: number, low: number, close: number): number;
  readonly value: number;
  readonly ready: boolean;
}

/** Throws a RangeError unless `n` is a positive integer: a period is a count of bars. */
export const checkPeriod = (name: string, n: number): number => {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${name}: period must be a positive integer, got ${String(n)}`);
  }
  return n;
};

/** Runs a streaming indicator over `values` and returns its outputs aligned with the input. */
export const runIndicator = (indicator: Indicator, values: ArrayLike<number>): number[] => {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = indicator.add(values[i]!);
  return out;
};

/** Runs a candle indicator over parallel high/low/close arrays (which must have the same length). */
export const runCandleIndicator = (
  indicator: CandleIndicator,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): number[] => {
  const n = close.length;
  if (high.length !== n || low.length !== n) {
    throw new RangeError(
      `high, low and close must have the same length, got ${high.length}, ${low.length}, ${n}`,
    );
  }
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = indicator.add(high[i]!, low[i]!, close[i]!);
  return out;
};
