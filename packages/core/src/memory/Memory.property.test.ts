import { expect, test } from "bun:test";
import { Effect, Layer, Result } from "effect";
import { TestClock } from "effect/testing";
import fc from "fast-check";
import type { ModelName } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { aClosedTrade } from "../testing/ClosedTradeBuilders.ts";
import { MemoryStoreMemory } from "../testing/MemoryStoreMemory.ts";
import {
  applyClosedTrade,
  defaultMemoryConfig,
  expireLocks,
  fromSnapshot,
  gate,
  initialBook,
  Memory,
  parametersOf,
  symbolAdjustmentOf,
  toSnapshot,
} from "./Memory.ts";
import type { MemoryBook } from "./MemoryState.ts";

const T0 = Date.UTC(2025, 0, 1);
const H = 3_600_000;
const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"];
const MODELS: readonly ModelName[] = ["continuation", "reversal"];
/** The longest lock a rule sets (model disable, 48 h). */
const MAX_LOCK_MS = 48 * H;

const tradesArb = fc
  .array(
    fc.record({
      symbol: fc.constantFrom(...SYMBOLS),
      model: fc.constantFrom(...MODELS),
      r: fc.constantFrom(-3, -1, -1, -0.5, -0.05, 0, 0.08, 0.5, 1, 2, 3),
      gapMinutes: fc.integer({ min: 0, max: 3000 }),
    }),
    { maxLength: 120, size: "max" },
  )
  .map((specs) => {
    let t = T0;
    return specs.map((s, i): VirtualTrade => {
      t += s.gapMinutes * 60_000;
      return aClosedTrade({ id: `t${i}`, symbol: s.symbol, model: s.model, r: s.r, closedAt: t });
    });
  });

const fold = (
  trades: readonly VirtualTrade[],
  book: MemoryBook = initialBook(defaultMemoryConfig),
): MemoryBook =>
  trades.reduce(
    (b, t) => applyClosedTrade(expireLocks(b, t.closedAt ?? 0).book, t, t.closedAt ?? 0).book,
    book,
  );

test("no lock outlives its expiry: every lock ends ≤ 48 h after its trade, and nothing blocks after that", () => {
  fc.assert(
    fc.property(tradesArb, (trades) => {
      const book = fold(trades);
      for (const l of book.locks) {
        expect(l.until - l.createdAt).toBeLessThanOrEqual(MAX_LOCK_MS);
        expect(l.until).toBeGreaterThan(l.createdAt);
      }
      const last = trades.at(-1)?.closedAt ?? T0;
      // at a lock's expiry, anything still blocked is blocked by a lock that ends later
      for (const l of book.locks)
        for (const s of SYMBOLS)
          for (const m of MODELS) {
            const d = gate(book, s, m, l.until);
            if (d._tag === "Blocked") expect(d.until ?? 0).toBeGreaterThan(l.until);
          }
      const end = last + MAX_LOCK_MS;
      for (const s of SYMBOLS) for (const m of MODELS) expect(gate(book, s, m, end)._tag).toBe("Allowed");
      expect(expireLocks(book, end).book.locks).toEqual([]);
    }),
    { numRuns: 300 },
  );
});

test("the generated histories do exercise every rule", () => {
  const fired = new Map<string, number>();
  for (const trades of fc.sample(tradesArb, { numRuns: 300, seed: 42 })) {
    let book = initialBook(defaultMemoryConfig);
    for (const t of trades) {
      const step = applyClosedTrade(book, t, t.closedAt ?? 0);
      for (const e of step.events)
        fired.set(`${e.rule}:${e.action}`, (fired.get(`${e.rule}:${e.action}`) ?? 0) + 1);
      book = step.book;
    }
  }
  for (const rule of [
    "winRateThreshold",
    "lossStreakPause",
    "drawdownSignalCap",
    "drawdownRiskCut",
    "symbolCooldown",
    "symbolScorePenalty",
    "modelDisable",
  ])
    expect(fired.get(`${rule}:fired`) ?? 0).toBeGreaterThan(5);
  for (const rule of ["winRateThreshold", "drawdownSignalCap", "drawdownRiskCut", "symbolScorePenalty"])
    expect(fired.get(`${rule}:relaxed`) ?? 0).toBeGreaterThan(0);
});

test("threshold stays in [base, base + 10], risk in {0.5, base}, cap in {2, base}, after every trade", () => {
  const c = defaultMemoryConfig;
  fc.assert(
    fc.property(tradesArb, (trades) => {
      let book = initialBook(c);
      for (const t of trades) {
        book = applyClosedTrade(book, t, t.closedAt ?? 0).book;
        const p = parametersOf(book.state, c);
        for (const s of SYMBOLS) {
          const required = p.threshold + symbolAdjustmentOf(book.state, s, c).points;
          expect(required).toBeGreaterThanOrEqual(c.baseThreshold);
          expect(required).toBeLessThanOrEqual(c.baseThreshold + 10);
        }
        expect([0.5, c.baseRiskPercent]).toContain(p.riskPercent);
        expect([2, c.baseMaxSignalsPerDay]).toContain(p.maxSignalsPerDay);
      }
    }),
    { numRuns: 300 },
  );
});

test("replay gives the same state, also across a snapshot (JSON) round-trip at any point", () => {
  fc.assert(
    fc.property(tradesArb, fc.nat(), (trades, cutAt) => {
      const once = fold(trades);
      expect(fold(trades)).toEqual(once);
      const cut = trades.length === 0 ? 0 : cutAt % trades.length;
      const first = fold(trades.slice(0, cut));
      const restored = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(first, 0))));
      expect(Result.isSuccess(restored)).toBe(true);
      if (Result.isSuccess(restored)) expect(fold(trades.slice(cut), restored.success)).toEqual(once);
    }),
    { numRuns: 300 },
  );
});

test("the Memory service and the pure fold agree (same snapshot state and locks)", async () => {
  await fc.assert(
    fc.asyncProperty(tradesArb, async (trades) => {
      const snap = await Effect.runPromise(
        Effect.gen(function* () {
          const m = yield* Memory;
          for (const t of trades) {
            yield* TestClock.setTime(t.closedAt ?? 0);
            yield* m.expire;
            yield* m.updateAfterTradeClosed(t);
          }
          return yield* m.snapshot;
        }).pipe(
          Effect.provide(Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer()))),
          Effect.provide(TestClock.layer()),
        ),
      );
      const book = fold(trades);
      expect(snap.state).toEqual(book.state);
      expect(snap.locks).toEqual(book.locks);
    }),
    { numRuns: 50 },
  );
});
