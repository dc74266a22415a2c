/**
 * Which setup goes first when several compete for the same daily slots on one candle close — on one symbol
 * (both models fired) or across symbols (the live bot scans them concurrently, the backtest in data order):
 * the higher score, then the higher reward/risk to TP2, then the symbol, the model and the side in A→Z order.
 * A total order on everything that tells setups of one close apart, so the choice never depends on which
 * symbol's candle arrived or was read first.
 */
import type { Setup } from "../model/Signal.ts";

/** The fields that order setups of one close (a `Setup` has them all). */
export type Competing = Pick<Setup, "symbol" | "model" | "side" | "score" | "rr">;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Negative when `a` goes before `b`: higher score, higher R:R, then symbol, model, side (A→Z). */
export const compareSetups = (a: Competing, b: Competing): number =>
  b.score - a.score ||
  b.rr - a.rr ||
  byName(a.symbol, b.symbol) ||
  byName(a.model, b.model) ||
  byName(a.side, b.side);
