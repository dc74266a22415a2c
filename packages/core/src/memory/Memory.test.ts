import { describe, expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import type { MemoryEvent, MemoryRule } from "../model/MemoryEvent.ts";
import type { ModelName } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { aBreakevenTrade, aLosingTrade, aWinningTrade } from "../testing/ClosedTradeBuilders.ts";
import { MemoryStoreMemory, type MemoryStoreMemoryState } from "../testing/MemoryStoreMemory.ts";
import { defaultMemoryConfig, type EffectiveParameters, Memory, type MemoryConfig } from "./Memory.ts";
import { SNAPSHOT_V1 } from "./SnapshotV1.testkit.ts";

const T0 = Date.UTC(2025, 5, 1);
const H = 3_600_000;

/** Build the Memory service over `store` (a fresh build = a restart) and run `f` with it. */
const withMemory = <A, E>(
  store: MemoryStoreMemoryState,
  f: (m: Memory["Service"]) => Effect.Effect<A, E>,
  config: MemoryConfig = defaultMemoryConfig,
) =>
  Effect.provide(
    Effect.flatMap(Memory, f),
    Memory.layer(config).pipe(Layer.provide(MemoryStoreMemory.layer(store))),
  );

const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(effect.pipe(Effect.provide(TestClock.layer())));

/** Close `trades` in order, the clock at each trade's close; all events. */
const closeAll = (m: Memory["Service"], trades: readonly VirtualTrade[]) =>
  Effect.gen(function* () {
    const events: MemoryEvent[] = [];
    for (const t of trades) {
      yield* TestClock.setTime(t.closedAt ?? 0);
      events.push(...(yield* m.updateAfterTradeClosed(t)));
    }
    return events;
  });

const at = (i: number): number => T0 + i * H;
const has = (events: readonly MemoryEvent[], rule: MemoryRule, action: "fired" | "relaxed") =>
  events.some((e) => e.rule === rule && e.action === action);

interface LockCase {
  readonly rule: MemoryRule;
  readonly trades: readonly VirtualTrade[];
  /** Blocked probe and a probe the lock must not touch. */
  readonly blocked: readonly [string, ModelName];
  readonly free: readonly [string, ModelName];
  readonly until: number;
}

const lockCases: readonly LockCase[] = [
  {
    rule: "lossStreakPause",
    trades: [
      aLosingTrade({ symbol: "AUSDT", closedAt: at(1) }),
      aLosingTrade({ symbol: "BUSDT", closedAt: at(2) }),
      aLosingTrade({ symbol: "CUSDT", closedAt: at(3) }),
    ],
    blocked: ["ETHUSDT", "continuation"],
    free: ["ETHUSDT", "continuation"],
    until: at(3) + 12 * H,
  },
  {
    rule: "symbolCooldown",
    trades: [
      aLosingTrade({ symbol: "SOLUSDT", closedAt: at(1) }),
      aLosingTrade({ symbol: "SOLUSDT", closedAt: at(5) }),
    ],
    blocked: ["SOLUSDT", "reversal"],
    free: ["BTCUSDT", "reversal"],
    until: at(5) + 24 * H,
  },
  {
    rule: "modelDisable",
    // 4 wins, 6 losses for reversal, never two losses in a row, one symbol each: 40 % < 45 %.
    trades: ["W", "L", "W", "L", "L", "W", "L", "W", "L", "L"].map((r, i) =>
      r === "W"
        ? aWinningTrade({ symbol: `S${i}USDT`, model: "reversal", closedAt: at(i + 1) })
        : aLosingTrade({ symbol: `S${i}USDT`, model: "reversal", closedAt: at(i + 1) }),
    ),
    blocked: ["XUSDT", "reversal"],
    free: ["XUSDT", "continuation"],
    until: at(10) + 48 * H,
  },
];

describe("lock rules: fire, block, survive a restart, expire, relax, do not re-arm", () => {
  for (const c of lockCases) {
    test(c.rule, async () => {
      const store = MemoryStoreMemory.state();
      const r = await run(
        Effect.gen(function* () {
          const fired = yield* withMemory(store, (m) => closeAll(m, c.trades));
          const probe = (t: number) =>
            withMemory(store, (m) =>
              Effect.gen(function* () {
                yield* TestClock.setTime(t);
                const expired = yield* m.expire;
                return {
                  expired,
                  blocked: yield* m.canTrade(...c.blocked),
                  free: c.rule === "lossStreakPause" ? undefined : yield* m.canTrade(...c.free),
                };
              }),
            );
          const justBefore = yield* probe(c.until - 1);
          const atExpiry = yield* probe(c.until);
          const later = yield* probe(c.until + 100 * H);
          return { fired, justBefore, atExpiry, later };
        }),
      );
      const firing = r.fired.find((e) => e.rule === c.rule && e.action === "fired");
      expect(firing !== undefined && "until" in firing ? firing.until : undefined).toBe(c.until);
      // a restart (fresh layer from the stored snapshot) still blocks, with the same absolute expiry
      expect(r.justBefore.blocked).toMatchObject({
        _tag: "Blocked",
        reason: { code: c.rule },
        until: c.until,
      });
      expect(r.justBefore.expired).toEqual([]);
      if (r.justBefore.free !== undefined) expect(r.justBefore.free._tag).toBe("Allowed");
      expect(r.atExpiry.expired.filter((e) => e.rule === c.rule)).toEqual([
        expect.objectContaining({ rule: c.rule, action: "relaxed", until: c.until }),
      ]);
      expect(r.atExpiry.blocked._tag).toBe("Allowed");
      // relaxed for good: the same evidence does not re-arm it
      expect(r.later.expired).toEqual([]);
      expect(r.later.blocked._tag).toBe("Allowed");
    });
  }
});

interface FlagCase {
  readonly rule: MemoryRule;
  readonly trades: readonly VirtualTrade[];
  readonly adjusted: (p: EffectiveParameters, symbolPoints: number) => void;
  /** The last of these relaxes the rule, none before it. */
  readonly relaxTrades: readonly VirtualTrade[];
  readonly symbol?: string;
}

const base = defaultMemoryConfig;
const alternate = (n: number, model: ModelName = "continuation", pattern = "WL") =>
  Array.from({ length: n }, (_, i) =>
    pattern[i % pattern.length] === "W"
      ? aWinningTrade({ symbol: `S${i}USDT`, model, closedAt: at(i + 1) })
      : aLosingTrade({ symbol: `S${i}USDT`, model, closedAt: at(i + 1) }),
  );

const flagCases: readonly FlagCase[] = [
  {
    rule: "winRateThreshold",
    trades: alternate(10, "continuation", "WLL"), // 40 % over 10 trades (< the 45 % floor)
    adjusted: (p) => expect(p.threshold).toBe(base.baseThreshold + 5),
    relaxTrades: [aWinningTrade({ symbol: "XUSDT", closedAt: at(20) })], // 5/11 = 45.5 %: back at the floor
  },
  {
    rule: "drawdownSignalCap",
    trades: [aLosingTrade({ closedAt: at(1), r: -6 })], // 1000 → 940: 6 %
    adjusted: (p) => {
      expect(p.maxSignalsPerDay).toBe(2);
      expect(p.riskPercent).toBe(base.baseRiskPercent);
    },
    // 955 (4.5 %: still capped, hysteresis), then 975 (2.5 % < 3 %)
    relaxTrades: [aWinningTrade({ closedAt: at(2), r: 1.5 }), aWinningTrade({ closedAt: at(3), r: 2 })],
  },
  {
    rule: "drawdownRiskCut",
    trades: [aLosingTrade({ closedAt: at(1), r: -9 })], // 910: 9 %
    adjusted: (p) => expect(p.riskPercent).toBe(0.5),
    // 940 (6 %: still cut), then 960 (4 % < 5 %)
    relaxTrades: [aWinningTrade({ closedAt: at(2), r: 3 }), aWinningTrade({ closedAt: at(3), r: 2 })],
  },
  {
    rule: "symbolScorePenalty",
    symbol: "SOLUSDT",
    trades: ["L", "W", "L", "W", "L"].map((r, i) =>
      r === "W"
        ? aWinningTrade({ symbol: "SOLUSDT", closedAt: at(i * 30) })
        : aLosingTrade({ symbol: "SOLUSDT", closedAt: at(i * 30) }),
    ), // 2/5 = 40 %
    adjusted: (_, points) => expect(points).toBe(5),
    relaxTrades: [aWinningTrade({ symbol: "SOLUSDT", closedAt: at(200) })], // 3/6 = 50 %
  },
  {
    rule: "modelPreference",
    trades: alternate(10, "continuation", "WWLWWLWWLW"), // 7/10 = 70 %
    adjusted: (p) => expect(p.preferredModel).toBe("continuation"),
    relaxTrades: [aLosingTrade({ symbol: "XUSDT", closedAt: at(30) })], // 7/11 = 63.6 %
  },
];

describe("adjustment rules: fire, adjust, survive a restart, relax (with hysteresis where documented)", () => {
  for (const c of flagCases) {
    test(c.rule, async () => {
      const store = MemoryStoreMemory.state();
      const symbol = c.symbol ?? "BTCUSDT";
      const params = (m: Memory["Service"]) =>
        Effect.all([m.effectiveParameters, Effect.map(m.scoreAdjustment(symbol), (a) => a.points)]);
      const r = await run(
        Effect.gen(function* () {
          const fired = yield* withMemory(store, (m) => closeAll(m, c.trades));
          const restored = yield* withMemory(store, params);
          const relaxing: (readonly MemoryEvent[])[] = [];
          for (const t of c.relaxTrades) relaxing.push(yield* withMemory(store, (m) => closeAll(m, [t])));
          const after = yield* withMemory(store, params);
          const other = yield* withMemory(store, (m) => m.scoreAdjustment("OTHERUSDT"));
          return { fired, restored, relaxing, after, other };
        }),
      );
      expect(r.fired.filter((e) => e.rule === c.rule && e.action === "fired")).toHaveLength(1);
      expect(has(r.fired, c.rule, "relaxed")).toBe(false);
      c.adjusted(r.restored[0], r.restored[1]);
      for (const events of r.relaxing.slice(0, -1)) expect(has(events, c.rule, "relaxed")).toBe(false);
      expect(has(r.relaxing.at(-1) ?? [], c.rule, "relaxed")).toBe(true);
      const [p, points] = r.after;
      expect(points).toBe(0);
      expect(r.other.points).toBe(0);
      if (c.rule !== "winRateThreshold") expect(p.threshold).toBe(base.baseThreshold);
      if (c.rule === "drawdownSignalCap") expect(p.maxSignalsPerDay).toBe(base.baseMaxSignalsPerDay);
      if (c.rule === "drawdownRiskCut") expect(p.riskPercent).toBe(base.baseRiskPercent);
      if (c.rule === "modelPreference") expect(p.preferredModel).toBeUndefined();
    });
  }
});

describe("break-even trades", () => {
  test("neither break nor extend a loss streak: L L BE L pauses at the third loss, L L W L does not", async () => {
    const r = await run(
      Effect.gen(function* () {
        const withBe = yield* withMemory(MemoryStoreMemory.state(), (m) =>
          closeAll(m, [
            aLosingTrade({ symbol: "AUSDT", closedAt: at(1) }),
            aLosingTrade({ symbol: "BUSDT", closedAt: at(2) }),
            aBreakevenTrade({ symbol: "CUSDT", closedAt: at(3) }),
            aLosingTrade({ symbol: "DUSDT", closedAt: at(4) }),
          ]),
        );
        const withWin = yield* withMemory(MemoryStoreMemory.state(), (m) =>
          closeAll(m, [
            aLosingTrade({ symbol: "AUSDT", closedAt: at(1) }),
            aLosingTrade({ symbol: "BUSDT", closedAt: at(2) }),
            aWinningTrade({ symbol: "CUSDT", closedAt: at(3) }),
            aLosingTrade({ symbol: "DUSDT", closedAt: at(4) }),
          ]),
        );
        return { withBe, withWin };
      }),
    );
    expect(r.withBe.find((e) => e.rule === "lossStreakPause")).toMatchObject({
      action: "fired",
      until: at(4) + 12 * H,
    });
    expect(has(r.withWin, "lossStreakPause", "fired")).toBe(false);
  });

  test("are left out of win rates (but move equity): 5W 5L + 10 BE keeps 10 trades at 50 %", async () => {
    const trades = [
      ...alternate(10),
      ...Array.from({ length: 10 }, (_, i) =>
        aBreakevenTrade({ symbol: `B${i}USDT`, closedAt: at(20 + i), r: 0.05 }),
      ),
    ];
    const status = await run(
      withMemory(MemoryStoreMemory.state(), (m) => Effect.andThen(closeAll(m, trades), m.status(0))),
    );
    expect(status.trades20).toBe(10);
    expect(status.winRate20).toBe(0.5);
    expect(status.equity).toBeCloseTo(1000 + 5 * 20 - 5 * 10 + 10 * 0.5, 9);
    expect(status.threshold).toBe(75); // 50 % is above the 45 % floor of rule 1
  });

  test("a 'breakeven' exit after TP1/TP2 that banked ≥ 0.1 R is a win", async () => {
    const status = await run(
      withMemory(MemoryStoreMemory.state(), (m) =>
        Effect.andThen(closeAll(m, [aBreakevenTrade({ closedAt: at(1), r: 0.9 })]), m.status(0)),
      ),
    );
    expect(status.winRate20).toBe(1);
  });
});

describe("no lock-out forever", () => {
  test("an expired pause is not re-armed by a break-even, but a new loss re-arms it from its own close", async () => {
    const losses = [1, 2, 3].map((i) => aLosingTrade({ symbol: `S${i}USDT`, closedAt: at(i) }));
    const r = await run(
      withMemory(MemoryStoreMemory.state(), (m) =>
        Effect.gen(function* () {
          yield* closeAll(m, losses);
          yield* TestClock.setTime(at(3) + 12 * H);
          const relaxed = yield* m.expire;
          const be = yield* closeAll(m, [aBreakevenTrade({ symbol: "XUSDT", closedAt: at(16) })]);
          const afterBe = yield* m.canTrade("ETHUSDT", "continuation");
          const loss = yield* closeAll(m, [aLosingTrade({ symbol: "YUSDT", closedAt: at(17) })]);
          const afterLoss = yield* m.canTrade("ETHUSDT", "continuation");
          return { relaxed, be, afterBe, loss, afterLoss };
        }),
      ),
    );
    expect(has(r.relaxed, "lossStreakPause", "relaxed")).toBe(true);
    expect(r.be).toEqual([]);
    expect(r.afterBe._tag).toBe("Allowed");
    expect(r.loss.find((e) => e.rule === "lossStreakPause")).toMatchObject({
      action: "fired",
      until: at(17) + 12 * H,
    });
    expect(r.afterLoss).toMatchObject({ _tag: "Blocked", until: at(17) + 12 * H });
  });

  test("a disabled reversal model is re-evaluated on new results only (10 of them)", async () => {
    const disabling = lockCases.find((c) => c.rule === "modelDisable")?.trades ?? [];
    const newLosses = Array.from({ length: 10 }, (_, i) =>
      aLosingTrade({ symbol: `N${i}USDT`, model: "reversal", closedAt: at(100 + i * 30), r: -1 }),
    );
    const r = await run(
      withMemory(MemoryStoreMemory.state(), (m) =>
        Effect.gen(function* () {
          yield* closeAll(m, disabling);
          yield* TestClock.setTime(at(10) + 48 * H);
          yield* m.expire;
          const nine = yield* closeAll(m, newLosses.slice(0, 9));
          const tenth = yield* closeAll(m, newLosses.slice(9));
          return { nine, tenth, status: yield* m.status(0) };
        }),
      ),
    );
    expect(has(r.nine, "modelDisable", "fired")).toBe(false);
    expect(r.tenth.find((e) => e.rule === "modelDisable")).toMatchObject({
      action: "fired",
      scope: "reversal",
    });
    expect(r.status.disabledModels).toEqual([{ model: "reversal", until: at(100 + 9 * 30) + 48 * H }]);
  });

  test("a trade reported twice is recorded once", async () => {
    const t = aLosingTrade({ closedAt: at(1) });
    const status = await run(
      withMemory(MemoryStoreMemory.state(), (m) => Effect.andThen(closeAll(m, [t, t, t]), m.status(0))),
    );
    expect(status.trades20).toBe(1);
    expect(status.equity).toBe(990);
  });
});

describe("owner commands", () => {
  test("/pause blocks everything for N hours; /resume lifts it and the loss-streak pause, not cooldowns", async () => {
    const r = await run(
      withMemory(MemoryStoreMemory.state(), (m) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(at(0));
          const paused = yield* m.pause(2);
          const blocked = yield* m.canTrade("BTCUSDT", "continuation");
          yield* closeAll(m, [
            aLosingTrade({ symbol: "SOLUSDT", closedAt: at(1) }),
            aLosingTrade({ symbol: "SOLUSDT", closedAt: at(1) + 1 }),
            aLosingTrade({ symbol: "XUSDT", closedAt: at(1) + 2 }),
          ]);
          const resumed = yield* m.resume;
          return {
            paused,
            blocked,
            resumed,
            btc: yield* m.canTrade("BTCUSDT", "continuation"),
            sol: yield* m.canTrade("SOLUSDT", "continuation"),
          };
        }),
      ),
    );
    expect(r.paused).toEqual([
      expect.objectContaining({ rule: "manualPause", action: "fired", until: at(2) }),
    ]);
    expect(r.blocked).toMatchObject({ _tag: "Blocked", reason: { code: "manualPause" }, until: at(2) });
    expect(r.resumed.map((e) => `${e.rule}:${e.action}`).sort()).toEqual([
      "lossStreakPause:relaxed",
      "manualPause:relaxed",
    ]);
    expect(r.btc._tag).toBe("Allowed");
    expect(r.sol).toMatchObject({ _tag: "Blocked", reason: { code: "symbolCooldown" } });
  });
});

describe("--no-memory (enabled: false)", () => {
  test("never blocks, never adjusts, no events, but still tracks equity", async () => {
    const config = { ...defaultMemoryConfig, enabled: false };
    const r = await run(
      withMemory(
        MemoryStoreMemory.state(),
        (m) =>
          Effect.gen(function* () {
            const events = yield* closeAll(
              m,
              Array.from({ length: 12 }, (_, i) =>
                aLosingTrade({ symbol: "SOLUSDT", model: "reversal", closedAt: at(i) }),
              ),
            );
            return {
              events,
              gate: yield* m.canTrade("SOLUSDT", "reversal"),
              params: yield* m.effectiveParameters,
              adj: yield* m.scoreAdjustment("SOLUSDT"),
            };
          }),
        config,
      ),
    );
    expect(r.events).toEqual([]);
    expect(r.gate._tag).toBe("Allowed");
    expect(r.params).toMatchObject({ threshold: 75, maxSignalsPerDay: 5, riskPercent: 1, equity: 880 });
    expect(r.adj.points).toBe(0);
  });
});

describe("rules switched off (disabledRules)", () => {
  test("a rule switched off never fires; the others still do", async () => {
    // Three losses on one symbol: the loss-streak pause and the symbol cooldown would both fire.
    const trades = [1, 2, 3].map((i) => aLosingTrade({ symbol: "SOLUSDT", closedAt: at(i) }));
    const probe = (config: MemoryConfig) =>
      run(
        withMemory(
          MemoryStoreMemory.state(),
          (m) =>
            Effect.gen(function* () {
              const events = yield* closeAll(m, trades);
              return { events, other: yield* m.canTrade("ETHUSDT", "continuation") };
            }),
          config,
        ),
      );
    const all = await probe(defaultMemoryConfig);
    expect(has(all.events, "lossStreakPause", "fired")).toBe(true);
    expect(has(all.events, "symbolCooldown", "fired")).toBe(true);
    expect(all.other._tag).toBe("Blocked");

    const without = await probe({ ...defaultMemoryConfig, disabledRules: ["lossStreakPause"] });
    expect(has(without.events, "lossStreakPause", "fired")).toBe(false);
    expect(has(without.events, "symbolCooldown", "fired")).toBe(true);
    expect(without.other._tag).toBe("Allowed");
  });
});
describe("failure safety: never silently allows", () => {
  test("a failing save blocks with memoryUnavailable until a save succeeds (expire retries it)", async () => {
    const store = MemoryStoreMemory.state();
    const r = await run(
      withMemory(store, (m) =>
        Effect.gen(function* () {
          store.failSave = "diskFull";
          yield* closeAll(m, [aWinningTrade({ closedAt: at(1) })]);
          const blocked = yield* m.canTrade("BTCUSDT", "continuation");
          const status = yield* m.status(0);
          const stillBlocked = yield* Effect.andThen(m.expire, m.canTrade("BTCUSDT", "continuation"));
          store.failSave = undefined;
          yield* m.expire;
          return { blocked, status, stillBlocked, after: yield* m.canTrade("BTCUSDT", "continuation") };
        }),
      ),
    );
    expect(r.blocked).toMatchObject({
      _tag: "Blocked",
      reason: { code: "memoryUnavailable", data: { cause: "saveFailed" } },
    });
    expect(r.status.unavailable?.reason).toContain("saveFailed");
    expect(r.stillBlocked._tag).toBe("Blocked");
    expect(r.after._tag).toBe("Allowed");
    expect(JSON.parse(store.json ?? "{}").state.seq).toBe(1);
  });

  test("a corrupt snapshot blocks (and is kept for inspection) until the owner's /resume", async () => {
    const corrupt = '{"version":1,"updatedAt":0,"state":{"seq":"x"},"locks":[]}';
    const store: MemoryStoreMemoryState = { saves: 0, json: corrupt };
    const r = await run(
      withMemory(store, (m) =>
        Effect.gen(function* () {
          const blocked = yield* m.canTrade("BTCUSDT", "continuation");
          yield* closeAll(m, [aWinningTrade({ closedAt: at(1) })]);
          const kept = store.json;
          yield* m.resume;
          return { blocked, kept, after: yield* m.canTrade("BTCUSDT", "continuation") };
        }),
      ),
    );
    expect(r.blocked).toMatchObject({
      _tag: "Blocked",
      reason: { code: "memoryUnavailable", data: { cause: "corruptSnapshot" } },
    });
    expect(r.kept).toBe(corrupt);
    expect(r.after._tag).toBe("Allowed");
    expect(JSON.parse(store.json ?? "{}").state.seq).toBe(1);
  });

  test("a failing load fails the layer with the StoreError", async () => {
    const error = await run(Effect.flip(withMemory({ saves: 0, failLoad: "locked" }, (m) => m.snapshot)));
    expect(error).toMatchObject({ _tag: "StoreError", reason: "locked", operation: "memory.load" });
  });
});

describe("restart safety across the plug-in models change (snapshot version 1)", () => {
  test("a version-1 snapshot loads: windows, preference, locks and evidence restored; the next save is version 2", async () => {
    const store: MemoryStoreMemoryState = { saves: 0, json: SNAPSHOT_V1 };
    const r = await run(
      withMemory(store, (m) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(Date.UTC(2025, 5, 3));
          const status = yield* m.status(0);
          const params = yield* m.effectiveParameters;
          const reversal = yield* m.canTrade("BTCUSDT", "reversal");
          const sol = yield* m.canTrade("SOLUSDT", "continuation");
          const eth = yield* m.canTrade("ETHUSDT", "continuation");
          // The same evidence does not re-arm the disable; a new trade is recorded on top of the old windows.
          yield* m.updateAfterTradeClosed(
            aWinningTrade({ symbol: "ETHUSDT", model: "continuation", closedAt: Date.UTC(2025, 5, 3) }),
          );
          return { status, params, reversal, sol, eth, after: yield* m.snapshot };
        }),
      ),
    );
    expect(r.status).toMatchObject({
      trades20: 20,
      winRate20: 0.55,
      models: { continuation: { trades: 10, winRate: 0.8 }, reversal: { trades: 0, winRate: null } },
      equity: 1130,
      peakEquity: 1150,
      lossStreak: 2,
      preferredModel: "continuation",
      disabledModels: [{ model: "reversal", until: Date.UTC(2025, 5, 4, 9) }],
      cooldowns: [{ symbol: "SOLUSDT", until: Date.UTC(2025, 5, 3, 9) }],
    });
    expect(r.status.unavailable).toBeUndefined();
    expect(r.params.preferredModel).toBe("continuation");
    expect(r.reversal).toMatchObject({ _tag: "Blocked", reason: { code: "modelDisable" } });
    expect(r.sol).toMatchObject({ _tag: "Blocked", reason: { code: "symbolCooldown" } });
    expect(r.eth._tag).toBe("Allowed");
    expect(r.after.version).toBe(2);
    const state = r.after.state as { seq: number; preferredModel: unknown; models: Record<string, unknown> };
    expect(state.seq).toBe(21);
    expect(state.preferredModel).toBe("continuation");
    expect(state).not.toHaveProperty("continuationPreferred");
    expect(state.models.continuation).toEqual({
      results: ["W", "W", "W", "L", "W", "W", "W", "L", "W", "W", "W"],
    });
    expect(JSON.parse(store.json ?? "{}").version).toBe(2);
  });

  test("a snapshot of a newer version is refused by name (trading blocked until /resume), not misread", async () => {
    const store: MemoryStoreMemoryState = {
      saves: 0,
      json: SNAPSHOT_V1.replace('"version":1', '"version":3'),
    };
    const status = await run(withMemory(store, (m) => m.status(0)));
    expect(status.unavailable?.reason).toContain("unknown snapshot version 3 (this build reads 1 and 2)");
  });
});

describe("any model by name", () => {
  test("a custom model's results have their own window: the status lists it, rule 5a and 5b can watch it", async () => {
    const config: MemoryConfig = {
      ...defaultMemoryConfig,
      models: ["continuation", "reversal", "donchian"],
      rules: {
        ...defaultMemoryConfig.rules,
        modelDisable: { ...defaultMemoryConfig.rules.modelDisable, models: ["reversal", "donchian"] },
      },
    };
    // 4 wins, 6 losses for donchian, never two losses in a row on one symbol: 40 % < 45 %.
    const trades = ["W", "L", "W", "L", "L", "W", "L", "W", "L", "L"].map((r, i) =>
      r === "W"
        ? aWinningTrade({ symbol: `S${i}USDT`, model: "donchian", closedAt: at(i + 1) })
        : aLosingTrade({ symbol: `S${i}USDT`, model: "donchian", closedAt: at(i + 1) }),
    );
    const store: MemoryStoreMemoryState = { saves: 0 };
    const r = await run(
      withMemory(
        store,
        (m) =>
          Effect.gen(function* () {
            const fresh = yield* m.status(0);
            const events = yield* closeAll(m, trades);
            return {
              fresh,
              events,
              status: yield* m.status(0),
              donchian: yield* m.canTrade("BTCUSDT", "donchian"),
              reversal: yield* m.canTrade("BTCUSDT", "reversal"),
            };
          }),
        config,
      ),
    );
    expect(Object.keys(r.fresh.models)).toEqual(["continuation", "reversal", "donchian"]);
    expect(r.events.filter((e) => e.rule === "modelDisable")).toMatchObject([
      { action: "fired", scope: "donchian", until: at(10) + 48 * H },
    ]);
    expect(r.status.disabledModels).toEqual([{ model: "donchian", until: at(10) + 48 * H }]);
    expect(r.donchian).toMatchObject({
      _tag: "Blocked",
      reason: { code: "modelDisable", data: { target: "donchian" } },
    });
    expect(r.reversal._tag).toBe("Allowed");
    // A restart restores it by name.
    const restarted = await run(withMemory(store, (m) => m.canTrade("BTCUSDT", "donchian"), config));
    expect(restarted._tag).toBe("Blocked");
  });
});

describe("concurrency", () => {
  test("300 concurrent closes: nothing lost, no deadlock, the stored snapshot has them all", async () => {
    const store = MemoryStoreMemory.state();
    const trades = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0
        ? aLosingTrade({ symbol: `S${i % 7}USDT`, closedAt: at(1) + i })
        : aWinningTrade({ symbol: `S${i % 7}USDT`, closedAt: at(1) + i, r: 1 }),
    );
    const snap = await run(
      withMemory(store, (m) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(at(2));
          yield* Effect.forEach(trades, (t) => m.updateAfterTradeClosed(t), { concurrency: "unbounded" });
          return yield* m.snapshot;
        }),
      ),
    );
    const state = snap.state as { seq: number; equity: number };
    expect(state.seq).toBe(300);
    expect(state.equity).toBeCloseTo(1000 + 200 * 10 - 100 * 10, 9);
    expect(JSON.parse(store.json ?? "{}")).toEqual(JSON.parse(JSON.stringify(snap)));
  });
});

describe("status", () => {
  test("reports windows, equity, drawdown, locks and parameters", async () => {
    const status = await run(
      withMemory(MemoryStoreMemory.state(), (m) =>
        Effect.gen(function* () {
          yield* closeAll(m, [
            aWinningTrade({ symbol: "BTCUSDT", closedAt: at(1) }),
            aLosingTrade({ symbol: "SOLUSDT", closedAt: at(2) }),
            aLosingTrade({ symbol: "SOLUSDT", closedAt: at(3), model: "reversal" }),
          ]);
          return yield* m.status(1);
        }),
      ),
    );
    expect(status).toMatchObject({
      time: at(3),
      trades20: 3,
      equity: 1000,
      peakEquity: 1020,
      lossStreak: 2,
      threshold: 75,
      signalsToday: 1,
      cooldowns: [{ symbol: "SOLUSDT", until: at(3) + 24 * H }],
      models: { continuation: { trades: 2, winRate: 0.5 }, reversal: { trades: 1, winRate: 0 } },
    });
    expect(status.drawdownPct).toBeCloseTo((20 / 1020) * 100, 9);
  });
});

describe("configured rules", () => {
  test("MemoryConfig.rules reaches the rules: a 2-loss streak pauses for 6 h when configured so", async () => {
    const config: MemoryConfig = {
      ...defaultMemoryConfig,
      rules: { ...defaultMemoryConfig.rules, lossStreakPause: { losses: 2, hours: 6 } },
    };
    const trades = [
      aLosingTrade({ symbol: "AUSDT", closedAt: at(1) }),
      aLosingTrade({ symbol: "BUSDT", closedAt: at(2) }),
    ];
    const r = await run(
      withMemory(
        MemoryStoreMemory.state(),
        (m) =>
          Effect.gen(function* () {
            const events = yield* closeAll(m, trades);
            return { events, gate: yield* m.canTrade("CUSDT", "continuation") };
          }),
        config,
      ),
    );
    expect(r.events).toMatchObject([{ rule: "lossStreakPause", action: "fired", until: at(2) + 6 * H }]);
    expect(r.gate).toMatchObject({
      _tag: "Blocked",
      reason: { code: "lossStreakPause" },
      until: at(2) + 6 * H,
    });
  });
});
