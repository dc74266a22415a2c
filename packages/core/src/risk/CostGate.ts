/**
 * The cost gate: a setup is worth sending only when trading it costs little against what it risks. Its round
 * trip — the taker fee and the slippage of the pipeline's `CostModel`, on the entry and on the exit — is
 * measured in R (multiples of the stop distance); above `maxCostR` (MAX_COST_R, default 0.2 R) the setup is
 * rejected. A stop 0.001 % away on a stablecoin costs hundreds of R to trade; a 2-ATR(4h) stop on a normal coin
 * a few hundredths. Funding is left out: it depends on when the trade is held, may be received rather than paid,
 * and at Binance's baseline (0.01 % per 8 h) adds at most 0.03 % of the notional over the 24 h timeout.
 * @see https://www.binance.com/en/fee/futureFee
 */
import type { Reason, Setup } from "../model/Signal.ts";
import type { CostModel } from "../trade/VirtualTrade.ts";

/** MAX_COST_R's default: the round trip may cost at most a fifth of the risk. */
export const DEFAULT_MAX_COST_R = 0.2;

/**
 * The round-trip cost of `setup` in R: fee + slippage per side (and the fee on the slipped part, fee ×
 * slippage), charged on the entry price and on the farthest planned exit (the highest of the stop and the
 * targets, where a fill's notional — and so its fee — is largest), divided by the stop distance. So it is never
 * below what a trade that exits at its stop or a target really pays (a property test checks it). Infinite for a
 * stop on the entry.
 */
export const roundTripCostR = (
  setup: Pick<Setup, "entry" | "stop" | "targets">,
  costs: Pick<CostModel, "takerFeeRate" | "slippageRate">,
): number => {
  const distance = Math.abs(setup.entry - setup.stop);
  if (distance === 0) return Number.POSITIVE_INFINITY;
  const exit = Math.max(setup.stop, ...setup.targets);
  const { takerFeeRate: fee, slippageRate: slip } = costs;
  return ((fee + slip + fee * slip) * (setup.entry + exit)) / distance;
};

/**
 * `costAboveRisk` {costR, max, stopPercent} when the round trip costs more than `maxCostR` R; undefined when it
 * is affordable. `stopPercent` is the stop distance in % of the entry (what makes the cost high).
 */
export const costGate = (
  setup: Pick<Setup, "entry" | "stop" | "targets">,
  costs: Pick<CostModel, "takerFeeRate" | "slippageRate">,
  maxCostR: number,
): Reason | undefined => {
  const costR = roundTripCostR(setup, costs);
  if (withinLimit(costR, maxCostR)) return undefined;
  return {
    code: "costAboveRisk",
    data: { costR: round4(costR), max: maxCostR, stopPercent: round4(stopPercent(setup)) },
  };
};

/** The stop distance in % of the entry. */
export const stopPercent = (setup: Pick<Setup, "entry" | "stop">): number =>
  (Math.abs(setup.entry - setup.stop) / setup.entry) * 100;

/** `value ≤ limit`, forgiving float noise (a 1 % risk at a 0.1 % stop is 10×, not 10.000000000000002×). */
export const withinLimit = (value: number, limit: number): boolean => value <= limit * (1 + 1e-9);

/** Four significant decimals are plenty for a reason's data (it is shown and stored, never computed on). */
export const round4 = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);
