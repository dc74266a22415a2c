import { expect, test } from "bun:test";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { DAY_MS, HOUR_MS } from "../model/Time.ts";
import { SignalStore } from "../port/SignalStore.ts";
import { runTest } from "../testing/effect.ts";
import { SignalStoreMemory } from "../testing/SignalStoreMemory.ts";
import { aBlockedSignal, anOpenTrade, aSignal, T0 } from "../testing/TradeBuilders.ts";
import { signalsToday } from "./signalsToday.ts";

const emitAt = (hour: number) =>
  Effect.flatMap(Effect.service(SignalStore), (store) => {
    const over = { candleOpenTime: T0 + hour * HOUR_MS, symbol: `S${hour}USDT` };
    const signal = aSignal(over);
    return store.emit({ signal, trade: anOpenTrade(over), notification: { _tag: "NewSignal", signal } });
  });

test("signals today are the emitted signals of the current UTC day of event time, never blocked ones", async () => {
  const counts = await runTest(
    Effect.gen(function* () {
      // 23:00 the day before, 01:00 and 22:00 today, 00:30 tomorrow (createdAt = the trigger candle's close).
      for (const hour of [-1.5, 0.5, 21.5, 23.5]) yield* emitAt(hour);
      yield* (yield* SignalStore).recordBlocked(aBlockedSignal("dailyCap", { candleOpenTime: T0 + HOUR_MS }));
      const today = yield* signalsToday;
      yield* TestClock.adjust(DAY_MS);
      return { today, tomorrow: yield* signalsToday };
    }),
    SignalStoreMemory.layer(),
    { at: T0 + 12 * HOUR_MS },
  );
  expect(counts).toEqual({ today: 2, tomorrow: 1 });
});
