/**
 * The last `capacity` candles of one (symbol, timeframe), in a preallocated ring buffer so memory stays flat
 * however long the bot runs. It keeps candles in strict open-time order: a same-open-time candle replaces the
 * last one (the forming candle updating, or its close confirming it), older or misaligned candles are rejected,
 * and missing open times are reported as a gap instead of being silently accepted.
 */
import { type Candle, TIMEFRAME_MS, type Timeframe } from "../model/Candle.ts";

/** Missing open times: `count` candles starting at `from`, spaced by the timeframe. */
export interface CandleGap {
  readonly from: number;
  readonly count: number;
}

export type PushResult =
  /** Appended right after the previous candle (or as the first one). */
  | { readonly _tag: "Appended" }
  /** Same open time as the last candle: it replaced it. */
  | { readonly _tag: "Replaced" }
  /** Not stored: older than the last candle (`outOfOrder`) or its open time is not on the timeframe grid. */
  | { readonly _tag: "Rejected"; readonly reason: "outOfOrder" | "misaligned"; readonly openTime: number }
  /** Appended, but `count` open times starting at `from` are missing before it. */
  | ({ readonly _tag: "Gap" } & CandleGap);

const APPENDED: PushResult = { _tag: "Appended" };
const REPLACED: PushResult = { _tag: "Replaced" };

export const DEFAULT_SERIES_CAPACITY = 500;

export class CandleSeries {
  readonly timeframe: Timeframe;
  readonly capacity: number;
  private readonly step: number;
  private readonly buffer: Array<Candle | undefined>;
  /** Ring index of the oldest candle. */
  private start = 0;
  private size = 0;
  /** The newest candle (read on every push and by every evaluation: no ring arithmetic for it). */
  private newest: Candle | undefined = undefined;

  constructor(timeframe: Timeframe, capacity: number = DEFAULT_SERIES_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`CandleSeries: capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.timeframe = timeframe;
    this.capacity = capacity;
    this.step = TIMEFRAME_MS[timeframe];
    this.buffer = new Array<Candle | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.size;
  }

  /** The newest candle, if any. */
  get last(): Candle | undefined {
    return this.newest;
  }

  get lastOpenTime(): number | undefined {
    return this.newest?.openTime;
  }

  /** The candle at `i` (0 = oldest; negative counts from the newest, −1 = last), or undefined out of range. */
  at(i: number): Candle | undefined {
    const k = i < 0 ? this.size + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= this.size) return undefined;
    return this.buffer[(this.start + k) % this.capacity];
  }

  /** The open times missing between the last candle and `candle`, if any (call before `push` to backfill first). */
  gapBefore(candle: Candle): CandleGap | undefined {
    const last = this.newest;
    if (last === undefined) return undefined;
    const from = last.openTime + this.step;
    if (candle.openTime <= from || (candle.openTime - from) % this.step !== 0) return undefined;
    return { from, count: (candle.openTime - from) / this.step };
  }

  push(candle: Candle): PushResult {
    const t = candle.openTime;
    const last = this.newest;
    // The candle right after the newest (nearly every push) is on the grid and leaves no gap: no modulo.
    const next = last !== undefined && t === last.openTime + this.step;
    let gap: CandleGap | undefined;
    if (!next) {
      if (!Number.isInteger(t) || t % this.step !== 0) {
        return { _tag: "Rejected", reason: "misaligned", openTime: t };
      }
      if (last !== undefined) {
        if (t === last.openTime) {
          this.buffer[(this.start + this.size - 1) % this.capacity] = candle;
          this.newest = candle;
          return REPLACED;
        }
        if (t < last.openTime) return { _tag: "Rejected", reason: "outOfOrder", openTime: t };
      }
      gap = this.gapBefore(candle);
    }
    if (this.size < this.capacity) {
      this.buffer[(this.start + this.size) % this.capacity] = candle;
      this.size++;
    } else {
      this.buffer[this.start] = candle;
      this.start = this.start + 1 === this.capacity ? 0 : this.start + 1;
    }
    this.newest = candle;
    return gap === undefined ? APPENDED : { _tag: "Gap", from: gap.from, count: gap.count };
  }

  /** All stored candles, oldest first (a new array). */
  toArray(): Candle[] {
    return this.tail(this.size);
  }

  /** The newest `n` candles (fewer if the series is shorter), oldest first (a new array). */
  tail(n: number): Candle[] {
    const k = Math.max(0, Math.min(Math.floor(n), this.size));
    const out = new Array<Candle>(k);
    const first = this.size - k;
    for (let i = 0; i < k; i++) out[i] = this.buffer[(this.start + first + i) % this.capacity]!;
    return out;
  }
}
