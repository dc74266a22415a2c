import { expect, test } from "bun:test";
import { effectiveThreshold, validateScore } from "./ScoreGate.ts";

test("a score at or above base + adjustment passes", () => {
  expect(validateScore(75, 75, 0)).toEqual({ _tag: "Pass", threshold: 75 });
  expect(validateScore(81, 75, 5)).toEqual({ _tag: "Pass", threshold: 80 });
});

test("below the adjusted threshold is rejected with score and threshold", () => {
  expect(validateScore(78, 75, 5)).toEqual({
    _tag: "Rejected",
    threshold: 80,
    reason: { code: "scoreBelowThreshold", data: { score: 78, threshold: 80 } },
  });
});

test("the threshold is clamped to 0..100", () => {
  expect(effectiveThreshold(95, 10)).toBe(100);
  expect(effectiveThreshold(5, -10)).toBe(0);
});
