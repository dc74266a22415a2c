/**
 * The leverage cap: the position that risks the configured share of equity at a setup's stop has a notional
 * of risk ÷ stop distance, so a near stop means a huge position. Its implied leverage — notional ÷ equity, the
 * least leverage Binance must allow to hold it with the whole account as margin — above `maxLeverage`
 * (MAX_LEVERAGE, default 10×) rejects the setup: 1 % risk at a 0.001 % stop would be a 1000× position.
 */
import type { Reason, Setup } from "../model/Signal.ts";
import { round4, stopPercent, withinLimit } from "./CostGate.ts";

/** MAX_LEVERAGE's default. */
export const DEFAULT_MAX_LEVERAGE = 10;

/**
 * notional ÷ equity of the position risking `riskPercent` % of equity at `setup.stop`:
 * (equity × riskPercent / 100 ÷ |entry − stop|) × entry ÷ equity = riskPercent / 100 × entry / |entry − stop|.
 * Equity cancels out; rounding the quantity down to the lot step only lowers it. Infinite for a stop on the entry.
 */
export const impliedLeverage = (setup: Pick<Setup, "entry" | "stop">, riskPercent: number): number => {
  const distance = Math.abs(setup.entry - setup.stop);
  return distance === 0 ? Number.POSITIVE_INFINITY : ((riskPercent / 100) * setup.entry) / distance;
};

/**
 * `leverageAboveCap` {leverage, max, riskPercent, stopPercent} when the implied leverage at `riskPercent` (the
 * risk the sizing will use, the memory's cut included) exceeds `maxLeverage`; undefined otherwise.
 */
export const leverageGate = (
  setup: Pick<Setup, "entry" | "stop">,
  riskPercent: number,
  maxLeverage: number,
): Reason | undefined => {
  const leverage = impliedLeverage(setup, riskPercent);
  if (withinLimit(leverage, maxLeverage)) return undefined;
  return {
    code: "leverageAboveCap",
    data: {
      leverage: round4(leverage),
      max: maxLeverage,
      riskPercent,
      stopPercent: round4(stopPercent(setup)),
    },
  };
};
