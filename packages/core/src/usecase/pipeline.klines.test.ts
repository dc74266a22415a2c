// End to end on real candles: BTCUSDT 2025 klines → SymbolAnalyzer → processEvaluations → virtual trades
// advanced candle by candle to their close → the real Memory learns. Event time drives the TestClock.
import { describe, expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { defaultMemoryConfig, Memory } from "../memory/Memory.ts";
import { type Candle, closedAt } from "../model/Candle.ts";
import type { MemoryEvent } from "../model/Notification.ts";
import type { Evaluation, Signal } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { SignalStore } from "../port/SignalStore.ts";
import { SymbolAnalyzer } from "../strategy/Analyzer.ts";
import { runTest } from "../testing/effect.ts";
import { loadSymbolKlines, replay } from "../testing/klines.ts";
import { MemoryStoreMemory } from "../testing/MemoryStoreMemory.ts";
import { SignalStoreMemory, SignalStoreMemoryState } from "../testing/SignalStoreMemory.ts";
import { candleTick, DEFAULT_COSTS } from "../trade/VirtualTrade.ts";
import { advanceOpenTrades } from "./advanceOpenTrades.ts";
import { Pipeline } from "./Pipeline.ts";
import { processEvaluations } from "./processEvaluations.ts";
import { restoreOpenTrades } from "./restoreOpenTrades.ts";

const btc = loadSymbolKlines("BTCUSDT", FIXTURE_KLINES_DIR);
/** First half of 2025: enough for several signals and closes. */
const LIMIT = btc["30m"].findIndex((c) => c.openTime >= Date.UTC(2025, 6, 1));

/** The backtest loop in miniature: per closed 30m candle, advance open trades, expire locks, then scan. */
const run = (limit: number) =>
  Effect.gen(function* () {
    // The analyzer is pure and synchronous: evaluate every closed 30m candle first, then drive the Effects.
    const analyzer = new SymbolAnalyzer("BTCUSDT");
    const triggers: { candle: Candle; evaluations: readonly Evaluation[] }[] = [];
    replay(
      analyzer,
      btc,
      (i) => triggers.push({ candle: btc["30m"][i]!, evaluations: analyzer.evaluate() }),
      limit,
    );
    const memory = yield* Memory;
    const signals: Signal[] = [];
    const closed: VirtualTrade[] = [];
    const memoryEvents: MemoryEvent[] = [];
    for (const { candle, evaluations } of triggers) {
      yield* TestClock.setTime(closedAt(candle));
      const advanced = yield* advanceOpenTrades("BTCUSDT", candleTick(candle, true));
      closed.push(...advanced.closed);
      memoryEvents.push(...advanced.memoryEvents, ...(yield* memory.expire));
      signals.push(...(yield* processEvaluations(evaluations)));
    }
    return { signals, closed, memoryEvents };
  });

describe("pipeline end to end on BTCUSDT 2025-H1", () => {
  test("signals are emitted, followed to their close without look-ahead, and teach the memory; a replay emits nothing new", async () => {
    const state = new SignalStoreMemoryState();
    const memoryStore = MemoryStoreMemory.state();
    const layer = () =>
      Layer.mergeAll(
        SignalStoreMemory.layer(state),
        Pipeline.layer(),
        Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer(memoryStore))),
      );
    const r = await runTest(
      Effect.gen(function* () {
        const out = yield* run(LIMIT);
        const memory = yield* Memory;
        return { ...out, status: yield* memory.status(0), open: yield* (yield* SignalStore).openTrades };
      }),
      layer(),
    );
    const emitted = r.signals.filter((s) => s.status === "emitted");
    expect(emitted.length).toBeGreaterThan(3);
    // one open trade per symbol at a time
    expect(r.open.length).toBeLessThanOrEqual(1);
    expect(r.closed.length).toBe(emitted.length - r.open.length);
    for (const trade of r.closed) {
      const signal = emitted.find((s) => s.key === trade.id)!;
      expect(trade.openedAt).toBe(signal.setup.time);
      expect(trade.entry).toBe(signal.setup.entry);
      expect(trade.fills[1]!.time).toBeGreaterThan(trade.openedAt);
      expect(trade.closedAt! - trade.openedAt).toBeLessThanOrEqual(48 * 30 * 60_000);
      // No worse than the stop after slippage, fees and funding (a candle opening beyond the stop aside).
      if (!trade.fills.some((f) => f.gap === "open")) {
        const sign = trade.side === "LONG" ? 1 : -1;
        const worstExit = trade.initialStop * (1 - sign * DEFAULT_COSTS.slippageRate);
        const fees = trade.fills.reduce((s, f) => s + f.fee, 0);
        const worst =
          sign * (worstExit - trade.fills[0]!.price) * trade.quantity - fees - (trade.funding ?? 0);
        expect(trade.rMultiple!).toBeGreaterThanOrEqual(worst / trade.riskAmount - 1e-9);
      }
    }
    // the memory's virtual equity is the starting balance plus every closed trade's pnl
    const pnl = r.closed.reduce((s, t) => s + t.pnl!, 0);
    expect(r.status.equity).toBeCloseTo(1000 + pnl, 6);
    expect(r.memoryEvents.length).toBeGreaterThan(0);
    // every blocked reason is a known code
    const codes = new Set(r.signals.flatMap((s) => (s.blockedBy ? [s.blockedBy.code] : [])));
    for (const code of codes) expect(code).toMatch(/^[a-zA-Z]+$/);
    expect(codes.has("openTrade") || codes.has("scoreBelowThreshold")).toBe(true);

    // A restart over the same storage, replaying the same candles: not one signal emitted twice.
    const again = await runTest(
      Effect.gen(function* () {
        yield* restoreOpenTrades();
        const out = yield* run(LIMIT);
        return { ...out, count: yield* (yield* SignalStore).countEmitted(0, Number.MAX_SAFE_INTEGER) };
      }),
      layer(),
    );
    expect(again.signals.filter((s) => s.status === "emitted")).toEqual([]);
    expect(again.count).toBe(emitted.length);
  }, 30_000);
});
