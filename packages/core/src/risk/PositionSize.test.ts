import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { SymbolInfo } from "../model/Symbol.ts";
import { floorToStep, parseStep, positionSize } from "./PositionSize.ts";

const btc: SymbolInfo = { symbol: "BTCUSDT", tickSize: "0.10", stepSize: "0.001", minNotional: 100 };

describe("positionSize", () => {
  test("risk ÷ stop distance, rounded down to the step", () => {
    // 10 000 × 1 % = 100 USDT at risk; distance 300 → 0.3333… BTC → 0.333
    const r = positionSize({ equity: 10_000, riskPercent: 1, entry: 60_000, stop: 59_700, info: btc });
    expect(r._tag).toBe("Sized");
    if (r._tag !== "Sized") return;
    expect(r.sizing.quantity).toBe(0.333);
    expect(r.sizing.notional).toBeCloseTo(19_980, 6);
    expect(r.sizing.leverage).toBeCloseTo(1.998, 9);
    expect(r.sizing.riskAmount).toBeCloseTo(99.9, 9);
    expect(r.sizing.riskPercent).toBe(1);
  });

  test("exact multiples are not lost to float noise (0.3 stays 0.3)", () => {
    // 30 USDT risk, distance 100 → exactly 0.3 (0.3 × 1000 = 300.00000000000006 in floats)
    const r = positionSize({
      equity: 3_000,
      riskPercent: 1,
      entry: 1_000,
      stop: 900,
      info: { ...btc, minNotional: 5 },
    });
    expect(r._tag === "Sized" && r.sizing.quantity).toBe(0.3);
  });

  test("short side (stop above entry) sizes the same way", () => {
    const r = positionSize({
      equity: 10_000,
      riskPercent: 2,
      entry: 100,
      stop: 104,
      info: { ...btc, stepSize: "1" },
    });
    expect(r._tag === "Sized" && r.sizing.quantity).toBe(50);
  });

  test("without symbol info the quantity is exact", () => {
    const r = positionSize({ equity: 1_000, riskPercent: 1, entry: 3, stop: 2.9 });
    expect(r._tag === "Sized" && r.sizing.quantity).toBeCloseTo(100, 9);
  });

  test("rejects a zero stop distance", () => {
    const r = positionSize({ equity: 1_000, riskPercent: 1, entry: 100, stop: 100, info: btc });
    expect(r).toEqual({
      _tag: "Rejected",
      reason: { code: "zeroStopDistance", data: { entry: 100, stop: 100 } },
    });
  });

  test("rejects below the minimum notional, including a quantity that rounds to zero", () => {
    const small = positionSize({ equity: 100, riskPercent: 1, entry: 60_000, stop: 59_000, info: btc });
    expect(small._tag === "Rejected" && small.reason.code).toBe("belowMinNotional");
    // 1 USDT at risk, distance 10 → 0.1 BTC = 6 000 notional: fine; min notional 10 000 → rejected
    const r = positionSize({
      equity: 100,
      riskPercent: 1,
      entry: 60_000,
      stop: 59_990,
      info: { ...btc, minNotional: 10_000 },
    });
    expect(r._tag).toBe("Rejected");
    if (r._tag === "Rejected") {
      expect(r.reason.code).toBe("belowMinNotional");
      expect(r.reason.data?.minNotional).toBe(10_000);
      expect(r.reason.data?.notional).toBeCloseTo(6_000, 6);
    }
  });

  test("rejects non-positive inputs", () => {
    const r = positionSize({ equity: 0, riskPercent: 1, entry: 100, stop: 99 });
    expect(r._tag === "Rejected" && r.reason.code).toBe("invalidSizingInput");
  });

  test("property: never risks more than asked, quantity is a whole number of steps, leverage = notional/equity", () => {
    const steps = ["0.001", "0.01", "0.1", "1", "10", "0.00001"];
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 1e6, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.0001, max: 1e5, noNaN: true }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        fc.constantFrom(...steps),
        fc.boolean(),
        (equity, riskPercent, entry, frac, stepSize, long) => {
          const stop = long ? entry * (1 - frac) : entry * (1 + frac);
          const r = positionSize({
            equity,
            riskPercent,
            entry,
            stop,
            info: { ...btc, stepSize, minNotional: 0 },
          });
          if (r._tag === "Rejected")
            return r.reason.code === "belowMinNotional" && r.reason.data?.quantity === 0;
          const { quantity, notional, leverage, riskAmount } = r.sizing;
          const step = parseStep(stepSize);
          const units = (quantity * 10 ** step.decimals) / step.units;
          return (
            riskAmount <= ((equity * riskPercent) / 100) * (1 + 1e-9) &&
            Math.abs(units - Math.round(units)) <= 1e-9 * Math.max(1, units) &&
            Math.abs(leverage - notional / equity) <= 1e-12 * Math.max(1, leverage)
          );
        },
      ),
      { seed: 42, numRuns: 2_000 },
    );
  });
});

describe("step arithmetic", () => {
  test("parseStep reads decimals without floats", () => {
    expect(parseStep("0.001")).toEqual({ units: 1, decimals: 3 });
    expect(parseStep("0.0010")).toEqual({ units: 1, decimals: 3 });
    expect(parseStep("1")).toEqual({ units: 1, decimals: 0 });
    expect(parseStep("10")).toEqual({ units: 10, decimals: 0 });
    expect(parseStep("0.05")).toEqual({ units: 5, decimals: 2 });
    expect(() => parseStep("0")).toThrow();
  });
  test("floorToStep rounds down", () => {
    expect(floorToStep(1.23456, parseStep("0.001"))).toBe(1.234);
    expect(floorToStep(0.0999999, parseStep("0.01"))).toBe(0.09);
    expect(floorToStep(0.07, parseStep("0.01"))).toBe(0.07);
    expect(floorToStep(27, parseStep("10"))).toBe(20);
    expect(floorToStep(0.17, parseStep("0.05"))).toBe(0.15);
  });
});
