import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { VirtualTrade } from "../model/Trade.ts";
import { anOpenTrade, aSignal, NO_COSTS } from "../testing/TradeBuilders.ts";
import { advanceTrade, DEFAULT_COSTS, openTrade, type TradeRules, type TradeTick } from "./VirtualTrade.ts";

const M30 = 30 * 60_000;
const RULES: TradeRules = { costs: NO_COSTS, timeoutCandles: 48 };

/** Tick `n` (1-based) after the entry; closed by default. */
const tick = (
  trade: VirtualTrade,
  n: number,
  low: number,
  high: number,
  close = (low + high) / 2,
  closed = true,
) => ({
  openTime: trade.openedAt + (n - 1) * M30,
  time: closed ? trade.openedAt + n * M30 : trade.openedAt + (n - 1) * M30 + 60_000,
  low,
  high,
  close,
  closed,
});

const run = (trade: VirtualTrade, ticks: readonly TradeTick[], rules = RULES) => {
  let t = trade;
  const events = [];
  for (const k of ticks) {
    const step = advanceTrade(t, k, rules);
    t = step.trade;
    events.push(...step.events);
  }
  return { trade: t, events };
};

describe("openTrade", () => {
  test("fills at the setup entry at the trigger close, risk = |entry − stop| × quantity, entry fee charged", () => {
    const signal = aSignal({ entry: 100, stop: 95 }, 2);
    const t = openTrade(signal, DEFAULT_COSTS);
    expect(t).toMatchObject({
      id: signal.key,
      entry: 100,
      stop: 95,
      initialStop: 95,
      quantity: 2,
      riskAmount: 10,
      openedAt: signal.setup.time,
      status: "open",
      remaining: 1,
      targetsHit: 0,
    });
    expect(t.fills).toEqual([{ kind: "entry", price: 100, time: signal.setup.time, fraction: 1, fee: 0.1 }]);
  });

  test("slippage fills the entry against the trade", () => {
    const t = openTrade(aSignal({ side: "SHORT", entry: 100, stop: 105 }), {
      takerFeeRate: 0,
      slippageRate: 0.001,
    });
    expect(t.fills[0]!.price).toBeCloseTo(99.9, 10);
  });

  test("an unsized signal is a defect", () => {
    const { sizing: _, ...unsized } = aSignal();
    expect(() => openTrade(unsized)).toThrow(/no sizing/);
  });
});

describe("advanceTrade: table of edge cases (no costs, entry 100, risk 5, targets at 1R/2R/3R)", () => {
  // [name, side, ticks as [low, high, close?, closed?][], exitReason, R, targetsHit]
  const cases: readonly [
    string,
    "LONG" | "SHORT",
    readonly (readonly [number, number, number?, boolean?])[],
    string | undefined,
    number | undefined,
    number,
  ][] = [
    ["long stop", "LONG", [[94, 101]], "stop", -1, 0],
    ["short stop", "SHORT", [[99, 106]], "stop", -1, 0],
    ["long both stop and TP1 touched: stop first", "LONG", [[94, 106]], "stop", -1, 0],
    ["short both stop and TP3 touched: stop first", "SHORT", [[84, 106]], "stop", -1, 0],
    ["long gap through TP1..TP3 in one candle", "LONG", [[101, 120]], "tp3", 2, 3],
    ["short gap through TP1..TP3 in one candle", "SHORT", [[80, 99]], "tp3", 2, 3],
    [
      "long TP1 then breakeven stop",
      "LONG",
      [
        [99, 106],
        [99.5, 104],
        [99, 103],
      ],
      "breakeven",
      1 / 3,
      1,
    ],
    [
      "short TP1, TP2 then breakeven",
      "SHORT",
      [
        [94, 101],
        [89, 97],
        [95, 100.5],
      ],
      "breakeven",
      1,
      2,
    ],
    [
      "long TP1, TP2, TP3 on separate candles",
      "LONG",
      [
        [101, 105],
        [104, 110],
        [108, 116],
      ],
      "tp3",
      2,
      3,
    ],
    ["long TP1 and TP2 in one candle, stays open", "LONG", [[101, 111]], undefined, undefined, 2],
    ["exactly touching the stop counts", "LONG", [[95, 100]], "stop", -1, 0],
    ["exactly touching TP1 counts", "LONG", [[99, 105]], undefined, undefined, 1],
    [
      "after TP1 the original stop no longer applies (breakeven, not stop)",
      "LONG",
      [
        [99, 105],
        [90, 101],
      ],
      "breakeven",
      1 / 3,
      1,
    ],
  ];
  for (const [name, side, ticks, reason, r, targetsHit] of cases) {
    test(name, () => {
      const t0 = anOpenTrade({ side, entry: 100 });
      const { trade } = run(
        t0,
        ticks.map(([low, high, close, closed], i) => tick(t0, i + 1, low, high, close, closed)),
      );
      expect(trade.exitReason).toBe(reason as never);
      expect(trade.targetsHit).toBe(targetsHit);
      if (r === undefined) {
        expect(trade.status).toBe("open");
        expect(trade.stop).toBe(100);
      } else {
        expect(trade.status).toBe("closed");
        expect(trade.rMultiple!).toBeCloseTo(r, 10);
        expect(trade.pnl!).toBeCloseTo(r * 5, 10);
        expect(trade.remaining).toBe(0);
        expect(trade.fills.reduce((s, f) => s + (f.kind === "entry" ? 0 : f.fraction), 0)).toBeCloseTo(1, 12);
      }
    });
  }
});

describe("advanceTrade: events", () => {
  test("a gap through all targets emits TP1, TP2, then Closed tp3, in order, with the stop at entry", () => {
    const t0 = anOpenTrade();
    const { events } = run(t0, [tick(t0, 1, 101, 120)]);
    expect(
      events.map((e) => (e._tag === "TargetHit" ? `tp${e.target}` : e._tag === "Closed" ? e.reason : e._tag)),
    ).toEqual(["tp1", "tp2", "tp3"]);
    expect(events[0]).toMatchObject({ _tag: "TargetHit", target: 1, price: 105, stop: 100 });
    expect(events[2]).toMatchObject({ _tag: "Closed", reason: "tp3", price: 115, durationMs: M30 });
  });

  test("ticks at or before the entry (the trigger candle itself) are ignored", () => {
    const t0 = anOpenTrade();
    const step = advanceTrade(t0, { time: t0.openedAt, low: 90, high: 120, close: 100, closed: true }, RULES);
    expect(step.trade).toBe(t0);
    expect(step.events).toHaveLength(0);
  });

  test("a closed trade never changes", () => {
    const t0 = anOpenTrade();
    const closed = run(t0, [tick(t0, 1, 90, 101)]).trade;
    const step = advanceTrade(closed, tick(t0, 2, 50, 200), RULES);
    expect(step.trade).toBe(closed);
    expect(step.events).toHaveLength(0);
  });

  test("a forming candle's wick hits the stop", () => {
    const t0 = anOpenTrade();
    const { trade } = run(t0, [tick(t0, 1, 94.5, 101, 99, false)]);
    expect(trade).toMatchObject({ status: "closed", exitReason: "stop", candlesSeen: 0 });
  });

  test("after TP1 on a forming tick, the same candle's older low does not trigger the breakeven stop", () => {
    const t0 = anOpenTrade();
    const openTime = t0.openedAt;
    const f1 = { openTime, time: openTime + 60_000, low: 98, high: 105.5, close: 105, closed: false };
    const f2 = { openTime, time: openTime + 120_000, low: 98, high: 106, close: 104, closed: false };
    const f3 = { openTime, time: openTime + 180_000, low: 98, high: 106, close: 99.9, closed: false };
    const a = run(t0, [f1, f2]);
    expect(a.trade).toMatchObject({ status: "open", targetsHit: 1, stop: 100 });
    const b = run(a.trade, [f3]);
    expect(b.trade).toMatchObject({ status: "closed", exitReason: "breakeven" });
  });
});

describe("advanceTrade: timeout", () => {
  test("only closed candles count: 47 closed + many forming ticks stay open, the 48th closed candle times out", () => {
    const t0 = anOpenTrade();
    const ticks: TradeTick[] = [];
    for (let n = 1; n <= 47; n++) {
      ticks.push(
        tick(t0, n, 99, 101, 100.5, false),
        tick(t0, n, 99, 101, 100.5, false),
        tick(t0, n, 99, 101, 100.5),
      );
    }
    const before = run(t0, ticks);
    expect(before.trade).toMatchObject({ status: "open", candlesSeen: 47 });
    expect(before.events).toHaveLength(0);
    const after = run(before.trade, [tick(t0, 48, 99, 101, 101)]);
    expect(after.trade).toMatchObject({
      status: "closed",
      exitReason: "timeout",
      candlesSeen: 48,
      lastPrice: 101,
    });
    expect(after.trade.rMultiple!).toBeCloseTo(0.2, 10);
    expect(after.events).toEqual([
      expect.objectContaining({ _tag: "Closed", reason: "timeout", price: 101, durationMs: 48 * M30 }),
    ]);
  });

  test("a data gap (or a restart) cannot stretch the timeout past timeoutCandles × 30m of event time", () => {
    const t0 = anOpenTrade();
    const { trade } = run(t0, [tick(t0, 1, 99, 101), tick(t0, 60, 99, 101, 99)]);
    expect(trade).toMatchObject({ status: "closed", exitReason: "timeout", candlesSeen: 2 });
  });

  test("the timeout is configurable", () => {
    const t0 = anOpenTrade();
    const { trade } = run(t0, [tick(t0, 1, 99, 101), tick(t0, 2, 99, 101, 100)], {
      ...RULES,
      timeoutCandles: 2,
    });
    expect(trade).toMatchObject({ status: "closed", exitReason: "timeout", rMultiple: 0 });
  });

  test("the remaining two thirds time out after TP1", () => {
    const t0 = anOpenTrade();
    const { trade } = run(t0, [tick(t0, 1, 101, 105), tick(t0, 2, 101, 103, 102)], {
      ...RULES,
      timeoutCandles: 2,
    });
    expect(trade.exitReason).toBe("timeout");
    // 1/3 × 1R + 2/3 × 0.4R
    expect(trade.rMultiple!).toBeCloseTo(1 / 3 + (2 / 3) * 0.4, 10);
  });
});

describe("advanceTrade: costs", () => {
  test("fees on every fill are included in pnl, R and pnl %", () => {
    // LONG 2 @ 100, stop 95 (risk 10), TP1 105 then breakeven at 100; fee 0.05 %/side.
    const t0 = openTrade(aSignal({ entry: 100, stop: 95 }, 2), DEFAULT_COSTS);
    const { trade } = run(t0, [tick(t0, 1, 101, 105), tick(t0, 2, 99, 102)], {
      costs: DEFAULT_COSTS,
      timeoutCandles: 48,
    });
    const fees = 200 * 0.0005 + 105 * (2 / 3) * 0.0005 + 100 * (4 / 3) * 0.0005;
    const gross = 5 * (2 / 3);
    expect(trade.exitReason).toBe("breakeven");
    expect(trade.pnl!).toBeCloseTo(gross - fees, 10);
    expect(trade.rMultiple!).toBeCloseTo((gross - fees) / 10, 10);
    expect(trade.pnlPercent!).toBeCloseTo(((gross - fees) / 200) * 100, 10);
  });

  test("a stopped trade loses 1R plus the round-trip fees", () => {
    const t0 = openTrade(aSignal({ entry: 100, stop: 95 }), DEFAULT_COSTS);
    const { trade } = run(t0, [tick(t0, 1, 90, 100)], { costs: DEFAULT_COSTS, timeoutCandles: 48 });
    expect(trade.pnl!).toBeCloseTo(-5 - 0.05 - 0.0475, 10);
    expect(trade.rMultiple!).toBeCloseTo(-(5 + 0.0975) / 5, 10);
  });
});

describe("advanceTrade: properties", () => {
  const arbPath = fc.array(
    fc.record({
      mid: fc.double({ min: 70, max: 130, noNaN: true }),
      half: fc.double({ min: 0, max: 20, noNaN: true }),
      closed: fc.boolean(),
    }),
    { minLength: 1, maxLength: 120 },
  );

  test("never loses more than 1R + fees; events are time-ordered; a closed trade never changes", () => {
    fc.assert(
      fc.property(fc.constantFrom("LONG" as const, "SHORT" as const), arbPath, (side, path) => {
        const rules: TradeRules = { costs: DEFAULT_COSTS, timeoutCandles: 48 };
        let t = openTrade(aSignal({ side, entry: 100 }), DEFAULT_COSTS);
        let n = 0;
        let last = Number.NEGATIVE_INFINITY;
        for (const p of path) {
          const openTime = t.openedAt + n * M30;
          const k: TradeTick = {
            openTime,
            time: p.closed ? openTime + M30 : openTime + 1000,
            low: Math.max(1, p.mid - p.half),
            high: p.mid + p.half,
            close: p.mid,
            closed: p.closed,
          };
          if (p.closed) n++;
          const before = t;
          const step = advanceTrade(t, k, rules);
          for (const e of step.events) {
            if (e.time < last) return false;
            last = e.time;
          }
          if (before.status === "closed" && (step.trade !== before || step.events.length > 0)) return false;
          t = step.trade;
        }
        if (t.status === "closed") {
          const fees = t.fills.reduce((s, f) => s + f.fee, 0);
          if (t.pnl! < -t.riskAmount - fees - 1e-9) return false;
          if (Math.abs(t.fills.slice(1).reduce((s, f) => s + f.fraction, 0) - 1) > 1e-9) return false;
          if (t.rMultiple! > 3) return false;
        }
        return t.targetsHit >= 0 && t.targetsHit <= 3;
      }),
      { seed: 20250601, numRuns: 500 },
    );
  });
});
