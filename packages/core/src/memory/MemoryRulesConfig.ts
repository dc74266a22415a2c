/**
 * Every number the adaptive memory's rules decide with — window sizes, thresholds, pause and cooldown
 * lengths — in one configuration, freqtrade-style, each rule reading its own section. The defaults are the
 * original product's (its README, "Adaptive Rules"); the runner reads overrides from MEMORY_* variables.
 */
import { DRAWDOWN_RISK_CUT, type DrawdownRiskCutConfig } from "./DrawdownRiskCut.ts";
import { DRAWDOWN_SIGNAL_CAP, type DrawdownSignalCapConfig } from "./DrawdownSignalCap.ts";
import { LOSS_STREAK_PAUSE, type LossStreakPauseConfig } from "./LossStreakPause.ts";
import { MODEL_DISABLE, type ModelDisableConfig } from "./ModelDisable.ts";
import { MODEL_PREFERENCE, type ModelPreferenceConfig } from "./ModelPreference.ts";
import { SYMBOL_COOLDOWN, type SymbolCooldownConfig } from "./SymbolCooldown.ts";
import { SYMBOL_SCORE_PENALTY, type SymbolScorePenaltyConfig } from "./SymbolScorePenalty.ts";
import { WIN_RATE_THRESHOLD, type WinRateThresholdConfig } from "./WinRateThreshold.ts";

/** How many decisive results each rolling window keeps. */
export interface MemoryWindows {
  /** MEMORY_WINDOW_TRADES: the global window (rules 1, 2's streak is counted apart). */
  readonly global: number;
  /** MEMORY_MODEL_WINDOW_TRADES: per model (rules 5a, 5b). */
  readonly model: number;
  /** MEMORY_SYMBOL_WINDOW_TRADES: per symbol (rule 4b). */
  readonly symbol: number;
}

export interface MemoryRulesConfig {
  readonly windows: MemoryWindows;
  readonly winRateThreshold: WinRateThresholdConfig;
  readonly lossStreakPause: LossStreakPauseConfig;
  readonly drawdownSignalCap: DrawdownSignalCapConfig;
  readonly drawdownRiskCut: DrawdownRiskCutConfig;
  readonly symbolCooldown: SymbolCooldownConfig;
  readonly symbolScorePenalty: SymbolScorePenaltyConfig;
  readonly modelDisable: ModelDisableConfig;
  readonly modelPreference: ModelPreferenceConfig;
}

/** The original product's rules: last 20 trades (10 per symbol), 55 %, 3 losses → 12 h, 5 %/8 % drawdown... */
export const DEFAULT_MEMORY_RULES: MemoryRulesConfig = {
  windows: { global: 20, model: 20, symbol: 10 },
  winRateThreshold: WIN_RATE_THRESHOLD,
  lossStreakPause: LOSS_STREAK_PAUSE,
  drawdownSignalCap: DRAWDOWN_SIGNAL_CAP,
  drawdownRiskCut: DRAWDOWN_RISK_CUT,
  symbolCooldown: SYMBOL_COOLDOWN,
  symbolScorePenalty: SYMBOL_SCORE_PENALTY,
  modelDisable: MODEL_DISABLE,
  modelPreference: MODEL_PREFERENCE,
};

/** A setting that must not exceed another for its rule to act (paths into `MemoryRulesConfig`). */
export interface MemoryRuleBound {
  readonly setting: string;
  readonly bound: string;
  /** What would happen otherwise. */
  readonly otherwise: string;
}

/** The settings whose relation decides whether a rule can act at all. */
export const MEMORY_RULE_BOUNDS: readonly MemoryRuleBound[] = [
  { setting: "winRateThreshold.minTrades", bound: "windows.global", otherwise: "the rule could never fire" },
  {
    setting: "symbolScorePenalty.minTrades",
    bound: "windows.symbol",
    otherwise: "the rule could never fire",
  },
  { setting: "modelDisable.minTrades", bound: "windows.model", otherwise: "the rule could never fire" },
  { setting: "modelPreference.minTrades", bound: "windows.model", otherwise: "the rule could never fire" },
  {
    setting: "drawdownSignalCap.releaseBelowPct",
    bound: "drawdownSignalCap.abovePct",
    otherwise: "the cap would never be lifted",
  },
  {
    setting: "drawdownRiskCut.releaseBelowPct",
    bound: "drawdownRiskCut.abovePct",
    otherwise: "the cut would never be lifted",
  },
];

/** The line for a bound that does not hold, each setting named by `name`; undefined when it holds. */
export const boundProblem = (
  b: MemoryRuleBound,
  value: number,
  bound: number,
  name: (path: string) => string = (p) => p,
): string | undefined =>
  value > bound
    ? `${name(b.setting)}: ${value} is above ${name(b.bound)} (${bound}): ${b.otherwise}`
    : undefined;

/** The number at `path` ("windows.global") of `rules`. */
const numberAt = (rules: MemoryRulesConfig, path: string): number => {
  const [section, key] = path.split(".") as [keyof MemoryRulesConfig, string];
  return (rules[section] as unknown as Record<string, number>)[key]!;
};

const COUNTS = [
  "windows.global",
  "windows.model",
  "windows.symbol",
  "winRateThreshold.minTrades",
  "lossStreakPause.losses",
  "drawdownSignalCap.maxSignalsPerDay",
  "symbolCooldown.losses",
  "symbolScorePenalty.minTrades",
  "modelDisable.minTrades",
  "modelPreference.minTrades",
];
const FRACTIONS = [
  "winRateThreshold.floor",
  "symbolScorePenalty.floor",
  "modelDisable.floor",
  "modelPreference.winRate",
];
const POSITIVE = [
  "winRateThreshold.points",
  "lossStreakPause.hours",
  "drawdownSignalCap.abovePct",
  "drawdownRiskCut.abovePct",
  "drawdownRiskCut.riskPercent",
  "symbolCooldown.hours",
  "symbolScorePenalty.points",
  "modelDisable.hours",
];
const NON_NEGATIVE = ["drawdownSignalCap.releaseBelowPct", "drawdownRiskCut.releaseBelowPct"];

/**
 * Every setting of `rules` that cannot work, one line each, named by `name` (the path by default): counts that are
 * not whole numbers ≥ 1, fractions outside 0…1, lengths and points that are not positive, and the bounds of
 * `MEMORY_RULE_BOUNDS`. An empty list: the configuration can run.
 */
export const memoryRulesProblems = (
  rules: MemoryRulesConfig,
  name: (path: string) => string = (p) => p,
): string[] => {
  const problems: string[] = [];
  const check = (paths: readonly string[], ok: (v: number) => boolean, expected: string) => {
    for (const path of paths) {
      const v = numberAt(rules, path);
      if (!ok(v)) problems.push(`${name(path)}: expected ${expected}, got ${v}`);
    }
  };
  check(COUNTS, (v) => Number.isInteger(v) && v >= 1, "an integer ≥ 1");
  check(FRACTIONS, (v) => v >= 0 && v <= 1, "a fraction from 0 to 1");
  check(POSITIVE, (v) => v > 0, "a positive number");
  check(NON_NEGATIVE, (v) => v >= 0, "a number ≥ 0");
  for (const b of MEMORY_RULE_BOUNDS) {
    const p = boundProblem(b, numberAt(rules, b.setting), numberAt(rules, b.bound), name);
    if (p !== undefined) problems.push(p);
  }
  return problems;
};
