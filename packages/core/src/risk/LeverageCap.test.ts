import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DEFAULT_MAX_LEVERAGE, impliedLeverage, leverageGate } from "./LeverageCap.ts";
import { positionSize } from "./PositionSize.ts";

describe("impliedLeverage", () => {
  test("risk % over stop distance %: 1 % risk at a 0.5 % stop is a 2× position, at 0.001 % a 1000× one", () => {
    expect(impliedLeverage({ entry: 100, stop: 99.5 }, 1)).toBeCloseTo(2, 12);
    expect(impliedLeverage({ entry: 1, stop: 0.99999 }, 1)).toBeCloseTo(1000, 6);
    expect(impliedLeverage({ entry: 100, stop: 100 }, 1)).toBe(Number.POSITIVE_INFINITY);
  });

  test("property: equals the sizing's notional ÷ equity before lot rounding", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 1e7, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.001, max: 100_000, noNaN: true }),
        fc.double({ min: 0.00001, max: 0.5, noNaN: true }),
        (equity, riskPercent, entry, distance) => {
          const stop = entry * (1 - distance);
          const sized = positionSize({ equity, riskPercent, entry, stop });
          if (sized._tag !== "Sized") throw new Error("not sized");
          expect(impliedLeverage({ entry, stop }, riskPercent)).toBeCloseTo(sized.sizing.leverage, 6);
        },
      ),
    );
  });
});

describe("leverageGate", () => {
  test("rejects above the cap with the numbers; the memory's risk cut halves the leverage", () => {
    const near = { entry: 100, stop: 99.92 };
    expect(leverageGate(near, 1, DEFAULT_MAX_LEVERAGE)).toEqual({
      code: "leverageAboveCap",
      data: { leverage: 12.5, max: 10, riskPercent: 1, stopPercent: 0.08 },
    });
    expect(leverageGate(near, 0.5, DEFAULT_MAX_LEVERAGE)).toBeUndefined();
    expect(leverageGate({ entry: 100, stop: 99.9 }, 1, DEFAULT_MAX_LEVERAGE)).toBeUndefined();
  });
});
