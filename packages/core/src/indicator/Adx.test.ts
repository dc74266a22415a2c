import { describe, expect, test } from "bun:test";
import { Adx, adx } from "./Adx.ts";
import {
  expectMatchesTalib,
  onBar,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";

describe("Adx", () => {
  runIndicatorContract("Adx(14)", () => onBar(new Adx(14)), 28);
  for (const key of ["plusDi", "minusDi"] as const) {
    runIndicatorContract(
      `Adx(14).${key}`,
      () => {
        const a = new Adx(14);
        return {
          add: (bar) => {
            a.add(bar[0], bar[1], bar[2]);
            return a[key];
          },
          replace: (bar) => {
            a.replace(bar[0], bar[1], bar[2]);
            return a[key];
          },
          get value() {
            return a[key];
          },
          get ready() {
            return !Number.isNaN(a[key]);
          },
        };
      },
      15,
    );
  }

  for (const ref of talibReferences()) {
    test(`matches TA-Lib ADX(14) on ${ref.name}`, () => {
      expectMatchesTalib(`${ref.name} adx14`, adx(ref.high, ref.low, ref.close, 14), ref.indicators.adx14!);
    });
  }

  test("streaming equals batch on real data", () => {
    const ref = talibReferences()[1]!;
    const a = new Adx(14);
    expect(ref.close.map((c, i) => a.add(ref.high[i]!, ref.low[i]!, c))).toEqual(
      adx(ref.high, ref.low, ref.close, 14),
    );
  });

  test("a steady uptrend has +DI above −DI and a high ADX", () => {
    const a = new Adx(5);
    for (let i = 0; i < 30; i++) a.add(100 + i * 2 + 1, 100 + i * 2 - 1, 100 + i * 2);
    expect(a.plusDi).toBeGreaterThan(a.minusDi);
    expect(a.value).toBeCloseTo(100, 9);
    expect(() => new Adx(0)).toThrow(RangeError);
  });
});
