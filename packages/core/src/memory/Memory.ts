/**
 * The adaptive memory layer: learns from every closed virtual trade (rules in this folder, one per file),
 * gates new signals (pauses, cooldowns, model disables) and adjusts the threshold, the daily cap and the
 * risk. State is a JSON snapshot in the MemoryStore, restored on start; updates are serialized.
 */
import { Cause, Clock, Context, Effect, Exit, Layer, Ref, Result, Schema, Semaphore } from "effect";
import type { MemoryEvent, MemoryReason, MemoryRule } from "../model/MemoryEvent.ts";
import type { MemoryStatus } from "../model/Notification.ts";
import { MODELS, type ModelName } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { type MemoryLock, type MemorySnapshot, MemoryStore } from "../port/MemoryStore.ts";
import { StoreError } from "../port/StoreError.ts";
import { drawdownRiskCut } from "./DrawdownRiskCut.ts";
import { drawdownSignalCap } from "./DrawdownSignalCap.ts";
import { lossStreakPause } from "./LossStreakPause.ts";
import { pauseBook, resumeBook } from "./ManualPause.ts";
import { DEFAULT_MEMORY_RULES, type MemoryRulesConfig } from "./MemoryRulesConfig.ts";
import {
  drawdownPct,
  initialState,
  type MemoryBook,
  MemoryLocksSchema,
  type MemoryState,
  MemoryStateSchema,
  MemoryStateV1Schema,
  modelResults,
  recordTrade,
  stateFromV1,
  windowWinRate,
} from "./MemoryState.ts";
import { modelDisable } from "./ModelDisable.ts";
import { modelPreference, preferredModelOf } from "./ModelPreference.ts";
import { outcomeOf } from "./Outcome.ts";
import { type ClosedTrade, liftedEvent, type RuleStep } from "./Rule.ts";
import { symbolCooldown } from "./SymbolCooldown.ts";
import { symbolScorePenalty } from "./SymbolScorePenalty.ts";
import { winRateThreshold } from "./WinRateThreshold.ts";

export type GateDecision =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Blocked"; readonly reason: MemoryReason; readonly until?: number };

export interface EffectiveParameters {
  /** Base threshold + rule 1's points while it holds. Add `scoreAdjustment(symbol).points` for one symbol. */
  readonly threshold: number;
  readonly maxSignalsPerDay: number;
  readonly riskPercent: number;
  /** Virtual equity (quote currency) to size positions from. */
  readonly equity: number;
  readonly preferredModel?: ModelName;
  /** The global adjustments in force, for `Signal.adjustments` (symbol ones come from `scoreAdjustment`). */
  readonly adjustments?: readonly MemoryReason[];
}

export interface MemoryConfig {
  /** SCORE_THRESHOLD, default 75. */
  readonly baseThreshold: number;
  /** MAX_SIGNALS_PER_DAY, default 5. */
  readonly baseMaxSignalsPerDay: number;
  /** RISK_PER_TRADE in %, default 1.0. */
  readonly baseRiskPercent: number;
  /** Virtual starting balance in USDT, default 1000. */
  readonly startingBalance: number;
  /** false = `--no-memory`: never blocks, no adjustments, still tracks equity, windows and streaks. */
  readonly enabled: boolean;
  /** Windows, thresholds, pause and cooldown lengths of the rules (MEMORY_* variables). */
  readonly rules: MemoryRulesConfig;
  /**
   * Rules switched off (ablation studies): they are not run after a closed trade, so they never fire; absent =
   * all on. Meant for backtests, which start from a fresh memory; live does not use it.
   */
  readonly disabledRules?: readonly AutomaticRule[];
  /**
   * The registered models' names, in order: the status lists each one's statistics (then any other model
   * the memory has results for). Absent = the built-in models.
   */
  readonly models?: readonly ModelName[];
}

export const defaultMemoryConfig: MemoryConfig = {
  baseThreshold: 75,
  baseMaxSignalsPerDay: 5,
  baseRiskPercent: 1.0,
  startingBalance: 1000,
  enabled: true,
  rules: DEFAULT_MEMORY_RULES,
};

/** A rule run after each closed trade (every memory rule but the owner's manual pause). */
export type AutomaticRule = Exclude<MemoryRule, "manualPause">;

/** The rules, in the order they run after each closed trade, each by name with its section of `rules`. */
export const memoryRules = (
  rules: MemoryRulesConfig,
): readonly {
  readonly name: AutomaticRule;
  readonly rule: (book: MemoryBook, closed: ClosedTrade, now: number) => RuleStep;
}[] => [
  { name: "winRateThreshold", rule: (b, c, n) => winRateThreshold(b, c, n, rules.winRateThreshold) },
  { name: "lossStreakPause", rule: (b, c, n) => lossStreakPause(b, c, n, rules.lossStreakPause) },
  { name: "drawdownSignalCap", rule: (b, c, n) => drawdownSignalCap(b, c, n, rules.drawdownSignalCap) },
  { name: "drawdownRiskCut", rule: (b, c, n) => drawdownRiskCut(b, c, n, rules.drawdownRiskCut) },
  { name: "symbolCooldown", rule: (b, c, n) => symbolCooldown(b, c, n, rules.symbolCooldown) },
  { name: "symbolScorePenalty", rule: (b, c, n) => symbolScorePenalty(b, c, n, rules.symbolScorePenalty) },
  { name: "modelDisable", rule: (b, c, n) => modelDisable(b, c, n, rules.modelDisable) },
  { name: "modelPreference", rule: (b, c, n) => modelPreference(b, c, n, rules.modelPreference) },
];

/** The automatic rules' names, in the order they run. */
export const AUTOMATIC_RULES: readonly AutomaticRule[] = memoryRules(DEFAULT_MEMORY_RULES).map((r) => r.name);

/**
 * The snapshot layout written: 2 since models are plug-ins (per-model windows by any name, `preferredModel`).
 * Version 1 snapshots (written before) still load (`fromSnapshot`).
 */
export const SNAPSHOT_VERSION = 2;

export const initialBook = (config: MemoryConfig): MemoryBook => ({
  state: initialState(config.startingBalance),
  locks: [],
});

/**
 * Learn from one closed trade (pure): record it, then run every rule (none when `enabled` is false, and not
 * those in `disabledRules`). A trade that is not closed, or whose id was already recorded, changes nothing.
 */
export const applyClosedTrade = (
  book: MemoryBook,
  trade: VirtualTrade,
  now: number,
  config: Pick<MemoryConfig, "enabled" | "rules" | "disabledRules"> = defaultMemoryConfig,
): RuleStep => {
  if (trade.status !== "closed" || book.state.recentIds.includes(trade.id)) return { book, events: [] };
  const outcome = outcomeOf(trade);
  const closed = { trade, outcome, closedAt: trade.closedAt ?? now };
  const state = recordTrade(book.state, trade, outcome, config.rules.windows);
  let step: RuleStep = { book: { ...book, state }, events: [] };
  if (!config.enabled) return step;
  for (const { name, rule } of memoryRules(config.rules)) {
    if (config.disabledRules?.includes(name)) continue;
    const next = rule(step.book, closed, now);
    step = {
      book: next.book,
      events: next.events.length === 0 ? step.events : [...step.events, ...next.events],
    };
  }
  return step;
};

/** Drop the locks whose `until` has passed, each with a "relaxed" event. */
export const expireLocks = (book: MemoryBook, now: number): RuleStep => {
  const expired = book.locks.filter((l) => l.until <= now);
  if (expired.length === 0) return { book, events: [] };
  return {
    book: { ...book, locks: book.locks.filter((l) => l.until > now) },
    events: expired.map((l) => liftedEvent(l, now)),
  };
};

const applies = (l: MemoryLock, symbol: string, model: ModelName): boolean =>
  l.scope === "global" ||
  (l.scope === "symbol" && l.target === symbol) ||
  (l.scope === "model" && l.target === model);

/**
 * May a new signal on `symbol` from `model` go out at `now`? Blocked by the applicable active lock that ends
 * last (global pauses, the symbol's cooldown, the model's disable); its rule name is the reason code.
 */
export const gate = (book: MemoryBook, symbol: string, model: ModelName, now: number): GateDecision => {
  let worst: MemoryLock | undefined;
  for (const l of book.locks) {
    if (l.until > now && applies(l, symbol, model) && (worst === undefined || l.until > worst.until))
      worst = l;
  }
  if (worst === undefined) return { _tag: "Allowed" };
  return {
    _tag: "Blocked",
    reason: {
      code: worst.rule,
      data: {
        until: worst.until,
        reason: worst.reason,
        ...(worst.target === undefined ? {} : { target: worst.target }),
      },
    },
    until: worst.until,
  };
};

/** Threshold, daily cap, risk and preference from the state (base values when memory is disabled). */
export const parametersOf = (state: MemoryState, config: MemoryConfig): EffectiveParameters => {
  const on = config.enabled;
  const { winRateThreshold, drawdownSignalCap, drawdownRiskCut } = config.rules;
  const adjustments: MemoryReason[] = [];
  if (on && state.thresholdRaised)
    adjustments.push({
      code: "winRateThreshold",
      data: {
        points: winRateThreshold.points,
        winRate: windowWinRate(state.results) ?? 0,
        trades: state.results.length,
      },
    });
  if (on && state.signalCap)
    adjustments.push({
      code: "drawdownSignalCap",
      data: { maxSignalsPerDay: drawdownSignalCap.maxSignalsPerDay },
    });
  if (on && state.riskCut)
    adjustments.push({ code: "drawdownRiskCut", data: { riskPercent: drawdownRiskCut.riskPercent } });
  const preferred = on ? preferredModelOf(state, config.rules.modelPreference) : undefined;
  if (preferred !== undefined) adjustments.push({ code: "modelPreference", data: { model: preferred } });
  return {
    threshold: config.baseThreshold + (on && state.thresholdRaised ? winRateThreshold.points : 0),
    maxSignalsPerDay:
      on && state.signalCap
        ? Math.min(drawdownSignalCap.maxSignalsPerDay, config.baseMaxSignalsPerDay)
        : config.baseMaxSignalsPerDay,
    riskPercent:
      on && state.riskCut
        ? Math.min(drawdownRiskCut.riskPercent, config.baseRiskPercent)
        : config.baseRiskPercent,
    equity: state.equity,
    ...(preferred === undefined ? {} : { preferredModel: preferred }),
    adjustments,
  };
};

/** Extra score points one symbol needs (rule 4b), on top of `EffectiveParameters.threshold`. */
export const symbolAdjustmentOf = (
  state: MemoryState,
  symbol: string,
  config: MemoryConfig,
): { readonly points: number; readonly reasons: readonly MemoryReason[] } => {
  const mem = state.symbols[symbol];
  if (!config.enabled || mem === undefined || !mem.penalty) return { points: 0, reasons: [] };
  const { points } = config.rules.symbolScorePenalty;
  return {
    points,
    reasons: [
      {
        code: "symbolScorePenalty",
        data: { symbol, points, winRate: windowWinRate(mem.results) ?? 0 },
      },
    ],
  };
};

/** Why the memory cannot be trusted: a failed save (cleared by the next good save) or a corrupt snapshot. */
export interface MemoryFault {
  readonly kind: "saveFailed" | "corruptSnapshot";
  readonly message: string;
  readonly since: number;
}

export const statusOf = (
  book: MemoryBook,
  config: MemoryConfig,
  now: number,
  signalsToday: number,
  fault?: MemoryFault,
): MemoryStatus => {
  const s = book.state;
  const params = parametersOf(s, config);
  const active = book.locks.filter((l) => l.until > now);
  const global = active.filter((l) => l.scope === "global").map((l) => l.until);
  const models: Record<ModelName, { readonly trades: number; readonly winRate: number | null }> = {};
  for (const m of [...(config.models ?? MODELS), ...Object.keys(s.models)]) {
    const results = modelResults(s, m);
    models[m] ??= { trades: results.length, winRate: windowWinRate(results) };
  }
  return {
    time: now,
    trades20: s.results.length,
    winRate20: windowWinRate(s.results),
    window: config.rules.windows.global,
    models,
    equity: s.equity,
    peakEquity: s.peakEquity,
    drawdownPct: drawdownPct(s),
    lossStreak: s.lossStreak,
    threshold: params.threshold,
    maxSignalsPerDay: params.maxSignalsPerDay,
    signalsToday,
    riskPercent: params.riskPercent,
    ...(global.length > 0 ? { pausedUntil: Math.max(...global) } : {}),
    cooldowns: active
      .filter((l) => l.scope === "symbol" && l.target !== undefined)
      .map((l) => ({ symbol: l.target ?? "", until: l.until })),
    disabledModels: active
      .filter((l) => l.scope === "model" && l.target !== undefined)
      .map((l) => ({ model: l.target ?? "", until: l.until })),
    ...(params.preferredModel === undefined ? {} : { preferredModel: params.preferredModel }),
    ...(fault === undefined
      ? {}
      : { unavailable: { reason: `${fault.kind}: ${fault.message}`, since: fault.since } }),
  };
};

export const toSnapshot = (book: MemoryBook, updatedAt: number): MemorySnapshot => ({
  version: SNAPSHOT_VERSION,
  updatedAt,
  state: book.state,
  locks: book.locks,
});

const decodeState = Schema.decodeUnknownResult(MemoryStateSchema);
const decodeStateV1 = Schema.decodeUnknownResult(MemoryStateV1Schema);
const decodeLocks = Schema.decodeUnknownResult(MemoryLocksSchema);

/**
 * A stored snapshot back into a book, or why it cannot be trusted. Reads this version's layout and version
 * 1's (a bot upgraded in place restarts with everything it knew); a newer version is refused by name.
 */
export const fromSnapshot = (snapshot: MemorySnapshot): Result.Result<MemoryBook, string> => {
  let state: Result.Result<MemoryState, string>;
  if (snapshot.version === SNAPSHOT_VERSION) {
    const decoded = decodeState(snapshot.state);
    state = Result.isFailure(decoded)
      ? Result.fail(decoded.failure.message)
      : Result.succeed(decoded.success);
  } else if (snapshot.version === 1) {
    const decoded = decodeStateV1(snapshot.state);
    state = Result.isFailure(decoded)
      ? Result.fail(decoded.failure.message)
      : Result.succeed(stateFromV1(decoded.success));
  } else return Result.fail(`unknown snapshot version ${snapshot.version} (this build reads 1 and 2)`);
  if (Result.isFailure(state)) return Result.fail(`state: ${state.failure}`);
  const locks = decodeLocks(snapshot.locks);
  if (Result.isFailure(locks)) return Result.fail(`locks: ${locks.failure.message}`);
  return Result.succeed({ state: state.success, locks: locks.success });
};

interface Live {
  readonly book: MemoryBook;
  readonly updatedAt: number;
  readonly fault?: MemoryFault;
  /** The book holds changes the store has not accepted yet. */
  readonly dirty: boolean;
}

export class Memory extends Context.Service<
  Memory,
  {
    /** Allowed, or Blocked by a pause, cooldown or disable (with its expiry) or "memoryUnavailable". */
    readonly canTrade: (symbol: string, model: ModelName) => Effect.Effect<GateDecision>;
    /** Symbol-only extra points (rule 4b); the global +5 (rule 1) is already in `effectiveParameters.threshold`. */
    readonly scoreAdjustment: (
      symbol: string,
    ) => Effect.Effect<{ readonly points: number; readonly reasons: readonly MemoryReason[] }>;
    readonly effectiveParameters: Effect.Effect<EffectiveParameters>;
    /** `effectiveParameters` read synchronously (the closed-candle step's hot path). */
    readonly effectiveParametersUnsafe: () => EffectiveParameters;
    /** Learn from a closed trade; idempotent by trade id. Returns the rules that fired or relaxed. */
    readonly updateAfterTradeClosed: (trade: VirtualTrade) => Effect.Effect<readonly MemoryEvent[]>;
    /** Drop locks whose expiry passed (event time from Clock); call on every closed candle. Retries a failed save. */
    readonly expire: Effect.Effect<readonly MemoryEvent[]>;
    /**
     * When `expire` next has work: the earliest lock expiry (Infinity without locks), or -Infinity while a
     * failed save waits to be retried. A synchronous read, so a closed candle with nothing due costs no Effect.
     */
    readonly nextExpiry: () => number;
    /** The owner's /pause: every new signal blocked for `hours` from now. */
    readonly pause: (hours: number) => Effect.Effect<readonly MemoryEvent[]>;
    /** The owner's /resume: lifts the manual pause and the loss-streak pause; acknowledges a corrupt snapshot. */
    readonly resume: Effect.Effect<readonly MemoryEvent[]>;
    readonly status: (signalsToday: number) => Effect.Effect<MemoryStatus>;
    readonly snapshot: Effect.Effect<MemorySnapshot>;
  }
>()("signalbot/core/Memory") {
  /** Restores from the MemoryStore on build (a failing load fails the layer; a corrupt snapshot blocks). */
  static layer(config: MemoryConfig): Layer.Layer<Memory, StoreError, MemoryStore> {
    return Layer.effect(Memory, makeMemory(config));
  }
}

const makeMemory = Effect.fnUntraced(function* (config: MemoryConfig) {
  const store = yield* MemoryStore;
  const start = yield* Clock.currentTimeMillis;
  const loaded = yield* store.load;
  const restored = loaded === undefined ? Result.succeed(initialBook(config)) : fromSnapshot(loaded);
  const initial: Live = Result.isSuccess(restored)
    ? { book: restored.success, updatedAt: loaded?.updatedAt ?? start, dirty: false }
    : {
        book: initialBook(config),
        updatedAt: start,
        dirty: false,
        fault: { kind: "corruptSnapshot", message: restored.failure, since: start },
      };
  if (initial.fault !== undefined)
    yield* Effect.logError(
      `memory snapshot is corrupt, trading blocked until /resume: ${initial.fault.message}`,
    );
  const ref = yield* Ref.make(initial);
  const mutex = yield* Semaphore.make(1);

  /** Save the current book unless a corrupt snapshot awaits the owner (kept in the store for inspection). */
  const persist = Effect.fnUntraced(function* (now: number) {
    const live = yield* Ref.get(ref);
    if (live.fault?.kind === "corruptSnapshot") return;
    const exit = yield* Effect.exit(store.save(toSnapshot(live.book, live.updatedAt)));
    if (Exit.isSuccess(exit)) {
      yield* Ref.set(ref, { book: live.book, updatedAt: live.updatedAt, dirty: false });
      return;
    }
    const cause = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined;
    const message =
      cause instanceof StoreError ? `${cause.operation} ${cause.reason}: ${cause.message}` : String(cause);
    yield* Effect.logError(`memory save failed, trading blocked until a save succeeds: ${message}`);
    yield* Ref.set(ref, {
      ...live,
      dirty: true,
      fault: { kind: "saveFailed", message, since: live.fault?.since ?? now },
    });
  });

  /** Run one change under the mutex: compute from the current book, store it, persist it. */
  const change = (f: (live: Live, now: number) => Live & { readonly events: readonly MemoryEvent[] }) =>
    mutex.withPermits(1)(
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis;
        const before = yield* Ref.get(ref);
        const { events, ...after } = f(before, now);
        if (after.book === before.book && !before.dirty && after.fault === before.fault) return events;
        yield* Ref.set(ref, { ...after, dirty: true });
        yield* persist(now);
        return events;
      }),
    );

  const withStep = (live: Live, step: RuleStep, now: number) =>
    step.book === live.book
      ? { ...live, events: step.events }
      : { ...live, book: step.book, updatedAt: now, events: step.events };

  const canTrade = Effect.fn("Memory.canTrade")(function* (symbol: string, model: ModelName) {
    const live = yield* Ref.get(ref);
    let decision: GateDecision = { _tag: "Allowed" };
    if (!config.enabled) return decision;
    if (live.fault !== undefined)
      decision = {
        _tag: "Blocked",
        reason: { code: "memoryUnavailable", data: { cause: live.fault.kind, message: live.fault.message } },
      };
    else decision = gate(live.book, symbol, model, yield* Clock.currentTimeMillis);
    return decision;
  });

  return Memory.of({
    canTrade,
    scoreAdjustment: Effect.fn("Memory.scoreAdjustment")(function* (symbol: string) {
      return symbolAdjustmentOf((yield* Ref.get(ref)).book.state, symbol, config);
    }),
    effectiveParameters: Effect.map(Ref.get(ref), (live) => parametersOf(live.book.state, config)),
    effectiveParametersUnsafe: () => parametersOf(Ref.getUnsafe(ref).book.state, config),
    updateAfterTradeClosed: Effect.fn("Memory.updateAfterTradeClosed")(function* (trade: VirtualTrade) {
      return yield* change((live, now) =>
        withStep(live, applyClosedTrade(live.book, trade, now, config), now),
      );
    }),
    expire: change((live, now) => withStep(live, expireLocks(live.book, now), now)),
    nextExpiry: () => {
      const live = Ref.getUnsafe(ref);
      if (live.dirty) return Number.NEGATIVE_INFINITY;
      let next = Number.POSITIVE_INFINITY;
      for (const l of live.book.locks) if (l.until < next) next = l.until;
      return next;
    },
    pause: Effect.fn("Memory.pause")(function* (hours: number) {
      return yield* change((live, now) => withStep(live, pauseBook(live.book, hours, now), now));
    }),
    resume: change((live, now) => {
      const step = resumeBook(live.book, now);
      const { fault: _, ...rest } = live;
      return { ...rest, book: step.book, updatedAt: now, dirty: true, events: step.events };
    }),
    status: Effect.fn("Memory.status")(function* (signalsToday: number) {
      const live = yield* Ref.get(ref);
      return statusOf(live.book, config, yield* Clock.currentTimeMillis, signalsToday, live.fault);
    }),
    snapshot: Effect.map(Ref.get(ref), (live) => toSnapshot(live.book, live.updatedAt)),
  });
});
