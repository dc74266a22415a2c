/**
 * Warm-up that fetches only what is missing: a symbol that rotates back in gets its kept candles plus the ones
 * closed since, and is then in exactly the state a fresh warm-up (3 × 499 candles) would give — same series, same
 * indicators, same answers on the candles that follow. Real REST against the loopback fake exchange; the clock is
 * the TestClock, moved with the fake's market clock.
 */
import { expect, test } from "bun:test";
import { BinanceMarketData, BinanceRest } from "@signalbot/adapters/binance";
import { FakeExchange } from "@signalbot/adapters/testing";
import {
  type Candle,
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
import { Effect, Layer, Queue } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { silentLogger } from "../observability/Log.ts";
import { Metrics } from "../observability/Metrics.ts";
import { makeActiveSymbols, WARMUP_CANDLES } from "./ActiveSymbols.ts";

const HALF_HOUR = TIMEFRAME_MS["30m"];
/** 10 minutes into a candle (warm-ups drop the forming one, as they do live), when every fixture symbol has data. */
const START = Date.UTC(2025, 5, 20, 0, 10);

test("a symbol that rotates back in fetches only the candles it lacks, and is then as if warmed up afresh", async () => {
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
  const metrics = new Metrics();
  try {
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.setTime(START);
        const symbols = makeActiveSymbols({
          // One rotating slot over the next 3 ranked symbols: each leaves and comes back within a few slots.
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
        });
        yield* symbols.loadUniverse;
        yield* symbols.rotate();
        const fresh = (symbol: string) =>
          Effect.promise(async () => {
            const t = new SymbolState(symbol, undefined, { params: { rrMin: 1.5 } });
            const history = {} as Record<Timeframe, readonly Candle[]>;
            for (const tf of TIMEFRAMES)
              history[tf] = await rest.klines({ symbol, timeframe: tf, limit: WARMUP_CANDLES });
            t.warm(history);
            return t;
          });
        const requests = () => fake.stats.byPath["/fapi/v1/klines"] ?? 0;
        const bytes = () => fake.stats.restBodyBytesByPath["/fapi/v1/klines"] ?? 0;
        const resumed: { symbol: string; requests: number; bytes: number; rows: number; lacked: number }[] =
          [];
        let freshBytes = 0;
        const seen = new Set(symbols.view().active);
        /** Per symbol and timeframe, the open time of its newest candle when it was last watched. */
        const newest = new Map<string, Record<Timeframe, number>>();
        const lastSeen = (t: SymbolState) =>
          Object.fromEntries(
            TIMEFRAMES.map((tf) => [tf, t.analyzer.series(tf).last?.openTime ?? 0]),
          ) as Record<Timeframe, number>;
        // 10 slots: every symbol's closed candles are stepped as the loop would; the rotation runs at each slot.
        for (let slot = 1; slot <= 10; slot++) {
          const close = Math.floor(fake.now() / HALF_HOUR) * HALF_HOUR + HALF_HOUR;
          fake.advance(close - fake.now());
          yield* TestClock.setTime(close);
          for (const s of symbols.view().active) {
            const t = symbols.tracked(s)!;
            for (const c of fake.closedCandles(s, "30m", t.lastClosedOpenTime! + HALF_HOUR, close))
              yield* onClosedCandle(t, c, { chartCandles: 0 });
          }
          fake.advance(10 * 60_000); // the rotation runs a little after the close
          yield* TestClock.setTime(fake.now());
          for (const s of symbols.view().active) newest.set(s, lastSeen(symbols.tracked(s)!));
          const [before, beforeBytes, beforeRows] = [requests(), bytes(), rows];
          const entering = (yield* symbols.rotate()).entering.filter((s) => s !== "BTCUSDT");
          const used = {
            requests: requests() - before,
            bytes: bytes() - beforeBytes,
            rows: rows - beforeRows,
          };
          if (entering.some((s) => !seen.has(s))) {
            for (const s of entering) seen.add(s);
            freshBytes = Math.max(freshBytes, used.bytes);
            continue; // first time in: a full warm-up
          }
          for (const s of entering) {
            const a = symbols.tracked(s)!;
            // What it lacked: the candles closed since it left, per timeframe.
            const left = newest.get(s)!;
            const lacked = TIMEFRAMES.reduce(
              (n, tf) =>
                n +
                a.analyzer
                  .series(tf)
                  .toArray()
                  .filter((c) => c.openTime > left[tf]).length,
              0,
            );
            resumed.push({ symbol: s, ...used, lacked });
            // The state it entered with is the one a fresh warm-up gives now...
            const b = yield* fresh(s);
            for (const tf of TIMEFRAMES)
              expect(a.analyzer.series(tf).toArray()).toEqual(b.analyzer.series(tf).toArray());
            expect(a.analyzer.evaluate()).toEqual(b.analyzer.evaluate());
            // ...and stays so on the candles that follow (indicators, 4h/1d aggregation, confirmations).
            const next = fake.closedCandles(
              s,
              "30m",
              a.lastClosedOpenTime! + HALF_HOUR,
              fake.now() + 9 * HALF_HOUR,
            );
            fake.advance(9 * HALF_HOUR);
            yield* TestClock.setTime(fake.now());
            const view = (o: ClosedCandleOutcome) =>
              o._tag === "Stepped" && o.analysis._tag === "Analysed"
                ? { higher: o.higher, evaluations: o.analysis.evaluations }
                : o;
            for (const c of next) {
              const x = yield* onClosedCandle(a, c, { chartCandles: 0 });
              expect(view(x)).toEqual(view(yield* onClosedCandle(b, c, { chartCandles: 0 })));
            }
          }
        }
        expect(resumed.length).toBeGreaterThanOrEqual(5);
        // Re-entry fetches exactly the candles it lacked, in 3 requests at most (one per timeframe, weight 1).
        for (const r of resumed) {
          expect(r.lacked).toBeGreaterThan(0);
          expect(r.rows).toBe(r.lacked);
          expect(r.requests).toBeLessThanOrEqual(3);
          expect(r.bytes).toBeLessThan(freshBytes / 10);
        }
        expect(freshBytes).toBeGreaterThan(50_000);
        expect(metrics.render()).toContain("signalbot_warmups_resumed_total");
      }).pipe(Effect.provide(layer), Effect.provide(TestClock.layer())),
    );
  } finally {
    fake.stop();
  }
}, 60_000);
