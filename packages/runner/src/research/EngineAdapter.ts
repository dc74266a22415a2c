/**
 * The one place research talks to the backtest engine: a `RunConfig` over a window of the loaded market,
 * replayed by `runEngine`, giving the engine's replay record. Everything else in research reads records,
 * so moving to another engine (the core's closed-candle use case) changes this file only.
 */
import { AUTOMATIC_RULES } from "@signalbot/core";
import type { Effect } from "effect";
import { WARMUP_CANDLES } from "../backtest/Backtest.ts";
import { runEngine } from "../backtest/Engine.ts";
import { ReplayCursor, type ReplayData, windowOf } from "../backtest/Replay.ts";
import type { ReplayRecord } from "../backtest/Report.ts";
import type { Market } from "./Market.ts";
import type { RunConfig } from "./RunConfig.ts";

/** Candles closing in (from, to] are the period; up to 500 per series before `from` warm the indicators up. */
export interface RunWindow {
  readonly from: number;
  readonly to: number;
}

/** The market's series cut to `window`, warm-up included: candles closing after `to` are not in it. */
export const windowData = (market: Market, window: RunWindow): ReplayData =>
  windowOf(market.data, { from: window.from, to: window.to, warmupCandles: WARMUP_CANDLES });

/** Candles a run over `window` replays (warm-up included): the unit of progress and throughput. */
export const candlesIn = (market: Market, window: RunWindow): number =>
  ReplayCursor.count(windowData(market, window).series);

/** Replays `config` over `window` of `market` through the backtest engine. */
export const replay = (market: Market, window: RunWindow, config: RunConfig): Effect.Effect<ReplayRecord> => {
  const { memory, pipeline } = config;
  return runEngine(windowData(market, window), {
    dataDir: market.source.dataDir,
    from: window.from,
    to: window.to,
    memory: memory.enabled,
    costs: market.costs,
    memoryConfig: {
      baseThreshold: memory.baseThreshold,
      baseMaxSignalsPerDay: memory.baseMaxSignalsPerDay,
      baseRiskPercent: memory.baseRiskPercent,
      startingBalance: memory.startingBalance,
      rules: memory.rules,
      disabledRules: AUTOMATIC_RULES.filter((name) => !memory.switches[name]),
    },
    timeoutCandles: pipeline.timeoutCandles,
    maxOpenTradesPerSymbol: pipeline.maxOpenTradesPerSymbol,
    strategy: config.strategy,
    models: market.models,
    warmupCandles: WARMUP_CANDLES,
  });
};
