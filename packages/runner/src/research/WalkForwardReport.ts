/**
 * The walk-forward report: out-of-sample results only — per fold and pooled over the concatenated test
 * windows — in R with confidence intervals, how stable the chosen parameters were, and optionally each memory
 * rule's marginal effect and the raw edge of the setups. Built from trades with the backtest's own statistics
 * (`statsOf`, `markedEquity`, `maxDrawdown`); serialised to byte-stable JSON (no wall-clock values).
 */
import {
  type AutomaticRule,
  DAY_MS,
  type ModelName,
  reportedModels,
  type Side,
  TIMEFRAME_MS,
  type VirtualTrade,
} from "@signalbot/core";
import { markedEquity, type ReportMarket } from "../backtest/Equity.ts";
import { closedInOrder, SCORE_BAND_WIDTH, type Stats, statsOf } from "../backtest/Report.ts";
import { maxDrawdown } from "../backtest/Statistics.ts";
import type { Candidate } from "./Grid.ts";
import type { TrainingScore } from "./Objective.ts";
import type { ConfigPatch, PatchValue } from "./RunConfig.ts";

/** Bumped on any incompatible change of the JSON layout (documented in docs/backtest.md). */
export const WALKFORWARD_SCHEMA_VERSION = 1;

export interface SpanReport {
  readonly from: number;
  readonly to: number;
  readonly fromIso: string;
  readonly toIso: string;
}

export const spanOf = (from: number, to: number): SpanReport => ({
  from,
  to,
  fromIso: new Date(from).toISOString(),
  toIso: new Date(to).toISOString(),
});

/** Out-of-sample figures of a set of trades opened in test windows. */
export interface OosStats extends Stats {
  /** Largest fall of the mark-to-market cumulative R (open trades valued at every 30m close), in R. */
  readonly maxDrawdownMarkedR: number;
  /** Trades opened in the window but still open when the run ended (valued in the drawdown, not in `trades`). */
  readonly openAtEnd: number;
  /** Days of test window covered. */
  readonly days: number;
  /** Signals emitted (= trades opened) per day of test window. */
  readonly signalsPerDay: number;
}

/** The trades of one or more test windows, and where their valuation runs. */
export interface OosTrades {
  readonly trades: readonly VirtualTrade[];
  /** Valuation from the first test start to the last run end (trades resolve after the window closes). */
  readonly from: number;
  readonly to: number;
  readonly days: number;
}

export const oosStats = (oos: OosTrades, market: ReportMarket): OosStats => {
  const closed = closedInOrder(oos.trades);
  const marked = oos.to > oos.from ? markedEquity(oos.trades, market, 0, oos.from, oos.to, "R").equity : [0];
  return {
    ...statsOf(closed),
    maxDrawdownMarkedR: maxDrawdown(marked, "depth").depth,
    openAtEnd: oos.trades.length - closed.length,
    days: oos.days,
    signalsPerDay: oos.days > 0 ? oos.trades.length / oos.days : 0,
  };
};

/** Several windows as one: trades concatenated, days added, valuation over the whole span. */
export const pool = (parts: readonly OosTrades[]): OosTrades => ({
  trades: parts.flatMap((p) => p.trades),
  from: Math.min(...parts.map((p) => p.from)),
  to: Math.max(...parts.map((p) => p.to)),
  days: parts.reduce((n, p) => n + p.days, 0),
});

export interface FoldReport extends OosStats {
  readonly index: number;
  readonly train: SpanReport;
  readonly test: SpanReport;
  /** The test window was cut short by the end of the period. */
  readonly partial: boolean;
  /** The run behind the test figures: training start → test end + the time its last trades need. */
  readonly run: SpanReport;
  /** Every candidate's training figures, in candidate order. */
  readonly trainingScores: readonly TrainingScore[];
  readonly eligible: number;
  /** The chosen candidate, null when none was eligible (the fold then trades nothing). */
  readonly chosen: {
    readonly candidate: number;
    readonly patch: ConfigPatch;
    readonly training: TrainingScore;
  } | null;
  /** The fit step's patch over the chosen configuration for the test run (null: no fit step). */
  readonly fitted: ConfigPatch | null;
}

/** How often each value of each searched parameter was chosen, over the folds that chose. */
export interface Stability {
  readonly folds: number;
  readonly abstained: number;
  /** Distinct configurations chosen. */
  readonly distinctChoices: number;
  /** path → JSON of the value → folds that chose it (every candidate value listed, 0 when never chosen). */
  readonly parameters: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export const stabilityOf = (
  folds: readonly Pick<FoldReport, "chosen">[],
  parameters: readonly { readonly path: string; readonly values: readonly PatchValue[] }[],
): Stability => {
  const chosen = folds.flatMap((f) => (f.chosen === null ? [] : [f.chosen]));
  const counts: Record<string, Record<string, number>> = {};
  for (const p of parameters) {
    const row: Record<string, number> = Object.fromEntries(p.values.map((v) => [JSON.stringify(v), 0]));
    for (const c of chosen) {
      const key = JSON.stringify(c.patch[p.path]);
      row[key] = (row[key] ?? 0) + 1;
    }
    counts[p.path] = row;
  }
  return {
    folds: folds.length,
    abstained: folds.length - chosen.length,
    distinctChoices: new Set(chosen.map((c) => c.candidate)).size,
    parameters: counts,
  };
};

/** One variant of the ablation: the chosen configurations with one change, on every fold. */
export interface AblationVariant {
  /** "all rules", "without lossStreakPause", "memory off". */
  readonly name: string;
  /** The rule switched off (absent for "all rules" and "memory off"). */
  readonly rule?: AutomaticRule;
  readonly patch: ConfigPatch;
  readonly pooled: OosStats;
  readonly folds: readonly {
    readonly index: number;
    readonly trades: number;
    readonly expectancyR: number | null;
  }[];
  /**
   * "all rules" minus this variant (expectancy, total R, trades, marked drawdown): the rule's marginal
   * effect — a positive expectancy or total R delta means the rule helps, a negative drawdown delta that it
   * cuts the drawdown.
   */
  readonly effect: {
    readonly expectancyR: number | null;
    readonly totalR: number;
    readonly trades: number;
    readonly maxDrawdownMarkedR: number;
  };
}

export interface Ablation {
  readonly variants: readonly AblationVariant[];
}

/** "all rules" (the walk-forward's own trades) first, then each variant with its effect against it. */
export const ablationOf = (
  all: readonly OosTrades[],
  variants: readonly {
    readonly name: string;
    readonly rule?: AutomaticRule;
    readonly patch: ConfigPatch;
    readonly parts: readonly OosTrades[];
  }[],
  market: ReportMarket,
): Ablation => {
  const base = oosStats(pool(all), market);
  const variant = (name: string, patch: ConfigPatch, parts: readonly OosTrades[], rule?: AutomaticRule) => {
    const p = oosStats(pool(parts), market);
    return {
      name,
      ...(rule === undefined ? {} : { rule }),
      patch,
      pooled: p,
      folds: parts.map((part, k) => {
        const s = oosStats(part, market);
        return { index: k, trades: s.trades, expectancyR: s.expectancyR };
      }),
      effect: {
        expectancyR:
          base.expectancyR === null || p.expectancyR === null ? null : base.expectancyR - p.expectancyR,
        totalR: base.totalR - p.totalR,
        trades: base.trades - p.trades,
        maxDrawdownMarkedR: base.maxDrawdownMarkedR - p.maxDrawdownMarkedR,
      },
    } satisfies AblationVariant;
  };
  return {
    variants: [
      variant("all rules", {}, all),
      ...variants.map((v) => variant(v.name, v.patch, v.parts, v.rule)),
    ],
  };
};

/** Trades grouped, with the setup score beside each. */
export interface SetupsReport {
  /** Setups triggered in the test windows (each its own trade). */
  readonly setups: number;
  readonly perDay: number;
  readonly all: Stats;
  readonly byModel: Readonly<Record<string, Stats>>;
  readonly bySide: Readonly<Record<Side, Stats>>;
  /** "continuation LONG" → Stats. */
  readonly byModelSide: Readonly<Record<string, Stats>>;
  /** "80-85" → trades whose setup scored in [80, 85). */
  readonly byScoreBand: Readonly<Record<string, Stats & { readonly from: number; readonly to: number }>>;
  /**
   * The closed trades split by their setup's score into three equal groups (ties kept together, lowest
   * first): does a higher score mean a better trade? `from`/`to` are the lowest and highest score in each.
   */
  readonly byScoreTercile: readonly (Stats & { readonly from: number; readonly to: number })[];
}

/** Three groups of (nearly) equal size by score, lowest first; trades without a score left out. */
export const scoreTerciles = (
  closed: readonly VirtualTrade[],
  scoreOf: (t: VirtualTrade) => number | null | undefined,
): (Stats & { readonly from: number; readonly to: number })[] => {
  const scored = closed
    .map((t) => ({ t, s: scoreOf(t) }))
    .filter((x): x is { t: VirtualTrade; s: number } => typeof x.s === "number")
    .sort((a, b) => a.s - b.s || (a.t.id < b.t.id ? -1 : a.t.id > b.t.id ? 1 : 0));
  if (scored.length < 3) return [];
  const cut = (k: number) => Math.round((k * scored.length) / 3);
  return [0, 1, 2].map((k) => {
    const part = scored.slice(cut(k), cut(k + 1));
    return {
      ...statsOf(closedInOrder(part.map((x) => x.t))),
      from: part[0]!.s,
      to: part[part.length - 1]!.s,
    };
  });
};

/** `registered`: the models the runs analysed, in order; then any other that traded. */
export const setupsReportOf = (
  trades: readonly VirtualTrade[],
  scores: readonly (number | null)[],
  days: number,
  registered: readonly ModelName[],
): SetupsReport => {
  const scoreOf = new Map(trades.map((t, i) => [t.id, scores[i] ?? null]));
  const closed = closedInOrder(trades);
  const models = reportedModels(registered, closed);
  const group = (key: (t: VirtualTrade) => string | undefined) => {
    const m = new Map<string, VirtualTrade[]>();
    for (const t of closed) {
      const k = key(t);
      if (k !== undefined) m.set(k, [...(m.get(k) ?? []), t]);
    }
    return m;
  };
  const sides: readonly Side[] = ["LONG", "SHORT"];
  const bands = group((t) => {
    const s = scoreOf.get(t.id);
    return s === null || s === undefined
      ? undefined
      : String(Math.floor(s / SCORE_BAND_WIDTH) * SCORE_BAND_WIDTH).padStart(3, "0");
  });
  return {
    setups: trades.length,
    perDay: days > 0 ? trades.length / days : 0,
    all: statsOf(closed),
    byModel: Object.fromEntries(models.map((m) => [m, statsOf(closed.filter((t) => t.model === m))])),
    bySide: Object.fromEntries(sides.map((s) => [s, statsOf(closed.filter((t) => t.side === s))])) as Record<
      Side,
      Stats
    >,
    byModelSide: Object.fromEntries(
      models.flatMap((m) =>
        sides.map((s) => [`${m} ${s}`, statsOf(closed.filter((t) => t.model === m && t.side === s))]),
      ),
    ),
    byScoreBand: Object.fromEntries(
      [...bands.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, ts]) => {
          const from = Number(k);
          return [
            `${from}-${from + SCORE_BAND_WIDTH}`,
            { ...statsOf(ts), from, to: from + SCORE_BAND_WIDTH },
          ];
        }),
    ),
    byScoreTercile: scoreTerciles(closed, (t) => scoreOf.get(t.id)),
  };
};

export interface WalkForwardConfig {
  readonly dataDir: string;
  readonly symbols: readonly string[];
  readonly period: SpanReport;
  readonly train: string;
  readonly test: string;
  readonly objective: { readonly name: string; readonly describe: string; readonly minTrades: number };
  readonly search: {
    readonly kind: "grid" | "random";
    /** Combinations in the grid, candidates evaluated, combinations the domain rejected. */
    readonly space: number;
    readonly candidates: number;
    readonly invalid: number;
    readonly samples: number | null;
    readonly seed: number | null;
  };
  readonly grid: {
    readonly parameters: Readonly<Record<string, readonly PatchValue[]>>;
    readonly fixed: ConfigPatch;
  };
  readonly costs: { readonly takerFeeRate: number; readonly slippageRate: number };
  readonly funding: string;
  /** The fit step's name, null without one. */
  readonly fit: string | null;
}

export interface WalkForwardReport {
  readonly schemaVersion: number;
  readonly kind: "walkforward";
  readonly config: WalkForwardConfig;
  readonly candidates: readonly { readonly index: number; readonly patch: ConfigPatch }[];
  readonly folds: readonly FoldReport[];
  /** The test windows concatenated: the out-of-sample result. */
  readonly pooled: OosStats & { readonly folds: number; readonly abstained: number };
  /** The pooled out-of-sample trades by model, side, score band and score tercile. */
  readonly pooledBreakdown: SetupsReport;
  readonly stability: Stability;
  readonly ablation: Ablation | null;
  readonly setups: SetupsReport | null;
  /** Every out-of-sample trade, fold by fold in opening order: core's `VirtualTrade` + its fold and setup score. */
  readonly trades: readonly OosTrade[];
  readonly warnings: readonly string[];
}

export interface OosTrade extends VirtualTrade {
  readonly fold: number;
  readonly score: number | null;
}

export const candidatesOf = (candidates: readonly Candidate[]) =>
  candidates.map((c) => ({ index: c.index, patch: c.patch }));

/** Days of test window between `from` and `to`. */
export const daysOf = (from: number, to: number): number => (to - from) / DAY_MS;

/** A trade needs at most its timeout (plus the candle it closes on) to resolve after it opened. */
export const resolveTime = (timeoutCandles: number): number => (timeoutCandles + 1) * TIMEFRAME_MS["30m"];

/** The JSON file: compact, keys in a fixed order, byte-identical for identical inputs. */
export const walkForwardJson = (report: WalkForwardReport): string => `${JSON.stringify(report)}\n`;
