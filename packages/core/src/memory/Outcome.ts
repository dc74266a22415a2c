/**
 * How a closed virtual trade counts for the memory layer: win, loss or break-even. This is the one place
 * that decides it, so streaks, win rates and the README agree.
 */
import type { Outcome, VirtualTrade } from "../model/Trade.ts";

/**
 * A result within ±0.1 R (fees included) is a break-even: the market did not prove the setup right or wrong.
 * Break-evens are left out of every win-rate window and neither break nor extend a loss streak; their pnl
 * still moves the virtual equity. A "breakeven" exit after TP1/TP2 that banked ≥ 0.1 R counts as a win.
 */
export const BREAKEVEN_R = 0.1;

/**
 * The project's one win rate: wins / (wins + losses), break-evens left out; null when there is no decisive
 * result. The memory rules, /stats, the status message and the backtest report all take it from here.
 */
export const winRate = (wins: number, losses: number): number | null =>
  wins + losses === 0 ? null : wins / (wins + losses);

/** The outcome of a closed trade, from its R multiple (falling back to the sign of its pnl). */
export const outcomeOf = (trade: VirtualTrade): Outcome => {
  const r = trade.rMultiple ?? (trade.riskAmount > 0 ? (trade.pnl ?? 0) / trade.riskAmount : 0);
  if (!Number.isFinite(r) || Math.abs(r) < BREAKEVEN_R) return "breakeven";
  return r > 0 ? "win" : "loss";
};
