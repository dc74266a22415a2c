/**
 * The `HigherTimeframes` port over candles held in memory, for tests: the exchange's 4h/1d truth is the list
 * given per symbol, answered at once (like the backtest's data files).
 */
import { Effect, Layer } from "effect";
import type { Candle } from "../model/Candle.ts";
import { HigherTimeframes } from "../port/HigherTimeframes.ts";
import type { AggregateTimeframe } from "../series/TimeframeAggregator.ts";

export type HigherTimeframeCandles = Readonly<
  Record<string, Partial<Readonly<Record<AggregateTimeframe, readonly Candle[]>>>>
>;

export const HigherTimeframesMemory = {
  /** Candles of `bySymbol[symbol][timeframe]` with open time in [from, to]; none for anything else. */
  layer: (bySymbol: HigherTimeframeCandles): Layer.Layer<HigherTimeframes> =>
    Layer.succeed(
      HigherTimeframes,
      HigherTimeframes.of({
        closed: (symbol, timeframe, from, to) =>
          Effect.succeed(
            (bySymbol[symbol]?.[timeframe] ?? []).filter((c) => c.openTime >= from && c.openTime <= to),
          ),
      }),
    ),
};
