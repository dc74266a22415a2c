/**
 * How a walk-forward chooses on a training window: a robust figure of the candidate's closed trades, and a
 * minimum number of trades below which a candidate is not eligible (a handful of lucky trades must not win).
 * The default, the lower bound of the expectancy's 95 % confidence interval, prefers a smaller but surer
 * edge to a large one that could be noise.
 */
import type { Stats } from "../backtest/Report.ts";

export const OBJECTIVES = {
  "ci-low": {
    describe: "lower bound of the expectancy's 95 % CI, in R",
    of: (s: Stats) => s.expectancyCi95?.[0] ?? null,
  },
  expectancy: { describe: "expectancy (mean R per trade)", of: (s: Stats) => s.expectancyR },
  "total-r": { describe: "total R", of: (s: Stats) => (s.trades > 0 ? s.totalR : null) },
  "profit-factor": { describe: "profit factor in R", of: (s: Stats) => s.profitFactor },
} as const satisfies Record<string, { describe: string; of: (s: Stats) => number | null }>;

export type ObjectiveName = keyof typeof OBJECTIVES;

export const OBJECTIVE_NAMES = Object.keys(OBJECTIVES) as ObjectiveName[];

export const isObjectiveName = (s: string): s is ObjectiveName => s in OBJECTIVES;

export interface Objective {
  readonly name: ObjectiveName;
  /** A candidate with fewer closed training trades is not eligible. */
  readonly minTrades: number;
}

export const DEFAULT_OBJECTIVE: Objective = { name: "ci-low", minTrades: 30 };

/** One candidate's training figures, as the selection sees them. */
export interface TrainingScore {
  readonly candidate: number;
  readonly trades: number;
  readonly expectancyR: number | null;
  readonly expectancyCi95: readonly [number, number] | null;
  readonly totalR: number;
  readonly profitFactor: number | null;
  /** The objective's value; null when undefined (too few trades, no losses...). */
  readonly objective: number | null;
  readonly eligible: boolean;
}

export const scoreOf = (candidate: number, stats: Stats, objective: Objective): TrainingScore => {
  const value = OBJECTIVES[objective.name].of(stats);
  return {
    candidate,
    trades: stats.trades,
    expectancyR: stats.expectancyR,
    expectancyCi95: stats.expectancyCi95,
    totalR: stats.totalR,
    profitFactor: stats.profitFactor,
    objective: value,
    eligible: value !== null && Number.isFinite(value) && stats.trades >= objective.minTrades,
  };
};

/**
 * The eligible candidate with the highest objective; ties go to the earlier candidate (grid or draw order),
 * so the choice never depends on the order results came back in. Undefined when none is eligible: the fold
 * then trades nothing (abstaining is a decision the training data supports; guessing is not).
 */
export const choose = (scores: readonly TrainingScore[]): TrainingScore | undefined => {
  let best: TrainingScore | undefined;
  for (const s of scores) {
    if (!s.eligible) continue;
    if (
      best === undefined ||
      s.objective! > best.objective! ||
      (s.objective === best.objective && s.candidate < best.candidate)
    )
      best = s;
  }
  return best;
};
