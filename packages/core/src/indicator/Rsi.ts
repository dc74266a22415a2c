/**
 * Relative strength index with Wilder smoothing, as TA-Lib computes it: average gain and loss start as the
 * plain mean of the first `n` changes, then `avg = (avg · (n − 1) + change) / n`; RSI = 100 · gain / (gain + loss).
 * A flat market (no gain, no loss) reads 0, as in TA-Lib. First value after n + 1 inputs.
 * @see https://ta-lib.org/functions/rsi/
 */
import { checkPeriod, type Indicator, runIndicator } from "./Indicator.ts";

export class Rsi implements Indicator {
  readonly period: number;
  private count = 0;
  private prevInput = 0;
  private gain = 0;
  private loss = 0;
  // State before the last add, restored by `replace`.
  private savedPrevInput = 0;
  private savedGain = 0;
  private savedLoss = 0;
  private current = Number.NaN;

  constructor(n: number) {
    this.period = checkPeriod("Rsi", n);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count > this.period;
  }

  add(value: number): number {
    this.savedPrevInput = this.prevInput;
    this.savedGain = this.gain;
    this.savedLoss = this.loss;
    this.count++;
    return this.step(value);
  }

  replace(value: number): number {
    if (this.count === 0) return this.add(value);
    this.prevInput = this.savedPrevInput;
    this.gain = this.savedGain;
    this.loss = this.savedLoss;
    return this.step(value);
  }

  private step(value: number): number {
    const n = this.period;
    const count = this.count;
    const change = value - this.prevInput;
    this.prevInput = value;
    if (count === 1) {
      this.current = Number.NaN;
      return this.current;
    }
    if (count <= n + 1) {
      if (change < 0) this.loss -= change;
      else this.gain += change;
      if (count < n + 1) {
        this.current = Number.NaN;
        return this.current;
      }
      this.gain /= n;
      this.loss /= n;
    } else {
      this.gain *= n - 1;
      this.loss *= n - 1;
      if (change < 0) this.loss -= change;
      else this.gain += change;
      this.gain /= n;
      this.loss /= n;
    }
    const total = this.gain + this.loss;
    this.current = total !== 0 ? 100 * (this.gain / total) : 0;
    return this.current;
  }
}

/** Batch RSI(n) aligned with `values`: `NaN` for the first n entries (TA-Lib `RSI`). */
export const rsi = (values: ArrayLike<number>, n: number): number[] => runIndicator(new Rsi(n), values);
