import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { aSignal } from "../testing/TradeBuilders.ts";
import { advanceTrade, type CostModel, openTrade } from "../trade/VirtualTrade.ts";
import { costGate, DEFAULT_MAX_COST_R, roundTripCostR } from "./CostGate.ts";

/** The pipeline's default fee and slippage (0.05 % + 0.02 % per side), without funding. */
const COSTS: CostModel = { takerFeeRate: 0.0005, slippageRate: 0.0002 };

describe("roundTripCostR", () => {
  test("a 2 % stop on BTC costs a few hundredths of R; a stablecoin's 0.01 % stop costs many R", () => {
    // (0.0007001 × (100 000 + 106 000)) / 2 000: the exit fee is charged at the farthest target (TP3).
    const btc = { entry: 100_000, stop: 98_000, targets: [102_000, 104_000, 106_000] as const };
    expect(roundTripCostR(btc, COSTS)).toBeCloseTo(0.07211, 5);
    const usdc = { entry: 1.0001, stop: 1.0, targets: [1.0002, 1.0003, 1.0004] as const };
    expect(roundTripCostR(usdc, COSTS)).toBeCloseTo((0.0007001 * 2.0005) / 0.0001, 6);
    expect(roundTripCostR(usdc, COSTS)).toBeGreaterThan(14);
  });

  test("for a short the stop is the farthest exit; a stop on the entry costs infinitely many R", () => {
    const short = { entry: 100, stop: 101, targets: [99, 98, 97] as const };
    expect(roundTripCostR(short, COSTS)).toBeCloseTo(0.0007001 * 201, 12);
    expect(roundTripCostR({ entry: 100, stop: 100, targets: [100, 100, 100] }, COSTS)).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  test("property: never below what a trade stopped out or run to TP3 really paid in fees and slippage", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 100_000, noNaN: true }),
        fc.double({ min: 0.0001, max: 0.2, noNaN: true }),
        fc.constantFrom("LONG" as const, "SHORT" as const),
        fc.boolean(),
        (entry, distance, side, stopped) => {
          const dir = side === "LONG" ? 1 : -1;
          const stop = entry * (1 - dir * distance);
          const signal = aSignal({ entry, stop, side });
          const { targets } = signal.setup;
          const exit = stopped ? stop : targets[2];
          const tick = {
            time: signal.setup.time + 1_800_000,
            high: Math.max(exit, entry),
            low: Math.min(exit, entry),
            close: exit,
            closed: true,
          };
          const r = (costs: CostModel) => {
            const step = advanceTrade(openTrade(signal, costs), tick, { costs, timeoutCandles: 48 });
            return step.trade.rMultiple ?? Number.NaN;
          };
          const paid = r({ takerFeeRate: 0, slippageRate: 0 }) - r(COSTS);
          expect(paid).toBeGreaterThan(0);
          expect(paid).toBeLessThanOrEqual(roundTripCostR(signal.setup, COSTS) + 1e-9);
        },
      ),
    );
  });
});

describe("costGate", () => {
  test("rejects above the cap with the numbers, passes at or below it", () => {
    const tight = { entry: 100, stop: 99.5, targets: [100.5, 101, 101.5] as const };
    // 0.0007001 × 201.5 / 0.5 = 0.28214 R
    expect(costGate(tight, COSTS, DEFAULT_MAX_COST_R)).toEqual({
      code: "costAboveRisk",
      data: { costR: 0.2821, max: 0.2, stopPercent: 0.5 },
    });
    expect(costGate(tight, COSTS, 0.0007001 * 403)).toBeUndefined();
    expect(costGate({ ...tight, stop: 99 }, COSTS, DEFAULT_MAX_COST_R)).toBeUndefined();
  });

  test("without costs every setup with a stop is affordable", () => {
    const tight = { entry: 1, stop: 0.99999, targets: [1.00001, 1.00002, 1.00003] as const };
    expect(costGate(tight, { takerFeeRate: 0, slippageRate: 0 }, DEFAULT_MAX_COST_R)).toBeUndefined();
  });
});
