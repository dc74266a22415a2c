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
