/**
 * Market data as it arrives: the trigger-timeframe klines of every watched symbol, every closed candle delivered
 * exactly once and in order per symbol (gaps are backfilled by the source), and what happened to the source.
 * Binance WebSocket streams on a few connections ("shards"), or Binance REST polled after each close
 * (MARKET_DATA=poll: closed candles only, no shards) in adapters/binance; a scripted queue in tests.
 */
import { Context, type Effect, type Queue } from "effect";
import type { CandleEvent, Timeframe } from "../model/Candle.ts";

/** Everything a stream reports, in the order it happened. */
export type StreamEvent =
  /** A kline update: `closed` ones arrive exactly once per candle, in open-time order per symbol. */
  | { readonly _tag: "Candle"; readonly event: CandleEvent }
  /** A shard (re)connected, with `streams` subscribed; after a reconnect, how long it was down. */
  | {
      readonly _tag: "Connected";
      readonly shard: number;
      readonly streams: number;
      readonly reconnect: boolean;
      readonly downtimeMs?: number;
    }
  /** A shard's connection failed (`code` as the socket reported it); it reconnects in `retryInMs`. */
  | {
      readonly _tag: "Disconnected";
      readonly shard: number;
      readonly code: number;
      readonly reason: string;
      readonly retryInMs: number;
    }
  /** A shard stayed connected but silent for `silentMs`: the source heals it by reconnecting. */
  | { readonly _tag: "Stale"; readonly shard: number; readonly silentMs: number }
  /** Closed candles [from, to] (open times) fetched by REST to fill a gap before newer ones were delivered. */
  | {
      readonly _tag: "Backfilled";
      readonly symbol: string;
      readonly timeframe: Timeframe;
      readonly from: number;
      readonly to: number;
      readonly candles: number;
    }
  /**
   * Fetching closed candles by REST failed — a gap's backfill, or (poll mode) a just-closed candle the exchange
   * did not have yet — and is retried in `retryInMs` (the source recovers by itself).
   */
  | {
      readonly _tag: "BackfillFailed";
      readonly symbol: string;
      readonly message: string;
      readonly retryInMs: number;
    }
  /**
   * Poll mode: one round asked the exchange for the candle opening at `openTime` of each of `symbols` symbols;
   * those in `late` did not have it yet (or the request failed) and are retried until the next round.
   */
  | {
      readonly _tag: "Polled";
      readonly openTime: number;
      readonly symbols: number;
      readonly late: readonly string[];
    }
  /** A frame the source could not decode (counted, never fatal). */
  | { readonly _tag: "Malformed"; readonly shard: number; readonly message: string };

/** One connection of the stream and how fresh its data is (for /healthz). */
export interface ShardHealth {
  readonly shard: number;
  readonly state: "connecting" | "open" | "closed";
  readonly streams: number;
  /** Milliseconds since the shard's last frame; undefined before the first. */
  readonly silentMs: number | undefined;
  readonly reconnects: number;
}

export class MarketStream extends Context.Service<
  MarketStream,
  {
    /**
     * Start delivering these symbols' trigger-timeframe klines. `lastClosed` (open time of the last closed
     * candle the caller has, from warm-up): closed candles after it that the source missed are backfilled first.
     */
    readonly subscribe: (
      symbols: readonly string[],
      lastClosed: Readonly<Record<string, number>>,
    ) => Effect.Effect<void>;
    readonly unsubscribe: (symbols: readonly string[]) => Effect.Effect<void>;
    /** The connections now (a synchronous read, for /healthz); none when the source polls. */
    readonly shards: () => readonly ShardHealth[];
    /** Every event, in order, for the one consumer (the live loop). Connections close with the Layer's scope. */
    readonly events: Queue.Dequeue<StreamEvent>;
  }
>()("signalbot/core/MarketStream") {}
