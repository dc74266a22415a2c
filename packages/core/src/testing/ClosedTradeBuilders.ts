/**
 * Builders for CLOSED virtual trades with a chosen result, for memory tests: `aLosingTrade({ symbol,
 * closedAt })`. Risk is 10 USDT (1 % of the default 1000 balance), so pnl = R × 10; the id is derived
 * from the fields, so give `id` when two trades would otherwise be identical.
 */
import type { ModelName } from "../model/Signal.ts";
import type { ExitReason, VirtualTrade } from "../model/Trade.ts";

export interface ClosedTradeSpec {
  readonly id?: string;
  readonly symbol?: string;
  readonly model?: ModelName;
  /** Close time (ms UTC), default 2025-06-01. */
  readonly closedAt?: number;
  /** Result in R (fees included). */
  readonly r?: number;
  /** Quote amount at risk, default 10. */
  readonly riskAmount?: number;
  readonly exitReason?: ExitReason;
}

const DEFAULT_CLOSE = Date.UTC(2025, 5, 1);

export const aClosedTrade = (spec: ClosedTradeSpec = {}): VirtualTrade => {
  const symbol = spec.symbol ?? "BTCUSDT";
  const model = spec.model ?? "continuation";
  const closedAt = spec.closedAt ?? DEFAULT_CLOSE;
  const r = spec.r ?? 0;
  const riskAmount = spec.riskAmount ?? 10;
  const exitReason =
    spec.exitReason ?? (r <= -0.5 ? "stop" : r >= 2.5 ? "tp3" : Math.abs(r) < 0.1 ? "breakeven" : "timeout");
  const openedAt = closedAt - 3 * 3_600_000;
  return {
    id: spec.id ?? `${symbol}|30m|${openedAt}|${model}|LONG|${r}`,
    symbol,
    model,
    side: "LONG",
    entry: 100,
    initialStop: 95,
    stop: 95,
    targets: [105, 110, 115],
    quantity: riskAmount / 5,
    riskAmount,
    openedAt,
    status: "closed",
    targetsHit: r > 0 ? Math.min(3, Math.ceil(r)) : 0,
    remaining: 0,
    candlesSeen: 6,
    lastPrice: 100 + 5 * r,
    fills: [],
    exitReason,
    closedAt,
    rMultiple: r,
    pnl: r * riskAmount,
    pnlPercent: (r * riskAmount * 100) / (100 * (riskAmount / 5)),
  };
};

/** A full stop-out: −1 R. */
export const aLosingTrade = (spec: Omit<ClosedTradeSpec, "r"> & { readonly r?: number } = {}): VirtualTrade =>
  aClosedTrade({ ...spec, r: spec.r ?? -1 });

/** A winner: +2 R by default. */
export const aWinningTrade = (
  spec: Omit<ClosedTradeSpec, "r"> & { readonly r?: number } = {},
): VirtualTrade => aClosedTrade({ ...spec, r: spec.r ?? 2 });

/** Stopped at entry: 0 R, exit reason "breakeven". */
export const aBreakevenTrade = (spec: ClosedTradeSpec = {}): VirtualTrade =>
  aClosedTrade({ exitReason: "breakeven", ...spec, r: spec.r ?? 0 });
