import { describe, expect, test } from "bun:test";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import type { MemoryEvent, MemoryRule } from "../model/Notification.ts";
import type { ModelName } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { aBreakevenTrade, aLosingTrade, aWinningTrade } from "../testing/ClosedTradeBuilders.ts";
import { MemoryStoreMemory, type MemoryStoreMemoryState } from "../testing/MemoryStoreMemory.ts";
import { defaultMemoryConfig, type EffectiveParameters, Memory, type MemoryConfig } from "./Memory.ts";

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
      expect(firing?.until).toBe(c.until);
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
    trades: alternate(10), // 50 % over 10 trades
    adjusted: (p) => expect(p.threshold).toBe(base.baseThreshold + 5),
    relaxTrades: [
      aWinningTrade({ symbol: "XUSDT", closedAt: at(20) }),
      aWinningTrade({ symbol: "YUSDT", closedAt: at(21) }),
    ], // 6/11 then 7/12
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
      r.relaxing.slice(0, -1).forEach((events) => expect(has(events, c.rule, "relaxed")).toBe(false));
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
