/**
 * The dashboard's equity and drawdown curves: the virtual account after every closed trade (starting balance
 * plus realised pnl, fees, slippage and funding included, as the memory layer counts it), then one last point
 * with the open trades marked to their last price. Drawdown is measured from the running peak, in percent.
 */
import type { VirtualTrade } from "@signalbot/core";

export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
  /** ≤ 0: how far below the running peak, in percent of the peak. */
  readonly drawdownPct: number;
}

export interface EquityCurve {
  readonly points: readonly EquityPoint[];
  /** The deepest drawdown on the curve (≤ 0, percent). */
  readonly maxDrawdownPct: number;
}

/**
 * `closed` in any order (sorted here by close time); the curve starts at `startedAt` or the first trade's
 * entry if earlier. `open`: the unrealised pnl of the open trades at `open.time` (0 or absent: no extra point).
 */
export const equityCurve = (
  startingBalance: number,
  closed: readonly VirtualTrade[],
  startedAt: number,
  open?: { readonly time: number; readonly pnl: number },
): EquityCurve => {
  const sorted = [...closed].sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0));
  const points: EquityPoint[] = [];
  let equity = startingBalance;
  let peak = startingBalance;
  let deepest = 0;
  const push = (time: number, value: number) => {
    peak = Math.max(peak, value);
    const drawdownPct = peak > 0 ? ((value - peak) / peak) * 100 : 0;
    deepest = Math.min(deepest, drawdownPct);
    const last = points.at(-1);
    // One point per instant (the charts need strictly increasing times): the last trade closed then wins.
    if (last !== undefined && last.time === time)
      points[points.length - 1] = { time, equity: value, drawdownPct };
    else points.push({ time, equity: value, drawdownPct });
  };
  push(Math.min(startedAt, sorted[0]?.openedAt ?? startedAt), equity);
  for (const t of sorted) {
    equity += Number.isFinite(t.pnl) ? (t.pnl ?? 0) : 0;
    push(t.closedAt ?? startedAt, equity);
  }
  if (open !== undefined && open.pnl !== 0 && open.time > (points.at(-1)?.time ?? 0))
    push(open.time, equity + open.pnl);
  return { points, maxDrawdownPct: deepest };
};
