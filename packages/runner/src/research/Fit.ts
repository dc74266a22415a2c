/**
 * The "fit on the training window" step of a fold: after the selection has chosen a configuration, a fit
 * may study what that configuration did on the training window — every signal with its setup and score
 * components, every trade — and return a patch for the fold's test run (for example score weights fitted on
 * the training setups). It sees the training window only; the patch is validated like a grid value and
 * reported with the fold.
 */
import type { VirtualTrade } from "@signalbot/core";
import type { ReplayRecord } from "../backtest/Report.ts";
import type { ConfigPatch, RunConfig } from "./RunConfig.ts";

export interface TrainingWindow {
  readonly fold: number;
  /** The training window: candles closing in (from, to]. */
  readonly from: number;
  readonly to: number;
  /** The configuration the selection chose (grid values and `fixed` applied). */
  readonly config: RunConfig;
  /** That configuration replayed over the training window only. */
  readonly record: ReplayRecord;
  /**
   * Every setup of the training window traded alone (no gate), with its components' values; the data ends
   * at the training end, so a trade still open there is left open (its outcome would need test-window data).
   */
  readonly setups: {
    readonly trades: readonly VirtualTrade[];
    readonly values: readonly Readonly<Record<string, number>>[];
  };
}

export interface FoldFit {
  /** Shown in the report (`config.fit`). */
  readonly name: string;
  /** A patch over the chosen configuration for the test run (`{}` for none). Pure: same input, same patch. */
  readonly fit: (training: TrainingWindow) => ConfigPatch;
}
