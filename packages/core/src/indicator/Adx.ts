/**
 * Average directional index with Wilder smoothing, as TA-Lib's `ADX`: +DM/−DM and TR are summed over the first
 * n − 1 changes, then Wilder-smoothed (`s − s/n + x`); +DI/−DI = 100·DM/TR (defined after n + 1 bars);
 * DX = 100·|+DI − −DI| / (+DI + −DI); the first ADX is the mean of n DX values (after 2n bars), then
 * `adx = (adx·(n − 1) + dx) / n`.
 * @see https://ta-lib.org/functions/adx/
 */
import { trueRange } from "./Atr.ts";
import { type CandleIndicator, checkPeriod, runCandleIndicator } from "./Indicator.ts";

export class Adx implements CandleIndicator {
  readonly period: number;
  private count = 0;
  private prevHigh = 0;
  private prevLow = 0;
  private prevClose = 0;
  private plusDm = 0;
  private minusDm = 0;
  private tr = 0;
  private sumDx = 0;
  private adx = Number.NaN;
  // State before the last add, restored by `replace`.
  private sPrevHigh = 0;
  private sPrevLow = 0;
  private sPrevClose = 0;
  private sPlusDm = 0;
  private sMinusDm = 0;
  private sTr = 0;
  private sSumDx = 0;
  private sAdx = Number.NaN;
  private pDi = Number.NaN;
  private mDi = Number.NaN;

  constructor(n = 14) {
    this.period = checkPeriod("Adx", n);
  }

  get value(): number {
    return this.adx;
  }

  get ready(): boolean {
    return this.count >= 2 * this.period;
  }

  /** +DI, defined after n + 1 bars (TA-Lib `PLUS_DI`). */
  get plusDi(): number {
    return this.pDi;
  }

  /** −DI, defined after n + 1 bars (TA-Lib `MINUS_DI`). */
  get minusDi(): number {
    return this.mDi;
  }

  add(high: number, low: number, close: number): number {
    this.sPrevHigh = this.prevHigh;
    this.sPrevLow = this.prevLow;
    this.sPrevClose = this.prevClose;
    this.sPlusDm = this.plusDm;
    this.sMinusDm = this.minusDm;
    this.sTr = this.tr;
    this.sSumDx = this.sumDx;
    this.sAdx = this.adx;
    this.count++;
    return this.step(high, low, close);
  }

  replace(high: number, low: number, close: number): number {
    if (this.count === 0) return this.add(high, low, close);
    this.prevHigh = this.sPrevHigh;
    this.prevLow = this.sPrevLow;
    this.prevClose = this.sPrevClose;
    this.plusDm = this.sPlusDm;
    this.minusDm = this.sMinusDm;
    this.tr = this.sTr;
    this.sumDx = this.sSumDx;
    this.adx = this.sAdx;
    return this.step(high, low, close);
  }

  private step(high: number, low: number, close: number): number {
    const n = this.period;
    const count = this.count;
    const up = high - this.prevHigh;
    const down = this.prevLow - low;
    const tr = trueRange(high, low, this.prevClose);
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
    if (count === 1) return this.undefined();
    // TA-Lib's directional movement: the larger move wins, ties count for neither side.
    const minus = down > 0 && up < down ? down : 0;
    const plus = minus === 0 && up > 0 && up > down ? up : 0;
    if (count <= n) {
      this.plusDm += plus;
      this.minusDm += minus;
      this.tr += tr;
      return this.undefined();
    }
    this.plusDm = this.plusDm - this.plusDm / n + plus;
    this.minusDm = this.minusDm - this.minusDm / n + minus;
    this.tr = this.tr - this.tr / n + tr;
    let dx = Number.NaN;
    if (this.tr !== 0) {
      this.pDi = 100 * (this.plusDm / this.tr);
      this.mDi = 100 * (this.minusDm / this.tr);
      const sum = this.pDi + this.mDi;
      if (sum !== 0) dx = 100 * (Math.abs(this.mDi - this.pDi) / sum);
    } else {
      this.pDi = 0;
      this.mDi = 0;
    }
    if (count <= 2 * n) {
      if (!Number.isNaN(dx)) this.sumDx += dx;
      this.adx = count === 2 * n ? this.sumDx / n : Number.NaN;
    } else if (!Number.isNaN(dx)) {
      this.adx = (this.adx * (n - 1) + dx) / n;
    }
    return this.adx;
  }

  private undefined(): number {
    this.pDi = Number.NaN;
    this.mDi = Number.NaN;
    this.adx = Number.NaN;
    return Number.NaN;
  }
}

/** Batch ADX(n) aligned with the bars: `NaN` for the first 2n − 1 entries (TA-Lib `ADX`). */
export const adx = (
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  n = 14,
): number[] => runCandleIndicator(new Adx(n), high, low, close);
