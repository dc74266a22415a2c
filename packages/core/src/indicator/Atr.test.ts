import { describe, expect, test } from "bun:test";
import { Atr, atr, trueRange } from "./Atr.ts";
import {
  expectMatchesTalib,
  onBar,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";

describe("Atr", () => {
  runIndicatorContract("Atr(14)", () => onBar(new Atr(14)), 15);

  for (const ref of talibReferences()) {
    test(`matches TA-Lib ATR(14) on ${ref.name}`, () => {
      expectMatchesTalib(`${ref.name} atr14`, atr(ref.high, ref.low, ref.close, 14), ref.indicators.atr14!);
    });
  }

  test("streaming equals batch on real data", () => {
    const ref = talibReferences()[2]!;
    const a = new Atr(14);
    expect(ref.close.map((c, i) => a.add(ref.high[i]!, ref.low[i]!, c))).toEqual(
      atr(ref.high, ref.low, ref.close, 14),
    );
  });

  test("true range covers gaps from the previous close", () => {
    expect(trueRange(10, 8, 9)).toBe(2);
    expect(trueRange(10, 8, 5)).toBe(5);
    expect(trueRange(10, 8, 13)).toBe(5);
    expect(() => atr([1], [1, 2], [1], 1)).toThrow(RangeError);
  });
});
