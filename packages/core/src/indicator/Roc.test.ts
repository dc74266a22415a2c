import { describe, expect, test } from "bun:test";
import {
  expectMatchesTalib,
  onClose,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";
import { Roc, roc } from "./Roc.ts";

describe("Roc", () => {
  runIndicatorContract("Roc(10)", () => onClose(new Roc(10)), 11);

  for (const ref of talibReferences()) {
    test(`matches TA-Lib ROC(10) on ${ref.name}`, () => {
      expectMatchesTalib(`${ref.name} roc10`, roc(ref.close, 10), ref.indicators.roc10!);
    });
  }

  test("streaming equals batch on real data", () => {
    const closes = talibReferences()[0]!.close;
    const r = new Roc(10);
    expect(closes.map((c) => r.add(c))).toEqual(roc(closes, 10));
  });

  test("percent change over n bars", () => {
    const out = roc([100, 110, 121], 1);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(10, 12);
    expect(out[2]).toBeCloseTo(10, 12);
    expect(roc([0, 5], 1)[1]).toBe(0);
  });
});
