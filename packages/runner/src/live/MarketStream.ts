/**
 * What the live loop needs from a streaming market-data source: subscribe/unsubscribe one trigger-timeframe
 * kline stream per symbol and push events to a callback that must never block. The Binance WebSocket manager
 * (adapters/binance) is adapted to this shape in AppLayer; loop tests script it directly.
 */
import type { CandleEvent } from "@signalbot/core";

/** One connection of the stream and how fresh its data is. */
export interface ShardHealth {
  readonly id: string;
  readonly state: "connecting" | "open" | "closed";
  readonly streams: number;
  /** Milliseconds since the shard's last frame; undefined before the first. */
  readonly silentMs: number | undefined;
  readonly reconnects: number;
}

export type StreamEvent =
  | { readonly _tag: "Candle"; readonly event: CandleEvent }
  /** A shard (re)connected; `backfilled` closed candles it recovered by REST before resuming. */
  | {
      readonly _tag: "Connected";
      readonly shard: string;
      readonly reconnect: boolean;
      readonly backfilled?: number;
    }
  | { readonly _tag: "Disconnected"; readonly shard: string; readonly reason: string }
  /** A shard stayed connected but silent for `silentMs`: the source heals it by reconnecting. */
  | { readonly _tag: "Stale"; readonly shard: string; readonly silentMs: number }
  /** Closed candles the source fetched by REST to fill a gap before delivering newer ones. */
  | { readonly _tag: "Backfilled"; readonly symbol: string; readonly candles: number }
  /** Something the source recovers from by itself (a failed backfill it retries). */
  | { readonly _tag: "Warning"; readonly message: string }
  /** A frame the source could not decode (counted, never fatal). */
  | { readonly _tag: "Malformed"; readonly shard: string; readonly message: string };

export interface MarketStream {
  /**
   * Start streaming these symbols' trigger-timeframe klines. `lastClosed` (open time of the last closed candle
   * the loop has, from warm-up): closed candles after it that the stream missed are backfilled first.
   */
  readonly subscribe: (
    symbols: readonly string[],
    lastClosed: Readonly<Record<string, number>>,
  ) => Promise<void>;
  readonly unsubscribe: (symbols: readonly string[]) => Promise<void>;
  readonly shards: () => readonly ShardHealth[];
  /** Close every connection; no event is delivered afterwards. */
  readonly close: () => Promise<void>;
}

/** Builds a stream that delivers its events to `onEvent` (called synchronously from the socket reader). */
export type MarketStreamFactory = (onEvent: (event: StreamEvent) => void) => MarketStream;
