import { expect, test } from "bun:test";
import fc from "fast-check";
import { DEFAULT_PARAMS, makeParams } from "./Params.ts";
import { component, ramp, totalScore } from "./Score.ts";

test("component points are a clamped fraction of the maximum", () => {
  expect(component("x", 0.5, 15)).toEqual({ name: "x", points: 7.5, max: 15, value: 0.5 });
  expect(component("x", 2, 15).points).toBe(15);
  expect(component("x", -1, 15).points).toBe(0);
  expect(component("x", Number.NaN, 15).points).toBe(0);
  expect(ramp(25, 18, 35)).toBeCloseTo(7 / 17, 12);
  expect(ramp(40, 70, 30)).toBeCloseTo(0.75, 12);
});

test("default weight sets sum to 100 and makeParams refuses those that do not", () => {
  const sum = (o: object) => Object.values(o).reduce((a, b) => a + b, 0);
  expect(sum(DEFAULT_PARAMS.continuationWeights)).toBe(100);
  expect(sum(DEFAULT_PARAMS.reversalWeights)).toBe(100);
  expect(() =>
    makeParams({ continuationWeights: { ...DEFAULT_PARAMS.continuationWeights, dailyBias: 30 } }),
  ).toThrow(RangeError);
});

test("property: a score is within 0..100 and never above the sum of its maxima", () => {
  const w = Object.values(DEFAULT_PARAMS.reversalWeights);
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -5, max: 5 }), { minLength: w.length, maxLength: w.length }),
      (fractions) => {
        const cs = w.map((max, i) => component(`c${i}`, fractions[i]!, max));
        const score = totalScore(cs);
        return score >= 0 && score <= 100 && cs.every((c) => c.points >= 0 && c.points <= c.max);
      },
    ),
    { seed: 3, numRuns: 2_000 },
  );
});
