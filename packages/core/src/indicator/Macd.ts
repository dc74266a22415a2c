/**
 * MACD as TA-Lib computes `MACD(fast, slow, signal)`: macd = EMA_fast − EMA_slow, signal = EMA(macd), hist =
 * macd − signal. TA-Lib starts the fast EMA so that it becomes defined on the same bar as the slow one (seeded
 * with the SMA of the `fast` values ending there), and outputs nothing until the signal line is defined
 * (slow + signal − 1 inputs; 34 for 12/26/9).
 * @see https://ta-lib.org/functions/macd/
 */
import { Ema } from "./Ema.ts";
import { checkPeriod, type Indicator } from "./Indicator.ts";

export class Macd implements Indicator {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signalEma: Ema;
  private count = 0;
  private line = Number.NaN;
  private sig = Number.NaN;

  constructor(fast = 12, slow = 26, signal = 9) {
    this.fastPeriod = checkPeriod("Macd fast", fast);
    this.slowPeriod = checkPeriod("Macd slow", slow);
    this.signalPeriod = checkPeriod("Macd signal", signal);
    if (fast >= slow) throw new RangeError(`Macd: fast period (${fast}) must be below slow period (${slow})`);
    this.fast = new Ema(fast);
    this.slow = new Ema(slow);
    this.signalEma = new Ema(signal);
  }

  /** The MACD line, `NaN` until the signal line is defined too. */
  get value(): number {
    return this.line;
  }

  get ready(): boolean {
    return this.signalEma.ready;
  }

  get macd(): number {
    return this.line;
  }

  get signal(): number {
    return this.sig;
  }

  get hist(): number {
    return this.line - this.sig;
  }

  /** Adds a closed value; returns the MACD line. */
  add(value: number): number {
    this.count++;
    return this.step(value, false);
  }

  replace(value: number): number {
    if (this.count === 0) return this.add(value);
    return this.step(value, true);
  }

  private step(value: number, replace: boolean): number {
    const slow = replace ? this.slow.replace(value) : this.slow.add(value);
    if (this.count <= this.slowPeriod - this.fastPeriod) return this.undefined();
    const fast = replace ? this.fast.replace(value) : this.fast.add(value);
    if (!this.slow.ready) return this.undefined();
    const line = fast - slow;
    const sig = replace ? this.signalEma.replace(line) : this.signalEma.add(line);
    if (!this.signalEma.ready) return this.undefined();
    this.line = line;
    this.sig = sig;
    return line;
  }

  private undefined(): number {
    this.line = Number.NaN;
    this.sig = Number.NaN;
    return Number.NaN;
  }
}

export interface MacdSeries {
  readonly macd: number[];
  readonly signal: number[];
  readonly hist: number[];
}

/** Batch MACD aligned with `values`: `NaN` for the first slow + signal − 2 entries (TA-Lib `MACD`). */
export const macd = (values: ArrayLike<number>, fast = 12, slow = 26, signal = 9): MacdSeries => {
  const m = new Macd(fast, slow, signal);
  const len = values.length;
  const line = new Array<number>(len);
  const sig = new Array<number>(len);
  const hist = new Array<number>(len);
  for (let i = 0; i < len; i++) {
    line[i] = m.add(values[i]!);
    sig[i] = m.signal;
    hist[i] = m.hist;
  }
  return { macd: line, signal: sig, hist };
};
