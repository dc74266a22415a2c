// Known samples with published answers, so each figure can be checked outside this code.
import { describe, expect, test } from "bun:test";
import {
  cagrPct,
  calmarRatio,
  maxDrawdown,
  meanEstimate,
  profitFactor,
  returnsOf,
  sampleStdDev,
  sharpeRatio,
  sortinoRatio,
  studentTCdf,
  studentTQuantile,
} from "./Statistics.ts";

describe("Student's t", () => {
  // Two-sided 95 % critical values from any t table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
  test.each([
    [1, 12.706],
    [2, 4.303],
    [9, 2.262],
    [29, 2.045],
    [100, 1.984],
  ])("t(0.975, %d) = %d", (df, value) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(value, 3);
  });

  test("tends to the normal 1.95996 for many degrees of freedom; the CDF is symmetric", () => {
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(-2, 5) + studentTCdf(2, 5)).toBeCloseTo(1, 12);
  });
});

describe("meanEstimate", () => {
  // Student's sleep data (Cushny & Peebles 1905): extra hours of sleep, drug 2 minus drug 1, 10 patients.
  // R: t.test(extra ~ group, data = sleep, paired = TRUE) → t = -4.0621, df = 9,
  // 95 % CI -2.4598858 -0.7001142, mean difference -1.58 (here the other sign).
  const sleep = [1.2, 2.4, 1.3, 1.3, 0, 1.0, 1.8, 0.8, 4.6, 1.4];

  test("Student's sleep data: mean 1.58, t = 4.0621, 95 % CI [0.7001142, 2.4598858]", () => {
    const e = meanEstimate(sleep);
    expect(e.n).toBe(10);
    expect(e.mean!).toBeCloseTo(1.58, 12);
    expect(e.stdDev!).toBeCloseTo(1.229995, 6);
    expect(e.stdErr!).toBeCloseTo(0.3889587, 6);
    expect(e.tStat!).toBeCloseTo(4.0621, 4);
    expect(e.ci95![0]).toBeCloseTo(0.7001142, 6);
    expect(e.ci95![1]).toBeCloseTo(2.4598858, 6);
  });

  test("below two values there is no interval; equal values have no t", () => {
    expect(meanEstimate([])).toEqual({
      n: 0,
      mean: null,
      stdDev: null,
      stdErr: null,
      ci95: null,
      tStat: null,
    });
    expect(meanEstimate([0.5])).toMatchObject({ n: 1, mean: 0.5, ci95: null });
    expect(meanEstimate([1, 1, 1])).toMatchObject({ mean: 1, stdErr: 0, ci95: [1, 1], tStat: null });
  });
});

describe("trade figures", () => {
  test("profit factor: gross gains over gross losses; none without a loss", () => {
    expect(profitFactor([2, -1, 3, -1, -1, 0])).toBeCloseTo(5 / 3, 12);
    expect(profitFactor([1, 2])).toBeNull();
    expect(profitFactor([])).toBeNull();
  });

  test("max drawdown: 130 → 65 is −50 %, deeper than 120 → 90 (−25 %)", () => {
    expect(maxDrawdown([100, 120, 90, 130, 65, 140])).toEqual({ pct: 50, depth: 65, peak: 3, trough: 4 });
    expect(maxDrawdown([100, 101, 102])).toEqual({ pct: 0, depth: 0, peak: -1, trough: -1 });
  });

  test("max drawdown in % picks the largest relative fall, in depth the largest absolute one", () => {
    // 100 → 50 is −50 % (depth 50); 1000 → 800 is −20 % (depth 200).
    const equity = [100, 50, 1000, 800];
    expect(maxDrawdown(equity).pct).toBe(50);
    expect(maxDrawdown(equity, "depth")).toEqual({ pct: 20, depth: 200, peak: 2, trough: 3 });
  });
});

describe("return figures", () => {
  test("returns of an equity series", () => {
    const r = returnsOf([100, 110, 99, 99]);
    expect(r[0]!).toBeCloseTo(0.1, 12);
    expect(r[1]!).toBeCloseTo(-0.1, 12);
    expect(r[2]!).toBe(0);
  });

  test("Sharpe: mean / sample std × √365; Sortino: mean / √(Σ min(r,0)² / n) × √365", () => {
    const r = [0.01, -0.02, 0.03, 0, 0.005];
    const m = 0.025 / 5;
    expect(sampleStdDev(r)!).toBeCloseTo(
      Math.sqrt((0.005 ** 2 + 0.025 ** 2 + 0.025 ** 2 + 0.005 ** 2 + 0) / 4),
      12,
    );
    expect(sharpeRatio(r)!).toBeCloseTo((m / sampleStdDev(r)!) * Math.sqrt(365), 10);
    expect(sortinoRatio(r)!).toBeCloseTo((m / Math.sqrt(0.02 ** 2 / 5)) * Math.sqrt(365), 10);
    expect(sharpeRatio([0.01, 0.01])).toBeNull();
    expect(sortinoRatio([0.01, 0.02])).toBeNull();
  });

  test("CAGR and Calmar: doubling in two years is +41.42 %/year; with a 20 % drawdown Calmar 2.07", () => {
    const cagr = cagrPct(1000, 2000, 2)!;
    expect(cagr).toBeCloseTo((Math.SQRT2 - 1) * 100, 10);
    expect(calmarRatio(cagr, 20)!).toBeCloseTo(cagr / 20, 12);
    expect(cagrPct(1000, 0, 1)).toBe(-100);
    expect(cagrPct(1000, 900, 0)).toBeNull();
    expect(calmarRatio(cagr, 0)).toBeNull();
  });
});
