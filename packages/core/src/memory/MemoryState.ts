/**
 * What the adaptive memory remembers: rolling result windows (global, per model, per symbol), loss streaks,
 * the virtual equity with its peak, the on/off state of each adjustment and the evidence that armed each
 * lock. Plain JSON data, recorded by a pure fold over closed trades, decoded with Schema when restored.
 */
import { Schema } from "effect";
import { LOCK_RULE_NAMES } from "../model/MemoryEvent.ts";
import type { ModelName } from "../model/Signal.ts";
import type { Outcome, VirtualTrade } from "../model/Trade.ts";
import type { MemoryLock } from "../port/MemoryStore.ts";
import type { MemoryWindows } from "./MemoryRulesConfig.ts";
import { winRate } from "./Outcome.ts";

/** A decisive result in a window (break-evens are never stored, see Outcome.ts). */
export type WindowResult = "W" | "L";

/** How many closed-trade ids are remembered to ignore a trade reported twice (at-least-once delivery). */
export const RECENT_IDS = 200;

export interface SymbolMemory {
  /** The last decisive results (`windows.symbol`, default 10), oldest first. */
  readonly results: readonly WindowResult[];
  readonly lossStreak: number;
  /** Rule 4b is on for this symbol (+5 score needed). */
  readonly penalty: boolean;
}

/** One model's memory (any model's, by name: a model without trades yet has no entry). */
export interface ModelMemory {
  /** The last decisive results (`windows.model`, default 20), oldest first; emptied when the model is disabled (re-evaluated on new results). */
  readonly results: readonly WindowResult[];
}

export interface MemoryState {
  /** Closed trades recorded so far (break-evens included): the evidence counter. */
  readonly seq: number;
  readonly recentIds: readonly string[];
  /** The last decisive global results (`windows.global`, default 20), oldest first. */
  readonly results: readonly WindowResult[];
  readonly lossStreak: number;
  readonly equity: number;
  readonly peakEquity: number;
  /** Per model name; a model absent here has no decisive result yet (see `modelResults`). */
  readonly models: Readonly<Record<ModelName, ModelMemory>>;
  readonly symbols: Readonly<Record<string, SymbolMemory>>;
  /** Rule 1: threshold raised. */
  readonly thresholdRaised: boolean;
  /** Rule 3a: signals per day capped. */
  readonly signalCap: boolean;
  /** Rule 3b: risk per trade cut. */
  readonly riskCut: boolean;
  /** Rule 5b: the model preferred (`rules.modelPreference.model`, continuation by default), or null. */
  readonly preferredModel: ModelName | null;
  /** `rule:target` → `seq` of the trade that armed that lock: a lock never re-arms on the same evidence. */
  readonly armedAt: Readonly<Record<string, number>>;
}

/** The state plus its locks: everything a rule reads and writes. */
export interface MemoryBook {
  readonly state: MemoryState;
  readonly locks: readonly MemoryLock[];
}

export const initialState = (startingBalance: number): MemoryState => ({
  seq: 0,
  recentIds: [],
  results: [],
  lossStreak: 0,
  equity: startingBalance,
  peakEquity: startingBalance,
  models: {},
  symbols: {},
  thresholdRaised: false,
  signalCap: false,
  riskCut: false,
  preferredModel: null,
  armedAt: {},
});

export const emptySymbol: SymbolMemory = { results: [], lossStreak: 0, penalty: false };

const NO_RESULTS: readonly WindowResult[] = Object.freeze([]);

/** The model's window of decisive results (empty for a model that has none yet). */
export const modelResults = (state: MemoryState, model: ModelName): readonly WindowResult[] =>
  state.models[model]?.results ?? NO_RESULTS;

const push = (window: readonly WindowResult[], r: WindowResult, size: number): readonly WindowResult[] => {
  const next = [...window, r];
  return next.length > size ? next.slice(next.length - size) : next;
};

const streak = (current: number, outcome: Outcome): number =>
  outcome === "loss" ? current + 1 : outcome === "win" ? 0 : current;

/**
 * Record one closed trade: equity and peak move by its pnl (fees included); decisive outcomes enter the
 * windows and move the loss streaks; a break-even changes neither.
 */
export const recordTrade = (
  state: MemoryState,
  trade: VirtualTrade,
  outcome: Outcome,
  windows: MemoryWindows,
): MemoryState => {
  const equity = state.equity + (Number.isFinite(trade.pnl) ? (trade.pnl ?? 0) : 0);
  const recentIds = [...state.recentIds, trade.id];
  const base: MemoryState = {
    ...state,
    seq: state.seq + 1,
    recentIds: recentIds.length > RECENT_IDS ? recentIds.slice(recentIds.length - RECENT_IDS) : recentIds,
    equity,
    peakEquity: Math.max(state.peakEquity, equity),
  };
  if (outcome === "breakeven") return base;
  const r: WindowResult = outcome === "win" ? "W" : "L";
  const symbol = state.symbols[trade.symbol] ?? emptySymbol;
  return {
    ...base,
    results: push(state.results, r, windows.global),
    lossStreak: streak(state.lossStreak, outcome),
    models: {
      ...state.models,
      [trade.model]: { results: push(modelResults(state, trade.model), r, windows.model) },
    },
    symbols: {
      ...state.symbols,
      [trade.symbol]: {
        ...symbol,
        results: push(symbol.results, r, windows.symbol),
        lossStreak: streak(symbol.lossStreak, outcome),
      },
    },
  };
};

/** `winRate` of a result window (only decisive results are in it), or null for an empty window. */
export const windowWinRate = (window: readonly WindowResult[]): number | null => {
  let wins = 0;
  for (const r of window) if (r === "W") wins++;
  return winRate(wins, window.length - wins);
};

/** Peak-to-current drawdown of the virtual equity, in percent (0 at a new peak). */
export const drawdownPct = (state: MemoryState): number =>
  state.peakEquity > 0 ? Math.max(0, ((state.peakEquity - state.equity) / state.peakEquity) * 100) : 0;

const ResultSchema = Schema.Literals(["W", "L"]);
const ModelMemorySchema = Schema.Struct({ results: Schema.Array(ResultSchema) });
const SymbolMemorySchema = Schema.Struct({
  results: Schema.Array(ResultSchema),
  lossStreak: Schema.Finite,
  penalty: Schema.Boolean,
});

const common = {
  seq: Schema.Finite,
  recentIds: Schema.Array(Schema.String),
  results: Schema.Array(ResultSchema),
  lossStreak: Schema.Finite,
  equity: Schema.Finite,
  peakEquity: Schema.Finite,
  symbols: Schema.Record(Schema.String, SymbolMemorySchema),
  thresholdRaised: Schema.Boolean,
  signalCap: Schema.Boolean,
  riskCut: Schema.Boolean,
  armedAt: Schema.Record(Schema.String, Schema.Finite),
};

/** Decoder for a restored snapshot's `state` (version 2): anything else is a corrupt snapshot. */
export const MemoryStateSchema = Schema.Struct({
  ...common,
  models: Schema.Record(Schema.String, ModelMemorySchema),
  preferredModel: Schema.NullOr(Schema.String),
});

/**
 * The state as snapshots of version 1 hold it (before models were plug-ins): exactly the two built-in
 * models' windows, and rule 5b as `continuationPreferred`. `stateFromV1` reads it into today's state.
 */
export const MemoryStateV1Schema = Schema.Struct({
  ...common,
  models: Schema.Struct({ continuation: ModelMemorySchema, reversal: ModelMemorySchema }),
  continuationPreferred: Schema.Boolean,
});

/** A version-1 state as today's: the same windows by name; continuation preferred or no model. */
export const stateFromV1 = (v1: typeof MemoryStateV1Schema.Type): MemoryState => {
  const { continuationPreferred, ...rest } = v1;
  return { ...rest, preferredModel: continuationPreferred ? "continuation" : null };
};

const MemoryLockSchema = Schema.Struct({
  scope: Schema.Literals(["global", "symbol", "model"]),
  target: Schema.optionalKey(Schema.String),
  rule: Schema.Literals(LOCK_RULE_NAMES),
  until: Schema.Finite,
  reason: Schema.String,
  createdAt: Schema.Finite,
});

export const MemoryLocksSchema = Schema.Array(MemoryLockSchema);
