/**
 * Rotation analyses every symbol of its window on every 30m close of its slot and loses no candle at a slot
 * boundary, whatever the slot length. The live loop (runLive, the real ActiveSymbols, dispatcher and rounds)
 * runs under the TestClock over two days of candles, fed by a scripted stream as Binance feeds it (each close's
 * candle for every subscribed symbol, at the close); what it analysed, symbol by symbol and close by close, must be
 * exactly core's timing rule (`rotationCoverage`: a window is analysed on every close from its slot's start to its
 * end, both included) — at the default 1800 s, and at 3600 s and 900 s.
 */
import { describe, expect, test } from "bun:test";
import {
  activeSet,
  type Candle,
  type ClosedCandleOutcome,
  DAY_MS,
  defaultMemoryConfig,
  HigherTimeframes,
  MarketData,
  MarketStream,
  Memory,
  MemoryStore,
  Notifier,
  Pipeline,
  rotationCoverage,
  type StreamEvent,
  slotCloses,
  TIMEFRAME_MS,
  type Timeframe,
} from "@signalbot/core";
import { KeyValueStoreMemory, MemoryStoreMemory, SignalStoreMemory } from "@signalbot/core/testing";
import { Effect, Fiber, Layer, Queue } from "effect";
import { TestClock } from "effect/testing";
import { loadConfig } from "../Config.ts";
import { silentLogger } from "../observability/Log.ts";
import { Metrics } from "../observability/Metrics.ts";
import { type LiveHandle, runLive } from "./Live.ts";

const T0 = Date.UTC(2025, 5, 2);
const END = T0 + 2 * DAY_MS;
const M30 = TIMEFRAME_MS["30m"];
/** One fixed symbol, three rotating slots over a ranked list of eight: the window wraps around it. */
const SYMBOLS = Array.from({ length: 8 }, (_, i) => `S${i + 1}USDT`);
const FIXED = "S1USDT";
const MAX_SYMBOLS = 4;

/** A deterministic market: every symbol moves on its own sine waves, on every timeframe. */
const candleOf = (symbol: string, timeframe: Timeframe, openTime: number): Candle => {
  const step = TIMEFRAME_MS[timeframe];
  const seed = Number(symbol.replace(/\D/g, ""));
  const price = (k: number) =>
    100 * seed * Math.exp(0.06 * Math.sin(k / 37 + seed) + 0.02 * Math.sin(k / 5.3));
  const k = openTime / step;
  const open = price(k);
  const close = price(k + 1);
  return {
    openTime,
    open,
    close,
    high: Math.max(open, close) * 1.003,
    low: Math.min(open, close) * 0.997,
    volume: 1000 + 100 * Math.sin(k),
    closeTime: openTime + step - 1,
  };
};

const market = (now: () => number) =>
  Layer.succeed(
    MarketData,
    MarketData.of({
      klines: (q) =>
        Effect.sync(() => {
          const step = TIMEFRAME_MS[q.timeframe];
          const lastOpen = Math.floor(now() / step) * step - step;
          const to = Math.min(lastOpen, q.endTime ?? lastOpen);
          const from =
            q.startTime === undefined ? to - (q.limit - 1) * step : Math.ceil(q.startTime / step) * step;
          const out: Candle[] = [];
          for (let t = from; t <= to && out.length < q.limit; t += step)
            out.push(candleOf(q.symbol, q.timeframe, t));
          return out;
        }),
      universe: (limit) =>
        Effect.succeed(
          SYMBOLS.slice(0, limit).map((symbol, i) => ({
            symbol,
            quoteVolume: 1e9 - i,
            info: { symbol, tickSize: "0.0001", stepSize: "0.001", minNotional: 5 },
            listedAt: Date.UTC(2020, 0, 1),
          })),
        ),
      serverTime: Effect.sync(now),
    }),
  );

/** The loop from T0 to END at `slotSeconds`, a step every `stepMs`: per symbol, the closes it analysed. */
const run = (slotSeconds: number) =>
  Effect.gen(function* () {
    let now = T0;
    yield* TestClock.setTime(now);
    const loaded = loadConfig({
      FIXED_SYMBOLS: FIXED,
      MAX_SYMBOLS_SUBSCRIBED: String(MAX_SYMBOLS),
      TOP_VOLUME_FETCH_LIMIT: String(SYMBOLS.length),
      ROTATION_SLOT_SECONDS: String(slotSeconds),
      // No signal, so no open trade pins a symbol: the rotation alone decides who is watched.
      SCORE_THRESHOLD: "100",
      // The synthetic market is calm: keep its symbols in the universe whatever their weekly range.
      UNIVERSE_MIN_RANGE_PERCENT: "0",
      DAILY_STATUS_HOUR: "-1",
      STALE_ALERT_MINUTES: "1440",
      HTTP_PORT: "0",
    });
    if (loaded._tag !== "Valid") throw new Error(loaded.problems.join("; "));
    // The stream, scripted: this test pushes its events; subscriptions are recorded.
    const subscribed = new Set<string>();
    let emit: (e: StreamEvent) => void = () => {};
    const stream = Layer.effect(
      MarketStream,
      Effect.gen(function* () {
        const events = yield* Queue.unbounded<StreamEvent>();
        emit = (e) => void Queue.offerUnsafe(events, e);
        return MarketStream.of({
          subscribe: (s) =>
            Effect.sync(() => {
              for (const x of s) subscribed.add(x);
            }),
          unsubscribe: (s) =>
            Effect.sync(() => {
              for (const x of s) subscribed.delete(x);
            }),
          shards: () => [{ shard: 1, state: "open", streams: subscribed.size, reconnects: 0, silentMs: 0 }],
          events,
        });
      }),
    );
    const analysed = new Map<string, number[]>();
    const onStep = (symbol: string, outcome: ClosedCandleOutcome) => {
      if (outcome._tag === "Stepped" && outcome.analysis._tag === "Analysed")
        analysed.set(symbol, [...(analysed.get(symbol) ?? []), outcome.time]);
    };
    let handle: LiveHandle | undefined;
    const layer = Layer.mergeAll(
      HigherTimeframes.layerMarketData.pipe(Layer.provideMerge(market(() => now))),
      SignalStoreMemory.layer(new SignalStoreMemory.State()),
      KeyValueStoreMemory.layer(),
      Memory.layer({ ...defaultMemoryConfig, baseThreshold: 100 }).pipe(
        Layer.provide(Layer.succeed(MemoryStore, MemoryStoreMemory.make(MemoryStoreMemory.state()))),
      ),
      Pipeline.layer({}),
      stream,
      Layer.succeed(Notifier, Notifier.of({ deliver: () => Effect.void })),
    );
    const fiber = yield* Effect.forkChild(
      runLive({
        config: loaded.config,
        log: silentLogger,
        metrics: new Metrics(),
        outbox: { minIntervalMs: 0, idleMs: 60_000 },
        onStarted: (x) => {
          handle = x;
        },
        onStep,
      }).pipe(Effect.provide(layer)),
    );
    // Until the loop has nothing left to do: no rotation running, no event in flight, no close waiting.
    const settle = Effect.gen(function* () {
      for (let i = 0; ; i++) {
        for (let j = 0; j < 20; j++) yield* Effect.yieldNow;
        const h = handle!.health();
        const scans = h.scans as { inFlight: number; closesPending: number };
        if (!handle!.symbols.view().busy && scans.inFlight === 0 && scans.closesPending === 0) return;
        if (i > 10_000) throw new Error(`the loop did not settle at ${new Date(now).toISOString()}`);
      }
    });
    while (handle === undefined) yield* Effect.yieldNow;
    const stepMs = Math.min(M30, slotSeconds * 1000);
    while (now < END) {
      now += stepMs;
      yield* TestClock.setTime(now);
      // Binance sends each subscribed symbol's closed candle at the close (the rotation wakes at the same time).
      if (now % M30 === 0)
        for (const symbol of subscribed)
          emit({
            _tag: "Candle",
            event: { symbol, timeframe: "30m", candle: candleOf(symbol, "30m", now - M30), closed: true },
          });
      yield* settle;
    }
    yield* Fiber.interrupt(fiber);
    return analysed;
  }).pipe(Effect.provide(TestClock.layer()));

const sorted = (m: ReadonlyMap<string, readonly number[]>) =>
  Object.fromEntries([...m].map(([s, closes]) => [s, [...closes].sort((a, b) => a - b)]).sort());

describe("rotation over two days of candles", () => {
  for (const [slotSeconds, closesPerSlot] of [
    [1800, 2],
    [3600, 3],
    [900, 1],
  ] as const) {
    test(`ROTATION_SLOT_SECONDS=${slotSeconds}: every window analysed on every close of its slot, no candle lost`, async () => {
      const analysed = await Effect.runPromise(run(slotSeconds));
      const rule = rotationCoverage({
        fixed: [FIXED],
        ranked: SYMBOLS,
        maxSymbols: MAX_SYMBOLS,
        slotMs: slotSeconds * 1000,
        from: T0,
        to: END,
      });
      expect(sorted(analysed)).toEqual(sorted(rule));
      // The fixed symbol on each of the 96 closes, once; no candle analysed twice; every ranked symbol had turns.
      expect(analysed.get(FIXED)).toHaveLength(96);
      for (const s of SYMBOLS) expect(new Set(analysed.get(s)).size).toBe(analysed.get(s)?.length ?? 0);
      for (const s of SYMBOLS) expect(analysed.get(s)?.length ?? 0).toBeGreaterThan(0);
      // Spelled out for every slot: each symbol of its window on each close of the slot, boundaries included
      // (2 closes at 1800 s, 3 at 3600 s, 1 at 900 s).
      const slotMs = slotSeconds * 1000;
      for (let slot = T0 / slotMs + 1; (slot + 1) * slotMs <= END; slot++) {
        const closes = slotCloses(slot, slotMs);
        expect(closes).toHaveLength(closesPerSlot);
        for (const s of activeSet({
          fixed: [FIXED],
          ranked: SYMBOLS,
          maxSymbols: MAX_SYMBOLS,
          slotMs,
          time: slot * slotMs,
          pinned: [],
        }).rotating)
          for (const c of closes) expect([s, c, analysed.get(s)?.includes(c)]).toEqual([s, c, true]);
      }
    }, 60_000);
  }
});
