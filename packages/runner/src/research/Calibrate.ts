/**
 * How the shipped score weights are made (`bun run calibrate`): every setup of the data traded alone (no gate),
 * each model's component weights fitted to the outcomes (core's calibration, the same fit the walk-forward's
 * "weights" step runs on each training window), and what the fitted score then says — its terciles and how many
 * setups per symbol-day each threshold lets through. In sample by construction: the walk-forward measures the
 * procedure out of sample.
 */
import {
  type BuiltInModelName,
  type CalibrationResult,
  DEFAULT_PARAMS,
  fitComponentWeights,
  MODELS,
  type VirtualTrade,
} from "@signalbot/core";
import { closedInOrder, type Stats, statsOf } from "../backtest/Report.ts";
import { windowData } from "./EngineAdapter.ts";
import type { Market } from "./Market.ts";
import { DEFAULT_RUN_CONFIG, type RunConfig } from "./RunConfig.ts";
import { replaySetups } from "./Setups.ts";
import { scoreTerciles } from "./WalkForwardReport.ts";
import { samplesOf } from "./WeightFit.ts";

export interface Calibration {
  readonly from: number;
  readonly to: number;
  readonly setups: number;
  /** Symbol-days of 30m data in the window: setups per symbol-day scale to a watched universe. */
  readonly symbolDays: number;
  /** The built-in models' (their weights are `StrategyParams`). */
  readonly models: Readonly<
    Record<BuiltInModelName, CalibrationResult & { readonly current: Readonly<Record<string, number>> }>
  >;
  /** With the fitted weights: closed setups by score tercile... */
  readonly terciles: readonly (Stats & { readonly from: number; readonly to: number })[];
  /** ...and, per threshold, the setups at or above it per symbol-day and their statistics. */
  readonly thresholds: readonly {
    readonly threshold: number;
    readonly perSymbolDay: number;
    readonly stats: Stats;
  }[];
}

const THRESHOLDS = [0, 50, 60, 65, 70, 75, 80, 85, 90] as const;

export const calibrate = (
  market: Market,
  window: { readonly from: number; readonly to: number },
  config: RunConfig = DEFAULT_RUN_CONFIG,
): Calibration => {
  const r = replaySetups(windowData(market, window), config, market.costs, window.from, window.to);
  const setups = { trades: r.trades, values: r.values };
  const models = Object.fromEntries(
    MODELS.map((m) => {
      const current = DEFAULT_PARAMS[`${m}Weights`] as unknown as Readonly<Record<string, number>>;
      return [m, { ...fitComponentWeights(Object.keys(current), samplesOf(setups, m)), current }];
    }),
  ) as Calibration["models"];
  // The score each setup would have had with the fitted weights (points as core computes them: max × value).
  const fittedScore = new Map<string, number>();
  r.trades.forEach((t, i) => {
    const w = models[t.model as BuiltInModelName].weights;
    let s = 0;
    for (const [name, v] of Object.entries(r.values[i]!))
      s += Math.floor((w[name] ?? 0) * v * 10 + 1e-9) / 10;
    fittedScore.set(t.id, Math.round(s * 10) / 10);
  });
  const closed = closedInOrder(r.trades);
  let symbolDays = 0;
  for (const s of windowData(market, window).series)
    if (s.timeframe === "30m") symbolDays += (s.columns.length - s.start) / 48;
  const at = (threshold: number) => closed.filter((t: VirtualTrade) => fittedScore.get(t.id)! >= threshold);
  return {
    ...window,
    setups: r.trades.length,
    symbolDays,
    models,
    terciles: scoreTerciles(closed, (t) => fittedScore.get(t.id)),
    thresholds: THRESHOLDS.map((threshold) => {
      const passed = at(threshold);
      return {
        threshold,
        perSymbolDay: symbolDays > 0 ? passed.length / symbolDays : 0,
        stats: statsOf(passed),
      };
    }),
  };
};

/** The fitted weights exactly as Params.ts writes them (to paste after a deliberate recalibration). */
export const weightsSource = (c: Calibration): string =>
  MODELS.map(
    (m) =>
      `  ${m}Weights: {\n${Object.entries(c.models[m].weights)
        .map(([k, v]) => `    ${k}: ${v},`)
        .join("\n")}\n  },`,
  ).join("\n");
