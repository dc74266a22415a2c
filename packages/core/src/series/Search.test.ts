import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { lowerBound } from "./Search.ts";

describe("lowerBound", () => {
  test("finds the first index at or after a value, the length when there is none", () => {
    const times = new Float64Array([10, 20, 30]);
    expect(lowerBound(times, 5)).toBe(0);
    expect(lowerBound(times, 20)).toBe(1);
    expect(lowerBound(times, 21)).toBe(2);
    expect(lowerBound(times, 31)).toBe(3);
    expect(lowerBound([], 1)).toBe(0);
    expect(lowerBound([7, 7, 7], 7)).toBe(0);
  });

  test("agrees with a linear scan on any ascending list", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: -60, max: 60 }), (xs, v) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const linear = sorted.findIndex((x) => x >= v);
        expect(lowerBound(sorted, v)).toBe(linear < 0 ? sorted.length : linear);
      }),
    );
  });
});
