/**
 * What the models read: a read-only view of one symbol's indicators on each timeframe at the close of the
 * trigger candle. The analyzer's per-timeframe frames implement these views directly (no copy per candle),
 * so `continuation` and `reversal` stay pure functions of (snapshot, params).
 */
import type { Candle } from "../model/Candle.ts";

/** 30m: the trigger timeframe. Every value is as of the close of `candle`. */
export interface TriggerView {
  readonly candle: Candle;
  /** The candle before `candle` (undefined only before the second candle). */
  readonly previous: Candle | undefined;
  readonly atr: number;
  readonly rsi: number;
  /** RSI at the previous candle. */
  readonly previousRsi: number;
  /** Rate of change in percent over `rocPeriod`. */
  readonly roc: number;
  /** The pullback EMA. */
  readonly ema: number;
  readonly bbUpper: number;
  readonly bbMiddle: number;
  readonly bbLower: number;
  /** Average volume over `volumePeriod` (trigger included). */
  readonly volumeAverage: number;
  /** Highest high / lowest low over `structureLookback` candles (trigger included). */
  readonly swingHigh: number;
  readonly swingLow: number;
  /** Candles since the low last came within `pullbackTouchAtr` ATRs of the EMA (0 = the trigger did). */
  readonly barsSinceTouchFromAbove: number;
  /** Candles since the high last came within `pullbackTouchAtr` ATRs of the EMA. */
  readonly barsSinceTouchFromBelow: number;
  /** Candles since a close below the lower band / above the upper band (0 = the trigger closed outside). */
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

/** 4h: the structure. */
export interface TrendView {
  readonly close: number;
  readonly emaFast: number;
  readonly emaSlow: number;
  readonly atr: number;
  readonly adx: number;
  readonly plusDi: number;
  readonly minusDi: number;
  /** Highest high / lowest low over `targetLookback` 4h candles: the opposing structure for targets. */
  readonly rangeHigh: number;
  readonly rangeLow: number;
}

/** 1d: the bias. */
export interface BiasView {
  readonly close: number;
  readonly ema: number;
  readonly atr: number;
}

export interface Snapshot {
  readonly symbol: string;
  readonly trigger: TriggerView;
  readonly trend: TrendView;
  readonly bias: BiasView;
}
