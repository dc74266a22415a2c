/** The worked example in docs/memory.md, step by step through the Memory service. */
import { expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import type { ModelName } from "../model/Signal.ts";
import { aClosedTrade } from "../testing/ClosedTradeBuilders.ts";
import { MemoryStoreMemory } from "../testing/MemoryStoreMemory.ts";
import { defaultMemoryConfig, Memory } from "./Memory.ts";

const D = Date.UTC(2025, 5, 2);
const H = 3_600_000;
const at = (h: number) => D + h * H;

const steps: readonly {
  readonly h: number;
  readonly trade?: readonly [string, ModelName, number];
  readonly equity: number;
  readonly cap: number;
  readonly events: readonly string[];
}[] = [
  { h: 9, trade: ["SOLUSDT", "continuation", -1], equity: 990, cap: 5, events: [] },
  {
    h: 11,
    trade: ["SOLUSDT", "reversal", -1],
    equity: 980,
    cap: 5,
    events: [`symbolCooldown fired SOLUSDT ${at(35)}`],
  },
  { h: 13, trade: ["BTCUSDT", "continuation", -0.05], equity: 979.5, cap: 5, events: [] },
  {
    h: 15,
    trade: ["ETHUSDT", "continuation", -1],
    equity: 969.5,
    cap: 5,
    events: [`lossStreakPause fired - ${at(27)}`],
  },
  {
    h: 20,
    trade: ["XRPUSDT", "continuation", -2.5],
    equity: 944.5,
    cap: 2,
    events: [`lossStreakPause fired - ${at(32)}`, "drawdownSignalCap fired - -"],
  },
  { h: 32, equity: 944.5, cap: 2, events: [`lossStreakPause relaxed - ${at(32)}`] },
  { h: 35, equity: 944.5, cap: 2, events: [`symbolCooldown relaxed SOLUSDT ${at(35)}`] },
  { h: 36, trade: ["ETHUSDT", "continuation", 2], equity: 964.5, cap: 2, events: [] },
  {
    h: 40,
    trade: ["BTCUSDT", "continuation", 1],
    equity: 974.5,
    cap: 5,
    events: ["drawdownSignalCap relaxed - -"],
  },
];

test("README worked example", async () => {
  const seen = await Effect.runPromise(
    Effect.gen(function* () {
      const m = yield* Memory;
      const out: { events: string[]; equity: number; cap: number }[] = [];
      for (const s of steps) {
        yield* TestClock.setTime(at(s.h));
        const events = [...(yield* m.expire)];
        if (s.trade !== undefined) {
          const [symbol, model, r] = s.trade;
          events.push(
            ...(yield* m.updateAfterTradeClosed(aClosedTrade({ symbol, model, r, closedAt: at(s.h) }))),
          );
        }
        const p = yield* m.effectiveParameters;
        out.push({
          events: events.map(
            (e) => `${e.rule} ${e.action} ${"scope" in e ? e.scope : "-"} ${"until" in e ? e.until : "-"}`,
          ),
          equity: p.equity,
          cap: p.maxSignalsPerDay,
        });
      }
      return out;
    }).pipe(
      Effect.provide(Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer()))),
      Effect.provide(TestClock.layer()),
    ),
  );
  expect(seen).toEqual(steps.map((s) => ({ events: [...s.events], equity: s.equity, cap: s.cap })));
});
