/**
 * What the models read: a read-only view of one symbol's indicators on each timeframe at the close of the
 * trigger candle. The analyzer's per-timeframe frames implement these views directly (no copy per candle),
 * so `continuation` and `reversal` stay pure functions of (snapshot, params).
 */
import type { Candle, Timeframe } from "../model/Candle.ts";
import type { StrategyParams } from "./Params.ts";

/**
 * The timeframe the built-in models set up on (their indicators, stops and lines): the chart of a signal shows
 * its candles, so the lines drawn are the model's own.
 */
export const SETUP_TIMEFRAME: Timeframe = "4h";

/** 30m: the stream's closed candle the decision is taken on (its close is the entry). */
export interface TriggerView {
  readonly candle: Candle;
  /** The candle before `candle` (undefined only before the second candle). */
  readonly previous: Candle | undefined;
  readonly atr: number;
}

/**
 * 4h: the structure and the setups. Every value is as of the close of `candle`, the last CLOSED 4h candle;
 * a setup fires only when that candle closed at the same instant as the trigger (`candle.closeTime` equal to
 * the trigger's).
 */
export interface TrendView {
  readonly candle: Candle;
  readonly previous: Candle | undefined;
  readonly close: number;
  readonly emaFast: number;
  readonly emaSlow: number;
  readonly atr: number;
  readonly adx: number;
  readonly plusDi: number;
  readonly minusDi: number;
  readonly rsi: number;
  /** Rate of change in percent over `rocPeriod`. */
  readonly roc: number;
  readonly bbUpper: number;
  readonly bbMiddle: number;
  readonly bbLower: number;
  /** Average volume over `volumePeriod` (this candle included). */
  readonly volumeAverage: number;
  /** Highest high / lowest low over `structureLookback` candles (this one included): where stops go beyond. */
  readonly swingHigh: number;
  readonly swingLow: number;
  /** Highest high / lowest low over `targetLookback` candles: the opposing structure for a reversal's targets. */
  readonly rangeHigh: number;
  readonly rangeLow: number;
  /** Candles since the low last came within `pullbackTouchAtr` ATRs of the fast EMA (0 = this candle did). */
  readonly barsSinceTouchFromAbove: number;
  /** Candles since the high last came within `pullbackTouchAtr` ATRs of the fast EMA. */
  readonly barsSinceTouchFromBelow: number;
  /** Candles since a close below the lower band / above the upper band (0 = this candle closed outside). */
  readonly barsSinceCloseBelowLower: number;
  readonly barsSinceCloseAboveUpper: number;
  /** Over the last `pierceWindow + 1` candles: deepest pierce beyond each band, in ATRs (≥ 0). */
  readonly maxPierceBelowAtr: number;
  readonly maxPierceAboveAtr: number;
  /** Over the last `pierceWindow + 1` candles: lowest and highest RSI, highest volume/average ratio. */
  readonly windowRsiMin: number;
  readonly windowRsiMax: number;
  readonly windowVolumeRatioMax: number;
}

/** 1d: the bias. */
export interface BiasView {
  readonly close: number;
  /** The slow EMA (`biasEma`) and the fast one (`biasEmaFast`). */
  readonly ema: number;
  readonly emaFast: number;
  readonly atr: number;
}

/** Every timeframe's view as of the trigger candle's close (the indicators' periods are `StrategyParams`). */
export interface Snapshot {
  readonly symbol: string;
  readonly trigger: TriggerView;
  readonly trend: TrendView;
  readonly bias: BiasView;
}

/** True when the last closed 4h candle closed with the trigger: the instant a 4h setup may fire. */
export const onTrendClose = (snap: Snapshot): boolean =>
  snap.trend.candle.closeTime === snap.trigger.candle.closeTime;

/**
 * Closed candles each timeframe needs before every value of the snapshot is defined (its indicators and the
 * windows over them): the built-in models' warm-up, and a safe one for a model that reads the snapshot.
 */
export const warmupCandles = (p: StrategyParams): Readonly<Record<Timeframe, number>> => ({
  "30m": p.atrPeriod + 1,
  "4h":
    Math.max(
      p.trendEmaSlow,
      p.trendEmaFast,
      2 * p.adxPeriod,
      p.atrPeriod + 1,
      p.rsiPeriod + 1,
      p.rocPeriod + 1,
      p.bbPeriod,
      p.volumePeriod,
      p.structureLookback,
      p.targetLookback,
    ) +
    p.pierceWindow +
    1,
  "1d": Math.max(p.biasEma, p.biasEmaFast, p.atrPeriod + 1),
});
