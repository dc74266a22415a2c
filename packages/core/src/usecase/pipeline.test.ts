import { describe, expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import fc from "fast-check";
import { type EffectiveParameters, type GateDecision, Memory } from "../memory/Memory.ts";
import type { Candle } from "../model/Candle.ts";
import type { MemoryEvent, MemoryReason } from "../model/MemoryEvent.ts";
import type { Evaluation, ModelName, Setup, Signal } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { SignalStore } from "../port/SignalStore.ts";
import { runTest } from "../testing/effect.ts";
import { SignalStoreMemory, SignalStoreMemoryState } from "../testing/SignalStoreMemory.ts";
import { aSetup, T0 } from "../testing/TradeBuilders.ts";
import { candleTick } from "../trade/VirtualTrade.ts";
import { advanceOpenTrades } from "./advanceOpenTrades.ts";
import { catchUpOpenTrades } from "./catchUpOpenTrades.ts";
import {
  belowGlobalThreshold,
  type Candidate,
  candidatesOf,
  decideSetups,
  processEvaluations,
} from "./decideSetups.ts";
import { DEFAULT_PIPELINE_CONFIG, Pipeline, type PipelineConfig } from "./Pipeline.ts";
import { restoreOpenTrades } from "./restoreOpenTrades.ts";

const M30 = 30 * 60_000;
/** Event time of the decisions: the close of the default trigger candle. */
const NOW = T0 + M30;

interface MemoryScript {
  readonly params?: Partial<EffectiveParameters>;
  readonly blocked?: Readonly<Record<string, GateDecision>>;
  readonly points?: number;
  readonly learned?: readonly MemoryEvent[];
}

/** The reason of a symbol cooldown lock, as the memory's gate gives it. */
const cooldown = (until: number): MemoryReason => ({
  code: "symbolCooldown",
  data: { until, reason: "2 consecutive losses on BTCUSDT", target: "BTCUSDT" },
});

/** A scripted Memory: fixed parameters and gates; records the trades it was told about. */
const memoryDouble = (script: MemoryScript = {}, closed: VirtualTrade[] = []) =>
  Layer.succeed(
    Memory,
    Memory.of({
      canTrade: (symbol, model) =>
        Effect.succeed(
          script.blocked?.[`${symbol}/${model}`] ?? script.blocked?.[symbol] ?? { _tag: "Allowed" },
        ),
      scoreAdjustment: () =>
        Effect.succeed(
          script.points
            ? {
                points: script.points,
                reasons: [
                  {
                    code: "symbolScorePenalty",
                    data: { symbol: "BTCUSDT", points: script.points, winRate: 0.4 },
                  },
                ],
              }
            : { points: 0, reasons: [] },
        ),
      effectiveParameters: Effect.succeed({
        threshold: 75,
        maxSignalsPerDay: 5,
        riskPercent: 1,
        equity: 1000,
        ...script.params,
      }),
      effectiveParametersUnsafe: () => ({
        threshold: 75,
        maxSignalsPerDay: 5,
        riskPercent: 1,
        equity: 1000,
        ...script.params,
      }),
      updateAfterTradeClosed: (trade) =>
        Effect.sync(() => {
          closed.push(trade);
          return script.learned ?? [];
        }),
      expire: Effect.succeed([]),
      nextExpiry: () => Number.POSITIVE_INFINITY,
      pause: () => Effect.succeed([]),
      resume: Effect.succeed([]),
      status: () => Effect.die("not scripted"),
      snapshot: Effect.die("not scripted"),
    }),
  );

const world = (
  opts: {
    readonly state?: SignalStoreMemoryState;
    readonly memory?: MemoryScript;
    readonly closed?: VirtualTrade[];
    readonly config?: Partial<PipelineConfig>;
  } = {},
) =>
  Layer.mergeAll(
    SignalStoreMemory.layer(opts.state ?? new SignalStoreMemoryState()),
    memoryDouble(opts.memory, opts.closed),
    Pipeline.layer(opts.config),
  );

/** The taker fee alone (0.05 % per side). */
const NO_COSTS_BUT_FEE = { takerFeeRate: 0.0005, slippageRate: 0 };

const setupOf = (over: Partial<Setup> = {}): Evaluation => ({ _tag: "Setup", setup: aSetup(over) });
const summary = (signals: readonly Signal[]) =>
  signals.map(
    (s) => `${s.setup.symbol}/${s.setup.model}:${s.status === "emitted" ? "emitted" : s.blockedBy?.code}`,
  );

describe("processEvaluations: gates", () => {
  test("a setup that passes every gate is emitted: signal + sized trade + NewSignal in the store, trade in the book", async () => {
    const state = new SignalStoreMemoryState();
    const info = { symbol: "BTCUSDT", tickSize: "0.1", stepSize: "0.001", minNotional: 5 };
    const r = await runTest(
      Effect.gen(function* () {
        const signals = yield* processEvaluations(
          [setupOf({ score: 82 }), { _tag: "NoSetup", model: "reversal", reason: { code: "noDivergence" } }],
          { info, candles: [] },
        );
        const { book } = yield* Pipeline;
        return { signals, book: book.get("BTCUSDT"), pending: yield* (yield* SignalStore).pendingOutbox(10) };
      }),
      world({ state }),
      { at: NOW },
    );
    expect(summary(r.signals)).toEqual(["BTCUSDT/continuation:emitted"]);
    const signal = r.signals[0]!;
    // 1 % of 1000 USDT over a 5 USDT stop distance = 2 units
    expect(signal).toMatchObject({
      createdAt: NOW,
      threshold: 75,
      sizing: { quantity: 2, riskAmount: 10, riskPercent: 1 },
    });
    expect(r.book).toHaveLength(1);
    expect(r.book[0]).toMatchObject({
      id: signal.key,
      entry: 100,
      stop: 95,
      quantity: 2,
      openedAt: NOW,
      status: "open",
    });
    // The default costs: 0.02 % slippage against the entry, 0.05 % taker fee on the filled notional.
    expect(r.book[0]!.fills[0]!.price).toBeCloseTo(100.02, 12);
    expect(r.book[0]!.fills[0]!.fee).toBeCloseTo(200.04 * 0.0005, 12);
    expect(r.pending.map((p) => p.notification)).toEqual([{ _tag: "NewSignal", signal, info, candles: [] }]);
    expect(state.trades.get(signal.key)).toEqual(r.book[0]!);
  });

  test("no setup, no work", async () => {
    const r = await runTest(
      processEvaluations([{ _tag: "NoSetup", model: "continuation", reason: { code: "noTrend" } }]),
      world(),
      { at: NOW },
    );
    expect(r).toEqual([]);
  });

  test("a replayed candle (or a reconnect backfill delivering it again) is blocked as duplicate, not recorded again, not notified again", async () => {
    const state = new SignalStoreMemoryState();
    const r = await runTest(
      Effect.gen(function* () {
        const first = yield* processEvaluations([setupOf()]);
        const replay = yield* processEvaluations([setupOf()]);
        return { first, replay, depth: yield* (yield* SignalStore).outboxDepth };
      }),
      world({ state }),
      { at: NOW },
    );
    expect(summary(r.first)).toEqual(["BTCUSDT/continuation:emitted"]);
    expect(summary(r.replay)).toEqual(["BTCUSDT/continuation:duplicate"]);
    expect(r.depth).toBe(1);
    expect([...state.signals.values()].map((s) => s.status)).toEqual(["emitted"]);
  });

  test("a restart: the book is restored from the store, the old candle is a duplicate, a new one meets the open trade", async () => {
    const state = new SignalStoreMemoryState();
    await runTest(processEvaluations([setupOf()]), world({ state }), { at: NOW });
    // a new process: fresh Pipeline (empty book) over the same storage
    const r = await runTest(
      Effect.gen(function* () {
        const restored = yield* restoreOpenTrades();
        const replay = yield* processEvaluations([setupOf()]);
        const next = yield* processEvaluations([setupOf({ candleOpenTime: T0 + M30 })]);
        return { restored, replay, next };
      }),
      world({ state }),
      { at: NOW + M30 },
    );
    expect(r.restored).toHaveLength(1);
    expect(summary(r.replay)).toEqual(["BTCUSDT/continuation:duplicate"]);
    expect(summary(r.next)).toEqual(["BTCUSDT/continuation:openTrade"]);
    expect(r.next[0]!.blockedBy).toEqual({ code: "openTrade", data: { open: 1, max: 1 } });
  });

  test("one open trade per symbol by default, recorded as blocked; configurable; other symbols unaffected", async () => {
    const run = (max?: number) =>
      runTest(
        Effect.gen(function* () {
          yield* processEvaluations([setupOf()]);
          return yield* processEvaluations([
            setupOf({ candleOpenTime: T0 + M30 }),
            setupOf({ symbol: "ETHUSDT", candleOpenTime: T0 + M30 }),
          ]);
        }),
        world(max === undefined ? {} : { config: { maxOpenTradesPerSymbol: max } }),
        { at: NOW },
      );
    expect(summary(await run())).toEqual(["BTCUSDT/continuation:openTrade", "ETHUSDT/continuation:emitted"]);
    expect(summary(await run(2))).toEqual(["BTCUSDT/continuation:emitted", "ETHUSDT/continuation:emitted"]);
  });

  test("a setup a trader could not take — fees of many R, a position of hundreds × — is blocked and recorded", async () => {
    const state = new SignalStoreMemoryState();
    const peg = (symbol: string, stop: number) =>
      setupOf({ symbol, entry: 1.0002, stop, targets: [1.0004, 1.0006, 1.0008] });
    const r = await runTest(
      processEvaluations([
        // 0.02 % away: fees + slippage ≈ 7 R, a 50× position at 1 % risk.
        peg("USDCUSDT", 1.0),
        // 0.8 % away: 0.13 R of fees, affordable; but risking 10 % of equity there is a 12.5× position.
        setupOf({ symbol: "SOLUSDT", entry: 100, stop: 99.2, targets: [101, 102, 103] }),
        setupOf({ symbol: "ETHUSDT" }),
      ]),
      world({ state, memory: { params: { riskPercent: 10 } }, config: { costs: NO_COSTS_BUT_FEE } }),
      { at: NOW },
    );
    // Decision order: equal scores and R:R go A→Z; blocks by gates 0–4 come before the emissions.
    expect(summary(r)).toEqual([
      "SOLUSDT/continuation:leverageAboveCap",
      "USDCUSDT/continuation:costAboveRisk",
      "ETHUSDT/continuation:emitted",
    ]);
    expect(r[1]!.blockedBy?.data).toMatchObject({ max: 0.2 });
    expect(Number(r[1]!.blockedBy?.data?.costR)).toBeGreaterThan(4);
    expect(r[0]!.blockedBy?.data).toMatchObject({ leverage: 12.5, max: 10, riskPercent: 10 });
    expect(state.signals.get(r[0]!.key)?.status).toBe("blocked");
    expect(state.signals.get(r[1]!.key)?.status).toBe("blocked");
  });

  test("the cost and leverage caps are configuration", async () => {
    const tight = setupOf({ entry: 100, stop: 99.9, targets: [100.2, 100.3, 100.4] });
    const run = (config: Partial<PipelineConfig>) =>
      runTest(processEvaluations([tight]), world({ config }), { at: NOW });
    // 0.1 % stop: ≈ 1.4 R of costs, 10× leverage at 1 %.
    expect(summary(await run({}))).toEqual(["BTCUSDT/continuation:costAboveRisk"]);
    expect(summary(await run({ maxCostR: 2, maxLeverage: 5 }))).toEqual([
      "BTCUSDT/continuation:leverageAboveCap",
    ]);
    expect(summary(await run({ maxCostR: 2 }))).toEqual(["BTCUSDT/continuation:emitted"]);
  });

  test("a memory lock blocks with its reason and expiry", async () => {
    const until = NOW + 24 * 3_600_000;
    const state = new SignalStoreMemoryState();
    const r = await runTest(
      processEvaluations([setupOf()]),
      world({
        state,
        memory: {
          blocked: {
            BTCUSDT: { _tag: "Blocked", reason: cooldown(until), until },
          },
        },
      }),
      { at: NOW },
    );
    expect(r[0]!.blockedBy).toEqual(cooldown(until));
    expect(state.signals.get(r[0]!.key)?.status).toBe("blocked");
  });

  test("the score must reach the threshold plus the symbol's adjustment; adjustments are carried on the signal", async () => {
    const state = new SignalStoreMemoryState();
    const r = await runTest(
      processEvaluations([setupOf({ score: 83 }), setupOf({ symbol: "ETHUSDT", score: 90 })]),
      world({
        state,
        memory: {
          points: 5,
          params: {
            threshold: 80,
            adjustments: [{ code: "winRateThreshold", data: { points: 5, winRate: 0.5, trades: 20 } }],
          },
        },
      }),
      { at: NOW },
    );
    expect(summary(r)).toEqual(["BTCUSDT/continuation:scoreBelowThreshold", "ETHUSDT/continuation:emitted"]);
    expect(r[0]).toMatchObject({
      threshold: 85,
      blockedBy: { code: "scoreBelowThreshold", data: { score: 83, threshold: 85 } },
    });
    expect(r[1]!.adjustments.map((a) => a.code)).toEqual(["winRateThreshold", "symbolScorePenalty"]);
    expect(state.signals.get(r[0]!.key)?.status).toBe("blocked");
  });

  test("a setup below the global threshold is no candidate: score decides before locks and open trades", async () => {
    const until = NOW + 3_600_000;
    const r = await runTest(
      processEvaluations([setupOf({ score: 70 }), setupOf({ symbol: "ETHUSDT", score: 90 })]),
      world({
        memory: {
          params: { threshold: 75 },
          blocked: {
            BTCUSDT: { _tag: "Blocked", reason: cooldown(until), until },
            ETHUSDT: { _tag: "Blocked", reason: cooldown(until), until },
          },
        },
      }),
      { at: NOW },
    );
    expect(summary(r)).toEqual([
      "ETHUSDT/continuation:symbolCooldown",
      "BTCUSDT/continuation:scoreBelowThreshold",
    ]);
    expect(r[1]!.blockedBy).toEqual({ code: "scoreBelowThreshold", data: { score: 70, threshold: 75 } });
  });

  test("recordBelowThreshold: false returns score-only blocks without recording them", async () => {
    const state = new SignalStoreMemoryState();
    const r = await runTest(
      processEvaluations([setupOf({ score: 60 })]),
      world({ state, config: { recordBelowThreshold: false } }),
      {
        at: NOW,
      },
    );
    expect(summary(r)).toEqual(["BTCUSDT/continuation:scoreBelowThreshold"]);
    expect(state.signals.size).toBe(0);
  });

  test("belowGlobalThreshold: the same signals as decideSetups when every setup of the close is below, without Effect; otherwise undefined", async () => {
    const params: EffectiveParameters = {
      threshold: 80,
      maxSignalsPerDay: 5,
      riskPercent: 1,
      equity: 1000,
      adjustments: [{ code: "winRateThreshold", data: { points: 5, winRate: 0.4, trades: 20 } }],
    };
    const config = { ...DEFAULT_PIPELINE_CONFIG, recordBelowThreshold: false };
    const below = [
      setupOf({ score: 60 }),
      { _tag: "NoSetup", model: "reversal", reason: { code: "noDivergence" } } as const,
      setupOf({ score: 79.9, model: "reversal", side: "SHORT" }),
    ];
    const fromPipeline = await runTest(processEvaluations(below), world({ memory: { params }, config }), {
      at: NOW,
    });
    expect(belowGlobalThreshold(candidatesOf(below), params, config, NOW)).toEqual(fromPipeline);
    // In decision order: the better score first.
    expect(summary(fromPipeline)).toEqual([
      "BTCUSDT/reversal:scoreBelowThreshold",
      "BTCUSDT/continuation:scoreBelowThreshold",
    ]);
    // One setup reaching the threshold, or blocked setups to record: the full pipeline must decide.
    expect(
      belowGlobalThreshold(candidatesOf([...below, setupOf({ score: 80 })]), params, config, NOW),
    ).toBeUndefined();
    expect(belowGlobalThreshold(candidatesOf(below), params, DEFAULT_PIPELINE_CONFIG, NOW)).toBeUndefined();
  });

  test("both models on one candle: the better score goes first and the other meets the open trade", async () => {
    const r = await runTest(
      processEvaluations([
        setupOf({ model: "continuation", score: 78 }),
        setupOf({ model: "reversal", side: "SHORT", score: 88 }),
      ]),
      world(),
      { at: NOW },
    );
    expect(summary(r)).toEqual(["BTCUSDT/reversal:emitted", "BTCUSDT/continuation:openTrade"]);
  });

  test("while continuation is preferred, a reversal firing on the same candle is blocked with preferContinuation", async () => {
    const r = await runTest(
      processEvaluations([
        setupOf({ model: "reversal", side: "SHORT", score: 95 }),
        setupOf({ model: "continuation", score: 78 }),
      ]),
      world({
        memory: { params: { preferredModel: "continuation" as ModelName } },
        config: { maxOpenTradesPerSymbol: 2 },
      }),
      { at: NOW },
    );
    expect(summary(r)).toEqual(["BTCUSDT/reversal:preferContinuation", "BTCUSDT/continuation:emitted"]);
  });

  test("the daily cap counts emitted signals per UTC day of event time, and frees up at 00:00 UTC", async () => {
    const symbols = ["A", "B", "C"].map((s) => `${s}USDT`);
    const r = await runTest(
      Effect.gen(function* () {
        const today = [];
        for (const symbol of symbols) today.push(...(yield* processEvaluations([setupOf({ symbol })])));
        yield* TestClock.setTime(Date.UTC(2025, 5, 2));
        const tomorrow = yield* processEvaluations([
          setupOf({ symbol: "DUSDT", candleOpenTime: Date.UTC(2025, 5, 2) - M30 }),
        ]);
        return { today, tomorrow };
      }),
      world({ memory: { params: { maxSignalsPerDay: 2 } } }),
      { at: NOW },
    );
    expect(summary(r.today)).toEqual([
      "AUSDT/continuation:emitted",
      "BUSDT/continuation:emitted",
      "CUSDT/continuation:dailyCap",
    ]);
    expect(r.today[2]!.blockedBy).toEqual({ code: "dailyCap", data: { count: 2, max: 2 } });
    expect(summary(r.tomorrow)).toEqual(["DUSDT/continuation:emitted"]);
  });

  test("setups of one close on several symbols: the daily cap's last slots go to the best scores, not the first symbols", async () => {
    // The case: A and B sort first but score lower; one slot is left today.
    const r = await runTest(
      Effect.gen(function* () {
        yield* processEvaluations([setupOf({ symbol: "OLDUSDT", candleOpenTime: T0 - 4 * M30 })]);
        return yield* decideSetups(
          [
            { symbol: "AUSDT", score: 76 },
            { symbol: "BUSDT", score: 80 },
            { symbol: "ZUSDT", score: 91 },
          ].map((o) => ({ setup: aSetup(o) })),
        );
      }),
      world({ memory: { params: { maxSignalsPerDay: 2 } } }),
      { at: NOW },
    );
    expect(summary(r)).toEqual([
      "ZUSDT/continuation:emitted",
      "BUSDT/continuation:dailyCap",
      "AUSDT/continuation:dailyCap",
    ]);
  });

  test("property: the decision of one close is the same whatever order its symbols come in; ties go to R:R, then A→Z", async () => {
    const symbols = ["ADAUSDT", "BTCUSDT", "DOGEUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            score: fc.constantFrom(76, 80, 80, 85, 90),
            rr: fc.constantFrom(1.5, 2, 2, 3),
            model: fc.constantFrom("continuation" as const, "reversal" as const),
          }),
          { minLength: symbols.length, maxLength: symbols.length },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (drawn, max, seed) => {
          const candidates = drawn.map((d, i) => ({ setup: aSetup({ symbol: symbols[i]!, ...d }) }));
          const shuffled = [...candidates].sort(
            (a, b) =>
              ((symbols.indexOf(a.setup.symbol) * 7919 + seed) % 13) -
              ((symbols.indexOf(b.setup.symbol) * 7919 + seed) % 13),
          );
          const decide = (cs: readonly Candidate[]) =>
            runTest(decideSetups(cs), world({ memory: { params: { maxSignalsPerDay: max } } }), { at: NOW });
          const a = await decide(candidates);
          const b = await decide(shuffled);
          expect(summary(b)).toEqual(summary(a));
          // The emitted ones are the best `max` by score, then R:R, then symbol.
          const best = [...drawn.map((d, i) => ({ ...d, symbol: symbols[i]! }))]
            .sort((x, y) => y.score - x.score || y.rr - x.rr || (x.symbol < y.symbol ? -1 : 1))
            .slice(0, max)
            .map((x) => x.symbol);
          expect(a.filter((s) => s.status === "emitted").map((s) => s.setup.symbol)).toEqual(best);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("concurrent scans cannot overshoot the daily cap", async () => {
    const symbols = Array.from({ length: 8 }, (_, i) => `S${i}USDT`);
    const r = await runTest(
      Effect.forEach(symbols, (symbol) => processEvaluations([setupOf({ symbol })]), { concurrency: 5 }),
      world({ memory: { params: { maxSignalsPerDay: 3 } } }),
      { at: NOW },
    );
    const flat = r.flat();
    expect(flat.filter((s) => s.status === "emitted")).toHaveLength(3);
    expect(flat.filter((s) => s.blockedBy?.code === "dailyCap")).toHaveLength(5);
  });

  test("a position that cannot be sized is blocked with the sizing reason", async () => {
    const r = await runTest(
      processEvaluations([setupOf()], {
        info: { symbol: "BTCUSDT", tickSize: "0.1", stepSize: "1", minNotional: 5000 },
      }),
      world(),
      { at: NOW },
    );
    expect(r[0]!.blockedBy?.code).toBe("belowMinNotional");
  });
});

describe("advanceOpenTrades", () => {
  const tick = (n: number, low: number, high: number, close = (low + high) / 2, closed = true) => ({
    openTime: NOW + (n - 1) * M30,
    time: closed ? NOW + n * M30 : NOW + (n - 1) * M30 + 1000,
    low,
    high,
    close,
    closed,
  });

  test("a quiet tick writes nothing; a target persists the trade with a TradeUpdate; the close teaches memory and alerts", async () => {
    const closed: VirtualTrade[] = [];
    const learned: MemoryEvent[] = [
      {
        rule: "symbolCooldown",
        action: "fired",
        time: NOW + 3 * M30,
        scope: "BTCUSDT",
        until: 1,
        data: { losses: 2, tradeId: "t" },
      },
    ];
    const state = new SignalStoreMemoryState();
    const r = await runTest(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        const { book } = yield* Pipeline;
        yield* processEvaluations([setupOf()]);
        const depth0 = yield* store.outboxDepth;
        const quiet = yield* advanceOpenTrades("BTCUSDT", tick(1, 99, 101, 100.5, false));
        const other = yield* advanceOpenTrades("ETHUSDT", tick(1, 1, 1000));
        const quietClosed = yield* advanceOpenTrades("BTCUSDT", tick(1, 99, 101, 100.5));
        const depth1 = yield* store.outboxDepth;
        const afterQuiet = book.get("BTCUSDT")[0]!;
        const tp1 = yield* advanceOpenTrades("BTCUSDT", tick(2, 99, 106));
        const close = yield* advanceOpenTrades("BTCUSDT", tick(3, 99, 101));
        return {
          depth0,
          depth1,
          quiet,
          other,
          quietClosed,
          afterQuiet,
          tp1,
          close,
          bookAfter: book.size,
          pending: yield* store.pendingOutbox(10),
          open: yield* store.openTrades,
        };
      }),
      world({ state, closed, memory: { learned } }),
      { at: NOW },
    );
    expect(r.quiet).toBe(r.other); // the shared "nothing happened" result: no allocation
    expect(r.quietClosed.steps).toEqual([]);
    expect(r.depth1).toBe(r.depth0);
    expect(r.afterQuiet).toMatchObject({ candlesSeen: 1, lastPrice: 100.5 });
    expect(r.tp1.steps[0]!.events).toEqual([expect.objectContaining({ _tag: "TargetHit", target: 1 })]);
    expect(r.close.closed).toHaveLength(1);
    expect(r.close.closed[0]).toMatchObject({ exitReason: "breakeven", status: "closed" });
    expect(r.close.memoryEvents).toEqual(learned);
    expect(closed).toEqual(r.close.closed as VirtualTrade[]);
    expect(r.bookAfter).toBe(0);
    expect(r.open).toEqual([]);
    expect(
      r.pending.map((p) =>
        p.notification._tag === "TradeUpdate" ? p.notification.event._tag : p.notification._tag,
      ),
    ).toEqual(["NewSignal", "TargetHit", "Closed", "Alert"]);
    expect(r.pending[3]!.notification).toEqual({
      _tag: "Alert",
      alert: { kind: "memory", event: learned[0]! },
      time: learned[0]!.time,
    });
  });

  test("after a restart the restored trade keeps advancing to its close", async () => {
    const state = new SignalStoreMemoryState();
    await runTest(processEvaluations([setupOf()]), world({ state }), { at: NOW });
    const r = await runTest(
      Effect.gen(function* () {
        yield* restoreOpenTrades();
        return yield* advanceOpenTrades("BTCUSDT", tick(1, 90, 101));
      }),
      world({ state }),
      { at: NOW + M30 },
    );
    expect(r.closed[0]).toMatchObject({ exitReason: "stop" });
    expect([...state.trades.values()][0]).toMatchObject({ status: "closed", exitReason: "stop" });
  });
});

describe("catchUpOpenTrades: a restored trade follows the candles it missed", () => {
  /** The n-th 30m candle after the signal's trigger candle (which closes at NOW). */
  const candle = (n: number, low: number, high: number, close = (low + high) / 2): Candle => ({
    openTime: NOW + (n - 1) * M30,
    closeTime: NOW + n * M30 - 1,
    open: close,
    high,
    low,
    close,
    volume: 1,
  });
  // Entry 100, stop 95, targets 105/110/115: 1 quiet, 2 TP1 (stop to 100), 3 quiet, 4 TP2, 5 back to 99, 6 TP3.
  const history = [
    candle(1, 99, 101),
    candle(2, 99, 106, 104),
    candle(3, 101, 104),
    candle(4, 103, 111, 108),
    candle(5, 99, 108, 101),
    candle(6, 110, 120),
  ];

  test("from the candle after its last event: a target and the close hit while the bot was down are persisted and notified once", async () => {
    const state = new SignalStoreMemoryState();
    const closed: VirtualTrade[] = [];
    // The first process: the signal, then candles 1–3; TP1 (candle 2) is the last state the store saw.
    await runTest(
      Effect.gen(function* () {
        yield* processEvaluations([setupOf()]);
        for (const c of history.slice(0, 3)) yield* advanceOpenTrades("BTCUSDT", candleTick(c, true));
      }),
      world({ state }),
      { at: NOW },
    );
    const stored = [...state.trades.values()][0]!;
    expect(stored).toMatchObject({ targetsHit: 1, candlesSeen: 2, status: "open" });
    const outboxBefore = state.outbox.length;
    // A new process, down for candles 4 and 5: the warm-up history holds all six.
    const r = await runTest(
      Effect.gen(function* () {
        yield* restoreOpenTrades();
        const caught = yield* catchUpOpenTrades("BTCUSDT", history);
        const { book } = yield* Pipeline;
        return { caught, open: book.size };
      }),
      world({ state, closed }),
      { at: NOW + 8 * M30 },
    );
    // Candle 2's TP1 is not taken again; candle 4 takes TP2, candle 5 the rest at the entry; candle 6 comes too late.
    expect(r.caught.steps.flatMap((s) => s.events.map((e) => `${e._tag}@${(e.time - NOW) / M30}`))).toEqual([
      "TargetHit@4",
      "Closed@5",
    ]);
    expect(r.caught.closed).toHaveLength(1);
    expect(r.caught.closed[0]).toMatchObject({ exitReason: "breakeven", targetsHit: 2, candlesSeen: 5 });
    expect(r.open).toBe(0);
    expect(closed.map((t) => t.id)).toEqual([stored.id]); // memory learned the outcome
    expect([...state.trades.values()][0]).toMatchObject({ status: "closed", exitReason: "breakeven" });
    const sent = state.outbox.slice(outboxBefore).map((row) => row.notification);
    expect(sent.map((n) => (n._tag === "TradeUpdate" ? n.event._tag : n._tag))).toEqual([
      "TargetHit",
      "Closed",
    ]);
  });

  test("a trade whose last event is after every candle, or a symbol without trades, is left as it is", async () => {
    const state = new SignalStoreMemoryState();
    await runTest(processEvaluations([setupOf({ candleOpenTime: NOW + 10 * M30 })]), world({ state }), {
      at: NOW + 11 * M30,
    });
    const r = await runTest(
      Effect.gen(function* () {
        yield* restoreOpenTrades();
        return [yield* catchUpOpenTrades("BTCUSDT", history), yield* catchUpOpenTrades("ETHUSDT", history)];
      }),
      world({ state }),
      { at: NOW + 12 * M30 },
    );
    expect(r.map((x) => x.steps.length)).toEqual([0, 0]);
    expect([...state.trades.values()][0]).toMatchObject({ status: "open", candlesSeen: 0 });
  });
});

describe("de-duplication: property", () => {
  test("whatever the replays and restarts, no signal identity is ever emitted twice", async () => {
    const arbEvent = fc.oneof(
      fc.record({
        kind: fc.constant("candle" as const),
        symbol: fc.constantFrom("AUSDT", "BUSDT"),
        candle: fc.integer({ min: 0, max: 5 }),
        models: fc.subarray(["continuation", "reversal"] as const, { minLength: 1 }),
      }),
      fc.constant({ kind: "restart" as const }),
      fc.record({ kind: fc.constant("close" as const), symbol: fc.constantFrom("AUSDT", "BUSDT") }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(arbEvent, { maxLength: 30 }), async (events) => {
        const state = new SignalStoreMemoryState();
        const emitted: string[] = [];
        // one "process" per segment between restarts: restore the book, then handle its events in order
        const segments: Exclude<(typeof events)[number], { kind: "restart" }>[][] = [[]];
        for (const e of events) {
          if (e.kind === "restart") segments.push([]);
          else segments[segments.length - 1]!.push(e);
        }
        for (const segment of segments) {
          await runTest(
            Effect.gen(function* () {
              yield* restoreOpenTrades();
              for (const e of segment) {
                if (e.kind === "close") {
                  yield* advanceOpenTrades(e.symbol, {
                    time: NOW + 10 * M30,
                    low: 1,
                    high: 2,
                    close: 1,
                    closed: true,
                  });
                  continue;
                }
                const out = yield* processEvaluations(
                  e.models.map((model) =>
                    setupOf({ symbol: e.symbol, model, candleOpenTime: T0 + e.candle * M30, time: NOW }),
                  ),
                );
                for (const sig of out) if (sig.status === "emitted") emitted.push(sig.key);
              }
            }),
            world({ state, config: { maxOpenTradesPerSymbol: 2 } }),
            { at: NOW },
          );
        }
        const stored = [...state.signals.values()].filter((sig) => sig.status === "emitted").length;
        return new Set(emitted).size === emitted.length && stored === emitted.length;
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
