import { expect, test } from "bun:test";
import { apportion, fitComponentWeights } from "./Calibration.ts";

/** A deterministic pseudo-random sequence in [0, 1) (no Math.random in tests). */
const lcg = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return seed / 4294967296;
};

test("apportion: integer points in proportion, summing exactly to the total", () => {
  expect(apportion([1, 1, 1])).toEqual([34, 33, 33]);
  expect(apportion([2, 1, 0])).toEqual([67, 33, 0]);
  expect(apportion([0.2, 0.3, 0.5], 10)).toEqual([2, 3, 5]);
  expect(apportion([1, 2, 3, 4]).reduce((a, b) => a + b, 0)).toBe(100);
});

test("a component that predicts the outcome earns the points; noise and an anti-predictor earn none", () => {
  const rnd = lcg(7);
  const samples = Array.from({ length: 2000 }, () => {
    const good = rnd();
    const noise = rnd();
    const bad = rnd();
    // Wins are likelier with `good` high and `bad` low; `noise` is unrelated.
    const pWin = 0.2 + 0.5 * good - 0.1 * bad;
    return { values: { good, noise, bad }, r: rnd() < pWin ? 1 : -1 };
  });
  const fit = fitComponentWeights(["good", "noise", "bad"], samples);
  expect(fit.informative).toBe(true);
  expect(fit.weights.good).toBeGreaterThan(80);
  expect(fit.weights.bad).toBe(0);
  expect(fit.weights.good! + fit.weights.noise! + fit.weights.bad!).toBe(100);
  expect(fit.coefficients.bad).toBe(0);
  // Deterministic: the same samples, the same weights.
  expect(fitComponentWeights(["good", "noise", "bad"], samples)).toEqual(fit);
});

test("nothing to learn: equal points, said so", () => {
  const none = fitComponentWeights(["a", "b", "c"], []);
  expect(none).toMatchObject({ informative: false, samples: 0, weights: { a: 34, b: 33, c: 33 } });
  // Only anti-predictors: every coefficient held at 0.
  const rnd = lcg(3);
  const anti = Array.from({ length: 500 }, () => {
    const a = rnd();
    return { values: { a, b: a }, r: rnd() < 0.6 - 0.5 * a ? 1 : -1 };
  });
  expect(fitComponentWeights(["a", "b"], anti)).toMatchObject({
    informative: false,
    weights: { a: 50, b: 50 },
  });
});

test("missing or non-finite values count as 0; values are clamped to 0..1", () => {
  const fit = fitComponentWeights(
    ["x"],
    [
      { values: {}, r: -1 },
      { values: { x: Number.NaN }, r: -1 },
      { values: { x: 5 }, r: 1 },
      { values: { x: 1 }, r: 1 },
    ],
  );
  expect(fit.weights).toEqual({ x: 100 });
});
