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

/**
 * What a REST market-data client tells its owner, who turns it into alerts and log lines: a rate-limit pause
 * (429) or an IP ban (418) and its end — every request waits them out —, a weight budget lowered to the
 * exchange's limit, impossible candles dropped, and each failed attempt it retries.
 */
export type RestEvent =
  | { readonly _tag: "RateLimited"; readonly until: number; readonly retryAfterMs: number }
  /** A new ban (one event per ban, however many answers said 418); `until` is its end as first announced. */
  | { readonly _tag: "Banned"; readonly until: number; readonly retryAfterMs: number }
  | { readonly _tag: "BanLifted"; readonly at: number }
  /** exchangeInfo advertises a REQUEST_WEIGHT limit that leaves less than the configured budget. */
  | {
      readonly _tag: "BudgetLimited";
      readonly budget: number;
      readonly configured: number;
      readonly advertised: number;
    }
  /** Klines rows dropped as impossible (negative, zero or absurd prices, high below low...). */
  | {
      readonly _tag: "RejectedCandles";
      readonly symbol: string;
      readonly timeframe: Timeframe;
      readonly count: number;
      /** The first dropped row and why, e.g. "[3] open time 1735689600000: impossible low price 0". */
      readonly example: string;
    }
  | {
      readonly _tag: "Retrying";
      /** The endpoint, e.g. "GET /fapi/v1/exchangeInfo". */
      readonly source: string;
      readonly attempt: number;
      readonly retriesLeft: number;
      readonly retryInMs: number;
      readonly message: string;
    };

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
