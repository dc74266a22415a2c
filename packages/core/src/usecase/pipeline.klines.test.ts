// End to end on real candles: BTCUSDT 2025 klines through the closed-candle step and the gates (analysis, virtual
// trades advanced candle by candle to their close, the real Memory learning). Event time drives the TestClock.
import { describe, expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { defaultMemoryConfig, Memory } from "../memory/Memory.ts";
import { closedAt } from "../model/Candle.ts";
import type { MemoryEvent } from "../model/MemoryEvent.ts";
import type { Signal } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { SignalStore } from "../port/SignalStore.ts";
import { runTest } from "../testing/effect.ts";
import { HigherTimeframesMemory } from "../testing/HigherTimeframesMemory.ts";
import { loadSymbolKlines } from "../testing/klines.ts";
import { MemoryStoreMemory } from "../testing/MemoryStoreMemory.ts";
import { SignalStoreMemory, SignalStoreMemoryState } from "../testing/SignalStoreMemory.ts";
import { DEFAULT_COSTS, DEFAULT_TIMEOUT_CANDLES } from "../trade/VirtualTrade.ts";
import { decideSetups } from "./decideSetups.ts";
import { onClosedCandle } from "./onClosedCandle.ts";
import { Pipeline } from "./Pipeline.ts";
import { restoreOpenTrades } from "./restoreOpenTrades.ts";
import { SymbolState } from "./SymbolState.ts";

const btc = loadSymbolKlines("BTCUSDT", FIXTURE_KLINES_DIR);
/** All of 2025: enough for several signals, closes and memory events (the models fire on 4h closes only). */
const LIMIT = btc["30m"].length;

/** The backtest in miniature: every closed 30m candle through the step, the clock at its close. */
const run = (limit: number) =>
  Effect.gen(function* () {
    const state = new SymbolState("BTCUSDT", undefined);
    const signals: Signal[] = [];
    const closed: VirtualTrade[] = [];
    const memoryEvents: MemoryEvent[] = [];
    for (const candle of btc["30m"].slice(0, limit)) {
      yield* TestClock.setTime(closedAt(candle));
      const outcome = yield* onClosedCandle(state, candle, { chartCandles: 0 });
      if (outcome._tag !== "Stepped") continue;
      closed.push(...outcome.trades.closed);
      memoryEvents.push(...outcome.expired, ...outcome.trades.memoryEvents);
      if (outcome.analysis._tag === "Analysed")
        signals.push(...(yield* decideSetups(outcome.analysis.candidates)));
    }
    return { signals, closed, memoryEvents };
  });

describe("pipeline end to end on BTCUSDT 2025", () => {
  test("signals are emitted, followed to their close without look-ahead, and teach the memory; a replay emits nothing new", async () => {
    const state = new SignalStoreMemoryState();
    const memoryStore = MemoryStoreMemory.state();
    const layer = () =>
      Layer.mergeAll(
        SignalStoreMemory.layer(state),
        Pipeline.layer(),
        Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer(memoryStore))),
        HigherTimeframesMemory.layer({ BTCUSDT: btc }),
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
      expect(trade.closedAt! - trade.openedAt).toBeLessThanOrEqual(DEFAULT_TIMEOUT_CANDLES * 30 * 60_000);
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
