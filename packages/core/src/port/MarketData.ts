/**
 * Where candles come from: Binance REST live, CSV files in a backtest, a fake exchange in tests.
 * Streaming (WebSocket) delivery is the adapter's business; it hands closed/forming `CandleEvent`s to the
 * runner. This port is what warm-up, gap backfill, higher-timeframe confirmation and the universe need.
 */
import { Context, Data, type Effect } from "effect";
import type { Candle, Timeframe } from "../model/Candle.ts";
import type { UniverseEntry } from "../model/Symbol.ts";

export class MarketDataError extends Data.TaggedError("MarketDataError")<{
  readonly reason: "network" | "rateLimited" | "banned" | "badResponse" | "rejected" | "notFound";
  /** The endpoint or file involved, e.g. "GET /fapi/v1/klines" or "data/BTCUSDT-30m.csv". */
  readonly source: string;
  readonly message: string;
  /** For "banned"/"rateLimited": when requests may resume (ms UTC). */
  readonly retryAt?: number;
  readonly cause?: unknown;
}> {}

export interface KlineQuery {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Inclusive open-time bounds (ms UTC). */
  readonly startTime?: number;
  readonly endTime?: number;
  /** Maximum number of candles (Binance: ≤ 1500). */
  readonly limit: number;
}

export class MarketData extends Context.Service<
  MarketData,
  {
    /** Candles in ascending open time, closed ones only unless the source says otherwise. */
    readonly klines: (query: KlineQuery) => Effect.Effect<readonly Candle[], MarketDataError>;
    /** USDT perpetuals that are trading, ranked by 24 h quote volume, at most `limit`. */
    readonly universe: (limit: number) => Effect.Effect<readonly UniverseEntry[], MarketDataError>;
    /** Exchange time (ms UTC). */
    readonly serverTime: Effect.Effect<number, MarketDataError>;
  }
>()("signalbot/core/MarketData") {}
