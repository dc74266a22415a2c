/**
 * The signal pipeline for the setups of one candle close — of one symbol or, live and in the backtest, of every
 * symbol that closed at that instant: ranked, run through every gate, then one transaction per emitted signal
 * for signal + virtual trade + notification. Shared by the live runner and the backtest.
 */
import { Clock, Effect } from "effect";
import { type EffectiveParameters, Memory } from "../memory/Memory.ts";
import { applyModelPreference } from "../memory/ModelPreference.ts";
import type { Candle } from "../model/Candle.ts";
import type { Notification } from "../model/Notification.ts";
import { type Evaluation, type Reason, type Setup, type Signal, signalKey } from "../model/Signal.ts";
import type { SymbolInfo } from "../model/Symbol.ts";
import { SignalStore } from "../port/SignalStore.ts";
import { costGate } from "../risk/CostGate.ts";
import { dailyCapReached } from "../risk/DailyCap.ts";
import { leverageGate } from "../risk/LeverageCap.ts";
import { positionSize } from "../risk/PositionSize.ts";
import { validateScore } from "../risk/ScoreGate.ts";
import { compareSetups } from "../risk/SetupOrder.ts";
import { openTrade } from "../trade/VirtualTrade.ts";
import { Pipeline, type PipelineConfig } from "./Pipeline.ts";
import { signalsToday } from "./signalsToday.ts";

/** A setup a model found, with what its signal needs from its symbol. */
export interface Candidate {
  readonly setup: Setup;
  /** Exchange filters of the symbol: the quantity is rounded to its step and checked against min notional. */
  readonly info?: SymbolInfo;
  /** Trigger-timeframe candles up to the trigger, carried by the NewSignal notification for the chart. */
  readonly candles?: readonly Candle[];
}

export interface ProcessContext {
  readonly info?: SymbolInfo;
  readonly candles?: readonly Candle[];
}

/** The setups among one symbol's evaluations, each with that symbol's `ctx`. */
export const candidatesOf = (evaluations: readonly Evaluation[], ctx: ProcessContext = {}): Candidate[] => {
  const out: Candidate[] = [];
  for (const e of evaluations) if (e._tag === "Setup") out.push({ setup: e.setup, ...ctx });
  return out;
};

/** A setup about to be decided: its key, the threshold it is judged against, the adjustments in force. */
const signalBase = (
  setup: Setup,
  threshold: number,
  adjustments: readonly Reason[],
  now: number,
): Omit<Signal, "status"> => ({
  key: signalKey(setup),
  setup,
  threshold,
  adjustments,
  createdAt: now,
});

const blockedSignal = (base: Omit<Signal, "status">, blockedBy: Reason): Signal => ({
  ...base,
  status: "blocked",
  blockedBy,
});

/** The candidates of one close in decision order (`compareSetups`). */
const rankedOf = (candidates: readonly Candidate[]): readonly Candidate[] =>
  candidates.length <= 1 ? candidates : [...candidates].sort((a, b) => compareSetups(a.setup, b.setup));

/**
 * Gate 0 alone, without Effect: when NO candidate of the close reaches the global threshold and such setups are
 * not recorded (`recordBelowThreshold` off, as in a backtest), the signals `decideSetups` would return — every
 * one blocked `scoreBelowThreshold`, in the same order, built by the same functions. Undefined when the full
 * pipeline must run. Most closes with a setup end here, so the backtest skips a trip through the runtime.
 */
export const belowGlobalThreshold = (
  candidates: readonly Candidate[],
  params: EffectiveParameters,
  config: PipelineConfig,
  now: number,
): Signal[] | undefined => {
  if (config.recordBelowThreshold) return undefined;
  const out: Signal[] = [];
  for (const { setup } of rankedOf(candidates)) {
    const global = validateScore(setup.score, params.threshold, 0);
    if (global._tag !== "Rejected") return undefined;
    out.push(
      blockedSignal(signalBase(setup, params.threshold, params.adjustments ?? [], now), global.reason),
    );
  }
  return out;
};

/**
 * Decides the setups of one candle close. They are first ranked — higher score, then higher R:R, then symbol,
 * model and side A→Z (`compareSetups`) — so the order in which symbols were scanned never matters: when the
 * daily cap binds, the best setup of the close gets the slot. Then every setup, in that order, meets the gates
 * (the first that fails decides):
 * 0. `scoreBelowThreshold` against the global threshold (`effectiveParameters.threshold`, which every symbol
 *    adjustment only raises): a setup below it is no candidate at all, whatever else holds. A pure check that
 *    touches neither the store nor the memory — most setups end here (recorded only when
 *    `recordBelowThreshold`, idempotent on the key).
 * 0a. `costAboveRisk` — the round trip (fee + slippage, both ways) costs more than `maxCostR` R (risk/CostGate).
 * 0b. `leverageAboveCap` — the position at the memory's risk % would need more than `maxLeverage`
 *    (risk/LeverageCap). Both are pure, like gate 0: a setup a trader could not take is said so first.
 * 1. `duplicate` — the key was already decided (emitted or blocked): replayed candle, reconnect, restart.
 *    Not recorded again.
 * 2. `openTrade` — the symbol already has `maxOpenTradesPerSymbol` open virtual trades.
 * 3. memory lock — `Memory.canTrade(symbol, model)`: its reason (pause, cooldown, model disabled, ...).
 * 4. `scoreBelowThreshold` — score < effective threshold + the symbol's score adjustment (recorded only
 *    when `recordBelowThreshold`).
 * 5. model preference — `prefer<Model>` / `slotReservedFor<Model>` (memory/ModelPreference) among the
 *    setups still standing; it needs the slots left today, so it runs with the daily cap. The preferred model's
 *    setups then go first.
 * 6. `openTrade` again for a second setup of one symbol once the first opened a trade.
 * 7. `dailyCap` — `maxSignalsPerDay` emitted signals in this UTC day (event time).
 * 8. sizing — `positionSize` with the memory's equity and risk %: `zeroStopDistance`, `invalidSizingInput`,
 *    `belowMinNotional`.
 * 9. emit — signal + open trade + NewSignal notification in one transaction; a concurrent `duplicate`
 *    writes nothing.
 * Blocked signals are recorded with `SignalStore.recordBlocked` (idempotent on the key). Returns every
 * signal, emitted and blocked, in decision order (the same whatever order `candidates` came in), so callers
 * can log them.
 */
export const decideSetups = Effect.fn("Pipeline.decideSetups")(function* (candidates: readonly Candidate[]) {
  if (candidates.length === 0) return [] as Signal[];
  const ranked = rankedOf(candidates);

  const { config, book, emitLock } = yield* Pipeline;
  const store = yield* SignalStore;
  const memory = yield* Memory;
  const now = yield* Clock.currentTimeMillis;
  const params = yield* memory.effectiveParameters;

  const out: Signal[] = [];
  const signalOf = (setup: Setup, threshold: number, adjustments: readonly Reason[]) =>
    signalBase(setup, threshold, adjustments, now);
  // Called for most setups (most are below the threshold): plain code, an Effect only to record.
  const block = (base: Omit<Signal, "status">, blockedBy: Reason, record = true) => {
    const signal = blockedSignal(base, blockedBy);
    out.push(signal);
    return record ? store.recordBlocked(signal) : Effect.void;
  };

  // Gates 0–4, setup by setup.
  const standing: { candidate: Candidate; setup: Setup; base: Omit<Signal, "status"> }[] = [];
  for (const candidate of ranked) {
    const { setup } = candidate;
    const initial = signalOf(setup, params.threshold, params.adjustments ?? []);
    const global = validateScore(setup.score, params.threshold, 0);
    if (global._tag === "Rejected") {
      yield* block(initial, global.reason, config.recordBelowThreshold);
      continue;
    }
    const untradeable =
      costGate(setup, config.costs, config.maxCostR) ??
      leverageGate(setup, params.riskPercent, config.maxLeverage);
    if (untradeable !== undefined) {
      yield* block(initial, untradeable);
      continue;
    }
    if (yield* store.wasEmitted(initial.key)) {
      yield* block(initial, { code: "duplicate" }, false);
      continue;
    }
    const open = book.count(setup.symbol);
    if (open >= config.maxOpenTradesPerSymbol) {
      yield* block(initial, { code: "openTrade", data: { open, max: config.maxOpenTradesPerSymbol } });
      continue;
    }
    const gate = yield* memory.canTrade(setup.symbol, setup.model);
    if (gate._tag === "Blocked") {
      // A lock's reason carries its expiry (`data.until`), so the log line and the message can say it.
      yield* block(initial, gate.reason);
      continue;
    }
    const adjustment = yield* memory.scoreAdjustment(setup.symbol);
    const check = validateScore(setup.score, params.threshold, adjustment.points);
    const base = signalOf(setup, check.threshold, [...(params.adjustments ?? []), ...adjustment.reasons]);
    if (check._tag === "Rejected") {
      yield* block(base, check.reason, config.recordBelowThreshold);
      continue;
    }
    standing.push({ candidate, setup, base });
  }
  if (standing.length === 0) return out;

  // Gates 5–9 under the emit lock: the count of today's signals stays true until the emit.
  yield* emitLock.withPermit(
    Effect.gen(function* () {
      let emittedToday = yield* signalsToday;
      const preference = applyModelPreference({
        setups: standing,
        slotsLeft: Math.max(0, params.maxSignalsPerDay - emittedToday),
        preferred: params.preferredModel,
      });
      for (const { setup, reason } of preference.rejected) yield* block(setup.base, reason);
      for (const { candidate, setup, base } of preference.allowed) {
        const open = book.count(setup.symbol);
        if (open >= config.maxOpenTradesPerSymbol) {
          yield* block(base, { code: "openTrade", data: { open, max: config.maxOpenTradesPerSymbol } });
          continue;
        }
        const cap = dailyCapReached(emittedToday, params.maxSignalsPerDay);
        if (cap !== undefined) {
          yield* block(base, cap);
          continue;
        }
        const { info, candles } = candidate;
        const size = positionSize({
          equity: params.equity,
          riskPercent: params.riskPercent,
          entry: setup.entry,
          stop: setup.stop,
          ...(info === undefined ? {} : { info }),
        });
        if (size._tag === "Rejected") {
          yield* block(base, size.reason);
          continue;
        }
        const signal: Signal = { ...base, status: "emitted", sizing: size.sizing };
        const trade = openTrade(signal, config.costs);
        const notification: Notification = {
          _tag: "NewSignal",
          signal,
          ...(info === undefined ? {} : { info }),
          ...(candles === undefined ? {} : { candles }),
        };
        if ((yield* store.emit({ signal, trade, notification })) === "duplicate") {
          yield* block(base, { code: "duplicate" }, false);
          continue;
        }
        book.add(trade);
        emittedToday++;
        out.push(signal);
      }
    }),
  );
  return out;
});

/** `decideSetups` for the evaluations of one symbol and one closed trigger candle (`ctx`: that symbol's). */
export const processEvaluations = (evaluations: readonly Evaluation[], ctx: ProcessContext = {}) =>
  decideSetups(candidatesOf(evaluations, ctx));
