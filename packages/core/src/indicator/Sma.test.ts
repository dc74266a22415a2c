import { describe, expect, test } from "bun:test";
import {
  expectMatchesTalib,
  onClose,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";
import { Sma, sma } from "./Sma.ts";

describe("Sma", () => {
  runIndicatorContract("Sma(20)", () => onClose(new Sma(20)), 20);

  for (const ref of talibReferences()) {
    test(`matches TA-Lib SMA(20) on ${ref.name}`, () => {
      expectMatchesTalib(`${ref.name} sma20`, sma(ref.close, 20), ref.indicators.sma20!);
    });
  }

  test("streaming equals batch on real data", () => {
    const closes = talibReferences()[2]!.close;
    const s = new Sma(7);
    expect(closes.map((c) => s.add(c))).toEqual(sma(closes, 7));
  });

  test("small example and period validation", () => {
    expect(sma([1, 2, 3, 4], 2)).toEqual([Number.NaN, 1.5, 2.5, 3.5]);
    expect(sma([5], 1)).toEqual([5]);
    expect(() => new Sma(0)).toThrow(RangeError);
    expect(() => sma([1], 2.5)).toThrow(/positive integer/);
  });
});
