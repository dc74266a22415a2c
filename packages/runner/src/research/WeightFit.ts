/**
 * The "weights" fit step: the score weights of each model fitted on the training window's setups (every setup
 * traded alone, closed within the window), by core's calibration (a non-negative logistic fit of the
 * components' values on "the trade won"), and traded on the test window. It is how the shipped weights are
 * made (`bun run calibrate` over all the data), so the walk-forward measures that procedure out of sample.
 */
import { type CalibrationSample, DEFAULT_PARAMS, fitComponentWeights, MODELS } from "@signalbot/core";
import type { FoldFit, TrainingWindow } from "./Fit.ts";
import type { ConfigPatch } from "./RunConfig.ts";

/** The strategy parameter holding each built-in model's weights. */
const WEIGHTS_PATH = {
  continuation: "strategy.continuationWeights",
  reversal: "strategy.reversalWeights",
} as const;

/** Closed setups of `model` from a training window, as calibration samples. */
export const samplesOf = (setups: TrainingWindow["setups"], model: string): CalibrationSample[] => {
  const out: CalibrationSample[] = [];
  setups.trades.forEach((t, i) => {
    if (t.model === model && t.status === "closed" && t.rMultiple !== undefined)
      out.push({ values: setups.values[i]!, r: t.rMultiple });
  });
  return out;
};

export const weightFit: FoldFit = {
  name: "weights",
  fit: (training) => {
    const patch: Record<string, Readonly<Record<string, number>>> = {};
    for (const model of MODELS) {
      const names = Object.keys(DEFAULT_PARAMS[`${model}Weights`]);
      const result = fitComponentWeights(names, samplesOf(training.setups, model));
      patch[WEIGHTS_PATH[model]] = result.weights;
    }
    return patch as ConfigPatch;
  },
};
