/**
 * Durable storage of the warm-up cache: the last candles of symbols that rotated out, so that after a restart a
 * symbol entering again fetches only the candles it lacks instead of 3 × 499. The data can always be fetched
 * again, so a failure here costs bandwidth, never a decision: callers log it and warm up afresh.
 */
import { Context, type Effect } from "effect";
import type { Timeframe } from "../model/Candle.ts";
import type { StoreError } from "./StoreError.ts";

/**
 * One symbol's kept candles. Per timeframe a packed Float64Array, six numbers a candle — open time, open, high,
 * low, close, volume — ascending by open time (the close time is the open time plus the timeframe, less 1 ms).
 */
export interface CachedCandles {
  readonly symbol: string;
  /** When the entry was saved (ms): the newest come first when only some can be loaded. */
  readonly savedAt: number;
  readonly candles: Readonly<Record<Timeframe, Float64Array>>;
}

export class CandleCache extends Context.Service<
  CandleCache,
  {
    /** Stores `entry`, replacing the symbol's previous one: all timeframes or none. */
    readonly save: (entry: CachedCandles) => Effect.Effect<void, StoreError>;
    /** The `limit` most recently saved entries, newest first. */
    readonly load: (limit: number) => Effect.Effect<readonly CachedCandles[], StoreError>;
    /** Drops `symbol`'s entry (none: nothing happens). */
    readonly remove: (symbol: string) => Effect.Effect<void, StoreError>;
    /** Drops every entry whose symbol is not in `symbols`. */
    readonly keepOnly: (symbols: ReadonlySet<string>) => Effect.Effect<void, StoreError>;
  }
>()("signalbot/core/CandleCache") {}
