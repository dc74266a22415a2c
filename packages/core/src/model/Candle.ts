/**
 * Candles and timeframes. A candle's times are UTC milliseconds as Binance reports them:
 * `closeTime = openTime + duration - 1`. A candle is the unit every decision is made on.
 */

import { DAY_MS, HOUR_MS, MINUTE_MS } from "./Time.ts";

/** The three timeframes the bot analyses: 1d gives the bias, 4h the structure, a closed 30m candle triggers. */
export type Timeframe = "30m" | "4h" | "1d";

export const TIMEFRAMES: readonly Timeframe[] = ["30m", "4h", "1d"];

/** The timeframe whose closed candles trigger analysis (the only one streamed live). */
export const TRIGGER_TIMEFRAME: Timeframe = "30m";

export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  "30m": 30 * MINUTE_MS,
  "4h": 4 * HOUR_MS,
  "1d": DAY_MS,
};

export interface Candle {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Binance convention: openTime + duration − 1. */
  readonly closeTime: number;
}

/** A kline update as it arrives from a market-data source: `closed` is Binance's `k.x`. */
export interface CandleEvent {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly candle: Candle;
  readonly closed: boolean;
}

export const isTimeframe = (s: string): s is Timeframe => s === "30m" || s === "4h" || s === "1d";

/** Open time of the `timeframe` bucket containing `time` (Binance aligns 4h and 1d to UTC midnight). */
export const bucketOpenTime = (time: number, timeframe: Timeframe): number => {
  const ms = TIMEFRAME_MS[timeframe];
  return Math.floor(time / ms) * ms;
};

/** The moment a candle becomes final: one millisecond after its Binance `closeTime`. */
export const closedAt = (candle: Candle): number => candle.closeTime + 1;
