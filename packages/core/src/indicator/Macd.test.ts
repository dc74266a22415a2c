import { describe, expect, test } from "bun:test";
import {
  expectMatchesTalib,
  onClose,
  runIndicatorContract,
  talibReferences,
} from "./IndicatorContract.testkit.ts";
import { Macd, macd } from "./Macd.ts";

describe("Macd", () => {
  runIndicatorContract("Macd(12, 26, 9)", () => onClose(new Macd(12, 26, 9)), 34);
  for (const key of ["signal", "hist"] as const) {
    runIndicatorContract(
      `Macd(12, 26, 9).${key}`,
      () => {
        const m = new Macd(12, 26, 9);
        return {
          add: (bar) => {
            m.add(bar[2]);
            return m[key];
          },
          replace: (bar) => {
            m.replace(bar[2]);
            return m[key];
          },
          get value() {
            return m[key];
          },
          get ready() {
            return m.ready;
          },
        };
      },
      34,
    );
  }

  for (const ref of talibReferences()) {
    test(`matches TA-Lib MACD(12, 26, 9) on ${ref.name}`, () => {
      const out = macd(ref.close, 12, 26, 9);
      expectMatchesTalib(`${ref.name} macd`, out.macd, ref.indicators.macd!);
      expectMatchesTalib(`${ref.name} macdSignal`, out.signal, ref.indicators.macdSignal!);
      expectMatchesTalib(`${ref.name} macdHist`, out.hist, ref.indicators.macdHist!);
    });
  }

  test("streaming equals batch on real data", () => {
    const closes = talibReferences()[2]!.close;
    const batch = macd(closes, 12, 26, 9);
    const m = new Macd(12, 26, 9);
    closes.forEach((c, i) => {
      const v = m.add(c);
      if (Number.isNaN(batch.macd[i]!)) expect(v).toBeNaN();
      else {
        expect(v).toBe(batch.macd[i]!);
        expect(m.signal).toBe(batch.signal[i]!);
        expect(m.hist).toBe(batch.hist[i]!);
      }
    });
  });

  test("rejects a fast period that is not below the slow one", () => {
    expect(() => new Macd(26, 12, 9)).toThrow(RangeError);
    expect(() => macd([1], 12, 26, 0)).toThrow(RangeError);
  });
});
