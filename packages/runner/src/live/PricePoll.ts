/**
 * MARKET_DATA=poll with POLL_PRICE_SECONDS > 0: every POLL_PRICE_SECONDS the last traded price of each symbol with
 * an open virtual trade (one weight-1 request each, about 60 bytes), handed to the loop as a forming update of the
 * candle after the symbol's last closed one — so a stop or a target reached is announced within that time
 * instead of at the candle's close. Like a kline update it is cumulative: it opens at the last close (where a
 * perpetual's next candle opens), its high and low are the extremes of the samples so far. A wick between two
 * samples is seen at the close, as in the backtest.
 */
import {
  type Candle,
  type CandleEvent,
  type MarketDataError,
  Pipeline,
  type SymbolState,
  TIMEFRAME_MS,
} from "@signalbot/core";
import { Effect } from "effect";
import type { Logger } from "../observability/Log.ts";

/** A symbol's last traded price and when it traded (exchange time, ms UTC). */
export interface PriceSample {
  readonly price: number;
  readonly time: number;
}

const STEP = TIMEFRAME_MS["30m"];

/**
 * The forming candle after `last` (the symbol's last closed candle) with `sample` added to `forming` (the samples
 * of that candle so far, if any); undefined when the sample is not of that candle (it is of a closed one, or the
 * candle before it has not been stepped yet: a price must not reach a trade before the candle that precedes it).
 */
export const formingFromSample = (
  last: Candle,
  forming: Candle | undefined,
  sample: PriceSample,
): Candle | undefined => {
  const openTime = Math.floor(sample.time / STEP) * STEP;
  if (openTime !== last.openTime + STEP) return undefined;
  const base =
    forming?.openTime === openTime
      ? forming
      : { openTime, open: last.close, high: last.close, low: last.close, close: last.close, volume: 0 };
  return {
    openTime,
    open: base.open,
    high: Math.max(base.high, sample.price),
    low: Math.min(base.low, sample.price),
    close: sample.price,
    volume: 0,
    closeTime: openTime + STEP - 1,
  };
};

export interface PricePollDeps {
  /** POLL_PRICE_SECONDS in ms. */
  readonly everyMs: number;
  readonly price: (symbol: string) => Effect.Effect<PriceSample, MarketDataError>;
  readonly tracked: (symbol: string) => SymbolState | undefined;
  /** Where the forming updates go (the dispatcher, as the stream's would). */
  readonly offer: (event: CandleEvent) => void;
  readonly log: Logger;
}

/** The price poll, forever: every `everyMs`, the symbols with an open trade. */
export const runPricePoll = (deps: PricePollDeps): Effect.Effect<never, never, Pipeline> =>
  Effect.gen(function* () {
    const { book } = yield* Pipeline;
    /** The forming candle built so far, per symbol. */
    const forming = new Map<string, Candle>();
    const sample = (symbol: string) =>
      Effect.gen(function* () {
        const result = yield* Effect.result(deps.price(symbol));
        if (result._tag === "Failure") {
          deps.log.debug(`price of "${symbol}" not fetched: ${result.failure.message}`);
          return;
        }
        const last = deps.tracked(symbol)?.analyzer.lastClosed("30m");
        if (last === undefined) return;
        const candle = formingFromSample(last, forming.get(symbol), result.success);
        if (candle === undefined) return;
        forming.set(symbol, candle);
        deps.offer({ symbol, timeframe: "30m", candle, closed: false });
      });
    return yield* Effect.forever(
      Effect.gen(function* () {
        yield* Effect.sleep(deps.everyMs);
        const open = [...book.symbols()].filter((s) => deps.tracked(s) !== undefined);
        for (const s of [...forming.keys()]) if (!open.includes(s)) forming.delete(s);
        yield* Effect.forEach(open, sample, { concurrency: "unbounded", discard: true });
      }),
    );
  });
