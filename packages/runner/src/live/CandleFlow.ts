/**
 * What the live loop does with one kline event of one symbol: I/O, log lines and metrics around core's steps.
 * A closed 30m candle (after a REST backfill of any 30m candles the stream skipped) goes to `onClosedCandle`,
 * whose setups join the other symbols' of the same close (`CloseRounds`, decided by core's `decideSetups`);
 * a forming tick goes to `onFormingTick`. Every decision is core's; this file only reports what it did.
 */
import {
  type AdvanceResult,
  type Candle,
  type ClosedCandleOutcome,
  closedBetween,
  type HigherTimeframeStep,
  type HigherTimeframes,
  MarketData,
  type Memory,
  type MemoryEvent,
  MINUTE_MS,
  onClosedCandle,
  onFormingTick,
  type Pipeline,
  type Signal,
  type SignalStore,
  type SymbolState,
  TIMEFRAME_MS,
  type Timeframe,
} from "@signalbot/core";
import { Cause, Effect, Ref } from "effect";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { type CloseRounds, makeCloseRounds, ROUND_WAIT_MS, type RoundDecision } from "./CloseRounds.ts";
import { describeMemoryEvent, describeReason, describeTradeEvent, isoMinute } from "./Describe.ts";

/**
 * Trigger candles carried by a NewSignal notification for its chart: the chart draws the last 80, the 120
 * before warm its EMA up until it matches the model's (computed over 500) to the pixel.
 */
export const CHART_CANDLES = 200;

export type FlowServices = MarketData | SignalStore | Memory | Pipeline | HigherTimeframes;

export interface FlowDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Close time (ms UTC) of the last closed candle processed, per timeframe (for /healthz). */
  readonly lastClosed: Ref.Ref<Partial<Record<Timeframe, number>>>;
  /** The symbols watched now: a close's setups are decided once each of them has reported that close. */
  readonly watched: () => Iterable<string>;
  /** How long a close waits for symbols that have not reported (default `ROUND_WAIT_MS`). */
  readonly roundWaitMs?: number;
  /**
   * Called after every closed-candle step, once its setups were handed to their close's round (and, when it
   * was the last symbol of the close, the round decided). Tests follow the loop through it.
   */
  readonly onStep?: (symbol: string, outcome: ClosedCandleOutcome) => void;
}

export const M = {
  candles: ["signalbot_candles_total", "Closed candles processed, by timeframe."],
  duplicates: ["signalbot_candles_duplicate_total", "Closed candles received again and ignored."],
  backfilled: ["signalbot_candles_backfilled_total", "Closed candles fetched by REST to fill a gap."],
  confirmations: [
    "signalbot_higher_timeframe_confirmations_total",
    "Aggregated 4h/1d candles checked by REST, by result (same, replaced, unconfirmed).",
  ],
  scans: ["signalbot_scans_total", "Closed 30m candles analysed."],
  setups: ["signalbot_setups_total", "Setups the models found, by model."],
  signals: ["signalbot_signals_total", "Signals emitted."],
  blocked: ["signalbot_signals_blocked_total", "Signals blocked, by reason."],
  tradesClosed: ["signalbot_trades_closed_total", "Virtual trades closed, by exit reason."],
  targets: ["signalbot_trade_targets_total", "Trade targets hit."],
  memoryEvents: ["signalbot_memory_events_total", "Memory rules that fired or relaxed."],
  errors: ["signalbot_loop_errors_total", "Kline events whose processing failed (logged)."],
  rounds: [
    "signalbot_close_rounds_total",
    "Candle closes whose setups were decided, by how the round ended (complete, timeout, late, shutdown).",
  ],
} as const;

export const makeCandleFlow = (deps: FlowDeps) => {
  const { log, metrics } = deps;
  const options = { chartCandles: CHART_CANDLES };

  /** Closed 30m candles between the series' last and `next` the stream skipped, by REST, oldest first. */
  const backfill = (t: SymbolState, next: Candle) =>
    Effect.gen(function* () {
      const gap = t.analyzer.series("30m").gapBefore(next);
      if (gap === undefined) return [] as readonly Candle[];
      const md = yield* MarketData;
      const got = yield* closedBetween(
        md,
        t.symbol,
        "30m",
        gap.from,
        next.openTime - TIMEFRAME_MS["30m"],
      ).pipe(
        Effect.catchTag("MarketDataError", (e) =>
          Effect.sync(() => {
            log.warn(`backfill failed: "${t.symbol}" 30m: ${e.reason} ${e.message}`, { source: e.source });
            return [] as readonly Candle[];
          }),
        ),
      );
      if (got.length > 0) {
        metrics.inc(M.backfilled[0], M.backfilled[1], { timeframe: "30m" }, got.length);
        log.info(`backfilled ${got.length} 30m candles of "${t.symbol}"`, {
          from: isoMinute(gap.from),
          missing: gap.count,
        });
      }
      return got;
    });

  const noteMemory = (e: MemoryEvent) => {
    log.info(`memory: ${describeMemoryEvent(e)}`);
    metrics.inc(M.memoryEvents[0], M.memoryEvents[1], { rule: e.rule, action: e.action });
  };

  const noteAdvance = (symbol: string, result: AdvanceResult) => {
    for (const step of result.steps)
      for (const event of step.events) {
        log.info(`trade "${step.trade.id}" ${describeTradeEvent(event)}`, { symbol });
        if (event._tag === "TargetHit")
          metrics.inc(M.targets[0], M.targets[1], { target: String(event.target) });
        if (event._tag === "Closed")
          metrics.inc(M.tradesClosed[0], M.tradesClosed[1], { reason: event.reason });
      }
    for (const e of result.memoryEvents) noteMemory(e);
  };

  const noteSignal = (s: Signal) => {
    const st = s.setup;
    if (s.status === "emitted") {
      metrics.inc(M.signals[0], M.signals[1]);
      log.info(`signal emitted: "${st.symbol}" ${st.side} ${st.model} score ${st.score.toFixed(1)}`, {
        key: s.key,
        entry: Number(st.entry.toPrecision(8)),
        stop: Number(st.stop.toPrecision(8)),
        targets: st.targets.map((x) => Number(x.toPrecision(8))).join("/"),
      });
      return;
    }
    const reason = s.blockedBy ?? { code: "unknown" };
    metrics.inc(M.blocked[0], M.blocked[1], { reason: reason.code });
    log.info(`signal blocked: "${st.symbol}" ${describeReason(reason)}`, {
      side: st.side,
      model: st.model,
      ...(reason.data?.score === undefined ? { score: Math.round(st.score * 10) / 10 } : {}),
    });
  };

  const noteHigher = (symbol: string, h: HigherTimeframeStep, closes: Partial<Record<Timeframe, number>>) => {
    const { timeframe } = h;
    if (h.error !== undefined)
      log.warn(`${timeframe} candles of "${symbol}" not fetched: ${h.error.reason} ${h.error.message}`, {
        source: h.error.source,
      });
    if (h._tag === "CaughtUp") {
      if (h.candles > 0) {
        metrics.inc(M.backfilled[0], M.backfilled[1], { timeframe }, h.candles);
        log.info(`caught up ${h.candles} ${timeframe} candles of "${symbol}"`);
      }
      return;
    }
    metrics.inc(M.confirmations[0], M.confirmations[1], { timeframe, result: h.confirmation });
    if (h.confirmation === "dropped" || (h.confirmation === "unconfirmed" && h.error === undefined))
      log.debug(
        `${timeframe} candle of "${symbol}" not confirmed by REST, ${h.confirmation === "dropped" ? "its incomplete aggregate dropped" : "using the aggregate"}`,
        {
          openTime: isoMinute(h.candle.openTime),
          complete: h.complete,
        },
      );
    if (h.backfilled > 0) {
      metrics.inc(M.backfilled[0], M.backfilled[1], { timeframe }, h.backfilled);
      log.info(`backfilled ${h.backfilled} ${timeframe} candles of "${symbol}"`);
    }
    if (h.confirmation === "dropped") return;
    metrics.inc(M.candles[0], M.candles[1], { timeframe });
    closes[timeframe] = h.candle.closeTime + 1;
  };

  const noteDecision = (d: RoundDecision) => {
    metrics.inc(M.rounds[0], M.rounds[1], { end: d.end });
    // A symbol without candles holds every close for the wait: said at info only when setups waited for it.
    if (d.end === "timeout")
      (d.signals.length > 0 ? log.info : log.debug)(
        `close ${isoMinute(d.time)} decided after ${Math.round((deps.roundWaitMs ?? ROUND_WAIT_MS) / 1000)} s without ${d.missing.length} symbols' candles`,
        { missing: d.missing.slice(0, 10).join(","), reported: d.reported },
      );
    else if (d.end === "late" && d.signals.length > 0)
      log.info(`close ${isoMinute(d.time)}: a late candle's setups decided on their own`, {
        symbol: d.signals[0]!.setup.symbol,
      });
    for (const s of d.signals) noteSignal(s);
  };

  const rounds: CloseRounds = makeCloseRounds({
    watched: deps.watched,
    ...(deps.roundWaitMs === undefined ? {} : { waitMs: deps.roundWaitMs }),
    onDecided: noteDecision,
    onError: (time, cause) => {
      metrics.inc(M.errors[0], M.errors[1]);
      log.error(`deciding the setups of the ${isoMinute(time)} close failed`, {
        error: Cause.pretty(cause).split("\n")[0],
      });
    },
  });

  /** The log lines and metrics of one step, then its setups to their close's round. */
  const note = (t: SymbolState, outcome: ClosedCandleOutcome) =>
    Effect.gen(function* () {
      const closes = report(t, outcome);
      if (closes !== undefined) yield* Ref.update(deps.lastClosed, (last) => ({ ...last, ...closes }));
      // A late candle (not analysed) has no setups, and its close's round is long decided: nothing to hand in.
      if (outcome._tag === "Stepped" && outcome.analysis._tag === "Analysed")
        yield* rounds.submit(t.symbol, outcome.time, outcome.analysis.candidates);
      deps.onStep?.(t.symbol, outcome);
    });

  /** Log lines and metrics of one step; the close time it reached per timeframe. */
  const report = (
    t: SymbolState,
    outcome: ClosedCandleOutcome,
  ): Partial<Record<Timeframe, number>> | undefined => {
    if (outcome._tag === "Duplicate") {
      metrics.inc(M.duplicates[0], M.duplicates[1]);
      return undefined;
    }
    const closes: Partial<Record<Timeframe, number>> = { "30m": outcome.time };
    for (const e of outcome.expired) noteMemory(e);
    noteAdvance(t.symbol, outcome.trades);
    for (const h of outcome.higher) noteHigher(t.symbol, h, closes);
    metrics.inc(M.candles[0], M.candles[1], { timeframe: "30m" });
    const { analysis } = outcome;
    if (analysis._tag === "Late") {
      log.debug(
        `not analysed: "${t.symbol}" candle closed ${Math.round(analysis.delayMs / MINUTE_MS)} min ago`,
      );
      return closes;
    }
    metrics.inc(M.scans[0], M.scans[1]);
    for (const e of analysis.evaluations)
      if (e._tag === "Setup") metrics.inc(M.setups[0], M.setups[1], { model: e.setup.model });
    return closes;
  };

  /** A closed 30m candle as the stream delivered it: duplicates ignored, skipped candles backfilled first. */
  const closed = (t: SymbolState, candle: Candle) =>
    Effect.gen(function* () {
      const last = t.lastClosedOpenTime;
      if (last !== undefined && candle.openTime <= last) {
        metrics.inc(M.duplicates[0], M.duplicates[1]);
        return;
      }
      for (const c of yield* backfill(t, candle)) yield* note(t, yield* onClosedCandle(t, c, options));
      yield* note(t, yield* onClosedCandle(t, candle, options));
    });

  /** A forming tick: only open virtual trades care (a wick can hit a stop). */
  const forming = (t: SymbolState, candle: Candle) =>
    Effect.map(onFormingTick(t, candle), (result) => noteAdvance(t.symbol, result));

  return {
    closed,
    forming,
    /** Decides the closes still waiting for symbols (at shutdown: nothing reported is dropped). */
    flush: rounds.flush,
    /** Closes reported and not decided yet. */
    pendingRounds: rounds.pending,
  };
};

export type CandleFlow = ReturnType<typeof makeCandleFlow>;
