/**
 * Warm-up that fetches only what is missing: a symbol that rotates back in gets its kept candles plus the ones
 * closed since, and is then in exactly the state a fresh warm-up (3 × 499 candles) would give — same series, same
 * indicators, same answers on the candles that follow — also after a restart, from the cache kept in a real SQLite
 * file. Real REST against the loopback fake exchange; the clock is the TestClock, moved with the fake's market clock.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BinanceMarketData, BinanceRest } from "@signalbot/adapters/binance";
import { SqliteCandleCache, SqliteDatabase } from "@signalbot/adapters/sqlite";
import { FakeExchange } from "@signalbot/adapters/testing";
import {
  type Candle,
  CandleCache,
  type ClosedCandleOutcome,
  defaultMemoryConfig,
  HigherTimeframes,
  MarketData,
  MarketStream,
  Memory,
  MemoryStore,
  onClosedCandle,
  Pipeline,
  type StreamEvent,
  SymbolState,
  TIMEFRAME_MS,
  TIMEFRAMES,
  type Timeframe,
} from "@signalbot/core";
import { MemoryStoreMemory, SignalStoreMemory } from "@signalbot/core/testing";
import { Effect, Layer, Option, Queue } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { silentLogger } from "../observability/Log.ts";
import { Metrics } from "../observability/Metrics.ts";
import { makeActiveSymbols, WARMUP_CANDLES } from "./ActiveSymbols.ts";

const HALF_HOUR = TIMEFRAME_MS["30m"];
/** 10 minutes into a candle (warm-ups drop the forming one, as they do live), when every fixture symbol has data. */
const START = Date.UTC(2025, 5, 20, 0, 10);

/** The loopback exchange, the bot's services over it (memory stores), and what the exchange sent. */
const harness = () => {
  const fake = new FakeExchange({
    dataDir: FIXTURE_KLINES_DIR,
    generatedSymbols: 0,
    startTime: START,
    updateIntervalMs: HALF_HOUR,
  });
  const rest = new BinanceRest({ restUrl: fake.restUrl });
  /** Candle rows the exchange returned to the bot (the warm-ups' and the confirmations'). */
  let rows = 0;
  const md = Layer.effect(
    MarketData,
    Effect.map(Effect.service(MarketData), (m) =>
      MarketData.of({
        ...m,
        klines: (q) => Effect.tap(m.klines(q), (candles) => Effect.sync(() => void (rows += candles.length))),
      }),
    ),
  ).pipe(Layer.provide(BinanceMarketData.layerFromRest(rest)));
  const stream = Layer.effect(
    MarketStream,
    Effect.map(Queue.unbounded<StreamEvent>(), (events) =>
      MarketStream.of({
        subscribe: () => Effect.void,
        unsubscribe: () => Effect.void,
        shards: () => [],
        events,
      }),
    ),
  );
  const layer = Layer.mergeAll(
    HigherTimeframes.layerMarketData.pipe(Layer.provideMerge(md)),
    SignalStoreMemory.layer(),
    // Every setup is blocked by the score gate: no trade opens, so no symbol is pinned and the rotation runs free.
    Memory.layer({ ...defaultMemoryConfig, baseThreshold: 101 }).pipe(
      Layer.provide(Layer.succeed(MemoryStore, MemoryStoreMemory.make(MemoryStoreMemory.state()))),
    ),
    Pipeline.layer({}),
    stream,
  );
  const fresh = (symbol: string) =>
    Effect.promise(async () => {
      const t = new SymbolState(symbol, undefined, { params: { rrMin: 1.5 } });
      const history = {} as Record<Timeframe, readonly Candle[]>;
      for (const tf of TIMEFRAMES)
        history[tf] = await rest.klines({ symbol, timeframe: tf, limit: WARMUP_CANDLES });
      t.warm(history);
      return t;
    });
  const used = () => ({
    requests: fake.stats.byPath["/fapi/v1/klines"] ?? 0,
    bytes: fake.stats.restBodyBytesByPath["/fapi/v1/klines"] ?? 0,
    rows,
  });
  return { fake, layer, fresh, used };
};

type Harness = ReturnType<typeof harness>;

/** One bot process's ActiveSymbols: one rotating slot over the next 3 ranked symbols (each leaves and comes back). */
const activeSymbols = (metrics: Metrics) =>
  Effect.gen(function* () {
    const cache = yield* Effect.serviceOption(CandleCache);
    return makeActiveSymbols({
      config: {
        fixedSymbols: ["BTCUSDT"],
        maxSymbolsSubscribed: 2,
        topVolumeFetchLimit: 4,
        rotationSlotSeconds: 1800,
        rrMin: 1.5,
        // No universe filter: the rotation walks the ranked list as it is.
        universePeggedAssets: [],
        universeMinRangePercent: 0,
        universeRangeDays: 7,
        universeMinAgeDays: 0,
        warmupCacheSymbols: 10,
      },
      log: silentLogger,
      metrics,
      stream: yield* MarketStream,
      ...(Option.isSome(cache) ? { candleCache: cache.value } : {}),
    });
  });

type Symbols = Effect.Success<ReturnType<typeof activeSymbols>>;

interface Resumed {
  readonly symbols: readonly string[];
  readonly requests: number;
  readonly bytes: number;
  readonly rows: number;
  readonly lacked: number;
}

/** Per symbol and timeframe, the open time of its newest candle when it was last watched. */
type Newest = Map<string, Record<Timeframe, number>>;

const lastSeen = (t: SymbolState) =>
  Object.fromEntries(TIMEFRAMES.map((tf) => [tf, t.analyzer.series(tf).last?.openTime ?? 0])) as Record<
    Timeframe,
    number
  >;

/**
 * A rotation's entering symbols that were watched before: what they lacked (the candles closed since), checked
 * to be in the state a fresh warm-up gives now and to stay so on the candles that follow.
 */
const checkResumed = (
  h: Harness,
  symbols: Symbols,
  entering: readonly string[],
  newest: Newest,
  used: Omit<Resumed, "symbols" | "lacked">,
) =>
  Effect.gen(function* () {
    let lacked = 0;
    for (const s of entering) {
      const a = symbols.tracked(s)!;
      const left = newest.get(s)!;
      lacked += TIMEFRAMES.reduce(
        (n, tf) =>
          n +
          a.analyzer
            .series(tf)
            .toArray()
            .filter((c) => c.openTime > left[tf]).length,
        0,
      );
      // The state it entered with is the one a fresh warm-up gives now...
      const b = yield* h.fresh(s);
      for (const tf of TIMEFRAMES)
        expect(a.analyzer.series(tf).toArray()).toEqual(b.analyzer.series(tf).toArray());
      expect(a.analyzer.evaluate()).toEqual(b.analyzer.evaluate());
      // ...and stays so on the candles that follow (indicators, 4h/1d aggregation, confirmations).
      const next = h.fake.closedCandles(
        s,
        "30m",
        a.lastClosedOpenTime! + HALF_HOUR,
        h.fake.now() + 9 * HALF_HOUR,
      );
      const view = (o: ClosedCandleOutcome) =>
        o._tag === "Stepped" && o.analysis._tag === "Analysed"
          ? { higher: o.higher, evaluations: o.analysis.evaluations }
          : o;
      for (const c of next) {
        const x = yield* onClosedCandle(a, c, { chartCandles: 0 });
        expect(view(x)).toEqual(view(yield* onClosedCandle(b, c, { chartCandles: 0 })));
      }
    }
    h.fake.advance(9 * HALF_HOUR);
    yield* TestClock.setTime(h.fake.now());
    return { symbols: entering, ...used, lacked };
  });

/**
 * `slots` rotations as the loop runs them: every active symbol steps its closed candles, the rotation runs a
 * little after the close. Entries of symbols seen before are checked (`checkResumed`); the first entries of new
 * ones are full warm-ups, whose largest byte count is `freshBytes`.
 */
const runSlots = (h: Harness, symbols: Symbols, slots: number, seen: Set<string>, newest: Newest) =>
  Effect.gen(function* () {
    const resumed: Resumed[] = [];
    let freshBytes = 0;
    for (let slot = 1; slot <= slots; slot++) {
      const close = Math.floor(h.fake.now() / HALF_HOUR) * HALF_HOUR + HALF_HOUR;
      h.fake.advance(close - h.fake.now());
      yield* TestClock.setTime(close);
      for (const s of symbols.view().active) {
        const t = symbols.tracked(s)!;
        for (const c of h.fake.closedCandles(s, "30m", t.lastClosedOpenTime! + HALF_HOUR, close))
          yield* onClosedCandle(t, c, { chartCandles: 0 });
      }
      h.fake.advance(10 * 60_000);
      yield* TestClock.setTime(h.fake.now());
      for (const s of symbols.view().active) newest.set(s, lastSeen(symbols.tracked(s)!));
      const before = h.used();
      const entering = (yield* symbols.rotate()).entering.filter((s) => s !== "BTCUSDT");
      const after = h.used();
      const used = {
        requests: after.requests - before.requests,
        bytes: after.bytes - before.bytes,
        rows: after.rows - before.rows,
      };
      if (entering.some((s) => !seen.has(s))) {
        for (const s of entering) seen.add(s);
        freshBytes = Math.max(freshBytes, used.bytes);
        continue; // first time in: a full warm-up
      }
      if (entering.length > 0) resumed.push(yield* checkResumed(h, symbols, entering, newest, used));
    }
    return { resumed, freshBytes };
  });

/** Re-entry fetches exactly the candles it lacked, in at most one request per timeframe (weight 1) and symbol. */
const expectOnlyLacked = (resumed: readonly Resumed[], freshBytes: number) => {
  for (const r of resumed) {
    expect(r.lacked).toBeGreaterThan(0);
    expect(r.rows).toBe(r.lacked);
    expect(r.requests).toBeLessThanOrEqual(3 * r.symbols.length);
    expect(r.bytes).toBeLessThan((freshBytes / 10) * r.symbols.length);
  }
};

test("a symbol that rotates back in fetches only the candles it lacks, and is then as if warmed up afresh", async () => {
  const h = harness();
  const metrics = new Metrics();
  try {
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.setTime(START);
        const symbols = yield* activeSymbols(metrics);
        yield* symbols.loadUniverse;
        yield* symbols.rotate();
        const { resumed, freshBytes } = yield* runSlots(
          h,
          symbols,
          10,
          new Set(symbols.view().active),
          new Map(),
        );
        expect(resumed.length).toBeGreaterThanOrEqual(5);
        expectOnlyLacked(resumed, freshBytes);
        expect(freshBytes).toBeGreaterThan(50_000);
        expect(metrics.render()).toContain("signalbot_warmups_resumed_total");
      }).pipe(Effect.provide(h.layer), Effect.provide(TestClock.layer())),
    );
  } finally {
    h.fake.stop();
  }
}, 60_000);

test("after a restart the warm-up cache comes back from the database: every symbol fetches only what it lacks", async () => {
  const h = harness();
  const dir = mkdtempSync(join(tmpdir(), "signalbot-restart-cache-"));
  /** The bot's database, opened by each process in turn (closed when its layer's scope ends). */
  const database = SqliteCandleCache.layer.pipe(
    Layer.provide(SqliteDatabase.layer({ path: join(dir, "data", "signalbot.db") })),
  );
  try {
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.setTime(START);
        const seen = new Set<string>();
        const newest: Newest = new Map();
        // The first process: every ranked symbol enters once and leaves; at shutdown the watched ones are kept too.
        const first = yield* Effect.gen(function* () {
          const symbols = yield* activeSymbols(new Metrics());
          yield* symbols.loadUniverse;
          yield* symbols.rotate();
          for (const s of symbols.view().active) seen.add(s);
          const run = yield* runSlots(h, symbols, 10, seen, newest);
          for (const s of symbols.view().active) newest.set(s, lastSeen(symbols.tracked(s)!));
          yield* symbols.keepTracked;
          return run;
        }).pipe(Effect.provide(database));
        expect(first.resumed.length).toBeGreaterThanOrEqual(5);
        expect(seen.size).toBe(4);
        // Down for 5 hours: 10 closes of 30m (and one of 4h) pass while no process runs.
        h.fake.advance(5 * 3_600_000);
        yield* TestClock.setTime(h.fake.now());
        // The second process starts with an empty memory: the candles come from the file.
        const metrics = new Metrics();
        const second = yield* Effect.gen(function* () {
          const symbols = yield* activeSymbols(metrics);
          yield* symbols.loadUniverse;
          const before = h.used();
          const { entering } = yield* symbols.rotate();
          const after = h.used();
          expect(entering).toContain("BTCUSDT");
          const start = yield* checkResumed(h, symbols, entering, newest, {
            requests: after.requests - before.requests,
            bytes: after.bytes - before.bytes,
            rows: after.rows - before.rows,
          });
          const run = yield* runSlots(h, symbols, 8, seen, newest);
          return { start, ...run };
        }).pipe(Effect.provide(database));
        // At start, the symbols watched at shutdown (the fixed one included) fetched only the 5 hours they lacked...
        expectOnlyLacked([second.start], first.freshBytes);
        expect(second.start.lacked).toBeGreaterThanOrEqual(2 * 10);
        // ...and so did every symbol rotating back in afterwards, none of them warmed up afresh.
        expect(second.resumed.length).toBeGreaterThanOrEqual(3);
        expect(second.freshBytes).toBe(0);
        expectOnlyLacked(second.resumed, first.freshBytes);
        expect(metrics.render()).not.toContain("signalbot_warmups_total ");
      }).pipe(Effect.provide(h.layer), Effect.provide(TestClock.layer())),
    );
  } finally {
    h.fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
