// The live side of "competing setups of one close are taken by score": symbols report their close in any order
// and concurrently, the round waits for every watched symbol (or ROUND_WAIT_MS), and the core decides it —
// under the TestClock, with the real pipeline, memory and an in-memory store.
import { describe, expect, test } from "bun:test";
import {
  type Candidate,
  defaultMemoryConfig,
  Memory,
  Pipeline,
  type Signal,
  type SignalStore,
} from "@signalbot/core";
import { aSetup, MemoryStoreMemory, SignalStoreMemory, T0 } from "@signalbot/core/testing";
import { Effect, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import { makeCloseRounds, ROUND_WAIT_MS, type RoundDecision } from "./CloseRounds.ts";

const CLOSE = T0 + 30 * 60_000;
const WATCHED = ["AUSDT", "BUSDT", "ZUSDT"];

const world = (maxSignalsPerDay: number) =>
  Layer.mergeAll(
    Pipeline.layer(),
    SignalStoreMemory.layer(new SignalStoreMemory.State()),
    Memory.layer({ ...defaultMemoryConfig, baseMaxSignalsPerDay: maxSignalsPerDay }).pipe(
      Layer.provide(MemoryStoreMemory.layer(MemoryStoreMemory.state())),
    ),
    TestClock.layer(),
  );

const setupOf = (symbol: string, score: number, candleOpenTime = T0): Candidate => ({
  setup: aSetup({ symbol, score, candleOpenTime }),
});
const emitted = (d: RoundDecision) =>
  d.signals.filter((s: Signal) => s.status === "emitted").map((s) => s.setup.symbol);

const rounds = (decisions: RoundDecision[], watched: readonly string[] = WATCHED) =>
  makeCloseRounds({
    watched: () => watched,
    onDecided: (d) => decisions.push(d),
    onError: (_, cause) => {
      throw new Error(String(cause));
    },
  });

const run = <A>(effect: Effect.Effect<A, never, Pipeline | Memory | SignalStore>, max = 1) =>
  Effect.runPromise(
    Effect.gen(function* () {
      yield* TestClock.setTime(CLOSE + 2_000);
      return yield* effect;
    }).pipe(Effect.provide(world(max))),
  );

describe("CloseRounds", () => {
  test("the best setup of the close gets the last slot, whichever symbol reports first and however they interleave", async () => {
    const reports: readonly (readonly [string, readonly Candidate[]])[] = [
      ["AUSDT", [setupOf("AUSDT", 77)]],
      ["BUSDT", []],
      ["ZUSDT", [setupOf("ZUSDT", 88)]],
    ];
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 0, 2],
    ]) {
      const decisions: RoundDecision[] = [];
      await run(
        Effect.gen(function* () {
          const r = rounds(decisions);
          // Reported concurrently, as the dispatcher's symbol fibers do.
          yield* Effect.forEach(
            order.map((i) => reports[i]!),
            ([symbol, candidates]) => r.submit(symbol, CLOSE, candidates),
            { concurrency: "unbounded", discard: true },
          );
          expect(r.pending()).toBe(0);
        }),
      );
      expect(decisions.map((d) => [d.end, d.reported, emitted(d)])).toEqual([["complete", 3, ["ZUSDT"]]]);
      expect(decisions[0]!.signals.find((s) => s.setup.symbol === "AUSDT")?.blockedBy?.code).toBe("dailyCap");
    }
  });

  test("a watched symbol that never reports holds the close for ROUND_WAIT_MS, then the rest is decided", async () => {
    const decisions: RoundDecision[] = [];
    await run(
      Effect.gen(function* () {
        const r = rounds(decisions);
        yield* r.submit("AUSDT", CLOSE, [setupOf("AUSDT", 80)]);
        yield* r.submit("ZUSDT", CLOSE, []);
        yield* TestClock.adjust(ROUND_WAIT_MS - 1);
        expect(decisions).toEqual([]);
        yield* TestClock.adjust(1);
        expect(r.pending()).toBe(0);
      }),
    );
    expect(decisions.map((d) => [d.end, d.missing, emitted(d)])).toEqual([["timeout", ["BUSDT"], ["AUSDT"]]]);
  });

  test("a report for a close already decided is decided on its own; shutdown decides what is pending", async () => {
    const decisions: RoundDecision[] = [];
    await run(
      Effect.gen(function* () {
        const r = rounds(decisions);
        for (const s of WATCHED) yield* r.submit(s, CLOSE, []);
        // A backfilled candle of the same close, within the late-candle rule.
        yield* r.submit("BUSDT", CLOSE, [setupOf("BUSDT", 85)]);
        const next = CLOSE + 30 * 60_000;
        yield* r.submit("AUSDT", next, [setupOf("AUSDT", 90, T0 + 30 * 60_000)]);
        const timer = r.pending();
        yield* r.flush;
        expect([timer, r.pending()]).toEqual([1, 0]);
      }),
      5,
    );
    expect(decisions.map((d) => [d.end, emitted(d)])).toEqual([
      ["complete", []],
      ["late", ["BUSDT"]],
      ["shutdown", ["AUSDT"]],
    ]);
  });

  test("a round completed before its timer fires is decided once", async () => {
    const decisions: RoundDecision[] = [];
    await run(
      Effect.gen(function* () {
        const r = rounds(decisions);
        yield* r.submit("AUSDT", CLOSE, []);
        yield* r.submit("BUSDT", CLOSE, []);
        const waiting = yield* Effect.forkChild(Effect.sleep(2 * ROUND_WAIT_MS));
        yield* r.submit("ZUSDT", CLOSE, []);
        yield* TestClock.adjust(2 * ROUND_WAIT_MS);
        yield* Fiber.join(waiting);
      }),
    );
    expect(decisions.map((d) => d.end)).toEqual(["complete"]);
  });
});
