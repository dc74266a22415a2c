/**
 * Scoring: a score is the sum of components `{ name, points, max }`. Each model's maxima sum to 100 (checked
 * by `makeParams`) and points are clamped to 0..max, so a score is always within 0..100 and never exceeds
 * what its components allow.
 */
import type { ScoreComponent } from "../model/Signal.ts";

/** Clamps to 0..1; NaN (an undefined input) counts as 0. */
export const clamp01 = (x: number): number => (x > 0 ? Math.min(x, 1) : 0);

/** Linear ramp: 0 at `from`, 1 at `to` (either direction), clamped. */
export const ramp = (x: number, from: number, to: number): number => clamp01((x - from) / (to - from));

/** A component earning `fraction` (clamped to 0..1) of `max` points, rounded to 0.1. */
export const component = (name: string, fraction: number, max: number): ScoreComponent => {
  // Four decimals: enough for calibration, and a corrected candle (replace) gives the same reading as a clean add.
  const value = Math.round(clamp01(fraction) * 1e4) / 1e4;
  return { name, points: Math.floor(max * value * 10 + 1e-9) / 10, max, value };
};

/** Sum of the components' points, rounded to 0.1. */
export const totalScore = (components: readonly ScoreComponent[]): number => {
  let s = 0;
  for (const c of components) s += c.points;
  return Math.round(s * 10) / 10;
};
