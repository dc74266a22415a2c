/**
 * Position sizing: how much to buy or sell so that hitting the stop loses `riskPercent` of equity.
 * Quantities are rounded DOWN to the symbol's step with integer arithmetic on the step's decimals.
 */
import type { Reason, Sizing } from "../model/Signal.ts";
import type { SymbolInfo } from "../model/Symbol.ts";

export interface PositionSizeInput {
  /** Account equity in quote currency (USDT). */
  readonly equity: number;
  /** Risk per trade in percent of equity, e.g. 1 for 1 %. */
  readonly riskPercent: number;
  readonly entry: number;
  readonly stop: number;
  /** Exchange filters; without them the quantity is not rounded and no minimum notional applies. */
  readonly info?: SymbolInfo;
}

export type PositionSize =
  | { readonly _tag: "Sized"; readonly sizing: Sizing }
  | { readonly _tag: "Rejected"; readonly reason: Reason };

/** A decimal step such as "0.001" as an integer count of units of 10^-decimals ("0.001" → 1 unit at 3 decimals). */
export interface DecimalStep {
  readonly units: number;
  readonly decimals: number;
}

/** Parses a Binance step/tick string ("0.001", "1", "0.0010", "10") without going through floats. */
export const parseStep = (step: string): DecimalStep => {
  const [int = "0", frac = ""] = step.trim().split(".");
  const trimmed = frac.replace(/0+$/, "");
  const units = Number.parseInt(`${int}${trimmed}`, 10);
  if (!Number.isFinite(units) || units <= 0) throw new RangeError(`invalid step size "${step}"`);
  return { units, decimals: trimmed.length };
};

/**
 * Rounds `value` down to a multiple of `step`. The value is scaled to integer units of the step's last
 * decimal (a result within 1e-9 relative of an integer is float noise and snaps to it, so 0.3 stays 0.3),
 * floored to a whole number of steps, and divided back by the power of ten, which yields the nearest double
 * of the exact decimal.
 */
export const floorToStep = (value: number, step: DecimalStep): number => {
  const scale = 10 ** step.decimals;
  const raw = value * scale;
  const nearest = Math.round(raw);
  const scaled = Math.abs(raw - nearest) <= 1e-9 * Math.max(1, Math.abs(raw)) ? nearest : raw;
  const steps = Math.floor(scaled / step.units);
  return (steps * step.units) / scale;
};

const reject = (code: string, data: Record<string, number | string>): PositionSize => ({
  _tag: "Rejected",
  reason: { code, data },
});

/**
 * quantity = equity × riskPercent / 100 ÷ |entry − stop|, rounded down to `info.stepSize`.
 * Rejects with `zeroStopDistance` when the stop equals the entry, `invalidSizingInput` for non-positive
 * equity/risk/prices, `belowMinNotional` when quantity × entry < `info.minNotional` (a quantity that rounds
 * to zero included). `riskAmount` is what the rounded quantity actually loses at the stop;
 * `leverage` = notional ÷ equity (the least leverage that holds the position with the whole equity as margin).
 */
export const positionSize = (input: PositionSizeInput): PositionSize => {
  const { equity, riskPercent, entry, stop, info } = input;
  if (
    !(equity > 0) ||
    !(riskPercent > 0) ||
    !(entry > 0) ||
    !(stop > 0) ||
    !Number.isFinite(equity + entry + stop)
  ) {
    return reject("invalidSizingInput", { equity, riskPercent, entry, stop });
  }
  const distance = Math.abs(entry - stop);
  if (distance === 0) return reject("zeroStopDistance", { entry, stop });
  const raw = (equity * riskPercent) / 100 / distance;
  const quantity = info === undefined ? raw : floorToStep(raw, parseStep(info.stepSize));
  const notional = quantity * entry;
  if (info !== undefined && (quantity <= 0 || notional < info.minNotional)) {
    return reject("belowMinNotional", {
      notional,
      minNotional: info.minNotional,
      quantity,
      step: info.stepSize,
    });
  }
  return {
    _tag: "Sized",
    sizing: {
      quantity,
      notional,
      leverage: notional / equity,
      riskAmount: quantity * distance,
      riskPercent,
      equity,
    },
  };
};
