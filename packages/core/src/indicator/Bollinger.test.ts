import { describe, expect, test } from "bun:test";
import { Bollinger, bollinger } from "./Bollinger.ts";
import {
  expectMatchesTalib,
  onClose,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";

describe("Bollinger", () => {
  runIndicatorContract("Bollinger(20, 2)", () => onClose(new Bollinger(20, 2)), 20);
  runIndicatorContract(
    "Bollinger(20, 2).upper",
    () => {
      const b = new Bollinger(20, 2);
      return {
        add: (bar) => {
          b.add(bar[2]);
          return b.upper;
        },
        replace: (bar) => {
          b.replace(bar[2]);
          return b.upper;
        },
        get value() {
          return b.upper;
        },
        get ready() {
          return b.ready;
        },
      };
    },
    20,
  );

  for (const ref of talibReferences()) {
    test(`matches TA-Lib BBANDS(20, 2) on ${ref.name}`, () => {
      const { upper, middle, lower } = bollinger(ref.close, 20, 2);
      expectMatchesTalib(`${ref.name} bbUpper`, upper, ref.indicators.bbUpper20_2!);
      expectMatchesTalib(`${ref.name} bbMiddle`, middle, ref.indicators.bbMiddle20_2!);
      expectMatchesTalib(`${ref.name} bbLower`, lower, ref.indicators.bbLower20_2!);
    });
  }

  test("streaming equals batch on real data, with width and %B", () => {
    const closes = talibReferences()[2]!.close;
    const batch = bollinger(closes, 20, 2);
    const b = new Bollinger(20, 2);
    closes.forEach((c, i) => {
      expect(b.add(c)).toBe(batch.middle[i]!);
      if (!b.ready) return;
      expect(b.upper).toBe(batch.upper[i]!);
      expect(b.lower).toBe(batch.lower[i]!);
      expect(b.width).toBeCloseTo((b.upper - b.lower) / b.middle, 12);
      expect(b.percentB).toBeCloseTo((c - b.lower) / (b.upper - b.lower), 9);
    });
  });

  test("population standard deviation; flat window has zero width and undefined %B", () => {
    const b = new Bollinger(4, 1);
    for (const v of [2, 4, 4, 6]) b.add(v);
    expect(b.middle).toBe(4);
    expect(b.stdev).toBeCloseTo(Math.sqrt(2), 12);
    const flat = new Bollinger(3, 2);
    for (const v of [7, 7, 7]) flat.add(v);
    expect(flat.width).toBe(0);
    expect(flat.percentB).toBeNaN();
    expect(() => new Bollinger(20, -1)).toThrow(RangeError);
  });
});
