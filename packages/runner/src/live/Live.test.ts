import { expect, test } from "bun:test";
import {
  type Candle,
  type CandleEvent,
  defaultMemoryConfig,
  HigherTimeframes,
  type KlineQuery,
  MarketData,
  MarketStream,
  Memory,
  MemoryStore,
  type Notification,
  Notifier,
  Pipeline,
  type RestEvent,
  type StreamEvent,
  type Timeframe,
} from "@signalbot/core";
import {
  anOpenTrade,
  KeyValueStoreMemory,
  loadKlines,
  MemoryStoreMemory,
  SignalStoreMemory,
  SignalStoreMemoryState,
} from "@signalbot/core/testing";
import { Effect, Fiber, Layer, Queue } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { type AppConfig, loadConfig } from "../Config.ts";
import { makeLogger } from "../observability/Log.ts";
import { Metrics } from "../observability/Metrics.ts";
import { type LiveHandle, runLive } from "./Live.ts";

const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"] as const;
const klines = new Map<string, Record<Timeframe, Candle[]>>();
for (const s of SYMBOLS)
  klines.set(s, {
    "30m": loadKlines(s, "30m", FIXTURE_KLINES_DIR),
    "4h": loadKlines(s, "4h", FIXTURE_KLINES_DIR),
    "1d": loadKlines(s, "1d", FIXTURE_KLINES_DIR),
  });

/** MarketData over the committed fixtures, answering what had closed by the test clock's now. */
const fixtureMarket = (now: () => number, calls: KlineQuery[]) =>
  Layer.succeed(
    MarketData,
    MarketData.of({
      klines: (q) =>
        Effect.sync(() => {
          calls.push(q);
          const all = klines.get(q.symbol)?.[q.timeframe] ?? [];
          const t = now();
          const fit = all.filter(
            (c) =>
              c.closeTime < t &&
              (q.startTime === undefined || c.openTime >= q.startTime) &&
              (q.endTime === undefined || c.openTime <= q.endTime),
          );
          return q.startTime === undefined ? fit.slice(-q.limit) : fit.slice(0, q.limit);
        }),
      universe: (limit) =>
        Effect.succeed(
          SYMBOLS.slice(0, limit).map((symbol, i) => ({
            symbol,
            quoteVolume: 1e9 - i,
            info: { symbol, tickSize: "0.01", stepSize: "0.001", minNotional: 5 },
          })),
        ),
      serverTime: Effect.sync(now),
    }),
  );

const config = (env: Record<string, string>): AppConfig => {
  const r = loadConfig({ FIXED_SYMBOLS: "BTCUSDT", MAX_SYMBOLS_SUBSCRIBED: "2", HTTP_PORT: "0", ...env });
  if (r._tag !== "Valid") throw new Error(r.problems.join("; "));
  return r.config;
};

interface Harness {
  readonly delivered: Notification[];
  readonly subscribed: Set<string>;
  readonly logs: string[];
  readonly calls: KlineQuery[];
  handle: LiveHandle | undefined;
  emit: (e: StreamEvent) => void;
}

const T0 = Date.UTC(2025, 0, 6, 0, 0);

/** Runs the live loop under the TestClock, feeding fixture candles as the stream would, 30 minutes a step. */
const runScenario = (
  env: Record<string, string>,
  steps: number,
  script: {
    /** No stream data during these steps. */
    readonly silent?: (step: number) => boolean;
    /** Called before each step with a way to raise REST governor events. */
    readonly rest?: (step: number, raise: (e: RestEvent) => void) => void;
  } = {},
  state = new SignalStoreMemoryState(),
  memoryState = MemoryStoreMemory.state(),
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0);
    let now = T0;
    const h: Harness = {
      delivered: [],
      subscribed: new Set(),
      logs: [],
      calls: [],
      handle: undefined,
      emit: () => {},
    };
    const cfg = config(env);
    let raiseRest: (e: RestEvent) => void = () => {};
    const log = makeLogger({
      level: "debug",
      format: "pretty",
      secrets: [],
      write: (l) => h.logs.push(l),
      now: () => now,
    });
    // The stream, scripted: the test pushes its events, subscriptions are recorded.
    const stream = Layer.effect(
      MarketStream,
      Effect.gen(function* () {
        const events = yield* Queue.unbounded<StreamEvent>();
        h.emit = (e) => void Queue.offerUnsafe(events, e);
        return MarketStream.of({
          subscribe: (s) =>
            Effect.sync(() => {
              for (const x of s) h.subscribed.add(x);
            }),
          unsubscribe: (s) =>
            Effect.sync(() => {
              for (const x of s) h.subscribed.delete(x);
            }),
          shards: () => [{ shard: 1, state: "open", streams: h.subscribed.size, reconnects: 0, silentMs: 0 }],
          events,
        });
      }),
    );
    const layer = Layer.mergeAll(
      HigherTimeframes.layerMarketData.pipe(Layer.provideMerge(fixtureMarket(() => now, h.calls))),
      SignalStoreMemory.layer(state),
      KeyValueStoreMemory.layer(),
      Memory.layer(defaultMemoryConfig).pipe(
        Layer.provide(Layer.succeed(MemoryStore, MemoryStoreMemory.make(memoryState))),
      ),
      Pipeline.layer({}),
      stream,
      Layer.succeed(Notifier, Notifier.of({ deliver: (n) => Effect.sync(() => void h.delivered.push(n)) })),
    );
    const fiber = yield* Effect.forkChild(
      runLive({
        config: cfg,
        log,
        metrics: new Metrics(),
        outbox: { minIntervalMs: 0, idleMs: 60_000 },
        restEvents: (listener) => {
          raiseRest = listener;
        },
        onStarted: (x) => {
          h.handle = x;
        },
      }).pipe(Effect.provide(layer)),
    );
    const settle = Effect.gen(function* () {
      for (let i = 0; i < 50; i++) yield* Effect.yieldNow;
      while (((h.handle?.health().scans as { inFlight: number } | undefined)?.inFlight ?? 0) > 0)
        yield* Effect.yieldNow;
    });
    while (h.handle === undefined) yield* Effect.yieldNow;
    for (let i = 0; i < steps; i++) {
      script.rest?.(i, raiseRest);
      now += 30 * 60_000;
      yield* TestClock.setTime(now);
      if (script.silent?.(i) === true) {
        yield* settle;
        continue;
      }
      for (const symbol of h.subscribed) {
        const c = klines.get(symbol)?.["30m"].find((k) => k.closeTime + 1 === now);
        if (c === undefined) continue;
        const event: CandleEvent = { symbol, timeframe: "30m", candle: c, closed: true };
        h.emit({ _tag: "Candle", event });
      }
      yield* settle;
    }
    now += 5_000;
    yield* TestClock.setTime(now);
    yield* settle;
    const health = h.handle!.health();
    yield* Fiber.interrupt(fiber);
    return { h, health, state };
  }).pipe(Effect.provide(TestClock.layer()));

test("warm-up, then a closed candle triggers a signal that is delivered and followed to its result", async () => {
  const { h, health, state } = await Effect.runPromise(
    runScenario({ ROTATION_SLOT_SECONDS: "21600" }, 4 * 48),
  );
  const warmups = h.calls.filter((q) => q.startTime === undefined);
  expect(warmups.map((q) => q.limit)).toContain(499);
  const tags = h.delivered.map((n) => (n._tag === "Alert" ? `Alert:${n.alert.kind}` : n._tag));
  expect(tags[0]).toBe("Alert:started");
  const signal = h.delivered.find((n) => n._tag === "NewSignal");
  expect(signal).toBeDefined();
  expect(h.delivered.some((n) => n._tag === "TradeUpdate" && n.event._tag === "Closed")).toBe(true);
  expect(health.ok).toBe(true);
  expect((health.lastClosed as Record<string, string | null>)["30m"]).not.toBeNull();
  expect((health.lastClosed as Record<string, string | null>)["4h"]).not.toBeNull();
  expect(state.signals.size).toBeGreaterThan(0);
  expect(h.logs.some((l) => l.includes("signal emitted"))).toBe(true);
}, 60_000);

test("alerts: stale market data and its recovery, a REST ban, and the daily status at its local hour", async () => {
  const { h } = await Effect.runPromise(
    runScenario(
      { ROTATION_SLOT_SECONDS: "21600", STALE_ALERT_MINUTES: "45", DAILY_STATUS_HOUR: "8", TIMEZONE: "UTC" },
      20,
      {
        silent: (i) => i >= 4 && i < 8,
        rest: (i, raise) => {
          if (i === 10) raise({ _tag: "Banned", until: T0 + 12 * 3_600_000, retryAfterMs: 6 * 3_600_000 });
          if (i === 11)
            for (const attempt of [1, 2])
              raise({
                _tag: "Retrying",
                source: "GET /fapi/v1/klines",
                attempt,
                retriesLeft: 5 - attempt,
                retryInMs: 1500,
                message: "network error: ECONNRESET",
              });
        },
      },
    ),
  );
  const alerts = h.delivered.flatMap((n) => (n._tag === "Alert" ? [n.alert] : []));
  expect(alerts.filter((a) => a.kind === "marketDataStale")).toEqual([
    { kind: "marketDataStale", minutes: 45, shards: 1 },
  ]);
  expect(alerts.filter((a) => a.kind === "marketDataRecovered")).toEqual([
    { kind: "marketDataRecovered", downMinutes: 150 },
  ]);
  expect(alerts.some((a) => a.kind === "restBan" && a.until === T0 + 12 * 3_600_000)).toBe(true);
  const daily = h.delivered.filter((n) => n._tag === "Status");
  expect(daily).toHaveLength(1);
  // The bot's own record in R with its sample size (no trade has closed yet in this scenario).
  expect(daily[0]).toMatchObject({ record: { trades: 0, totalR: 0, expectancyR: null } });
  expect(h.logs.some((l) => l.includes("market data stale: nothing for 45 min"))).toBe(true);
  // A REST failure is a warning on its first attempt; the retries after it are debug lines.
  expect(h.logs.filter((l) => l.includes("REST GET /fapi/v1/klines failed"))).toEqual([
    expect.stringContaining(
      "WARN  REST GET /fapi/v1/klines failed (attempt 1), retrying in 1.5 s: network error",
    ),
    expect.stringContaining("DEBUG REST GET /fapi/v1/klines failed (attempt 2)"),
  ]);
}, 60_000);

test("a FIXED_SYMBOLS entry the exchange does not list is warned about and skipped; the slot goes to rotation", async () => {
  const { h } = await Effect.runPromise(
    runScenario({ FIXED_SYMBOLS: "FOOUSDT,BTCUSDT", MAX_SYMBOLS_SUBSCRIBED: "2" }, 1),
  );
  expect(h.logs.filter((l) => l.includes("FIXED_SYMBOLS"))).toEqual([
    expect.stringContaining(
      'WARN  [universe] FIXED_SYMBOLS: "FOOUSDT" not listed by the exchange as a trading USDT perpetual, skipped',
    ),
  ]);
  const view = h.handle!.symbols.view();
  expect(view.fixed).toEqual(["BTCUSDT"]);
  expect(view.active).toHaveLength(2);
  expect(view.active[0]).toBe("BTCUSDT");
  expect(view.active).not.toContain("FOOUSDT");
  expect([...h.subscribed].sort()).toEqual([...view.active].sort());
  expect(h.calls.some((q) => q.symbol === "FOOUSDT")).toBe(false);
});

test("a trade restored from the store catches up at warm-up on the candles it missed while the bot was down", async () => {
  // An open LONG on BTCUSDT from a day before the start, its stop just above the lowest low of that day.
  const candles = klines.get("BTCUSDT")!["30m"];
  const trigger = candles.find((c) => c.closeTime + 1 === T0 - 24 * 3_600_000)!;
  const missed = candles.filter((c) => c.openTime > trigger.openTime && c.closeTime < T0);
  const low = Math.min(...missed.map((c) => c.low));
  const hitAt = missed.find((c) => c.low <= low * 1.0001)!;
  const entry = trigger.close;
  const trade = anOpenTrade({
    symbol: "BTCUSDT",
    candleOpenTime: trigger.openTime,
    entry,
    stop: low * 1.0001,
    targets: [entry * 1.5, entry * 1.6, entry * 1.7],
  });
  const state = new SignalStoreMemoryState();
  state.trades.set(trade.id, trade);
  const { h } = await Effect.runPromise(runScenario({ ROTATION_SLOT_SECONDS: "21600" }, 1, {}, state));
  const closed = h.delivered.find((n) => n._tag === "TradeUpdate" && n.event._tag === "Closed");
  expect(closed).toBeDefined();
  expect(state.trades.get(trade.id)).toMatchObject({
    status: "closed",
    exitReason: "stop",
    closedAt: hitAt.closeTime + 1,
  });
  expect(h.logs.some((l) => l.includes('caught up 1 restored trade on "BTCUSDT"'))).toBe(true);
}, 60_000);
