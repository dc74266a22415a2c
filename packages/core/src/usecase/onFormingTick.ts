/**
 * The forming-tick step (live only: a backtest sees closed candles): open virtual trades see a kline update
 * of the candle still forming, so a wick can hit a stop or a target before the close. It never creates a
 * signal — only `onClosedCandle` analyses.
 */
import { Clock, Effect } from "effect";
import type { Candle } from "../model/Candle.ts";
import { candleTick } from "../trade/VirtualTrade.ts";
import { type AdvanceResult, advanceOpenTrades, NO_ADVANCE } from "./advanceOpenTrades.ts";
import { Pipeline } from "./Pipeline.ts";
import type { SymbolState } from "./SymbolState.ts";

/**
 * Advances `state.symbol`'s open trades by a forming `candle`, timed at the clock's now. A tick of a candle
 * not after the last closed one (late, replayed) is ignored, and so is every tick while no trade is open.
 */
export const onFormingTick = (
  state: SymbolState,
  candle: Candle,
): Effect.Effect<
  AdvanceResult,
  Effect.Error<ReturnType<typeof advanceOpenTrades>>,
  Effect.Services<ReturnType<typeof advanceOpenTrades>>
> =>
  Effect.flatMap(Effect.service(Pipeline), ({ book }) => {
    const last = state.lastClosedOpenTime;
    if ((last !== undefined && candle.openTime <= last) || book.count(state.symbol) === 0)
      return Effect.succeed(NO_ADVANCE);
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      advanceOpenTrades(state.symbol, candleTick(candle, false, now), state.info),
    );
  });
