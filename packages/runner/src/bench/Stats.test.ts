import { describe, expect, test } from "bun:test";
import { median, percentile, slope } from "./Stats.ts";

describe("Stats", () => {
  test("median of odd and even samples", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test("nearest-rank percentiles", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test("slope of a line, of a flat series and of noise around a flat line", () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2, 12);
    expect(slope([0, 1, 2], [5, 5, 5])).toBe(0);
    expect(slope([0, 1, 2, 3], [5, 6, 5, 6])).toBeCloseTo(0.2, 12);
    expect(slope([1], [1])).toBe(0);
  });
});
