/**
 * Average true range with Wilder smoothing, as TA-Lib computes it: the first bar has no true range; the first
 * ATR (after n + 1 bars) is the mean of the first `n` true ranges, then `atr = (atr · (n − 1) + tr) / n`.
 * @see https://ta-lib.org/functions/atr/
 */
import { type CandleIndicator, checkPeriod, runCandleIndicator } from "./Indicator.ts";

/** True range of a bar given the previous close: the largest of high − low, |high − prevClose|, |low − prevClose|. */
export const trueRange = (high: number, low: number, prevClose: number): number => {
  let tr = high - low;
  const up = Math.abs(high - prevClose);
  if (up > tr) tr = up;
  const down = Math.abs(low - prevClose);
  if (down > tr) tr = down;
  return tr;
};

export class Atr implements CandleIndicator {
  readonly period: number;
  private count = 0;
  private prevClose = 0;
  /** Sum of true ranges during warm-up, then the ATR. */
  private state = 0;
  private savedPrevClose = 0;
  private savedState = 0;
  private current = Number.NaN;

  constructor(n: number) {
    this.period = checkPeriod("Atr", n);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count > this.period;
  }

  add(high: number, low: number, close: number): number {
    this.savedPrevClose = this.prevClose;
    this.savedState = this.state;
    this.count++;
    return this.step(high, low, close);
  }

  replace(high: number, low: number, close: number): number {
    if (this.count === 0) return this.add(high, low, close);
    this.prevClose = this.savedPrevClose;
    this.state = this.savedState;
    return this.step(high, low, close);
  }

  private step(high: number, low: number, close: number): number {
    const n = this.period;
    const count = this.count;
    const prevClose = this.prevClose;
    this.prevClose = close;
    if (count === 1) {
      this.current = Number.NaN;
      return this.current;
    }
    const tr = trueRange(high, low, prevClose);
    if (count <= n) {
      this.state += tr;
      this.current = Number.NaN;
    } else if (count === n + 1) {
      this.state = (this.state + tr) / n;
      this.current = this.state;
    } else {
      this.state = (this.state * (n - 1) + tr) / n;
      this.current = this.state;
    }
    return this.current;
  }
}

/** Batch ATR(n) aligned with the bars: `NaN` for the first n entries (TA-Lib `ATR`). */
export const atr = (
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  n: number,
): number[] => runCandleIndicator(new Atr(n), high, low, close);
