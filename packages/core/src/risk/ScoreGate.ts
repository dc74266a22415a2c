/**
 * The score gate: a setup is emitted only when its score reaches the threshold, i.e. the configured base
 * (SCORE_THRESHOLD, 75) plus the memory layer's adjustments (e.g. +5 after a poor win rate).
 */
import type { Reason } from "../model/Signal.ts";

export type ScoreCheck =
  | { readonly _tag: "Pass"; readonly threshold: number }
  | { readonly _tag: "Rejected"; readonly threshold: number; readonly reason: Reason };

/** The effective threshold: base + adjustment, clamped to 0..100. */
export const effectiveThreshold = (baseThreshold: number, adjustment: number): number =>
  Math.min(100, Math.max(0, baseThreshold + adjustment));

/** Passes when `score ≥ baseThreshold + adjustment`; otherwise `scoreBelowThreshold` {score, threshold}. */
export const validateScore = (score: number, baseThreshold: number, adjustment: number): ScoreCheck => {
  const threshold = effectiveThreshold(baseThreshold, adjustment);
  return score >= threshold
    ? { _tag: "Pass", threshold }
    : { _tag: "Rejected", threshold, reason: { code: "scoreBelowThreshold", data: { score, threshold } } };
};
