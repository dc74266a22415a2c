/**
 * The `MarketData` port over Binance USD-M futures REST: warm-up, gap backfill (also the stream's, see
 * `backfillFrom`), higher-timeframe confirmation and the universe all go through one `BinanceRest` (one
 * weight governor for the process).
 */
import { type KlineQuery, MarketData, MarketDataError } from "@signalbot/core";
import { Effect, Layer } from "effect";
import { BinanceRest, type BinanceRestConfig } from "./BinanceRest.ts";
import type { Backfill } from "./KlineSequencer.ts";

const lift =
  (source: string) =>
  <A>(run: () => Promise<A>): Effect.Effect<A, MarketDataError> =>
    Effect.tryPromise({
      try: run,
      catch: (error) =>
        error instanceof MarketDataError
          ? error
          : new MarketDataError({ reason: "network", source, message: String(error), cause: error }),
    });

/** `MarketData` backed by an existing client (share it with `BinanceStreams` so both spend one budget). */
export const fromRest = (rest: BinanceRest): MarketData["Service"] =>
  MarketData.of({
    klines: (query: KlineQuery) => lift("GET /fapi/v1/klines")(() => rest.klines(query)),
    universe: (limit: number) => lift("GET /fapi/v1/ticker/24hr")(() => rest.universe(limit)),
    serverTime: lift("GET /fapi/v1/time")(() => rest.serverTime()),
  });

/** The kline stream's gap backfill through `rest` (paged `klinesRange`, the same weight budget as the rest). */
export const backfillFrom =
  (rest: BinanceRest): Backfill =>
  (symbol, timeframe, from, to) =>
    lift("GET /fapi/v1/klines")(() => rest.klinesRange(symbol, timeframe, from, to));

/** The last traded price of a symbol through `rest` (`GET /fapi/v2/ticker/price`, weight 1). */
export const priceFrom = (rest: BinanceRest) => (symbol: string) =>
  lift("GET /fapi/v2/ticker/price")(() => rest.price(symbol));

/** Layer of `MarketData` with a new client configured by `config` (defaults: Binance production, 1200/min). */
export const layer = (config: BinanceRestConfig = {}): Layer.Layer<MarketData> =>
  Layer.sync(MarketData, () => fromRest(new BinanceRest(config)));

/** Layer of `MarketData` over a client the caller keeps (for the stream manager and rate-limit events). */
export const layerFromRest = (rest: BinanceRest): Layer.Layer<MarketData> =>
  Layer.succeed(MarketData, fromRest(rest));
