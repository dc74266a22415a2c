/**
 * Rate of change in percent, as TA-Lib's `ROC`: (x / x[n bars ago] − 1) · 100; 0 when the old value is 0.
 * First value after n + 1 inputs.
 * @see https://ta-lib.org/functions/roc/
 */
import { checkPeriod, type Indicator, runIndicator } from "./Indicator.ts";

export class Roc implements Indicator {
  readonly period: number;
  /** The last n + 1 inputs. */
  private readonly ring: Float64Array;
  private count = 0;
  private last = -1;
  private current = Number.NaN;

  constructor(n: number) {
    this.period = checkPeriod("Roc", n);
    this.ring = new Float64Array(n + 1);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count > this.period;
  }

  add(value: number): number {
    this.last = this.last + 1 === this.ring.length ? 0 : this.last + 1;
    this.count++;
    return this.step(value);
  }

  replace(value: number): number {
    if (this.count === 0) return this.add(value);
    return this.step(value);
  }

  private step(value: number): number {
    this.ring[this.last] = value;
    if (this.count <= this.period) {
      this.current = Number.NaN;
      return this.current;
    }
    // The oldest of the n + 1 slots is the one right after the last written.
    const old = this.ring[this.last + 1 === this.ring.length ? 0 : this.last + 1]!;
    this.current = old !== 0 ? (value / old - 1) * 100 : 0;
    return this.current;
  }
}

/** Batch ROC(n) in percent aligned with `values`: `NaN` for the first n entries (TA-Lib `ROC`). */
export const roc = (values: ArrayLike<number>, n: number): number[] => runIndicator(new Roc(n), values);
