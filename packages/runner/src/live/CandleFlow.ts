/**
 * What the live loop does with one kline event of one symbol, delegating every decision to core:
 * a closed 30m candle expires memory locks, advances open trades, closes 4h/1d buckets (confirmed by REST),
 * is analysed, and its setups go through `processEvaluations`; a forming tick only advances open trades.
 */
import {
  type AdvanceResult,
  type AggregatedCandle,
  advanceOpenTrades,
  type Candle,
  candleTick,
  closedAt,
  MarketData,
  Memory,
  Pipeline,
  processEvaluations,
  type Signal,
  SignalStore,
  TIMEFRAME_MS,
  type Timeframe,
} from "@signalbot/core";
import { Clock, Effect } from "effect";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { describeMemoryEvent, describeReason, describeTradeEvent, isoMinute } from "./Describe.ts";
import type { TrackedSymbol } from "./TrackedSymbol.ts";

/**
 * A closed candle older than this when it reaches the loop (a long outage backfilled) still feeds the series
 * and the open trades, but is not analysed: its entry price is history, not an opportunity.
 */
export const MAX_SIGNAL_DELAY_MS = TIMEFRAME_MS["30m"];

/** The most candles one backfill asks for (Binance's klines maximum). */
const MAX_BACKFILL = 1500;

export type FlowServices = MarketData | SignalStore | Memory | Pipeline;

export interface FlowDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Close time (ms UTC) of the last closed candle processed, per timeframe (for /healthz). */
  readonly lastClosed: Partial<Record<Timeframe, number>>;
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
} as const;

export const makeCandleFlow = (deps: FlowDeps) => {
  const { log, metrics } = deps;
  let lastExpiredAt = 0;

  const fetch = (symbol: string, timeframe: Timeframe, startTime: number, endTime: number, limit: number) =>
    Effect.flatMap(Effect.service(MarketData), (md) =>
      md.klines({ symbol, timeframe, startTime, endTime, limit: Math.min(MAX_BACKFILL, Math.max(1, limit)) }),
    ).pipe(
      Effect.catchTag("MarketDataError", (e) =>
        Effect.sync(() => {
          log.warn(`backfill failed: "${symbol}" ${timeframe}: ${e.reason} ${e.message}`, {
            source: e.source,
          });
          return [] as readonly Candle[];
        }),
      ),
    );

  /** Missing closed candles between the series' last and `next` (REST), oldest first. */
  const backfill = (t: TrackedSymbol, timeframe: Timeframe, next: Candle) =>
    Effect.gen(function* () {
      const gap = t.analyzer.series(timeframe).gapBefore(next);
      if (gap === undefined) return [] as readonly Candle[];
      const step = TIMEFRAME_MS[timeframe];
      const endTime = next.openTime - 1;
      const from = Math.max(gap.from, next.openTime - MAX_BACKFILL * step);
      const got = yield* fetch(t.symbol, timeframe, from, endTime, Math.ceil((next.openTime - from) / step));
      const missing = got.filter((c) => c.openTime >= gap.from && c.openTime < next.openTime);
      if (missing.length > 0) {
        metrics.inc(M.backfilled[0], M.backfilled[1], { timeframe }, missing.length);
        log.info(`backfilled ${missing.length} ${timeframe} candles of "${t.symbol}"`, {
          from: isoMinute(gap.from),
          missing: gap.count,
        });
      }
      return missing;
    });

  /** The aggregated 4h/1d candle as the exchange has it: one `limit=2` klines call (weight 1). */
  const confirm = (symbol: string, timeframe: "4h" | "1d", aggregated: AggregatedCandle) =>
    Effect.gen(function* () {
      const a = aggregated.candle;
      const got = yield* fetch(symbol, timeframe, a.openTime, a.closeTime, 2);
      const exchange = got.find((c) => c.openTime === a.openTime);
      const result =
        exchange === undefined
          ? "unconfirmed"
          : exchange.high === a.high &&
              exchange.low === a.low &&
              exchange.close === a.close &&
              exchange.open === a.open
            ? "same"
            : "replaced";
      metrics.inc(M.confirmations[0], M.confirmations[1], { timeframe, result });
      if (result === "unconfirmed")
        log.debug(`${timeframe} candle of "${symbol}" not confirmed by REST, using the aggregate`, {
          openTime: isoMinute(a.openTime),
          complete: aggregated.complete,
        });
      return exchange ?? a;
    });

  const noteAdvance = (symbol: string, result: AdvanceResult) => {
    for (const step of result.steps)
      for (const event of step.events) {
        log.info(`trade "${step.trade.id}" ${describeTradeEvent(event)}`, { symbol });
        if (event._tag === "TargetHit")
          metrics.inc(M.targets[0], M.targets[1], { target: String(event.target) });
        if (event._tag === "Closed")
          metrics.inc(M.tradesClosed[0], M.tradesClosed[1], { reason: event.reason });
      }
    for (const e of result.memoryEvents) {
      log.info(`memory: ${describeMemoryEvent(e)}`);
      metrics.inc(M.memoryEvents[0], M.memoryEvents[1], { rule: e.rule, action: e.action });
    }
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

  /** Memory locks whose time has come are lifted once per candle close; their events become alerts. */
  const expireMemory = (time: number) =>
    Effect.gen(function* () {
      if (time <= lastExpiredAt) return;
      lastExpiredAt = time;
      const events = yield* (yield* Memory).expire;
      if (events.length === 0) return;
      const store = yield* SignalStore;
      for (const event of events) {
        log.info(`memory: ${describeMemoryEvent(event)}`);
        metrics.inc(M.memoryEvents[0], M.memoryEvents[1], { rule: event.rule, action: event.action });
        yield* store.enqueue({ _tag: "Alert", alert: { kind: "memory", event }, time: event.time });
      }
    });

  const pushHigher = (t: TrackedSymbol, timeframe: "4h" | "1d", candle: Candle) =>
    Effect.gen(function* () {
      for (const c of yield* backfill(t, timeframe, candle)) t.analyzer.push(timeframe, c);
      const r = t.analyzer.push(timeframe, candle);
      if (r._tag !== "Rejected") {
        metrics.inc(M.candles[0], M.candles[1], { timeframe });
        deps.lastClosed[timeframe] = closedAt(candle);
      }
    });

  /** One closed 30m candle in order: `analyse` false for backfilled history. */
  const apply = (t: TrackedSymbol, candle: Candle, analyse: boolean) =>
    Effect.gen(function* () {
      const time = closedAt(candle);
      yield* expireMemory(time);
      const { book } = yield* Pipeline;
      if (book.count(t.symbol) > 0)
        noteAdvance(t.symbol, yield* advanceOpenTrades(t.symbol, candleTick(candle, true), t.info));
      for (const { timeframe, aggregated } of t.aggregate(candle))
        yield* pushHigher(t, timeframe, yield* confirm(t.symbol, timeframe, aggregated));
      t.analyzer.push("30m", candle);
      metrics.inc(M.candles[0], M.candles[1], { timeframe: "30m" });
      deps.lastClosed["30m"] = Math.max(deps.lastClosed["30m"] ?? 0, time);
      if (!analyse) return;
      const now = yield* Clock.currentTimeMillis;
      if (now - time > MAX_SIGNAL_DELAY_MS) {
        log.debug(`not analysed: "${t.symbol}" candle closed ${Math.round((now - time) / 60_000)} min ago`);
        return;
      }
      metrics.inc(M.scans[0], M.scans[1]);
      const evaluations = t.analyzer.evaluate();
      let setups = 0;
      for (const e of evaluations)
        if (e._tag === "Setup") {
          setups++;
          metrics.inc(M.setups[0], M.setups[1], { model: e.setup.model });
        }
      if (setups === 0) return;
      const signals = yield* processEvaluations(evaluations, {
        ...(t.info === undefined ? {} : { info: t.info }),
        candles: t.recent(),
      });
      for (const s of signals) noteSignal(s);
    });

  /** A closed 30m candle as the stream delivered it: duplicates ignored, gaps backfilled first. */
  const closed = (t: TrackedSymbol, candle: Candle) =>
    Effect.gen(function* () {
      const last = t.lastClosedOpenTime;
      if (last !== undefined && candle.openTime <= last) {
        metrics.inc(M.duplicates[0], M.duplicates[1]);
        return;
      }
      for (const c of yield* backfill(t, "30m", candle)) yield* apply(t, c, false);
      yield* apply(t, candle, true);
    });

  /** A forming tick: only open virtual trades care (a wick can hit a stop). */
  const forming = (t: TrackedSymbol, candle: Candle) =>
    Effect.gen(function* () {
      const last = t.lastClosedOpenTime;
      if (last !== undefined && candle.openTime <= last) return;
      const { book } = yield* Pipeline;
      if (book.count(t.symbol) === 0) return;
      const now = yield* Clock.currentTimeMillis;
      noteAdvance(t.symbol, yield* advanceOpenTrades(t.symbol, candleTick(candle, false, now), t.info));
    });

  return { closed, forming };
};

export type CandleFlow = ReturnType<typeof makeCandleFlow>;
