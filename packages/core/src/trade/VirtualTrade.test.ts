import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { VirtualTrade } from "../model/Trade.ts";
import { anOpenTrade, aSignal, NO_COSTS } from "../testing/TradeBuilders.ts";
import { flatFunding, recordedFunding } from "./Funding.ts";
import {
  advanceTrade,
  type CostModel,
  DEFAULT_COSTS,
  markToMarket,
  openTrade,
  type TradeRules,
  type TradeTick,
} from "./VirtualTrade.ts";

const M30 = 30 * 60_000;
const H8 = 8 * 3_600_000;
const RULES: TradeRules = { costs: NO_COSTS, timeoutCandles: 48 };
/** The taker fee alone (0.05 %/fill): the fee arithmetic below is checked by hand without slippage or funding. */
const FEES_ONLY: CostModel = { takerFeeRate: 0.0005, slippageRate: 0 };

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
    const t = openTrade(signal, FEES_ONLY);
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

  test("the default costs: 0.05 % taker fee and 0.02 % slippage per fill, flat 0.01 % funding per 8 h", () => {
    expect(DEFAULT_COSTS).toMatchObject({ takerFeeRate: 0.0005, slippageRate: 0.0002 });
    expect(DEFAULT_COSTS.funding?.between("BTCUSDT", 0, 24 * 3_600_000)).toEqual([
      { time: H8, rate: 0.0001 },
      { time: 2 * H8, rate: 0.0001 },
      { time: 3 * H8, rate: 0.0001 },
    ]);
    const t = openTrade(aSignal({ entry: 100, stop: 95 }, 2), DEFAULT_COSTS);
    expect(t.fills[0]!.price).toBeCloseTo(100.02, 10);
    expect(t.fills[0]!.fee).toBeCloseTo(200.04 * 0.0005, 10);
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

  test("missed candles cannot stretch the timeout: the candle closing at the due time times out (candle count 2)", () => {
    const t0 = anOpenTrade();
    const { trade } = run(t0, [tick(t0, 1, 99, 101), tick(t0, 48, 99, 101, 100.5)]);
    expect(trade).toMatchObject({
      status: "closed",
      exitReason: "timeout",
      candlesSeen: 2,
      lastPrice: 100.5,
    });
    expect(trade.fills.at(-1)!.gap).toBeUndefined();
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
    const t0 = openTrade(aSignal({ entry: 100, stop: 95 }, 2), FEES_ONLY);
    const { trade } = run(t0, [tick(t0, 1, 101, 105), tick(t0, 2, 99, 102)], {
      costs: FEES_ONLY,
      timeoutCandles: 48,
    });
    const fees = 200 * 0.0005 + 105 * (2 / 3) * 0.0005 + 100 * (4 / 3) * 0.0005;
    const gross = 5 * (2 / 3);
    expect(trade.exitReason).toBe("breakeven");
    expect(trade.pnl!).toBeCloseTo(gross - fees, 10);
    expect(trade.rMultiple!).toBeCloseTo((gross - fees) / 10, 10);
    // % of the 1000 USDT account the trade was sized on (aSignal's), not of its 200 USDT notional.
    expect(trade.equity).toBe(1000);
    expect(trade.pnlPercent!).toBeCloseTo(((gross - fees) / 1000) * 100, 10);
    // A trade stored before the account was recorded keeps the old meaning: % of the entry notional.
    const { equity: _, ...legacy } = t0;
    const old = run(legacy, [tick(t0, 1, 101, 105), tick(t0, 2, 99, 102)], {
      costs: FEES_ONLY,
      timeoutCandles: 48,
    });
    expect(old.trade.pnlPercent!).toBeCloseTo(((gross - fees) / 200) * 100, 10);
  });

  test("a stopped trade loses 1R plus the round-trip fees", () => {
    const t0 = openTrade(aSignal({ entry: 100, stop: 95 }), FEES_ONLY);
    const { trade } = run(t0, [tick(t0, 1, 90, 100)], { costs: FEES_ONLY, timeoutCandles: 48 });
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

  test("without a gap, never loses more than 1R + costs; events are time-ordered; a closed trade never changes", () => {
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
          const slip = DEFAULT_COSTS.slippageRate;
          // Slippage cost: the entry above the setup's entry, each exit below its level (longs; shorts mirror).
          let slippage = Math.abs(t.fills[0]!.price - t.entry) * t.quantity;
          for (const f of t.fills.slice(1))
            slippage +=
              Math.abs(f.price / (1 + (side === "LONG" ? -slip : slip)) - f.price) * t.quantity * f.fraction;
          const costs = fees + slippage + Math.max(0, t.funding ?? 0);
          if (t.pnl! < -t.riskAmount - costs - 1e-9) return false;
          if (Math.abs(t.fills.slice(1).reduce((s, f) => s + f.fraction, 0) - 1) > 1e-9) return false;
          if (t.rMultiple! > 3) return false;
        }
        return t.targetsHit >= 0 && t.targetsHit <= 3;
      }),
      { seed: 20250601, numRuns: 500 },
    );
  });
});

describe("advanceTrade: gaps", () => {
  /** A closed candle `n` after the entry that opens at `open`. */
  const opening = (
    trade: VirtualTrade,
    n: number,
    open: number,
    low: number,
    high: number,
    close: number,
  ) => ({
    ...tick(trade, n, low, high, close),
    open,
  });

  test("a LONG whose next candle opens below the stop fills at that open (−2R), not at the stop", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100, stop: 95 });
    const { trade, events } = run(t0, [opening(t0, 1, 90, 88, 92, 91)]);
    expect(trade).toMatchObject({ status: "closed", exitReason: "stop" });
    expect(trade.fills.at(-1)).toMatchObject({ kind: "stop", price: 90, fraction: 1, gap: "open" });
    expect(trade.rMultiple!).toBeCloseTo(-2, 10);
    expect(events).toEqual([expect.objectContaining({ _tag: "Closed", reason: "stop", price: 90 })]);
  });

  test("a SHORT whose next candle opens above the stop fills at that open, with slippage on top", () => {
    const t0 = anOpenTrade({ side: "SHORT", entry: 100, stop: 105 });
    const costs: CostModel = { takerFeeRate: 0, slippageRate: 0.001 };
    const { trade } = run(t0, [opening(t0, 1, 108, 106, 109, 107)], { costs, timeoutCandles: 48 });
    expect(trade.fills.at(-1)).toMatchObject({ kind: "stop", gap: "open" });
    expect(trade.fills.at(-1)!.price).toBeCloseTo(108 * 1.001, 10);
    expect(trade.rMultiple!).toBeCloseTo(-(108 * 1.001 - 100) / 5, 10);
  });

  test("a candle that opens inside the range and wicks through the stop still fills at the stop", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100, stop: 95 });
    const { trade } = run(t0, [opening(t0, 1, 99, 90, 101, 96)]);
    expect(trade.fills.at(-1)).toMatchObject({ kind: "stop", price: 95 });
    expect(trade.fills.at(-1)!.gap).toBeUndefined();
  });

  test("after TP1 a candle opening below the entry fills the breakeven stop at its open", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100, stop: 95 });
    const { trade } = run(t0, [tick(t0, 1, 101, 105, 104), opening(t0, 2, 97, 96, 99, 98)]);
    expect(trade).toMatchObject({ exitReason: "breakeven", targetsHit: 1 });
    expect(trade.fills.at(-1)).toMatchObject({ kind: "breakeven", price: 97, gap: "open" });
    expect(trade.rMultiple!).toBeCloseTo(1 / 3 - (2 / 3) * 0.6, 10);
  });

  test("a target gapped through fills at the target, not at the better open (no gift)", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100, stop: 95 });
    const { trade } = run(t0, [opening(t0, 1, 112, 111, 113, 112)]);
    expect(trade).toMatchObject({ status: "open", targetsHit: 2 });
    expect(trade.fills.slice(1).map((f) => f.price)).toEqual([105, 110]);
  });

  test("a data gap longer than the timeout closes at the last price before it, at the due time, flagged", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100, stop: 95 });
    // Three candles, then nothing for 38 days; the first candle after the gap would hit the stop.
    const before = [tick(t0, 1, 99, 102, 101), tick(t0, 2, 100, 103, 102), tick(t0, 3, 101, 104, 102.5)];
    const after = opening(t0, 3 + 38 * 48, 80, 70, 85, 84);
    const { trade, events } = run(t0, [...before, after]);
    const due = t0.openedAt + 48 * M30;
    expect(trade).toMatchObject({
      status: "closed",
      exitReason: "timeout",
      closedAt: due,
      candlesSeen: 3,
      lastPrice: 102.5,
    });
    expect(trade.fills.at(-1)).toMatchObject({ kind: "timeout", price: 102.5, time: due, gap: "data" });
    expect(trade.rMultiple!).toBeCloseTo(0.5, 10);
    expect(events).toEqual([
      expect.objectContaining({
        _tag: "Closed",
        reason: "timeout",
        time: due,
        price: 102.5,
        durationMs: 48 * M30,
      }),
    ]);
  });

  test("a forming tick after such a gap closes the trade the same way", () => {
    const t0 = anOpenTrade({ side: "SHORT", entry: 100, stop: 105 });
    const late = { ...opening(t0, 100, 120, 119, 121, 120), closed: false };
    const { trade } = run(t0, [tick(t0, 1, 98, 101, 99), late]);
    expect(trade.fills.at(-1)).toMatchObject({ kind: "timeout", price: 99, gap: "data" });
    expect(trade.rMultiple!).toBeCloseTo(0.2, 10);
  });

  test("a gap shorter than the timeout is no timeout: the candle after it is traded (here: through the stop)", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100, stop: 95 });
    const { trade } = run(t0, [tick(t0, 1, 99, 102, 101), opening(t0, 40, 93, 92, 94, 93)]);
    expect(trade.fills.at(-1)).toMatchObject({ kind: "stop", price: 93, gap: "open" });
  });
});

describe("advanceTrade: funding", () => {
  // The entry fills at 2025-06-01 00:30 UTC (T0 + 30 min); settlements at 08:00, 16:00 and 00:00 UTC.
  const FLAT: CostModel = { takerFeeRate: 0, slippageRate: 0, funding: flatFunding(0.0001) };
  const rules = (costs: CostModel = FLAT): TradeRules => ({ costs, timeoutCandles: 48 });
  const quiet = (trade: VirtualTrade, n: number) => tick(trade, n, 99, 101, 100);
  const until = (trade: VirtualTrade, last: number) =>
    Array.from({ length: last }, (_, i) => quiet(trade, i + 1));

  test("a LONG held 24 h pays three settlements of 0.01 % of its notional", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100 }); // quantity 1, risk 5
    const { trade } = run(t0, until(t0, 48), rules());
    expect(trade).toMatchObject({ exitReason: "timeout" });
    expect(trade.funding!).toBeCloseTo(3 * 0.0001 * 100, 12);
    expect(trade.pnl!).toBeCloseTo(-0.03, 12);
    expect(trade.rMultiple!).toBeCloseTo(-0.03 / 5, 12);
  });

  test("a SHORT held as long receives them", () => {
    const t0 = anOpenTrade({ side: "SHORT", entry: 100 });
    const { trade } = run(t0, until(t0, 48), rules());
    expect(trade.funding!).toBeCloseTo(-0.03, 12);
    expect(trade.pnl!).toBeCloseTo(0.03, 12);
  });

  test("a negative recorded rate reverses the flow, charged on the recorded mark price", () => {
    const rates = recordedFunding(
      new Map([["BTCUSDT", [{ time: Date.UTC(2025, 5, 1, 8), rate: -0.0005, markPrice: 98 }]]]),
      flatFunding(0),
    );
    const long = run(
      anOpenTrade({ side: "LONG" }),
      until(anOpenTrade(), 20),
      rules({ ...FLAT, funding: rates }),
    );
    expect(long.trade.status).toBe("open");
    const closed = run(long.trade, [tick(long.trade, 21, 90, 100)], rules({ ...FLAT, funding: rates }));
    expect(closed.trade.funding!).toBeCloseTo(-0.0005 * 98, 12);
    expect(closed.trade.pnl!).toBeCloseTo(-5 + 0.049, 12);
  });

  test("only what is still held pays: TP1 before 08:00 leaves two thirds to pay", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100 });
    // TP1 (105) on candle 2 (closing 01:30), then above the entry (the breakeven stop) until the timeout.
    const ticks = until(t0, 48).map((k, i) =>
      i === 1 ? { ...k, high: 105 } : i > 1 ? { ...k, low: 101 } : k,
    );
    const { trade } = run(t0, ticks, rules());
    expect(trade).toMatchObject({ exitReason: "timeout", targetsHit: 1 });
    expect(trade.funding!).toBeCloseTo(3 * 0.0001 * 100 * (2 / 3), 12);
  });

  test("a stop hit inside the candle closing at 08:00 does not pay the 08:00 settlement; a timeout at 00:30 pays 00:00", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100 });
    // Candle 15 opens 07:30 and closes 08:00.
    const stopped = run(t0, [...until(t0, 14), tick(t0, 15, 94, 100)], rules());
    expect(stopped.trade.closedAt).toBe(Date.UTC(2025, 5, 1, 8));
    expect(stopped.trade.funding).toBe(0);
    const timedOut = run(t0, until(t0, 48), rules());
    expect(timedOut.trade.closedAt).toBe(Date.UTC(2025, 5, 2, 0, 30));
    expect(timedOut.trade.fills.at(-1)!.time).toBe(Date.UTC(2025, 5, 2, 0, 30));
    expect(timedOut.trade.funding!).toBeCloseTo(0.03, 12);
  });

  test("a trade closed after a data gap pays the settlements up to the due time", () => {
    const t0 = anOpenTrade({ side: "LONG", entry: 100 });
    const { trade } = run(t0, [quiet(t0, 1), tick(t0, 2000, 99, 101)], rules());
    expect(trade.fills.at(-1)!.gap).toBe("data");
    expect(trade.funding!).toBeCloseTo(0.03, 12);
  });

  test("no funding model, no funding", () => {
    const t0 = anOpenTrade();
    const { trade } = run(t0, until(t0, 48), rules({ takerFeeRate: 0, slippageRate: 0 }));
    expect(trade.funding).toBe(0);
    expect(trade.pnl).toBe(0);
  });
});

describe("markToMarket", () => {
  test("an open trade is worth its realised thirds plus the rest at the mark, minus fees and funding so far", () => {
    const t0 = openTrade(aSignal({ entry: 100, stop: 95 }, 2), FEES_ONLY); // risk 10
    const { trade } = run(t0, [tick(t0, 1, 101, 105, 104)], { costs: FEES_ONLY, timeoutCandles: 48 });
    const at = trade.openedAt + 2 * M30;
    const v = markToMarket(trade, at, 98, 0.05);
    const pnl = -200 * 0.0005 + (5 * 2) / 3 - 105 * (2 / 3) * 0.0005 + (-2 * 2 * 2) / 3 - 0.05;
    expect(v.pnl).toBeCloseTo(pnl, 12);
    expect(v.rMultiple).toBeCloseTo(pnl / 10, 12);
    // Before TP1 the whole position is valued at the mark.
    expect(markToMarket(trade, trade.openedAt, 100).pnl).toBeCloseTo(-0.1, 12);
  });

  test("a closed trade is worth exactly its result, whatever the mark", () => {
    const t0 = openTrade(aSignal({ entry: 100, stop: 95 }), DEFAULT_COSTS);
    const { trade } = run(t0, [tick(t0, 1, 94, 100)], { costs: DEFAULT_COSTS, timeoutCandles: 48 });
    const v = markToMarket(trade, trade.closedAt! + 10 * M30, 1234, trade.funding);
    expect(v.pnl).toBe(trade.pnl!);
    expect(v.rMultiple).toBe(trade.rMultiple!);
  });
});
