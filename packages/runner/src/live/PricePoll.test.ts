import { expect, test } from "bun:test";
import {
  type Candle,
  type CandleEvent,
  defaultMemoryConfig,
  MarketDataError,
  Memory,
  MINUTE_MS,
  onFormingTick,
  Pipeline,
  SymbolState,
} from "@signalbot/core";
import { anOpenTrade, MemoryStoreMemory, runTest, SignalStoreMemory, T0 } from "@signalbot/core/testing";
import { Clock, Effect, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import { silentLogger } from "../observability/Log.ts";
import { formingFromSample, runPricePoll } from "./PricePoll.ts";

const HALF_HOUR = 30 * MINUTE_MS;
/** The builders' trade: LONG BTCUSDT entered at the close of the candle opened at T0, entry 100, stop 95. */
const lastClosed: Candle = {
  openTime: T0,
  open: 99,
  high: 101,
  low: 98,
  close: 100,
  volume: 10,
  closeTime: T0 + HALF_HOUR - 1,
};
const next = T0 + HALF_HOUR;

test("samples build the next candle as a kline would: open at the last close, cumulative high and low", () => {
  const a = formingFromSample(lastClosed, undefined, { price: 99, time: next + MINUTE_MS })!;
  expect(a).toEqual({
    openTime: next,
    open: 100,
    high: 100,
    low: 99,
    close: 99,
    volume: 0,
    closeTime: next + HALF_HOUR - 1,
  });
  const b = formingFromSample(lastClosed, a, { price: 102, time: next + 2 * MINUTE_MS })!;
  expect(b).toMatchObject({ open: 100, high: 102, low: 99, close: 102 });
  const c = formingFromSample(lastClosed, b, { price: 101, time: next + 3 * MINUTE_MS })!;
  expect(c).toMatchObject({ high: 102, low: 99, close: 101 });
  // A price of the candle already closed, or of one after a candle not yet stepped, is not used.
  expect(formingFromSample(lastClosed, undefined, { price: 99, time: next - 1 })).toBeUndefined();
  expect(formingFromSample(lastClosed, c, { price: 99, time: next + HALF_HOUR + 5_000 })).toBeUndefined();
});

test("every POLL_PRICE_SECONDS the symbols with an open trade are sampled: a stop reached is closed then, not at the close", async () => {
  const r = await runTest(
    Effect.gen(function* () {
      const state = new SymbolState("BTCUSDT", undefined);
      state.analyzer.push("30m", lastClosed);
      const other = new SymbolState("ETHUSDT", undefined);
      other.analyzer.push("30m", lastClosed);
      (yield* Pipeline).book.add(anOpenTrade());
      const asked: string[] = [];
      // The exchange is unreachable at the first minute (told, skipped), then 99, 97, 94.5.
      const prices = [undefined, 99, 97, 94.5];
      const offered: CandleEvent[] = [];
      const fiber = yield* Effect.forkChild(
        runPricePoll({
          everyMs: 60_000,
          price: (symbol) =>
            Effect.gen(function* () {
              asked.push(symbol);
              const time = yield* Clock.currentTimeMillis;
              const price = prices[asked.length - 1];
              if (price === undefined)
                return yield* Effect.fail(
                  new MarketDataError({ reason: "network", source: "T", message: "down" }),
                );
              return { price, time };
            }),
          tracked: (s) => (s === "BTCUSDT" ? state : s === "ETHUSDT" ? other : undefined),
          offer: (e) => void offered.push(e),
          log: silentLogger,
        }),
      );
      const closed: { reason: string | undefined; at: number | undefined }[] = [];
      for (let i = 0; i < 6; i++) {
        yield* TestClock.adjust(60_000);
        for (const e of offered.splice(0))
          for (const t of (yield* onFormingTick(state, e.candle)).closed)
            closed.push({ reason: t.exitReason, at: t.closedAt });
      }
      yield* Fiber.interrupt(fiber);
      return { asked, closed, open: (yield* Pipeline).book.size };
    }),
    Layer.mergeAll(
      Pipeline.layer(),
      SignalStoreMemory.layer(),
      Memory.layer(defaultMemoryConfig).pipe(
        Layer.provide(MemoryStoreMemory.layer(MemoryStoreMemory.state())),
      ),
    ),
    { at: next },
  );
  // Only the symbol with a trade is asked; once its trade closed, nobody (minutes 5 and 6 ask nothing).
  expect(r.asked).toEqual(["BTCUSDT", "BTCUSDT", "BTCUSDT", "BTCUSDT"]);
  // The sample of minute 4 (94.5) is below the stop: closed then, 26 minutes before the candle's close.
  expect(r.closed).toEqual([{ reason: "stop", at: next + 4 * MINUTE_MS }]);
  expect(r.open).toBe(0);
});
