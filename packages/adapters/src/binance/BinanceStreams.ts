/**
 * The `MarketStream` port over Binance USD-M futures WebSocket kline streams: self-healing sharded
 * connections (ShardConnections.ts) feeding a per-symbol sequencer that backfills missed closed candles over
 * REST (KlineSequencer.ts), so the live loop sees every closed candle exactly once and in order. Built in a
 * Scope: its fibers (connection loops, timers, backfills) and sockets end with it.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 */
import { MarketStream, type ShardHealth, type StreamEvent, type Timeframe } from "@signalbot/core";
import { Clock, Effect, FiberSet, Layer, Queue, type Scope } from "effect";
import { decodeStreamFrame } from "./Decode.ts";
import { type Backfill, makeSequencer } from "./KlineSequencer.ts";
import { BACKFILL_RETRY, type BackoffConfig, backfillRetry, WS_RECONNECT, wsReconnect } from "./Schedules.ts";
import { makeShards } from "./ShardConnections.ts";

export type { Backfill } from "./KlineSequencer.ts";

export const DEFAULT_WS_URL = "wss://fstream.binance.com/market";

export interface BinanceStreamsConfig {
  /** Closed-candle source for gaps; share the process's `BinanceRest` so backfill spends the same budget. */
  readonly backfill: Backfill;
  /** `BINANCE_WS_URL`, default `wss://fstream.binance.com/market`; connections go to `${wsUrl}/stream?streams=…`. */
  readonly wsUrl?: string;
  /** The streamed timeframe (default "30m"; 4h and 1d are built from it). */
  readonly timeframe?: Timeframe;
  /** `WS_MAX_STREAMS_PER_CONN`, default 50 (Binance allows 1024). */
  readonly maxStreamsPerConnection?: number;
  /** Outgoing SUBSCRIBE/UNSUBSCRIBE messages per second per connection (default 4; Binance closes above 10). */
  readonly maxMessagesPerSecond?: number;
  /** Reconnect backoff (`wsReconnect`): full jitter under base·2^n, at most max (default 1 s to 60 s). */
  readonly reconnect?: BackoffConfig;
  /** A connection open this long starts the next failure's backoff afresh (default 60 000 ms). */
  readonly stableAfterMs?: number;
  /** Recycle a connection before Binance's 24 h cut (default 23 h 30 min). */
  readonly maxConnectionAgeMs?: number;
  /** `WS_STALE_AFTER_MS`: a connected shard silent this long is reconnected (default 30 000; pushes come every 250 ms). */
  readonly staleAfterMs?: number;
  /** How often the watchdog looks (default 5 000 ms). */
  readonly watchdogIntervalMs?: number;
  /** How long a late closed-candle message is awaited before it is fetched over REST (default 5 000 ms). */
  readonly closedGraceMs?: number;
  /** Backoff of a failed gap backfill (`backfillRetry`, default 1 s to 60 s, never before a 429/418 ends). */
  readonly backfillRetry?: BackoffConfig;
  /** Log lines (malformed frames, reconnects); default none. */
  readonly log?: (line: string) => void;
}

export interface ShardStats extends ShardHealth {
  readonly malformed: number;
  readonly frames: number;
}

export interface StreamsStats {
  readonly shards: readonly ShardStats[];
  readonly symbols: number;
  readonly closedDelivered: number;
  readonly duplicatesDropped: number;
  readonly backfilledCandles: number;
  readonly malformed: number;
  readonly reconnects: number;
}

/** The port plus the adapter's own counters (tests, diagnostics). */
export type BinanceStreams = MarketStream["Service"] & { readonly stats: () => StreamsStats };

/** The streams, alive until the enclosing Scope closes (then every socket is closed, no event follows). */
export const make = (config: BinanceStreamsConfig): Effect.Effect<BinanceStreams, never, Scope.Scope> =>
  Effect.gen(function* () {
    const run = yield* FiberSet.makeRuntime<never, void, never>();
    const clock = yield* Clock.Clock;
    const now = () => clock.currentTimeMillisUnsafe();
    const events = yield* Queue.unbounded<StreamEvent>();
    const timeframe = config.timeframe ?? "30m";
    const log = config.log ?? (() => {});
    let closed = false;
    let malformed = 0;
    const emit = (event: StreamEvent) => {
      if (!closed) Queue.offerUnsafe(events, event);
    };
    const fork = (effect: Effect.Effect<void>) => void run(effect);

    const sequencer = makeSequencer({
      timeframe,
      backfill: config.backfill,
      closedGraceMs: config.closedGraceMs ?? 5_000,
      retry: backfillRetry(config.backfillRetry ?? BACKFILL_RETRY),
      emit,
      run: fork,
      now,
      log,
    });
    /** Symbol of each stream, and shard of each symbol (frames from another connection are ignored). */
    const symbolOf = new Map<string, string>();
    const shardOf = new Map<string, number>();
    const streamOf = (symbol: string) => `${symbol.toLowerCase()}@kline_${timeframe}`;

    const shards = makeShards({
      wsUrl: (config.wsUrl ?? DEFAULT_WS_URL).replace(/\/+$/, ""),
      perConnection: config.maxStreamsPerConnection ?? 50,
      maxMessagesPerSecond: config.maxMessagesPerSecond ?? 4,
      reconnect: wsReconnect(config.reconnect ?? WS_RECONNECT),
      stableAfterMs: config.stableAfterMs ?? 60_000,
      maxConnectionAgeMs: config.maxConnectionAgeMs ?? 23.5 * 3_600_000,
      staleAfterMs: config.staleAfterMs ?? 30_000,
      watchdogIntervalMs: config.watchdogIntervalMs ?? 5_000,
      emit,
      onOpen: (_shard, streams) => sequencer.connected([...streams].flatMap((s) => symbolOf.get(s) ?? [])),
      onFrame: (shard, text) => {
        const frame = decodeStreamFrame(text);
        if (frame._tag === "Malformed") {
          malformed++;
          shards.malformed(shard);
          log(`binance ws shard ${shard}: malformed frame ignored (${frame.message})`);
          emit({ _tag: "Malformed", shard, message: frame.message });
          return;
        }
        if (frame._tag === "Reply") return;
        const { symbol, candle, closed: isClosed } = frame.event;
        if (frame.event.timeframe !== timeframe || shardOf.get(symbol) !== shard) return;
        sequencer.kline(symbol, candle, isClosed);
      },
      run: fork,
      now,
      log,
    });
    fork(shards.watchdog);
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closed = true;
        sequencer.stop();
        shards.closeAll();
      }),
    );

    const subscribe = (symbols: readonly string[], lastClosed: Readonly<Record<string, number>>) =>
      Effect.sync(() => {
        const added = symbols.filter((s) => !sequencer.has(s));
        for (const symbol of added) {
          symbolOf.set(streamOf(symbol), symbol);
          sequencer.track(symbol, lastClosed[symbol]);
        }
        for (const [stream, shard] of shards.add(added.map(streamOf)))
          shardOf.set(symbolOf.get(stream)!, shard);
      });

    const unsubscribe = (symbols: readonly string[]) =>
      Effect.sync(() => {
        const removed: { stream: string; shard: number }[] = [];
        for (const symbol of symbols) {
          const shard = shardOf.get(symbol);
          if (shard === undefined) continue;
          sequencer.untrack(symbol);
          shardOf.delete(symbol);
          symbolOf.delete(streamOf(symbol));
          removed.push({ stream: streamOf(symbol), shard });
        }
        shards.remove(removed);
      });

    return {
      subscribe,
      unsubscribe,
      shards: () => shards.health(),
      events,
      stats: () => ({
        shards: shards.health(),
        symbols: sequencer.size,
        ...sequencer.counters,
        malformed,
        reconnects: shards.reconnects,
      }),
    };
  });

/** `MarketStream` over Binance WebSocket streams configured by `config`. */
export const layer = (config: BinanceStreamsConfig): Layer.Layer<MarketStream> =>
  Layer.effect(
    MarketStream,
    Effect.map(make(config), (streams) => MarketStream.of(streams)),
  );
