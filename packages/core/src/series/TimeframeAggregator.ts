/**
 * Builds 4h / 1d candles from closed 30m candles, so the bot streams only the trigger timeframe. Buckets are
 * aligned to UTC midnight like Binance's. A bucket is emitted when the 30m candle that closes it arrives;
 * `complete` says whether all its 8 (4h) or 48 (1d) sub-candles were seen — an incomplete one is still
 * emitted so the caller can confirm it by REST.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Kline-Candlestick-Data
 */
import { bucketOpenTime, type Candle, TIMEFRAME_MS } from "../model/Candle.ts";

export type AggregateTimeframe = "4h" | "1d";

export interface AggregatedCandle {
  readonly candle: Candle;
  /** True when every 30m sub-candle of the bucket was aggregated. */
  readonly complete: boolean;
}

const SUB_MS = TIMEFRAME_MS["30m"];

export class TimeframeAggregator {
  readonly target: AggregateTimeframe;
  /** Sub-candles in one bucket: 8 for 4h, 48 for 1d. */
  readonly perBucket: number;
  private readonly bucketMs: number;
  private bucket = Number.NaN;
  private lastSub = Number.NEGATIVE_INFINITY;
  private count = 0;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private volume = 0;

  constructor(target: AggregateTimeframe) {
    this.target = target;
    this.bucketMs = TIMEFRAME_MS[target];
    this.perBucket = this.bucketMs / SUB_MS;
  }

  /**
   * Adds a CLOSED 30m candle. Returns the finished higher-timeframe candle when this candle closes its bucket,
   * or, when the stream jumped past an unfinished bucket, that bucket (complete = false) as soon as the next
   * bucket's first candle arrives. If one candle both abandons a bucket and closes its own (the stream skipped
   * a whole bucket's worth), only the newer bucket is returned; the skipped one then shows up as a gap in the
   * higher-timeframe `CandleSeries`, to be backfilled by REST. Candles not after the last one seen, or not on
   * the 30m grid, are ignored (a duplicate confirmation changes nothing).
   */
  add(c: Candle): AggregatedCandle | undefined {
    const t = c.openTime;
    // The next 30m candle after an accepted one is on the grid: the division-free common case.
    if (t <= this.lastSub || (t !== this.lastSub + SUB_MS && t % SUB_MS !== 0)) return undefined;
    this.lastSub = t;
    const current = t >= this.bucket && t < this.bucket + this.bucketMs;
    const bucket = current ? this.bucket : bucketOpenTime(t, this.target);
    let abandoned: AggregatedCandle | undefined;
    if (bucket !== this.bucket) {
      if (this.count > 0) abandoned = this.emit();
      this.bucket = bucket;
      this.count = 1;
      this.open = c.open;
      this.high = c.high;
      this.low = c.low;
      this.close = c.close;
      this.volume = c.volume;
    } else {
      this.count++;
      if (c.high > this.high) this.high = c.high;
      if (c.low < this.low) this.low = c.low;
      this.close = c.close;
      this.volume += c.volume;
    }
    if (t + SUB_MS === bucket + this.bucketMs) {
      const done = this.emit();
      this.count = 0;
      return done;
    }
    return abandoned;
  }

  private emit(): AggregatedCandle {
    return {
      candle: {
        openTime: this.bucket,
        open: this.open,
        high: this.high,
        low: this.low,
        close: this.close,
        volume: this.volume,
        closeTime: this.bucket + this.bucketMs - 1,
      },
      complete: this.count === this.perBucket,
    };
  }
}
