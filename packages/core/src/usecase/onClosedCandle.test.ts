import { describe, expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { defaultMemoryConfig, Memory } from "../memory/Memory.ts";
import { type Candle, closedAt, TIMEFRAME_MS } from "../model/Candle.ts";
import { HOUR_MS } from "../model/Time.ts";
import { HigherTimeframes } from "../port/HigherTimeframes.ts";
import { MarketDataError } from "../port/MarketData.ts";
import { runTest } from "../testing/effect.ts";
import { loadSymbolKlines } from "../testing/klines.ts";
import { MemoryStoreMemory } from "../testing/MemoryStoreMemory.ts";
import { SignalStoreMemory, SignalStoreMemoryState } from "../testing/SignalStoreMemory.ts";
import { type ClosedCandleOutcome, type HigherTimeframeStep, onClosedCandle } from "./onClosedCandle.ts";
import { Pipeline } from "./Pipeline.ts";
import { SymbolState } from "./SymbolState.ts";

const btc = loadSymbolKlines("BTCUSDT", FIXTURE_KLINES_DIR);
const START = Date.UTC(2025, 2, 1); // a 4h and 1d boundary
const H4 = TIMEFRAME_MS["4h"];
const OPTIONS = { chartCandles: 0 };

/** A symbol warmed up at START as live does: the last 499 closed candles of each timeframe. */
const warmed = (): SymbolState => {
  const state = new SymbolState("BTCUSDT", undefined);
  const before = (cs: readonly Candle[]) => cs.filter((c) => closedAt(c) <= START).slice(-499);
  state.warm({ "30m": before(btc["30m"]), "4h": before(btc["4h"]), "1d": before(btc["1d"]) });
  return state;
};
/** The 30m candles after START, in order. */
const after = btc["30m"].filter((c) => c.openTime >= START);
const truth4h = (openTime: number) => btc["4h"].find((c) => c.openTime === openTime)!;

/** A scripted exchange for the step's 4h/1d questions; every question is recorded. */
const exchange = (answer: (timeframe: string, from: number, to: number) => readonly Candle[] | "fail") => {
  const asked: { timeframe: string; from: number; to: number }[] = [];
  const layer = Layer.succeed(
    HigherTimeframes,
    HigherTimeframes.of({
      closed: (_symbol, timeframe, from, to) =>
        Effect.suspend(() => {
          asked.push({ timeframe, from, to });
          const a = answer(timeframe, from, to);
          return a === "fail"
            ? Effect.fail(new MarketDataError({ reason: "network", source: "test", message: "down" }))
            : Effect.succeed(a);
        }),
    }),
  );
  return { asked, layer };
};

const fromData = (timeframe: string, from: number, to: number) =>
  (timeframe === "4h" ? btc["4h"] : btc["1d"]).filter((c) => c.openTime >= from && c.openTime <= to);

const services = (higher: Layer.Layer<HigherTimeframes>, store = new SignalStoreMemoryState()) =>
  Layer.mergeAll(
    Pipeline.layer(),
    SignalStoreMemory.layer(store),
    Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer(MemoryStoreMemory.state()))),
    higher,
  );

/** Steps `candles` in order, the clock at each close (+ `lateMs`). */
const steps = (state: SymbolState, candles: readonly Candle[], lateMs = 0) =>
  Effect.gen(function* () {
    const out: ClosedCandleOutcome[] = [];
    for (const c of candles) {
      yield* TestClock.setTime(closedAt(c) + lateMs);
      out.push(yield* onClosedCandle(state, c, OPTIONS));
    }
    return out;
  });

const higherOf = (outcomes: readonly ClosedCandleOutcome[]): HigherTimeframeStep[] =>
  outcomes.flatMap((o) => (o._tag === "Stepped" ? o.higher : []));

describe("onClosedCandle", () => {
  test("a candle not after the last closed one is a duplicate and changes nothing", async () => {
    const state = warmed();
    const last = state.lastClosedOpenTime;
    const { layer, asked } = exchange(fromData);
    const [outcome] = await runTest(
      steps(state, [btc["30m"].find((c) => c.openTime === last)!]),
      services(layer),
    );
    expect(outcome).toEqual({ _tag: "Duplicate" });
    expect(state.lastClosedOpenTime).toBe(last);
    expect(asked).toEqual([]);
  });

  test("a candle a trigger period late feeds the series but is not analysed", async () => {
    const state = warmed();
    const { layer } = exchange(fromData);
    const outcomes = await runTest(steps(state, after.slice(0, 3), 30 * 60_000), services(layer));
    for (const o of outcomes)
      expect(o._tag === "Stepped" && o.analysis).toEqual({ _tag: "Late", delayMs: 30 * 60_000 });
    expect(state.lastClosedOpenTime).toBe(after[2]!.openTime);
    // On time, the same candles are analysed.
    const fresh = await runTest(steps(warmed(), after.slice(0, 3)), services(exchange(fromData).layer));
    for (const o of fresh) expect(o._tag === "Stepped" && o.analysis._tag).toBe("Analysed");
  });

  test("the 4h candle a 30m close finishes is confirmed by the exchange, or replaced by its version", async () => {
    const bucket = after.slice(0, 8); // 00:00–04:00
    const exact = exchange(fromData);
    const same = higherOf(await runTest(steps(warmed(), bucket), services(exact.layer)));
    expect(same).toEqual([
      {
        _tag: "Finished",
        timeframe: "4h",
        candle: truth4h(START),
        complete: true,
        confirmation: "same",
        backfilled: 0,
      },
    ]);
    // One question, for that bucket only (the series had everything before it).
    expect(exact.asked).toEqual([{ timeframe: "4h", from: START, to: START }]);

    const corrected = { ...truth4h(START), close: truth4h(START).close + 1 };
    const state = warmed();
    const replaced = higherOf(
      await runTest(steps(state, bucket), services(exchange((tf) => (tf === "4h" ? [corrected] : [])).layer)),
    );
    expect(replaced.map((h) => h._tag === "Finished" && h.confirmation)).toEqual(["replaced"]);
    expect(state.analyzer.series("4h").last).toEqual(corrected);
  });

  test("without an answer a complete aggregate is used, an incomplete one is dropped and caught up later", async () => {
    // The exchange is down: the complete 00:00 bucket is pushed as aggregated.
    const state = warmed();
    const down = higherOf(
      await runTest(steps(state, after.slice(0, 8)), services(exchange(() => "fail").layer)),
    );
    expect(down).toMatchObject([{ _tag: "Finished", confirmation: "unconfirmed", complete: true }]);
    expect((down[0] as { error?: MarketDataError }).error?.reason).toBe("network");
    expect(state.analyzer.series("4h").lastOpenTime).toBe(START);
    expect(state.analyzer.series("4h").last?.high).toBe(Math.max(...after.slice(0, 8).map((c) => c.high)));

    // The 30m candle closing the 04:00 bucket never arrives and the exchange has nothing yet: the partial
    // aggregate is dropped; once the exchange has the bucket, the next step catches the series up.
    let exchangeKnows = false;
    const script = exchange((tf, from, to) => (exchangeKnows || tf !== "4h" ? fromData(tf, from, to) : []));
    const gapped = warmed();
    const r = await runTest(
      Effect.gen(function* () {
        const first = yield* steps(gapped, [...after.slice(0, 8), ...after.slice(8, 15), after[16]!]);
        exchangeKnows = true;
        const next = yield* steps(gapped, [after[17]!]);
        return { first: higherOf(first), next: higherOf(next) };
      }),
      services(script.layer),
    );
    expect(
      r.first.map((h) => `${h._tag}:${h.timeframe}:${h._tag === "Finished" ? h.confirmation : h.candles}`),
    ).toEqual(["Finished:4h:unconfirmed", "Finished:4h:dropped", "CaughtUp:4h:0"]);
    expect(r.next).toEqual([{ _tag: "CaughtUp", timeframe: "4h", candles: 1 }]);
    expect(gapped.analyzer.series("4h").last).toEqual(truth4h(START + H4));
  });

  test("a memory lock whose time has come is lifted before the analysis and queued as an alert", async () => {
    const store = new SignalStoreMemoryState();
    const r = await runTest(
      Effect.gen(function* () {
        yield* TestClock.setTime(START);
        yield* (yield* Memory).pause(1);
        const state = warmed();
        const outcomes = yield* steps(state, after.slice(0, 3)); // closes 00:30, 01:00, 01:30
        return outcomes.map((o) =>
          o._tag === "Stepped" ? o.expired.map((e) => `${e.rule}:${e.action}`) : [],
        );
      }),
      services(exchange(fromData).layer, store),
    );
    expect(r).toEqual([[], ["manualPause:relaxed"], []]);
    const alerts = store.outbox.filter((n) => n.notification._tag === "Alert").map((n) => n.notification);
    expect(alerts).toMatchObject([
      {
        _tag: "Alert",
        alert: { kind: "memory", event: { rule: "manualPause", action: "relaxed" } },
        time: START + HOUR_MS,
      },
    ]);
  });
});
