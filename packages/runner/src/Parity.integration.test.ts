// Live and backtest are one engine: the same real candles (the committed fixtures), once through the real live
// bot — AppLayer, SQLite, Binance REST and WebSocket against the loopback fake exchange — and once through the
// backtest engine, give identical signals and trades; and the two market-data modes (MARKET_DATA=stream and
// poll) give the same signals. The bot's clock is the fake exchange's market time, moved one 30m candle at a
// time; each step waits for the bot's own report that every symbol's candle was stepped (no polling, no sleeps).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BinanceRest } from "@signalbot/adapters/binance";
import * as Sqlite from "@signalbot/adapters/sqlite";
import { FakeExchange } from "@signalbot/adapters/testing";
import {
  type ClosedCandleOutcome,
  DAY_MS,
  type MemoryEvent,
  type Signal,
  SignalStore,
  type SymbolInfo,
  TIMEFRAME_MS,
  type VirtualTrade,
} from "@signalbot/core";
import { Effect } from "effect";
import { FIXTURE_KLINES_DIR } from "../../../fixtures/index.ts";
import { runEngine } from "./backtest/Engine.ts";
import { loadReplay } from "./backtest/Replay.ts";
import { loadConfig } from "./Config.ts";
import { runBot } from "./cli/start.ts";
import { WARMUP_CANDLES } from "./live/ActiveSymbols.ts";
import { clockFrom, SteppedTime } from "./live/TimeSource.ts";
import { makeLogger, silentLogger } from "./observability/Log.ts";

const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"];
const START = Date.UTC(2025, 1, 20);
const END = START + 16 * DAY_MS;
const STEP = TIMEFRAME_MS["30m"];
const STARTING_BALANCE = 100_000;
const POLL_DELAY_SECONDS = 5;
/** The REST weight window of the fake and of the bot, in real ms (Binance's is a minute). */
const WEIGHT_WINDOW_MS = 1000;

const dir = mkdtempSync(join(tmpdir(), "signalbot-parity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What must be identical: identity, levels, score and decision of every signal; the life of every trade. */
const signalView = (s: Signal) => ({
  key: s.key,
  status: s.status,
  blockedBy: s.blockedBy?.code ?? null,
  entry: s.setup.entry,
  stop: s.setup.stop,
  targets: s.setup.targets,
  score: s.setup.score,
  threshold: s.threshold,
  quantity: s.sizing?.quantity ?? null,
});
const tradeView = (t: VirtualTrade) => ({
  id: t.id,
  status: t.status,
  entry: t.entry,
  stop: t.initialStop,
  targets: t.targets,
  exitReason: t.exitReason ?? null,
  rMultiple: t.rMultiple ?? null,
  closedAt: t.closedAt ?? null,
});
const byKey = <A extends { readonly key?: string; readonly id?: string }>(xs: readonly A[]) =>
  [...xs].sort((a, b) => ((a.key ?? a.id)! < (b.key ?? b.id)! ? -1 : 1));

/**
 * The live bot from START to END in `marketData` mode; its signals and trades as persisted in its database. Each
 * step moves the market to the next close (stream) or to the poll round POLL_DELAY_SECONDS after it (poll).
 */
const live = async (exchange: FakeExchange, marketData: "stream" | "poll" = "stream") => {
  const lagMs = marketData === "poll" ? POLL_DELAY_SECONDS * 1000 : 0;
  const env = {
    BINANCE_REST_URL: exchange.restUrl,
    BINANCE_WS_URL: exchange.wsUrl,
    DATABASE_PATH: join(dir, `live-${marketData}-${exchange.port}.db`),
    MARKET_DATA: marketData,
    POLL_DELAY_SECONDS: String(POLL_DELAY_SECONDS),
    FIXED_SYMBOLS: SYMBOLS.join(","),
    MAX_SYMBOLS_SUBSCRIBED: String(SYMBOLS.length),
    TOP_VOLUME_FETCH_LIMIT: "20",
    STARTING_BALANCE: String(STARTING_BALANCE),
    // One scan at a time: symbols closing at the same instant are stepped in arrival (= symbol) order, as
    // the backtest steps them. The setups of a close are decided together after all its symbols were stepped
    // (CloseRounds, decideSetups), so concurrency cannot change a signal; what it could still reorder is the
    // memory's learning from two trades closing at the same instant (see docs/architecture.md).
    SCAN_CONCURRENCY: "1",
    DAILY_STATUS_HOUR: "-1",
    STALE_ALERT_MINUTES: "1440",
    HTTP_PORT: "0",
  };
  const loaded = loadConfig(env);
  if (loaded._tag !== "Valid") throw new Error(loaded.problems.join("; "));
  const time = new SteppedTime(() => exchange.now());
  // Per symbol, the close time of its last stepped candle; a waiter resolves once all reached its time.
  const stepped = new Map<string, number>();
  let waiter: { readonly time: number; readonly resolve: () => void } | undefined;
  const memoryEvents: MemoryEvent[] = [];
  const onStep = (symbol: string, outcome: ClosedCandleOutcome) => {
    if (outcome._tag === "Stepped") {
      stepped.set(symbol, Math.max(stepped.get(symbol) ?? 0, outcome.time));
      memoryEvents.push(...outcome.expired, ...outcome.trades.memoryEvents);
    }
    if (waiter !== undefined && SYMBOLS.every((s) => (stepped.get(s) ?? 0) >= waiter!.time)) {
      const w = waiter;
      waiter = undefined;
      w.resolve();
    }
  };
  const allStepped = (at: number) =>
    new Promise<void>((resolve) => {
      waiter = { time: at, resolve };
      onStep("", { _tag: "Duplicate" });
    });
  const abort = new AbortController();
  let started: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const done = runBot(loaded.config, {
    log: process.env.PARITY_LOG
      ? makeLogger({
          level: "debug",
          format: "pretty",
          secrets: [],
          write: (l) => console.log(l),
          now: () => exchange.now(),
        })
      : silentLogger,
    clock: clockFrom(time),
    signal: abort.signal,
    consoleWrite: () => {},
    outbox: { minIntervalMs: 0 },
    // 16 market days replay in seconds: the weight budget per real second, as the fake's (see `exchangeAt`).
    restWeightWindowMs: WEIGHT_WINDOW_MS,
    onStarted: () => started(),
    onStep,
  });
  await Promise.race([ready, done.then((code) => Promise.reject(new Error(`bot exited with ${code}`)))]);
  if (marketData === "stream")
    await exchange.streamsReady(SYMBOLS.map((s) => `${s.toLowerCase()}@kline_30m`));
  exchange.advance(lagMs);
  time.release();
  while (exchange.now() < END + lagMs) {
    exchange.advance(STEP);
    time.release();
    await allStepped(exchange.now() - lagMs);
  }
  abort.abort();
  expect(await done).toBe(0);
  return Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        return {
          signals: yield* store.recentSignals(100_000),
          trades: [...(yield* store.closedTrades(0)), ...(yield* store.openTrades)],
          memoryEvents,
        };
      }).pipe(Effect.provide(Sqlite.layer({ path: env.DATABASE_PATH }))),
    ),
  );
};

/** The backtest over the same candles: warmed up like live (499 per timeframe), the same exchange filters. */
const backtest = async (infos: Readonly<Record<string, SymbolInfo>>) => {
  const data = await Effect.runPromise(
    loadReplay(FIXTURE_KLINES_DIR, SYMBOLS, { from: START, to: END, warmupCandles: WARMUP_CANDLES }),
  );
  return Effect.runPromise(
    runEngine(data, {
      dataDir: FIXTURE_KLINES_DIR,
      from: START,
      to: END,
      memory: true,
      memoryConfig: { startingBalance: STARTING_BALANCE },
      warmupCandles: WARMUP_CANDLES,
      infos,
    }),
  );
};

/** A fake exchange replaying the fixtures from START, a forming update every `updateIntervalMs` of market time. */
const exchangeAt = (updateIntervalMs: number) =>
  new FakeExchange({
    dataDir: FIXTURE_KLINES_DIR,
    generatedSymbols: 0,
    startTime: START,
    updateIntervalMs,
    weightWindowMs: WEIGHT_WINDOW_MS,
  });

/** `run` against a fresh exchange, stopped afterwards. */
const withExchange = async <A>(updateIntervalMs: number, run: (exchange: FakeExchange) => Promise<A>) => {
  const exchange = exchangeAt(updateIntervalMs);
  try {
    return await run(exchange);
  } finally {
    exchange.stop();
  }
};

/** The backtest's answer, computed once for every test (the exchange filters come from the fake's universe). */
let backtested: ReturnType<typeof backtest> | undefined;
const fromBacktest = () =>
  (backtested ??= withExchange(STEP, async (exchange) => {
    const universe = await new BinanceRest({ restUrl: exchange.restUrl }).universe(100);
    return backtest(Object.fromEntries(universe.map((e) => [e.symbol, e.info])));
  }));

test("the same candles through the live bot and through the backtest give identical signals and trades", async () => {
  // No forming updates (a push cadence of one candle): live trades see closed candles only, like the backtest.
  const fromLive = await withExchange(STEP, (exchange) => live(exchange));
  const bt = await fromBacktest();

  const emitted = bt.signals.filter((s) => s.status === "emitted");
  const closed = bt.trades.filter((t) => t.status === "closed");
  // Meaningful: several signals emitted on several symbols, several trades followed to their close.
  expect(emitted.length).toBeGreaterThanOrEqual(6);
  expect(new Set(emitted.map((s) => s.setup.symbol)).size).toBeGreaterThanOrEqual(3);
  expect(closed.length).toBeGreaterThanOrEqual(5);
  expect(new Set(closed.map((t) => t.exitReason)).size).toBeGreaterThanOrEqual(2);
  // ...and the memory layer acted on them (pauses, cooldowns): its decisions are part of what must agree.
  expect(bt.memoryEvents.some((e) => e.rule === "lossStreakPause")).toBe(true);

  expect(byKey(fromLive.signals).map(signalView)).toEqual(byKey(bt.signals).map(signalView));
  expect(byKey(fromLive.trades).map(tradeView)).toEqual(byKey(bt.trades).map(tradeView));
  expect(fromLive.memoryEvents).toEqual([...bt.memoryEvents]);
}, 120_000);

test("MARKET_DATA=poll is the backtest's semantics; the stream, forming updates and all, emits the same signals", async () => {
  // Poll: closed candles fetched by REST 5 s after each close. The exchange also pushes a forming update every
  // 5 minutes, which only the stream bot sees (its open trades advance on them).
  const polled = await withExchange(5 * 60_000, (exchange) => live(exchange, "poll"));
  const streamed = await withExchange(5 * 60_000, (exchange) => live(exchange, "stream"));
  const bt = await fromBacktest();

  expect(polled.signals.filter((s) => s.status === "emitted").length).toBeGreaterThanOrEqual(6);
  expect(byKey(polled.signals).map(signalView)).toEqual(byKey(bt.signals).map(signalView));
  expect(byKey(polled.trades).map(tradeView)).toEqual(byKey(bt.trades).map(tradeView));
  // A memory event is stamped by the clock: the poll round's, 5 s after the close the backtest stamps.
  const atClose = (e: MemoryEvent) => ({ ...e, time: Math.floor(e.time / STEP) * STEP });
  expect(polled.memoryEvents.map(atClose)).toEqual(bt.memoryEvents.map(atClose));

  // Signals come from closed candles only, so they agree; a trade may differ in general (a forming update can
  // show a target touched before the stop that a closed candle, stop first, does not).
  expect(byKey(streamed.signals).map(signalView)).toEqual(byKey(polled.signals).map(signalView));
}, 120_000);
