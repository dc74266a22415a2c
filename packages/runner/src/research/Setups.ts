/**
 * The raw edge: every setup the analyzer produces, traded alone — no memory, no caps, no score threshold, no
 * one-trade-per-symbol rule; each setup its own virtual trade even when trades overlap — through core's
 * trade state machine (`openTrade`, `advanceTrade`) with the run's costs and timeout. What the models find
 * before any gate chooses among it.
 */
import { candleAt } from "@signalbot/adapters/csv";
import {
  type AggregateTimeframe,
  advanceTrade,
  type CostModel,
  candleTick,
  DEFAULT_MODELS,
  type Model,
  openTrade,
  positionSize,
  type Signal,
  SymbolState,
  signalKey,
  type VirtualTrade,
} from "@signalbot/core";
import { ReplayCursor, type ReplayData } from "../backtest/Replay.ts";
import type { RunConfig } from "./RunConfig.ts";

/** Every setup risks the same: 1 % of 1000 USDT, so 1 R = 10 USDT and money figures read as R × 10. */
export const SETUP_EQUITY = 1000;
export const SETUP_RISK_PERCENT = 1;

export interface SetupTrades {
  /** In opening order; closed, or still open at the end of the data. */
  readonly trades: readonly VirtualTrade[];
  /** The setup's score, by trade (same order). */
  readonly scores: readonly number[];
  /** The setup's score components' values (0..1, before weighting), by trade: what a weight fit reads. */
  readonly values: readonly Readonly<Record<string, number>>[];
}

/** The signal a setup would be if every gate let it through, sized at the fixed risk. */
const signalOf = (setup: Signal["setup"]): Signal | undefined => {
  const size = positionSize({
    equity: SETUP_EQUITY,
    riskPercent: SETUP_RISK_PERCENT,
    entry: setup.entry,
    stop: setup.stop,
  });
  if (size._tag === "Rejected") return undefined;
  return {
    key: signalKey(setup),
    setup,
    status: "emitted",
    threshold: 0,
    sizing: size.sizing,
    adjustments: [],
    createdAt: setup.time,
  };
};

/**
 * Replays `data` (a window with its warm-up) and trades every setup whose trigger closes in
 * [countFrom, countTo); trades run until they close or the data ends.
 */
export const replaySetups = (
  data: ReplayData,
  config: RunConfig,
  costs: CostModel,
  countFrom: number,
  countTo: number,
  models: readonly Model[] = DEFAULT_MODELS,
): SetupTrades => {
  const rules = { costs, timeoutCandles: config.pipeline.timeoutCandles };
  const states = data.symbols.map((s) => new SymbolState(s, undefined, { params: config.strategy, models }));
  // As the engine: a symbol without a 4h or 1d file gets them from its own 30m candles (in the period only
  // complete buckets, as the closed-candle step uses an unconfirmed aggregate).
  const hasFile = data.symbols.map((symbol) => {
    const has = (tf: AggregateTimeframe) =>
      data.series.some((s) => s.symbol === symbol && s.timeframe === tf);
    return { "4h": has("4h"), "1d": has("1d") };
  });
  const open: VirtualTrade[][] = data.symbols.map(() => []);
  const trades: VirtualTrade[] = [];
  const scores: number[] = [];
  const values: Record<string, number>[] = [];
  const at = new Map<string, number>();
  const cursor = new ReplayCursor(data.series);
  while (cursor.next()) {
    const s = data.series[cursor.series]!;
    const candle = candleAt(s.columns, cursor.row);
    const { analyzer } = states[s.symbolIndex]!;
    if (s.timeframe !== "30m") {
      analyzer.push(s.timeframe, candle);
      continue;
    }
    for (const { timeframe, aggregated } of states[s.symbolIndex]!.aggregate(candle))
      if (!hasFile[s.symbolIndex]![timeframe] && (aggregated.complete || cursor.row < s.start))
        analyzer.push(timeframe, aggregated.candle);
    if (cursor.row >= s.start) {
      const mine = open[s.symbolIndex]!;
      const tick = candleTick(candle, true);
      for (let k = mine.length - 1; k >= 0; k--) {
        const step = advanceTrade(mine[k]!, tick, rules);
        trades[at.get(step.trade.id)!] = step.trade;
        if (step.trade.status === "closed") mine.splice(k, 1);
        else mine[k] = step.trade;
      }
    }
    analyzer.push("30m", candle);
    if (cursor.row < s.start) continue;
    const time = candle.closeTime + 1;
    if (time <= countFrom || time > countTo) continue;
    for (const e of analyzer.evaluate()) {
      if (e._tag !== "Setup") continue;
      const signal = signalOf(e.setup);
      if (signal === undefined) continue;
      const trade = openTrade(signal, costs);
      at.set(trade.id, trades.length);
      trades.push(trade);
      scores.push(e.setup.score);
      const v: Record<string, number> = {};
      for (const c of e.setup.components) v[c.name] = c.value;
      values.push(v);
      open[s.symbolIndex]!.push(trade);
    }
  }
  return { trades, scores, values };
};
