/**
 * The walk-forward loop. For each fold: every candidate is replayed on the training window (candles closing
 * after the training end are not even in the data it gets), the objective chooses one, an optional fit step
 * patches it from the training replay, and the result runs continuously from the training start through the
 * test window — so warm-up, memory and open trades are as they would have been — counting only the trades
 * opened in the test window. Only those out-of-sample trades are reported.
 */
import { AUTOMATIC_RULES, type AutomaticRule, DAY_MS, type VirtualTrade } from "@signalbot/core";
import { Data, Effect } from "effect";
import { isoDay } from "../live/Describe.ts";
import { candlesIn } from "./EngineAdapter.ts";
import type { FoldFit } from "./Fit.ts";
import { type Fold, foldsOf, type Span } from "./Folds.ts";
import { type Grid, gridSearch, randomSearch, type Search } from "./Grid.ts";
import type { Job, JobResult } from "./Jobs.ts";
import type { Market } from "./Market.ts";
import { choose, OBJECTIVES, type Objective, scoreOf, type TrainingScore } from "./Objective.ts";
import type { Evaluator, SweepError } from "./Pool.ts";
import {
  applyPatch,
  type ConfigPatch,
  DEFAULT_RUN_CONFIG,
  describePatch,
  type RunConfig,
} from "./RunConfig.ts";
import {
  ablationOf,
  candidatesOf,
  daysOf,
  type FoldReport,
  type OosTrades,
  oosStats,
  pool,
  resolveTime,
  setupsReportOf,
  spanOf,
  stabilityOf,
  WALKFORWARD_SCHEMA_VERSION,
  type WalkForwardReport,
} from "./WalkForwardReport.ts";

/** The walk-forward cannot run as asked (no fold fits in the data, no valid candidate, a bad fitted patch). */
export class WalkForwardError extends Data.TaggedError("WalkForwardError")<{ readonly message: string }> {}

export interface WalkForwardPlan {
  /** First day (UTC midnight, ms); default: the first UTC midnight of the data. */
  readonly from?: number;
  /** End of the period (ms, exclusive); default: the end of the data. */
  readonly to?: number;
  readonly train: Span;
  readonly test: Span;
  readonly grid: Grid;
  /** Absent: grid search. */
  readonly random?: { readonly samples: number; readonly seed: number };
  readonly objective: Objective;
  readonly ablate: boolean;
  readonly setups: boolean;
  readonly fit?: FoldFit;
}

export interface WalkForwardHooks {
  /** A phase starts ("training", "fit", "test") with the runs it makes and the candles they replay. */
  readonly onPhase?: (phase: string, candles: number, runs: number) => void;
  /** Candles replayed so far in the phase. */
  readonly onProgress?: (candles: number) => void;
}

/** Runs the jobs of a phase, reporting progress in candles. */
const phase = (
  evaluator: Evaluator,
  market: Market,
  name: string,
  jobs: readonly Job[],
  hooks: WalkForwardHooks,
) => {
  const sizes = jobs.map((j) => candlesIn(market, j.window));
  hooks.onPhase?.(
    name,
    sizes.reduce((a, b) => a + b, 0),
    jobs.length,
  );
  let done = 0;
  return evaluator.run(jobs, (i) => {
    done += sizes[i]!;
    hooks.onProgress?.(done);
  });
};

const tradesOf = (r: JobResult): { trades: readonly VirtualTrade[]; scores: readonly (number | null)[] } => {
  if (r._tag !== "Trades") throw new Error(`expected trades, got ${r._tag}`);
  return r;
};

/** The ablation's variants of a fold's chosen configuration: each automatic rule off in turn, then no memory. */
const ABLATION: readonly { name: string; rule?: AutomaticRule; patch: ConfigPatch }[] = [
  ...AUTOMATIC_RULES.map((name) => ({
    name: `without ${name}`,
    rule: name,
    patch: { [`memory.switches.${name}`]: false },
  })),
  { name: "memory off", patch: { "memory.enabled": false } },
];

const patched = (
  config: RunConfig,
  patch: ConfigPatch,
  what: string,
): Effect.Effect<RunConfig, WalkForwardError> => {
  const r = applyPatch(config, patch);
  return r._tag === "Ok"
    ? Effect.succeed(r.config)
    : Effect.fail(
        new WalkForwardError({ message: `${what}: ${describePatch(patch)}: ${r.problems.join("; ")}` }),
      );
};

/** Runs the walk-forward on `market` with `evaluator` (this thread or workers) and builds its report. */
export const runWalkForward = (
  plan: WalkForwardPlan,
  market: Market,
  evaluator: Evaluator,
  hooks: WalkForwardHooks = {},
): Effect.Effect<WalkForwardReport, WalkForwardError | SweepError> =>
  Effect.gen(function* () {
    if (market.start === null || market.end === null)
      return yield* new WalkForwardError({ message: "no 30m candles in the data: nothing to trade" });
    const start = plan.from ?? Math.ceil(market.start / DAY_MS) * DAY_MS;
    const end = Math.min(plan.to ?? market.end, market.end);
    const folds = foldsOf(start, end, plan.train, plan.test);
    if (folds.length === 0)
      return yield* new WalkForwardError({
        message: `the period ${isoDay(start)} → ${isoDay(end)} (${Math.floor((end - start) / DAY_MS)} days) is too short for --train ${plan.train.text} and a test window of at least one day`,
      });
    const base = yield* patched(DEFAULT_RUN_CONFIG, plan.grid.fixed, "grid fixed");
    const search: Search =
      plan.random === undefined
        ? gridSearch(plan.grid, DEFAULT_RUN_CONFIG)
        : randomSearch(plan.grid, DEFAULT_RUN_CONFIG, plan.random.samples, plan.random.seed);
    if (search.candidates.length === 0)
      return yield* new WalkForwardError({
        message: `no valid combination in the grid (${search.space} rejected; first: ${search.firstInvalid ?? "?"})`,
      });
    const candidates = search.candidates;

    // 1. Training: every candidate on every fold's training window (folds are independent: one batch).
    const trainJobs: Job[] = folds.flatMap((f) =>
      candidates.map(
        (c): Job => ({ _tag: "Train", window: { from: f.trainFrom, to: f.trainTo }, config: c.config }),
      ),
    );
    const trained = yield* phase(evaluator, market, "training", trainJobs, hooks);
    const scores: TrainingScore[][] = folds.map((_, k) =>
      candidates.map((c, i) => {
        const r = trained[k * candidates.length + i]!;
        if (r._tag !== "Train") throw new Error(`expected training stats, got ${r._tag}`);
        return scoreOf(c.index, r.stats, plan.objective);
      }),
    );
    const choices = scores.map((s) => choose(s));

    // 2. Fit: the chosen configuration's training replay, studied by the fit step for a test-run patch.
    const fitted: (ConfigPatch | null)[] = folds.map(() => null);
    const testConfig: (RunConfig | undefined)[] = choices.map((c) =>
      c === undefined ? undefined : candidates[c.candidate]!.config,
    );
    if (plan.fit !== undefined) {
      const fit = plan.fit;
      const chosenFolds = folds.filter((f) => testConfig[f.index] !== undefined);
      // Per chosen fold: its training replay and every training setup traded alone (the data ends at the
      // training end, so no outcome reads the test window).
      const records = yield* phase(
        evaluator,
        market,
        "fit",
        chosenFolds.flatMap((f): Job[] => {
          const window = { from: f.trainFrom, to: f.trainTo };
          const config = testConfig[f.index]!;
          return [
            { _tag: "Record", window, config },
            { _tag: "Setups", window, countFrom: f.trainFrom, countTo: f.trainTo, config },
          ];
        }),
        hooks,
      );
      for (let i = 0; i < chosenFolds.length; i++) {
        const f = chosenFolds[i]!;
        const r = records[2 * i]!;
        const s = records[2 * i + 1]!;
        if (r._tag !== "Record") throw new Error(`expected a replay record, got ${r._tag}`);
        if (s._tag !== "Trades") throw new Error(`expected setups, got ${s._tag}`);
        const config = testConfig[f.index]!;
        const patch = fit.fit({
          fold: f.index,
          from: f.trainFrom,
          to: f.trainTo,
          config,
          record: r.record,
          setups: { trades: s.trades, values: s.values ?? [] },
        });
        fitted[f.index] = patch;
        testConfig[f.index] = yield* patched(config, patch, `fold ${f.index}: the ${fit.name} fit's patch`);
      }
    }

    // 3. Test: the chosen configuration from the training start through the test window (and the time its
    // last trades need to resolve), counting the trades opened in the test window; ablation variants and the
    // raw setups the same way.
    const runOf = (f: Fold, config: RunConfig) => ({
      from: f.trainFrom,
      to: Math.min(end, f.testTo + resolveTime(config.pipeline.timeoutCandles)),
    });
    const testJob = (f: Fold, config: RunConfig, tag: "Test" | "Setups"): Job => ({
      _tag: tag,
      window: runOf(f, config),
      countFrom: f.trainTo,
      countTo: f.testTo,
      config,
    });
    const testJobs: Job[] = [];
    const slots = folds.map((f) => {
      const config = testConfig[f.index];
      const slot = { test: -1, ablation: [] as number[], setups: -1 };
      if (config !== undefined) {
        slot.test = testJobs.push(testJob(f, config, "Test")) - 1;
        if (plan.ablate)
          for (const v of ABLATION) {
            const variant = applyPatch(config, v.patch);
            if (variant._tag === "Ok")
              slot.ablation.push(testJobs.push(testJob(f, variant.config, "Test")) - 1);
          }
      }
      if (plan.setups) slot.setups = testJobs.push(testJob(f, config ?? base, "Setups")) - 1;
      return slot;
    });
    const tested = yield* phase(evaluator, market, "test", testJobs, hooks);

    const oosOf = (f: Fold, index: number, config: RunConfig | undefined): OosTrades => ({
      trades: index < 0 ? [] : tradesOf(tested[index]!).trades,
      from: f.trainTo,
      to: config === undefined ? f.testTo : runOf(f, config).to,
      days: daysOf(f.trainTo, f.testTo),
    });
    const foldTrades = folds.map((f) => oosOf(f, slots[f.index]!.test, testConfig[f.index]));
    const trades = folds.flatMap((f) => {
      const slot = slots[f.index]!.test;
      if (slot < 0) return [];
      const r = tradesOf(tested[slot]!);
      return r.trades.map((t, i) => ({ ...t, fold: f.index, score: r.scores[i] ?? null }));
    });
    const foldReports: FoldReport[] = folds.map((f) => {
      const choice = choices[f.index];
      const config = testConfig[f.index];
      return {
        index: f.index,
        train: spanOf(f.trainFrom, f.trainTo),
        test: spanOf(f.trainTo, f.testTo),
        partial: f.partial,
        run: spanOf(f.trainFrom, config === undefined ? f.testTo : runOf(f, config).to),
        trainingScores: scores[f.index]!,
        eligible: scores[f.index]!.filter((s) => s.eligible).length,
        chosen:
          choice === undefined
            ? null
            : { candidate: choice.candidate, patch: candidates[choice.candidate]!.patch, training: choice },
        fitted: fitted[f.index] ?? null,
        ...oosStats(foldTrades[f.index]!, market.report),
      };
    });
    const pooled = pool(foldTrades);

    const ablation = plan.ablate
      ? ablationOf(
          foldTrades,
          ABLATION.map((v, j) => ({
            ...v,
            parts: folds.map((f) => {
              const slot = slots[f.index]!;
              return oosOf(f, slot.test < 0 ? -1 : slot.ablation[j]!, testConfig[f.index]);
            }),
          })),
          market.report,
        )
      : null;

    const setups = plan.setups
      ? (() => {
          const parts = folds.map((f) => tradesOf(tested[slots[f.index]!.setups]!));
          return setupsReportOf(
            parts.flatMap((p) => p.trades),
            parts.flatMap((p) => p.scores),
            pooled.days,
            market.models.map((m) => m.name),
          );
        })()
      : null;

    const warnings = [...market.data.warnings];
    if (search.invalid > 0)
      warnings.push(
        `${search.invalid} grid combination(s) left out because the domain rejects them; first: ${search.firstInvalid}`,
      );
    const abstained = foldReports.filter((f) => f.chosen === null).length;
    if (abstained > 0)
      warnings.push(
        `${abstained} fold(s) had no candidate with ≥ ${plan.objective.minTrades} training trades and a defined objective: they trade nothing`,
      );
    return {
      schemaVersion: WALKFORWARD_SCHEMA_VERSION,
      kind: "walkforward",
      config: {
        dataDir: market.source.dataDir,
        symbols: market.data.symbols,
        period: spanOf(start, end),
        train: plan.train.text,
        test: plan.test.text,
        objective: {
          name: plan.objective.name,
          describe: OBJECTIVES[plan.objective.name].describe,
          minTrades: plan.objective.minTrades,
        },
        search: {
          kind: search.kind,
          space: search.space,
          candidates: candidates.length,
          invalid: search.invalid,
          samples: plan.random?.samples ?? null,
          seed: plan.random?.seed ?? null,
        },
        grid: {
          parameters: Object.fromEntries(plan.grid.parameters.map((p) => [p.path, p.values])),
          fixed: plan.grid.fixed,
        },
        costs: market.source.costs,
        funding: market.funding.describe,
        fit: plan.fit?.name ?? null,
      },
      candidates: candidatesOf(candidates),
      folds: foldReports,
      pooled: { ...oosStats(pooled, market.report), folds: folds.length, abstained },
      pooledBreakdown: setupsReportOf(
        trades,
        trades.map((t) => t.score),
        pooled.days,
        market.models.map((m) => m.name),
      ),
      stability: stabilityOf(foldReports, plan.grid.parameters),
      ablation,
      setups,
      trades,
      warnings,
    } satisfies WalkForwardReport;
  });
