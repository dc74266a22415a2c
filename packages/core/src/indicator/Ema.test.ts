import { describe, expect, test } from "bun:test";
import { Ema, ema } from "./Ema.ts";
import {
  expectMatchesTalib,
  onClose,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";

describe("Ema", () => {
  runIndicatorContract("Ema(20)", () => onClose(new Ema(20)), 20);

  for (const ref of talibReferences()) {
    for (const n of [20, 50, 200]) {
      test(`matches TA-Lib EMA(${n}) on ${ref.name}`, () => {
        expectMatchesTalib(`${ref.name} ema${n}`, ema(ref.close, n), ref.indicators[`ema${n}`]!);
      });
    }
  }

  test("streaming equals batch on real data", () => {
    const closes = talibReferences()[2]!.close;
    const e = new Ema(50);
    expect(closes.map((c) => e.add(c))).toEqual(ema(closes, 50));
  });

  test("seeded with the SMA of the first n values", () => {
    expect(ema([2, 4, 6, 8], 3)).toEqual([Number.NaN, Number.NaN, 4, 6]);
    expect(() => new Ema(-1)).toThrow(RangeError);
  });
});
