import { describe, expect, test } from "bun:test";
import {
  expectMatchesTalib,
  onClose,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";
import { Rsi, rsi } from "./Rsi.ts";

describe("Rsi", () => {
  runIndicatorContract("Rsi(14)", () => onClose(new Rsi(14)), 15);

  for (const ref of talibReferences()) {
    test(`matches TA-Lib RSI(14) on ${ref.name}`, () => {
      expectMatchesTalib(`${ref.name} rsi14`, rsi(ref.close, 14), ref.indicators.rsi14!);
    });
  }

  test("streaming equals batch on real data", () => {
    const closes = talibReferences()[1]!.close;
    const r = new Rsi(14);
    expect(closes.map((c) => r.add(c))).toEqual(rsi(closes, 14));
  });

  test("only gains reads 100, a flat market reads 0", () => {
    expect(rsi([1, 2, 3, 4], 2)[3]).toBe(100);
    expect(rsi([5, 5, 5, 5], 2)[3]).toBe(0);
    expect(() => new Rsi(0)).toThrow(RangeError);
  });
});
