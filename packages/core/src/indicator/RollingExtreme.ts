/**
 * Highest / lowest value over the last `n` inputs (TA-Lib `MAX` / `MIN`; fed highs or lows they give the
 * highest high and lowest low used for structure and swing levels). A monotonic deque in a preallocated ring:
 * O(1) amortised per add, no allocation, and `replace` undoes the last add exactly (only one slot is ever
 * overwritten per add, so restoring it and the two indices suffices).
 * @see https://ta-lib.org/functions/max/
 */
import { checkPeriod, type Indicator, runIndicator } from "./Indicator.ts";

/** Rolling maximum of `sign · x`; `sign = −1` turns it into a rolling minimum. */
class MonotonicWindow {
  private readonly vals: Float64Array;
  private readonly seqs: Float64Array;
  private head = 0;
  private size = 0;
  count = 0;
  // Undo record of the last add.
  private savedHead = 0;
  private savedSize = 0;
  private savedPos = 0;
  private savedVal = 0;
  private savedSeq = 0;

  constructor(
    readonly period: number,
    private readonly sign: 1 | -1,
  ) {
    this.vals = new Float64Array(period);
    this.seqs = new Float64Array(period);
  }

  get value(): number {
    return this.count >= this.period ? this.sign * this.vals[this.head]! : Number.NaN;
  }

  add(x: number): number {
    this.count++;
    this.savedHead = this.head;
    this.savedSize = this.size;
    return this.push(x);
  }

  replace(x: number): number {
    if (this.count === 0) return this.add(x);
    this.vals[this.savedPos] = this.savedVal;
    this.seqs[this.savedPos] = this.savedSeq;
    this.head = this.savedHead;
    this.size = this.savedSize;
    return this.push(x);
  }

  private push(x: number): number {
    const n = this.period;
    const seq = this.count - 1;
    const v = this.sign * x;
    if (this.size > 0 && this.seqs[this.head]! <= seq - n) {
      this.head = this.head + 1 === n ? 0 : this.head + 1;
      this.size--;
    }
    // Ring positions wrap by one subtraction: head < n and size ≤ n (cheaper than `%` on this hot path).
    while (this.size > 0) {
      let back = this.head + this.size - 1;
      if (back >= n) back -= n;
      if (this.vals[back]! > v) break;
      this.size--;
    }
    let pos = this.head + this.size;
    if (pos >= n) pos -= n;
    this.savedPos = pos;
    this.savedVal = this.vals[pos]!;
    this.savedSeq = this.seqs[pos]!;
    this.vals[pos] = v;
    this.seqs[pos] = seq;
    this.size++;
    return this.value;
  }
}

/** The indicator face of a monotonic window; `RollingMax` and `RollingMin` only choose the direction. */
abstract class RollingExtreme implements Indicator {
  private readonly window: MonotonicWindow;

  protected constructor(name: string, n: number, direction: 1 | -1) {
    this.window = new MonotonicWindow(checkPeriod(name, n), direction);
  }

  get period(): number {
    return this.window.period;
  }

  get value(): number {
    return this.window.value;
  }

  get ready(): boolean {
    return this.window.count >= this.window.period;
  }

  add(value: number): number {
    return this.window.add(value);
  }

  replace(value: number): number {
    return this.window.replace(value);
  }
}

/** Highest of the last `n` values (e.g. highest high); `NaN` until n values were added. */
export class RollingMax extends RollingExtreme {
  constructor(n: number) {
    super("RollingMax", n, 1);
  }
}

/** Lowest of the last `n` values (e.g. lowest low); `NaN` until n values were added. */
export class RollingMin extends RollingExtreme {
  constructor(n: number) {
    super("RollingMin", n, -1);
  }
}

/** Batch rolling maximum aligned with `values`: `NaN` for the first n − 1 entries (TA-Lib `MAX`). */
export const rollingMax = (values: ArrayLike<number>, n: number): number[] =>
  runIndicator(new RollingMax(n), values);

/** Batch rolling minimum aligned with `values`: `NaN` for the first n − 1 entries (TA-Lib `MIN`). */
export const rollingMin = (values: ArrayLike<number>, n: number): number[] =>
  runIndicator(new RollingMin(n), values);
