/**
 * Where the closed-candle step gets the exchange's own 4h and 1d candles. The bot builds them from closed 30m
 * candles; the exchange's version confirms (or corrects) each one and fills a bucket the 30m stream skipped:
 * by one cheap REST call live (`layerMarketData`), from the data files in a backtest.
 */
import { Context, Effect, Layer } from "effect";
import { type Candle, TIMEFRAME_MS, type Timeframe } from "../model/Candle.ts";
import type { AggregateTimeframe } from "../series/TimeframeAggregator.ts";
import { MarketData, type MarketDataError } from "./MarketData.ts";

/** The most candles one request may ask for (Binance's klines maximum). */
export const MAX_KLINES_PER_REQUEST = 1500;

export class HigherTimeframes extends Context.Service<
  HigherTimeframes,
  {
    /**
     * The exchange's closed `timeframe` candles of `symbol` with open time in [`from`, `to`], ascending. May
     * return fewer (or none) when the source does not have them; the step then keeps its own aggregate.
     */
    readonly closed: (
      symbol: string,
      timeframe: AggregateTimeframe,
      from: number,
      to: number,
    ) => Effect.Effect<readonly Candle[], MarketDataError>;
  }
>()("signalbot/core/HigherTimeframes") {
  /** Live: one `GET /fapi/v1/klines` per question through `MarketData` (weight 1 for up to 99 candles). */
  static readonly layerMarketData: Layer.Layer<HigherTimeframes, never, MarketData> = Layer.effect(
    HigherTimeframes,
    Effect.map(Effect.service(MarketData), (md) =>
      HigherTimeframes.of({
        closed: (symbol, timeframe, from, to) => closedBetween(md, symbol, timeframe, from, to),
      }),
    ),
  );
}

/**
 * Closed candles with open time in [`from`, `to`] from `MarketData`, in one request (at most the last
 * `MAX_KLINES_PER_REQUEST` of the range). Also what the live loop's 30m gap backfill asks.
 */
export const closedBetween = (
  md: MarketData["Service"],
  symbol: string,
  timeframe: Timeframe,
  from: number,
  to: number,
): Effect.Effect<readonly Candle[], MarketDataError> => {
  const step = TIMEFRAME_MS[timeframe];
  const start = Math.max(from, to - (MAX_KLINES_PER_REQUEST - 1) * step);
  const limit = Math.min(MAX_KLINES_PER_REQUEST, Math.max(1, Math.floor((to - start) / step) + 1));
  return Effect.map(md.klines({ symbol, timeframe, startTime: start, endTime: to, limit }), (got) =>
    got.filter((c) => c.openTime >= start && c.openTime <= to),
  );
};
