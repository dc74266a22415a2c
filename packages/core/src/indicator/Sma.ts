/**
 * Simple moving average: the mean of the last `n` values, kept with a ring buffer and a running sum
 * (re-summed once per lap of the ring so floating-point drift never accumulates). Also the rolling volume average.
 * @see https://ta-lib.org/functions/sma/
 */
import { checkPeriod, type Indicator, runIndicator } from "./Indicator.ts";

export class Sma implements Indicator {
  readonly period: number;
  private readonly ring: Float64Array;
  private sum = 0;
  private count = 0;
  /** Ring slot of the last added value. */
  private last = -1;
  private current = Number.NaN;

  constructor(n: number) {
    this.period = checkPeriod("Sma", n);
    this.ring = new Float64Array(n);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  add(value: number): number {
    const n = this.period;
    const slot = this.last + 1 === n ? 0 : this.last + 1;
    if (this.count >= n) this.sum -= this.ring[slot]!;
    this.ring[slot] = value;
    this.last = slot;
    this.count++;
    if (slot === n - 1 && this.count >= n) {
      let s = 0;
      for (let i = 0; i < n; i++) s += this.ring[i]!;
      this.sum = s;
    } else {
      this.sum += value;
    }
    this.current = this.count >= n ? this.sum / n : Number.NaN;
    return this.current;
  }

  replace(value: number): number {
    if (this.count === 0) return this.add(value);
    this.sum += value - this.ring[this.last]!;
    this.ring[this.last] = value;
    this.current = this.count >= this.period ? this.sum / this.period : Number.NaN;
    return this.current;
  }
}

/** Batch SMA(n) aligned with `values`: `NaN` for the first n − 1 entries (TA-Lib `SMA`). */
export const sma = (values: ArrayLike<number>, n: number): number[] => runIndicator(new Sma(n), values);
