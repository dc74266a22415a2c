/**
 * The new trade-accounting fields live in the trade's JSON payload (no column, no migration): a closed trade's
 * funding and its gap-flagged fills come back unchanged after the database is closed and reopened.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { advanceTrade, type CostModel, flatFunding, openTrade, SignalStore } from "@signalbot/core";
import { runTest } from "@signalbot/core/testing";
import { Effect } from "effect";
import { layer } from "./index.ts";
import { nthEmission, T0, tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

const run = <A, E>(program: Effect.Effect<A, E, SignalStore>): Promise<A> =>
  runTest(program, layer({ path: tmp.dbPath }), { at: T0 + 86_400_000 });

test("funding and a gap fill survive a restart", async () => {
  const costs: CostModel = { takerFeeRate: 0.0005, slippageRate: 0.0002, funding: flatFunding(0.0001) };
  const e = nthEmission(0);
  const trade = openTrade(e.signal, costs);
  // 30 h later a candle opens far below the stop: the stop fills at that open, after three settlements.
  const openTime = trade.openedAt + 40 * 1_800_000;
  const step = advanceTrade(
    trade,
    { openTime, time: openTime + 1_800_000, open: 80, high: 82, low: 79, close: 81, closed: true },
    { costs, timeoutCandles: 96 },
  );
  expect(step.trade.fills.at(-1)).toMatchObject({ kind: "stop", gap: "open" });
  expect(step.trade.funding).toBeGreaterThan(0);
  await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      yield* store.emit({ ...e, trade });
      yield* store.updateTrade({ trade: step.trade, events: step.events, notifications: [] });
    }),
  );
  const reopened = await run(
    Effect.gen(function* () {
      return yield* (yield* SignalStore).closedTrades(0);
    }),
  );
  expect(reopened).toEqual([step.trade]);
});
