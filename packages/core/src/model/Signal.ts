/**
 * Setups (what a model found) and signals (a setup with an identity, a size and a gate decision).
 * Reasons are codes plus data so the notifier can phrase them in Vietnamese.
 */
import type { Timeframe } from "./Candle.ts";

export type Side = "LONG" | "SHORT";

/**
 * A model's name: the key of its signals and trades, of its memory statistics and of its rows in every report.
 * Any registered model's (see strategy/Model): a lowercase identifier such as "continuation" or "donchian".
 */
export type ModelName = string;

/** The names of the two built-in models. */
export type BuiltInModelName = "continuation" | "reversal";

/** The built-in models' names, in the order the analyzer runs them by default (`DEFAULT_MODELS`). */
export const MODELS: readonly BuiltInModelName[] = ["continuation", "reversal"];

/** A machine-readable reason: `code` is stable, `data` carries the numbers a message needs. */
export interface Reason {
  readonly code: string;
  readonly data?: Readonly<Record<string, number | string>>;
}

/**
 * One scoring component: `points` earned out of `max` possible. `value` is the component's own reading in 0..1
 * before weighting (points = max × value, rounded down to 0.1), kept so the weights can be fitted to outcomes
 * whatever weights produced the score (see strategy/Calibration).
 */
export interface ScoreComponent {
  readonly name: string;
  readonly points: number;
  readonly max: number;
  readonly value: number;
}

export interface Setup {
  readonly symbol: string;
  readonly model: ModelName;
  readonly side: Side;
  /** The trigger timeframe and the open time of the closed trigger candle. */
  readonly timeframe: Timeframe;
  readonly candleOpenTime: number;
  /** Event time of the decision: the trigger candle's close (openTime + duration). */
  readonly time: number;
  readonly entry: number;
  readonly stop: number;
  readonly targets: readonly [number, number, number];
  /** Reward/risk to the main target (TP2). */
  readonly rr: number;
  readonly atr: number;
  readonly score: number;
  readonly components: readonly ScoreComponent[];
  readonly reasons: readonly Reason[];
}

/** A model's answer for one closed trigger candle. */
export type Evaluation =
  | { readonly _tag: "Setup"; readonly setup: Setup }
  | { readonly _tag: "NoSetup"; readonly model: ModelName; readonly reason: Reason };

/** Identity of a signal: the same key is never emitted twice. */
export const signalKey = (s: {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly candleOpenTime: number;
  readonly model: ModelName;
  readonly side: Side;
}): string => `${s.symbol}|${s.timeframe}|${s.candleOpenTime}|${s.model}|${s.side}`;

/** Suggested position for a setup (see risk/PositionSize). */
export interface Sizing {
  readonly quantity: number;
  readonly notional: number;
  /**
   * notional ÷ equity: the least leverage Binance must allow to hold the position with the whole virtual
   * account as margin (Binance's leverage is notional ÷ margin).
   */
  readonly leverage: number;
  readonly riskAmount: number;
  readonly riskPercent: number;
  /** The virtual account equity the position was sized on (absent on signals stored before it was recorded). */
  readonly equity?: number;
}

/** A setup that went through the gates: either emitted (with a trade) or blocked with the reason. */
export interface Signal {
  readonly key: string;
  readonly setup: Setup;
  readonly status: "emitted" | "blocked";
  /** Why it was blocked (memory lock, threshold, daily cap, open trade, risk...). */
  readonly blockedBy?: Reason;
  /** The threshold the score was compared with, including memory adjustments. */
  readonly threshold: number;
  readonly sizing?: Sizing;
  /** Memory adjustments that applied (e.g. +5 threshold), for the message. */
  readonly adjustments: readonly Reason[];
  readonly createdAt: number;
}
