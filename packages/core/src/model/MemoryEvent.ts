/**
 * What the adaptive memory's rules emit when they fire or relax: one tagged union, each rule's events with
 * their own data, so a message template that forgets a rule or misreads its data does not compile. The
 * shapes are stable (the outbox and the backtest report store them as JSON).
 */
import type { ModelName } from "./Signal.ts";

/** Every memory rule by name (see memory/): the one list the types and the snapshot decoder use. */
export const MEMORY_RULE_NAMES = [
  "winRateThreshold",
  "lossStreakPause",
  "drawdownSignalCap",
  "drawdownRiskCut",
  "symbolCooldown",
  "symbolScorePenalty",
  "modelDisable",
  "modelPreference",
  "manualPause",
] as const;

/** A memory rule that fired or relaxed. */
export type MemoryRule = (typeof MEMORY_RULE_NAMES)[number];

/** The rules that hold a lock with an expiry (a pause, a cooldown, a disable). */
export const LOCK_RULE_NAMES = ["lossStreakPause", "symbolCooldown", "modelDisable", "manualPause"] as const;
export type LockRule = (typeof LOCK_RULE_NAMES)[number];

type Toggle = "fired" | "relaxed";

interface Base<R extends MemoryRule, A extends Toggle> {
  readonly rule: R;
  readonly action: A;
  /** Event time of the decision. */
  readonly time: number;
}

/** A lock lifted: at its expiry (no data), or by the owner's /resume. */
interface Lifted<R extends LockRule> extends Base<R, "relaxed"> {
  /** The absolute expiry the lock had. */
  readonly until: number;
  readonly data?: { readonly by: "owner" };
}

/** Rule 1: the win rate over the last trades fell below the floor (threshold +points), or is back above. */
export interface WinRateThresholdEvent extends Base<"winRateThreshold", Toggle> {
  readonly data: { readonly winRate: number; readonly trades: number; readonly points: number };
}

/** Rule 2: `losses` consecutive losses paused every signal until `until` (from the losing trade's close). */
export type LossStreakPauseEvent =
  | (Base<"lossStreakPause", "fired"> & {
      readonly until: number;
      readonly data: { readonly losses: number; readonly tradeId: string };
    })
  | Lifted<"lossStreakPause">;

/** Rule 3a: a drawdown of `drawdownPct` capped (or released) the signals per day. */
export interface DrawdownSignalCapEvent extends Base<"drawdownSignalCap", Toggle> {
  readonly data: { readonly drawdownPct: number; readonly maxSignalsPerDay: number };
}

/** Rule 3b: a drawdown of `drawdownPct` cut (or restored) the risk per trade. */
export interface DrawdownRiskCutEvent extends Base<"drawdownRiskCut", Toggle> {
  readonly data: { readonly drawdownPct: number; readonly riskPercent: number };
}

/** Rule 4a: `losses` consecutive losses on the symbol (`scope`) cooled it down until `until`. */
export type SymbolCooldownEvent =
  | (Base<"symbolCooldown", "fired"> & {
      readonly scope: string;
      readonly until: number;
      readonly data: { readonly losses: number; readonly tradeId: string };
    })
  | (Lifted<"symbolCooldown"> & { readonly scope: string });

/** Rule 4b: the symbol (`scope`) needs `points` more score while its win rate is below the floor. */
export interface SymbolScorePenaltyEvent extends Base<"symbolScorePenalty", Toggle> {
  readonly scope: string;
  readonly data: { readonly winRate: number; readonly trades: number; readonly points: number };
}

/** Rule 5a: the model (`scope`) was disabled until `until` by its win rate. */
export type ModelDisableEvent =
  | (Base<"modelDisable", "fired"> & {
      readonly scope: ModelName;
      readonly until: number;
      readonly data: { readonly winRate: number; readonly trades: number; readonly tradeId: string };
    })
  | (Lifted<"modelDisable"> & { readonly scope: ModelName });

/** Rule 5b: the model (`scope`) became (or stopped being) the preferred one. */
export interface ModelPreferenceEvent extends Base<"modelPreference", Toggle> {
  readonly scope: ModelName;
  readonly data: { readonly winRate: number; readonly trades: number };
}

/** The owner's /pause for `hours`, and its end (expiry or /resume). */
export type ManualPauseEvent =
  | (Base<"manualPause", "fired"> & { readonly until: number; readonly data: { readonly hours: number } })
  | Lifted<"manualPause">;

export type MemoryEvent =
  | WinRateThresholdEvent
  | LossStreakPauseEvent
  | DrawdownSignalCapEvent
  | DrawdownRiskCutEvent
  | SymbolCooldownEvent
  | SymbolScorePenaltyEvent
  | ModelDisableEvent
  | ModelPreferenceEvent
  | ManualPauseEvent;

/** The events of one rule. */
export type MemoryEventOf<R extends MemoryRule> = Extract<MemoryEvent, { readonly rule: R }>;

/**
 * Why the memory blocked a signal (`Signal.blockedBy`: a lock, or the memory being unavailable) or adjusted
 * it (`Signal.adjustments`), with the data each carries; `code` is the rule's name. A `Reason` like any
 * other, typed so its phrasing is checked.
 */
export type MemoryReason =
  | {
      readonly code: LockRule;
      readonly data: { readonly until: number; readonly reason: string; readonly target?: string };
    }
  | {
      readonly code: "memoryUnavailable";
      readonly data: { readonly cause: "saveFailed" | "corruptSnapshot"; readonly message: string };
    }
  | {
      readonly code: "winRateThreshold";
      readonly data: { readonly points: number; readonly winRate: number; readonly trades: number };
    }
  | { readonly code: "drawdownSignalCap"; readonly data: { readonly maxSignalsPerDay: number } }
  | { readonly code: "drawdownRiskCut"; readonly data: { readonly riskPercent: number } }
  | { readonly code: "modelPreference"; readonly data: { readonly model: ModelName } }
  | {
      readonly code: "symbolScorePenalty";
      readonly data: { readonly symbol: string; readonly points: number; readonly winRate: number };
    }
  /**
   * Model preference on one candle: another model's setup (`data.model`) gives way — the code is "prefer"
   * and the preferred model's name capitalised, e.g. "preferContinuation" (see `preferenceCodes`)...
   */
  | { readonly code: `prefer${string}`; readonly data: { readonly model: ModelName } }
  /** ...or the day's last slot is kept for the preferred model ("slotReservedForContinuation"). */
  | {
      readonly code: `slotReservedFor${string}`;
      readonly data: { readonly slotsLeft: number };
    };

/** The reason of one memory code. */
export type MemoryReasonOf<C extends MemoryReason["code"]> = MemoryReason extends infer R
  ? R extends { readonly code: infer K }
    ? C extends K
      ? R
      : never
    : never
  : never;
