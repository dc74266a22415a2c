/**
 * The WebSocket connections of a kline stream ("shards" of at most N streams each) and their health: one
 * connection loop per shard (connect, run until it fails, wait on the `wsReconnect` schedule, reconnect),
 * paced SUBSCRIBE/UNSUBSCRIBE messages, a freshness watchdog for connections that stay open but go silent,
 * and recycling before Binance's 24 h cut. Every wait goes through Effect's Clock, so tests drive it.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 */
import type { ShardHealth, StreamEvent } from "@signalbot/core";
import { Deferred, Duration, Effect, Schedule } from "effect";
import WebSocket from "ws";

export interface ShardsConfig {
  /** Connections go to `${wsUrl}/stream?streams=…`. */
  readonly wsUrl: string;
  readonly perConnection: number;
  /** Outgoing SUBSCRIBE/UNSUBSCRIBE messages per second per connection (Binance closes above 10). */
  readonly maxMessagesPerSecond: number;
  /** Waits between attempts after a connection failed (`wsReconnect`). */
  readonly reconnect: Schedule.Schedule<unknown>;
  /** A connection open this long starts the next failure's backoff afresh. */
  readonly stableAfterMs: number;
  /** Recycle a connection before Binance's 24 h cut (reconnect at once, the gap is backfilled). */
  readonly maxConnectionAgeMs: number;
  /** A connected shard silent this long is reconnected. */
  readonly staleAfterMs: number;
  readonly watchdogIntervalMs: number;
  readonly emit: (event: StreamEvent) => void;
  /** A text frame of `shard` (kline or reply). */
  readonly onFrame: (shard: number, text: string) => void;
  /** A shard's connection opened; its streams are the ones in the URL or queued for it. */
  readonly onOpen: (shard: number, streams: ReadonlySet<string>) => void;
  readonly run: (effect: Effect.Effect<void>) => void;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** Why a connection ended: a failure (backoff before the next) or a planned recycle (reconnect now). */
type Down =
  | { readonly _tag: "Failed"; readonly code: number; readonly reason: string }
  | { readonly _tag: "Recycle" };

interface Shard {
  readonly id: number;
  readonly streams: Set<string>;
  ws: WebSocket | undefined;
  state: "connecting" | "open" | "closed";
  /** Streams named in the URL of the current connection. */
  connectedWith: Set<string>;
  everOpened: boolean;
  downSince: number;
  lastFrameAt: number | undefined;
  reconnects: number;
  malformed: number;
  frames: number;
  outbox: { readonly method: "SUBSCRIBE" | "UNSUBSCRIBE"; readonly params: string[] }[];
  /** A sender is pacing the outbox of this connection (`senderOf` identifies it). */
  sending: boolean;
  senderOf: number;
  /** Its connection loop is running (between attempts too). */
  looping: boolean;
  /** Ends the current connection (idempotent); set while one runs. */
  end: ((down: Down) => void) | undefined;
}

export const makeShards = (config: ShardsConfig) => {
  const shards: Shard[] = [];
  let nextShardId = 1;
  let nextMessageId = 1;
  let closed = false;
  let reconnects = 0;

  const stopConnection = (shard: Shard) => {
    shard.outbox = [];
    // A sender still pacing the old connection's messages stops at its next turn.
    shard.senderOf++;
    shard.sending = false;
    shard.end = undefined;
    const ws = shard.ws;
    shard.ws = undefined;
    if (ws !== undefined) {
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
    }
  };

  /** SUBSCRIBE/UNSUBSCRIBE go out one by one, at most `maxMessagesPerSecond` per connection. */
  const queueControl = (shard: Shard, method: "SUBSCRIBE" | "UNSUBSCRIBE", streams: readonly string[]) => {
    // Requests still waiting for their turn are merged with the next one of the same method.
    const queued = shard.outbox[shard.outbox.length - 1];
    if (queued !== undefined && queued.method === method) queued.params.push(...streams);
    else shard.outbox.push({ method, params: [...streams] });
    if (shard.sending) return;
    shard.sending = true;
    const sender = ++shard.senderOf;
    const gap = Math.ceil(1000 / config.maxMessagesPerSecond);
    config.run(
      Effect.gen(function* () {
        for (;;) {
          const next = shard.senderOf === sender ? shard.outbox.shift() : undefined;
          if (next === undefined) return;
          shard.ws?.send(JSON.stringify({ method: next.method, params: next.params, id: nextMessageId++ }));
          yield* Effect.sleep(gap);
        }
      }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            if (shard.senderOf === sender) shard.sending = false;
          }),
        ),
      ),
    );
  };

  const onOpen = (shard: Shard, ws: WebSocket) => {
    const now = config.now();
    shard.state = "open";
    shard.lastFrameAt = now;
    config.onOpen(shard.id, shard.streams);
    if (shard.everOpened) {
      shard.reconnects++;
      reconnects++;
      config.emit({
        _tag: "Connected",
        shard: shard.id,
        streams: shard.streams.size,
        reconnect: true,
        downtimeMs: now - shard.downSince,
      });
    } else {
      shard.everOpened = true;
      config.emit({ _tag: "Connected", shard: shard.id, streams: shard.streams.size, reconnect: false });
    }
    const missing = [...shard.streams].filter((s) => !shard.connectedWith.has(s));
    const extra = [...shard.connectedWith].filter((s) => !shard.streams.has(s));
    if (missing.length > 0) queueControl(shard, "SUBSCRIBE", missing);
    if (extra.length > 0) queueControl(shard, "UNSUBSCRIBE", extra);
    config.run(
      Effect.sleep(config.maxConnectionAgeMs).pipe(
        Effect.andThen(
          Effect.sync(() => {
            if (shard.ws !== ws) return;
            config.log(`binance ws shard ${shard.id}: recycling before the 24 h limit`);
            shard.end?.({ _tag: "Recycle" });
          }),
        ),
      ),
    );
  };

  /** One connection, from connect to its end. */
  const session = (shard: Shard) =>
    Effect.gen(function* () {
      const down = yield* Deferred.make<Down>();
      shard.state = "connecting";
      shard.connectedWith = new Set(shard.streams);
      const ws = new WebSocket(`${config.wsUrl}/stream?streams=${[...shard.connectedWith].join("/")}`);
      shard.ws = ws;
      let openedAt: number | undefined;
      shard.end = (d) => void Deferred.doneUnsafe(down, Effect.succeed(d));
      ws.on("open", () => {
        openedAt = config.now();
        onOpen(shard, ws);
      });
      ws.on("message", (data: WebSocket.RawData) => {
        shard.lastFrameAt = config.now();
        shard.frames++;
        config.onFrame(shard.id, data.toString());
      });
      ws.on("close", (code: number, reason: Buffer) =>
        shard.end?.({ _tag: "Failed", code, reason: reason.toString() }),
      );
      ws.on("error", (error: Error) => {
        config.log(`binance ws shard ${shard.id}: error "${error.message}"`);
        shard.end?.({ _tag: "Failed", code: 1006, reason: error.message });
      });
      // ws answers server pings with pongs by itself (checked in BinanceStreams.integration.test.ts).
      const ended = yield* Deferred.await(down);
      const stable = openedAt !== undefined && config.now() - openedAt >= config.stableAfterMs;
      return { ended, stable, wasOpen: openedAt !== undefined };
    }).pipe(Effect.ensuring(Effect.sync(() => stopConnection(shard))));

  const dropped = (shard: Shard): boolean => closed || shard.state === "closed";

  /** Connects, reconnects on the schedule (afresh after a stable connection), until the shard is dropped. */
  const connectionLoop = (shard: Shard) =>
    Effect.gen(function* () {
      let next = yield* Schedule.toStep(config.reconnect);
      for (;;) {
        if (dropped(shard) || shard.streams.size === 0) return;
        const { ended, stable, wasOpen } = yield* session(shard);
        if (dropped(shard)) return;
        shard.state = "connecting";
        if (wasOpen) shard.downSince = config.now();
        if (ended._tag === "Recycle") continue;
        if (stable) next = yield* Schedule.toStep(config.reconnect);
        const [, delay] = yield* next(config.now(), undefined).pipe(Effect.orDie);
        const retryInMs = Duration.toMillis(delay);
        config.emit({
          _tag: "Disconnected",
          shard: shard.id,
          code: ended.code,
          reason: ended.reason,
          retryInMs,
        });
        config.log(
          `binance ws shard ${shard.id}: closed (${ended.code} "${ended.reason}"), reconnecting in ${retryInMs} ms`,
        );
        yield* Effect.sleep(delay);
      }
    });

  const newShard = (): Shard => {
    const shard: Shard = {
      id: nextShardId++,
      streams: new Set(),
      ws: undefined,
      state: "connecting",
      connectedWith: new Set(),
      everOpened: false,
      downSince: config.now(),
      lastFrameAt: undefined,
      reconnects: 0,
      malformed: 0,
      frames: 0,
      outbox: [],
      sending: false,
      senderOf: 0,
      looping: false,
      end: undefined,
    };
    shards.push(shard);
    return shard;
  };

  const dropShard = (shard: Shard) => {
    shard.state = "closed";
    const end = shard.end;
    stopConnection(shard);
    end?.({ _tag: "Failed", code: 1000, reason: "closed by the client" });
    const i = shards.indexOf(shard);
    if (i >= 0) shards.splice(i, 1);
  };

  /** Looks at every open shard; a silent one is reconnected. */
  const checkFreshness = () => {
    const now = config.now();
    for (const shard of shards) {
      if (shard.state !== "open" || shard.lastFrameAt === undefined) continue;
      const silentMs = now - shard.lastFrameAt;
      if (silentMs < config.staleAfterMs) continue;
      config.emit({ _tag: "Stale", shard: shard.id, silentMs });
      config.log(`binance ws shard ${shard.id}: no frame for ${silentMs} ms, reconnecting`);
      shard.end?.({ _tag: "Failed", code: 4000, reason: "stale" });
    }
  };

  return {
    /** The watchdog: runs until the stream's scope closes. */
    watchdog: Effect.forever(
      Effect.andThen(Effect.sleep(config.watchdogIntervalMs), Effect.sync(checkFreshness)),
    ),
    /** Adds `streams` to shards with room (new shards as needed); returns the shard of each stream. */
    add: (streams: readonly string[]): ReadonlyMap<string, number> => {
      const placed = new Map<string, number>();
      const byShard = new Map<Shard, string[]>();
      for (const stream of streams) {
        const shard = shards.find((s) => s.streams.size < config.perConnection) ?? newShard();
        shard.streams.add(stream);
        placed.set(stream, shard.id);
        byShard.set(shard, [...(byShard.get(shard) ?? []), stream]);
      }
      for (const [shard, added] of byShard) {
        if (shard.state === "open") queueControl(shard, "SUBSCRIBE", added);
        else if (!shard.looping && !closed) {
          shard.looping = true;
          config.run(connectionLoop(shard).pipe(Effect.ensuring(Effect.sync(() => (shard.looping = false)))));
        }
      }
      return placed;
    },
    /** Removes `streams`; a shard left without streams is closed. */
    remove: (streams: readonly { readonly stream: string; readonly shard: number }[]): void => {
      const byShard = new Map<Shard, string[]>();
      for (const { stream, shard: id } of streams) {
        const shard = shards.find((s) => s.id === id);
        if (shard === undefined) continue;
        shard.streams.delete(stream);
        byShard.set(shard, [...(byShard.get(shard) ?? []), stream]);
      }
      for (const [shard, removed] of byShard) {
        if (shard.streams.size === 0) dropShard(shard);
        else if (shard.state === "open") queueControl(shard, "UNSUBSCRIBE", removed);
      }
    },
    /** A malformed frame seen on `shard` (counted in its health). */
    malformed: (id: number): void => {
      const shard = shards.find((s) => s.id === id);
      if (shard !== undefined) shard.malformed++;
    },
    health: (): (ShardHealth & { readonly malformed: number; readonly frames: number })[] => {
      const now = config.now();
      return shards.map((s) => ({
        shard: s.id,
        streams: s.streams.size,
        state: s.state,
        silentMs: s.lastFrameAt === undefined ? undefined : now - s.lastFrameAt,
        reconnects: s.reconnects,
        malformed: s.malformed,
        frames: s.frames,
      }));
    },
    get reconnects(): number {
      return reconnects;
    },
    closeAll: (): void => {
      closed = true;
      for (const shard of [...shards]) dropShard(shard);
    },
  };
};

export type Shards = ReturnType<typeof makeShards>;
