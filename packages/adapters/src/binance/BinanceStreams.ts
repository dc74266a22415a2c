/**
 * Live kline streams from Binance USD-M futures (ws): sharded combined-stream connections that heal themselves
 * (backoff reconnects, freshness watchdog, 24 h recycling) and a per-symbol sequencer that backfills missed
 * closed candles over REST, so downstream sees every closed candle exactly once and in order.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 */
import { type Candle, TIMEFRAME_MS, type Timeframe } from "@signalbot/core";
import WebSocket from "ws";
import { decodeStreamFrame } from "./Decode.ts";

export const DEFAULT_WS_URL = "wss://fstream.binance.com/market";

/** Everything the manager reports, in the order it happened. */
export type StreamEvent =
  /** A kline update: `closed` ones arrive exactly once per candle, in open-time order per symbol. */
  | {
      readonly _tag: "Candle";
      readonly symbol: string;
      readonly timeframe: Timeframe;
      readonly candle: Candle;
      readonly closed: boolean;
    }
  | { readonly _tag: "Connected"; readonly shard: number; readonly streams: number }
  | {
      readonly _tag: "Reconnected";
      readonly shard: number;
      readonly attempt: number;
      readonly downtimeMs: number;
    }
  | {
      readonly _tag: "Disconnected";
      readonly shard: number;
      readonly code: number;
      readonly reason: string;
      readonly retryInMs: number;
    }
  /** A connected shard sent nothing for `silentMs`: it is being reconnected. */
  | { readonly _tag: "Stale"; readonly shard: number; readonly silentMs: number }
  /** Closed candles [from, to] (open times) fetched over REST to fill a gap before newer ones were delivered. */
  | {
      readonly _tag: "Backfilled";
      readonly symbol: string;
      readonly timeframe: Timeframe;
      readonly from: number;
      readonly to: number;
      readonly candles: number;
    }
  | {
      readonly _tag: "BackfillFailed";
      readonly symbol: string;
      readonly message: string;
      readonly retryInMs: number;
    }
  | { readonly _tag: "Malformed"; readonly shard: number; readonly message: string };

/** Closed candles with open time in [from, to]; `BinanceRest.klinesRange` bound to the client. */
export type Backfill = (
  symbol: string,
  timeframe: Timeframe,
  from: number,
  to: number,
) => Promise<readonly Candle[]>;

export interface BinanceStreamsConfig {
  /** Closed-candle source for gaps; share the process's `BinanceRest` so backfill spends the same budget. */
  readonly backfill: Backfill;
  /** Receives every event synchronously, in order. Must not throw. */
  readonly onEvent: (event: StreamEvent) => void;
  /** `BINANCE_WS_URL`, default `wss://fstream.binance.com/market`; connections go to `${wsUrl}/stream?streams=…`. */
  readonly wsUrl?: string;
  /** The streamed timeframe (default "30m"; 4h and 1d are built from it). */
  readonly timeframe?: Timeframe;
  /** `WS_MAX_STREAMS_PER_CONN`, default 50 (Binance allows 1024). */
  readonly maxStreamsPerConnection?: number;
  /** Outgoing SUBSCRIBE/UNSUBSCRIBE messages per second per connection (default 4; Binance closes above 10). */
  readonly maxMessagesPerSecond?: number;
  /** Reconnect backoff: full jitter in [0, min(max, base·2^attempt)] (defaults 1 000 and 60 000 ms). */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** A connection open this long resets the backoff attempt counter (default 60 000 ms). */
  readonly stableAfterMs?: number;
  /** Recycle a connection before Binance's 24 h cut (default 23 h 30 min). */
  readonly maxConnectionAgeMs?: number;
  /** `WS_STALE_AFTER_MS`: a connected shard silent this long is reconnected (default 30 000; pushes come every 250 ms). */
  readonly staleAfterMs?: number;
  /** How often the watchdog looks (default 5 000 ms). */
  readonly watchdogIntervalMs?: number;
  /** How long a late closed-candle message is awaited before it is fetched over REST (default 5 000 ms). */
  readonly closedGraceMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Log lines (malformed frames, reconnects); default none. */
  readonly log?: (line: string) => void;
}

export interface ShardStats {
  readonly shard: number;
  readonly streams: number;
  readonly state: "connecting" | "open" | "closed";
  /** Milliseconds since the last frame (freshness), undefined before the first. */
  readonly silentMs: number | undefined;
  readonly reconnects: number;
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

interface SymbolState {
  readonly symbol: string;
  readonly stream: string;
  shard: Shard;
  /** Open time of the last closed candle delivered. */
  last: number | undefined;
  /** Newest forming candle seen (open time). */
  latestForming: number;
  backfilling: boolean;
  /** Closed candles that arrived while a backfill was running. */
  buffer: Candle[];
  grace: ReturnType<typeof setTimeout> | undefined;
  /** Set on (re)connect: a gap seen in the first frames is final, no grace wait. */
  fresh: boolean;
}

interface Shard {
  readonly id: number;
  readonly streams: Set<string>;
  ws: WebSocket | undefined;
  state: "connecting" | "open" | "closed";
  /** Streams named in the URL of the current connection. */
  connectedWith: Set<string>;
  attempt: number;
  everOpened: boolean;
  downSince: number;
  lastFrameAt: number | undefined;
  reconnects: number;
  malformed: number;
  frames: number;
  outbox: { readonly method: "SUBSCRIBE" | "UNSUBSCRIBE"; readonly params: string[] }[];
  sender: ReturnType<typeof setInterval> | undefined;
  timers: ReturnType<typeof setTimeout>[];
}

export class BinanceStreams {
  private readonly config: BinanceStreamsConfig;
  private readonly wsUrl: string;
  private readonly timeframe: Timeframe;
  private readonly step: number;
  private readonly perConnection: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: (line: string) => void;
  private readonly shards: Shard[] = [];
  private readonly states = new Map<string, SymbolState>();
  private readonly watchdog: ReturnType<typeof setInterval>;
  private nextShardId = 1;
  private nextMessageId = 1;
  private closed = false;
  private counters = {
    closedDelivered: 0,
    duplicatesDropped: 0,
    backfilledCandles: 0,
    malformed: 0,
    reconnects: 0,
  };

  constructor(config: BinanceStreamsConfig) {
    this.config = config;
    this.wsUrl = (config.wsUrl ?? DEFAULT_WS_URL).replace(/\/+$/, "");
    this.timeframe = config.timeframe ?? "30m";
    this.step = TIMEFRAME_MS[this.timeframe];
    this.perConnection = config.maxStreamsPerConnection ?? 50;
    this.now = config.now ?? Date.now;
    this.random = config.random ?? Math.random;
    this.log = config.log ?? (() => {});
    this.watchdog = setInterval(() => this.checkFreshness(), config.watchdogIntervalMs ?? 5000);
  }

  /**
   * Starts streaming `symbols` (e.g. "BTCUSDT"). `lastClosed` gives, per symbol, the open time of the last
   * closed candle the caller already has (from warm-up): anything after it that the stream missed is
   * backfilled before newer candles are delivered. Without it the first closed candle is the baseline.
   */
  subscribe(symbols: readonly string[], lastClosed: Readonly<Record<string, number>> = {}): void {
    const added: SymbolState[] = [];
    for (const symbol of symbols) {
      if (this.states.has(symbol)) continue;
      const stream = `${symbol.toLowerCase()}@kline_${this.timeframe}`;
      const shard = this.shards.find((s) => s.streams.size < this.perConnection) ?? this.newShard();
      shard.streams.add(stream);
      const state: SymbolState = {
        symbol,
        stream,
        shard,
        last: lastClosed[symbol],
        latestForming: Number.NEGATIVE_INFINITY,
        backfilling: false,
        buffer: [],
        grace: undefined,
        fresh: true,
      };
      this.states.set(symbol, state);
      added.push(state);
    }
    for (const shard of new Set(added.map((s) => s.shard))) {
      const streams = added.filter((s) => s.shard === shard).map((s) => s.stream);
      if (shard.state === "open") this.queueControl(shard, "SUBSCRIBE", streams);
      else if (shard.ws === undefined && shard.state !== "closed") this.connect(shard);
    }
  }

  /** Stops streaming `symbols`; a connection left without streams is closed. */
  unsubscribe(symbols: readonly string[]): void {
    const byShard = new Map<Shard, string[]>();
    for (const symbol of symbols) {
      const state = this.states.get(symbol);
      if (state === undefined) continue;
      clearTimeout(state.grace);
      this.states.delete(symbol);
      state.shard.streams.delete(state.stream);
      byShard.set(state.shard, [...(byShard.get(state.shard) ?? []), state.stream]);
    }
    for (const [shard, streams] of byShard) {
      if (shard.streams.size === 0) this.dropShard(shard);
      else if (shard.state === "open") this.queueControl(shard, "UNSUBSCRIBE", streams);
    }
  }

  /** Per-shard freshness, reconnects and malformed-frame counts, plus delivery totals. */
  stats(): StreamsStats {
    const now = this.now();
    return {
      shards: this.shards.map((s) => ({
        shard: s.id,
        streams: s.streams.size,
        state: s.state,
        silentMs: s.lastFrameAt === undefined ? undefined : now - s.lastFrameAt,
        reconnects: s.reconnects,
        malformed: s.malformed,
        frames: s.frames,
      })),
      symbols: this.states.size,
      ...this.counters,
    };
  }

  /** Closes every connection and stops all timers; no event is emitted afterwards. */
  close(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    for (const state of this.states.values()) clearTimeout(state.grace);
    for (const shard of [...this.shards]) this.dropShard(shard);
  }

  // ---- connections ----

  private newShard(): Shard {
    const shard: Shard = {
      id: this.nextShardId++,
      streams: new Set(),
      ws: undefined,
      state: "connecting",
      connectedWith: new Set(),
      attempt: 0,
      everOpened: false,
      downSince: this.now(),
      lastFrameAt: undefined,
      reconnects: 0,
      malformed: 0,
      frames: 0,
      outbox: [],
      sender: undefined,
      timers: [],
    };
    this.shards.push(shard);
    return shard;
  }

  private dropShard(shard: Shard): void {
    shard.state = "closed";
    this.stopConnection(shard);
    const i = this.shards.indexOf(shard);
    if (i >= 0) this.shards.splice(i, 1);
  }

  private stopConnection(shard: Shard): void {
    for (const t of shard.timers) clearTimeout(t);
    shard.timers = [];
    clearInterval(shard.sender);
    shard.sender = undefined;
    shard.outbox = [];
    const ws = shard.ws;
    shard.ws = undefined;
    if (ws !== undefined) {
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
    }
  }

  private connect(shard: Shard): void {
    if (this.closed || shard.state === "closed" || shard.streams.size === 0) return;
    shard.state = "connecting";
    shard.connectedWith = new Set(shard.streams);
    const ws = new WebSocket(`${this.wsUrl}/stream?streams=${[...shard.connectedWith].join("/")}`);
    shard.ws = ws;
    ws.on("open", () => this.onOpen(shard));
    ws.on("message", (data: WebSocket.RawData) => this.onFrame(shard, data.toString()));
    ws.on("close", (code: number, reason: Buffer) => this.onDown(shard, code, reason.toString()));
    ws.on("error", (error: Error) => {
      this.log(`binance ws shard ${shard.id}: error "${error.message}"`);
      this.onDown(shard, 1006, error.message);
    });
    // ws answers server pings with pongs by itself (checked in BinanceStreams.integration.test.ts).
  }

  private onOpen(shard: Shard): void {
    const now = this.now();
    shard.state = "open";
    shard.lastFrameAt = now;
    for (const state of this.states.values()) if (state.shard === shard) state.fresh = true;
    if (shard.everOpened) {
      shard.reconnects++;
      this.counters.reconnects++;
      this.emit({
        _tag: "Reconnected",
        shard: shard.id,
        attempt: shard.attempt,
        downtimeMs: now - shard.downSince,
      });
    } else {
      shard.everOpened = true;
      this.emit({ _tag: "Connected", shard: shard.id, streams: shard.streams.size });
    }
    const missing = [...shard.streams].filter((s) => !shard.connectedWith.has(s));
    const extra = [...shard.connectedWith].filter((s) => !shard.streams.has(s));
    if (missing.length > 0) this.queueControl(shard, "SUBSCRIBE", missing);
    if (extra.length > 0) this.queueControl(shard, "UNSUBSCRIBE", extra);
    shard.timers.push(
      setTimeout(() => {
        shard.attempt = 0;
      }, this.config.stableAfterMs ?? 60_000),
      setTimeout(() => this.recycle(shard), this.config.maxConnectionAgeMs ?? 23.5 * 3_600_000),
    );
  }

  /** Before Binance's 24 h cut: reconnect now, without backoff (the gap is backfilled). */
  private recycle(shard: Shard): void {
    this.log(`binance ws shard ${shard.id}: recycling before the 24 h limit`);
    this.stopConnection(shard);
    shard.downSince = this.now();
    this.connect(shard);
  }

  private onDown(shard: Shard, code: number, reason: string): void {
    if (shard.ws === undefined || this.closed || shard.state === "closed") return;
    const wasOpen = shard.state === "open";
    this.stopConnection(shard);
    shard.state = "connecting";
    if (wasOpen) shard.downSince = this.now();
    const base = this.config.reconnectBaseMs ?? 1000;
    const cap = Math.min(this.config.reconnectMaxMs ?? 60_000, base * 2 ** shard.attempt);
    const retryInMs = Math.floor(this.random() * cap);
    shard.attempt++;
    this.emit({ _tag: "Disconnected", shard: shard.id, code, reason, retryInMs });
    this.log(`binance ws shard ${shard.id}: closed (${code} "${reason}"), reconnecting in ${retryInMs} ms`);
    shard.timers.push(setTimeout(() => this.connect(shard), retryInMs));
  }

  private checkFreshness(): void {
    const limit = this.config.staleAfterMs ?? 30_000;
    const now = this.now();
    for (const shard of this.shards) {
      if (shard.state !== "open" || shard.lastFrameAt === undefined) continue;
      const silentMs = now - shard.lastFrameAt;
      if (silentMs < limit) continue;
      this.emit({ _tag: "Stale", shard: shard.id, silentMs });
      this.log(`binance ws shard ${shard.id}: no frame for ${silentMs} ms, reconnecting`);
      this.onDown(shard, 4000, "stale");
    }
  }

  /** SUBSCRIBE/UNSUBSCRIBE go out one by one, at most `maxMessagesPerSecond` per connection. */
  private queueControl(shard: Shard, method: "SUBSCRIBE" | "UNSUBSCRIBE", streams: readonly string[]): void {
    // Requests still waiting for their turn are merged with the next one of the same method.
    const queued = shard.outbox[shard.outbox.length - 1];
    if (queued !== undefined && queued.method === method) queued.params.push(...streams);
    else shard.outbox.push({ method, params: [...streams] });
    if (shard.sender !== undefined) return;
    const send = () => {
      const next = shard.outbox.shift();
      if (next === undefined) {
        clearInterval(shard.sender);
        shard.sender = undefined;
        return;
      }
      shard.ws?.send(JSON.stringify({ method: next.method, params: next.params, id: this.nextMessageId++ }));
    };
    send();
    shard.sender = setInterval(send, Math.ceil(1000 / (this.config.maxMessagesPerSecond ?? 4)));
  }

  private onFrame(shard: Shard, text: string): void {
    shard.lastFrameAt = this.now();
    shard.frames++;
    const frame = decodeStreamFrame(text);
    if (frame._tag === "Malformed") {
      shard.malformed++;
      this.counters.malformed++;
      this.log(`binance ws shard ${shard.id}: malformed frame ignored (${frame.message})`);
      this.emit({ _tag: "Malformed", shard: shard.id, message: frame.message });
      return;
    }
    if (frame._tag === "Reply") return;
    const { symbol, timeframe, candle, closed } = frame.event;
    const state = this.states.get(symbol);
    if (state === undefined || timeframe !== this.timeframe || state.shard !== shard) return;
    if (closed) this.onClosed(state, candle);
    else this.onForming(state, candle);
    state.fresh = false;
  }

  // ---- sequencing ----

  private onClosed(state: SymbolState, candle: Candle): void {
    const t = candle.openTime;
    if (state.last !== undefined && t <= state.last) {
      this.counters.duplicatesDropped++;
      return;
    }
    if (state.backfilling) {
      if (!state.buffer.some((c) => c.openTime === t)) state.buffer.push(candle);
      return;
    }
    if (state.last === undefined || t === state.last + this.step) {
      this.deliverClosed(state, candle);
      return;
    }
    state.buffer.push(candle);
    this.startBackfill(state, state.last + this.step, t - this.step);
  }

  private onForming(state: SymbolState, candle: Candle): void {
    const t = candle.openTime;
    if (t > state.latestForming) state.latestForming = t;
    if (state.backfilling || (state.last !== undefined && t <= state.last)) return;
    if (state.last === undefined || t === state.last + this.step) {
      this.emit({ _tag: "Candle", symbol: state.symbol, timeframe: this.timeframe, candle, closed: false });
      return;
    }
    // Closed candles before `t` are missing: after a reconnect they are gone for good; otherwise the
    // closed message may just be late (Binance sends it up to ~2 s after the close).
    const last = state.last;
    if (state.fresh) this.startBackfill(state, last + this.step, t - this.step, t - 2 * this.step);
    else if (state.grace === undefined) {
      state.grace = setTimeout(() => {
        state.grace = undefined;
        if (this.states.get(state.symbol) !== state || state.backfilling || state.last === undefined) return;
        if (state.latestForming > state.last + this.step)
          this.startBackfill(
            state,
            state.last + this.step,
            state.latestForming - this.step,
            state.latestForming - 2 * this.step,
          );
      }, this.config.closedGraceMs ?? 5000);
    }
  }

  private deliverClosed(state: SymbolState, candle: Candle): void {
    state.last = candle.openTime;
    this.counters.closedDelivered++;
    this.emit({ _tag: "Candle", symbol: state.symbol, timeframe: this.timeframe, candle, closed: true });
  }

  /**
   * Closed candles [from, to] by REST. `settledTo`: up to there REST must have every candle that exists (a later
   * candle has closed since), so what it does not return is a hole in the exchange's data, passed over; after
   * it (the candle that closed moments ago) REST may lag and the stream's closed message is waited for.
   */
  private startBackfill(state: SymbolState, from: number, to: number, settledTo = to): void {
    clearTimeout(state.grace);
    state.grace = undefined;
    state.backfilling = true;
    this.config.backfill(state.symbol, this.timeframe, from, to).then(
      (candles) => {
        if (this.closed || this.states.get(state.symbol) !== state) return;
        let count = 0;
        for (const c of candles) {
          if (c.openTime > to || (state.last !== undefined && c.openTime <= state.last)) continue;
          this.deliverClosed(state, c);
          count++;
        }
        this.counters.backfilledCandles += count;
        // What the exchange did not return up to `settledTo` it does not have (a hole in its data, an incident):
        // move past it, or the candle after the hole would start the same empty backfill forever.
        if (state.last !== undefined && state.last < settledTo) state.last = settledTo;
        this.emit({
          _tag: "Backfilled",
          symbol: state.symbol,
          timeframe: this.timeframe,
          from,
          to,
          candles: count,
        });
        state.backfilling = false;
        // Replay what arrived meanwhile; a new gap among it starts the next backfill and re-buffers the rest.
        const pending = state.buffer.sort((a, b) => a.openTime - b.openTime);
        state.buffer = [];
        for (const c of pending) this.onClosed(state, c);
      },
      (error: unknown) => {
        if (this.closed || this.states.get(state.symbol) !== state) return;
        const retryAt = (error as { retryAt?: number }).retryAt;
        const retryInMs = Math.max(this.config.reconnectBaseMs ?? 1000, (retryAt ?? 0) - this.now());
        const message = error instanceof Error ? error.message : String(error);
        this.emit({ _tag: "BackfillFailed", symbol: state.symbol, message, retryInMs });
        this.log(
          `binance backfill "${state.symbol}" ${from}..${to} failed: ${message}; retry in ${retryInMs} ms`,
        );
        setTimeout(() => {
          if (this.closed || this.states.get(state.symbol) !== state || state.last === undefined) return;
          const newest = Math.max(
            to,
            state.latestForming - this.step,
            ...state.buffer.map((c) => c.openTime - this.step),
          );
          this.startBackfill(state, state.last + this.step, newest, newest - this.step);
        }, retryInMs);
      },
    );
  }

  private emit(event: StreamEvent): void {
    if (!this.closed) this.config.onEvent(event);
  }
}
