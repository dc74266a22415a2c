import { expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import { defaultMemoryConfig, Memory } from "../memory/Memory.ts";
import type { Candle } from "../model/Candle.ts";
import { MINUTE_MS } from "../model/Time.ts";
import { runTest } from "../testing/effect.ts";
import { MemoryStoreMemory } from "../testing/MemoryStoreMemory.ts";
import { SignalStoreMemory } from "../testing/SignalStoreMemory.ts";
import { anOpenTrade, T0 } from "../testing/TradeBuilders.ts";
import { onFormingTick } from "./onFormingTick.ts";
import { Pipeline } from "./Pipeline.ts";
import { SymbolState } from "./SymbolState.ts";

// The builders' trade: LONG BTCUSDT from the candle opened at T0, entry 100, stop 95, filled at T0 + 30 min.
const forming = (openTime: number, low: number): Candle => ({
  openTime,
  open: 100,
  high: 101,
  low,
  close: low + 1,
  volume: 1,
  closeTime: openTime + 30 * MINUTE_MS - 1,
});

const layer = () =>
  Layer.mergeAll(
    Pipeline.layer(),
    SignalStoreMemory.layer(),
    Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer(MemoryStoreMemory.state()))),
  );

test("a forming wick through the stop closes the open trade at the clock's now; without a trade nothing happens", async () => {
  const next = T0 + 30 * MINUTE_MS;
  const r = await runTest(
    Effect.gen(function* () {
      const state = new SymbolState("BTCUSDT", undefined);
      const idle = yield* onFormingTick(state, forming(next, 90));
      (yield* Pipeline).book.add(anOpenTrade());
      yield* TestClock.setTime(next + 10 * MINUTE_MS);
      const hit = yield* onFormingTick(state, forming(next, 94));
      return { idle, hit, open: (yield* Pipeline).book.size };
    }),
    layer(),
    { at: next + 5 * MINUTE_MS },
  );
  expect(r.idle.steps).toEqual([]);
  expect(r.hit.closed.map((t) => [t.exitReason, t.closedAt])).toEqual([["stop", next + 10 * MINUTE_MS]]);
  expect(r.open).toBe(0);
});

test("a tick of a candle not after the last closed one is ignored", async () => {
  const r = await runTest(
    Effect.gen(function* () {
      const state = new SymbolState("BTCUSDT", undefined);
      const candle = forming(T0 + 30 * MINUTE_MS, 99);
      state.analyzer.push("30m", { ...candle, low: 99 });
      (yield* Pipeline).book.add(anOpenTrade());
      return yield* onFormingTick(state, { ...candle, low: 90 });
    }),
    layer(),
    { at: T0 + 40 * MINUTE_MS },
  );
  expect(r.closed).toEqual([]);
});
