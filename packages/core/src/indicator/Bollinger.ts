/**
 * Bollinger bands as TA-Lib's `BBANDS` (SMA middle, population standard deviation): middle = SMA(n),
 * upper/lower = middle ± k·σ. Sums are kept relative to a shift (the window mean at the last re-sum, once per
 * lap of the ring) so the variance does not suffer catastrophic cancellation on large prices.
 * @see https://ta-lib.org/functions/bbands/
 */
import { checkPeriod, type Indicator } from "./Indicator.ts";

export class Bollinger implements Indicator {
  readonly period: number;
  readonly k: number;
  private readonly ring: Float64Array;
  private count = 0;
  private last = -1;
  private shift = 0;
  /** Σ(x − shift) and Σ(x − shift)² over the window. */
  private s1 = 0;
  private s2 = 0;
  private input = Number.NaN;
  private mid = Number.NaN;
  private sd = Number.NaN;

  constructor(n: number, k = 2) {
    this.period = checkPeriod("Bollinger", n);
    if (!Number.isFinite(k) || k < 0)
      throw new RangeError(`Bollinger: k must be a finite number ≥ 0, got ${k}`);
    this.k = k;
    this.ring = new Float64Array(n);
  }

  /** The middle band (SMA). */
  get value(): number {
    return this.mid;
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  get middle(): number {
    return this.mid;
  }

  get upper(): number {
    return this.mid + this.k * this.sd;
  }

  get lower(): number {
    return this.mid - this.k * this.sd;
  }

  /** Population standard deviation of the window. */
  get stdev(): number {
    return this.sd;
  }

  /** Band width relative to the middle: (upper − lower) / middle. */
  get width(): number {
    return (2 * this.k * this.sd) / this.mid;
  }

  /** Where the last input sits between the bands: 0 at the lower band, 1 at the upper; `NaN` when they coincide. */
  get percentB(): number {
    const span = 2 * this.k * this.sd;
    return span > 0 ? (this.input - (this.mid - this.k * this.sd)) / span : Number.NaN;
  }

  /** Adds a closed value; returns the middle band. */
  add(value: number): number {
    const n = this.period;
    const slot = this.last + 1 === n ? 0 : this.last + 1;
    if (this.count === 0) this.shift = value;
    if (this.count >= n) {
      const old = this.ring[slot]! - this.shift;
      this.s1 -= old;
      this.s2 -= old * old;
    }
    this.ring[slot] = value;
    this.last = slot;
    this.count++;
    if (slot === n - 1 && this.count >= n) {
      this.resum();
    } else {
      const d = value - this.shift;
      this.s1 += d;
      this.s2 += d * d;
    }
    return this.update(value);
  }

  replace(value: number): number {
    if (this.count === 0) return this.add(value);
    const old = this.ring[this.last]! - this.shift;
    const d = value - this.shift;
    this.s1 += d - old;
    this.s2 += d * d - old * old;
    this.ring[this.last] = value;
    return this.update(value);
  }

  private resum(): void {
    const n = this.period;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.ring[i]!;
    this.shift = sum / n;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const d = this.ring[i]! - this.shift;
      s1 += d;
      s2 += d * d;
    }
    this.s1 = s1;
    this.s2 = s2;
  }

  private update(value: number): number {
    this.input = value;
    if (this.count < this.period) {
      this.mid = Number.NaN;
      this.sd = Number.NaN;
      return this.mid;
    }
    const n = this.period;
    const m = this.s1 / n;
    const variance = this.s2 / n - m * m;
    this.mid = this.shift + m;
    this.sd = variance > 0 ? Math.sqrt(variance) : 0;
    return this.mid;
  }
}

export interface BollingerBands {
  readonly upper: number[];
  readonly middle: number[];
  readonly lower: number[];
}

/** Batch Bollinger bands (n, k) aligned with `values`: `NaN` for the first n − 1 entries (TA-Lib `BBANDS`). */
export const bollinger = (values: ArrayLike<number>, n: number, k = 2): BollingerBands => {
  const b = new Bollinger(n, k);
  const len = values.length;
  const upper = new Array<number>(len);
  const middle = new Array<number>(len);
  const lower = new Array<number>(len);
  for (let i = 0; i < len; i++) {
    middle[i] = b.add(values[i]!);
    upper[i] = b.upper;
    lower[i] = b.lower;
  }
  return { upper, middle, lower };
};
