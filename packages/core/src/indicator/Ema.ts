/**
 * Exponential moving average with TA-Lib's seeding: the first value is the SMA of the first `n` inputs,
 * then `ema += (x − ema) · 2 / (n + 1)`.
 * @see https://ta-lib.org/functions/ema/
 */
import { checkPeriod, type Indicator, runIndicator } from "./Indicator.ts";

export class Ema implements Indicator {
  readonly period: number;
  private readonly k: number;
  private count = 0;
  /** Sum of inputs during warm-up, then the EMA itself. */
  private state = 0;
  /** `state` before the last add, so `replace` can redo it. */
  private prevState = 0;
  private current = Number.NaN;

  constructor(n: number) {
    this.period = checkPeriod("Ema", n);
    this.k = 2 / (n + 1);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  add(value: number): number {
    this.prevState = this.state;
    this.count++;
    return this.step(value);
  }

  replace(value: number): number {
    if (this.count === 0) return this.add(value);
    this.state = this.prevState;
    return this.step(value);
  }

  private step(value: number): number {
    const n = this.period;
    if (this.count < n) {
      this.state += value;
      this.current = Number.NaN;
    } else if (this.count === n) {
      this.state = (this.state + value) / n;
      this.current = this.state;
    } else {
      this.state = (value - this.state) * this.k + this.state;
      this.current = this.state;
    }
    return this.current;
  }
}

/** Batch EMA(n) aligned with `values`: `NaN` for the first n − 1 entries (TA-Lib `EMA`). */
export const ema = (values: ArrayLike<number>, n: number): number[] => runIndicator(new Ema(n), values);
