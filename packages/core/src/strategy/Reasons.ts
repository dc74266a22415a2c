/**
 * The stable reason codes the models emit (`Reason.code`), with the data each carries. The notifier phrases
 * them in Vietnamese; a code never changes meaning once released — add new codes instead.
 */

/** Why a model found no setup on the closed trigger candle (`NoSetup.reason`). */
export type NoSetupCode =
  /** {timeframe, need, have}: not enough closed candles yet for the indicators of that timeframe. */
  | "warmup"
  /** {timeframe}: the last 4h/1d candle is more than two periods old (missing data): the view would be stale. */
  | "staleTimeframe"
  /** {}: the trigger candle does not complete a 4h candle: both built-in models fire on 4h closes only. */
  | "betweenTrendCloses"
  /** {}: the 1d close and EMAs do not agree on a direction (continuation) / close exactly on its EMA. */
  | "noBias"
  /** {timeframe: "4h"}: 4h close/EMAs not stacked in the 1d bias direction. */
  | "trendNotAligned"
  /** {adx, min}: 4h ADX below the minimum. */
  | "trendWeak"
  /** {window}: no 4h touch of the fast EMA in the last `window` candles. */
  | "noPullback"
  /** {}: the 4h trigger candle does not resume the trend (close beyond the EMA and the previous extreme). */
  | "noTrigger"
  /** {rsi, min}: 4h RSI on the wrong side of the momentum zone (or ROC against the trade). */
  | "momentumWeak"
  /** {rsi, max}: 4h RSI already overbought (long) / oversold (short). */
  | "overextended"
  /** {window}: no 4h close outside a Bollinger band in the last `window` 4h candles. */
  | "noBandPierce"
  /** {}: pierced, but the trigger candle did not close back inside the band in the reversal direction. */
  | "noReentry"
  /** {rsi, limit}: the RSI did not reach the oversold/overbought extreme in the window. */
  | "rsiNotExtreme"
  /** {rsi, previous}: the RSI is not turning back from the extreme (models before v2; no longer emitted). */
  | "rsiNotTurning"
  /** {adx}: a strong 4h trend opposes the reversal (models before v2; no longer emitted). */
  | "higherTimeframeOpposing"
  /** {}: ATR is zero or undefined (flat market). */
  | "invalidAtr"
  /** {stopAtr, max}: the structure stop is further than `maxStopAtr` ATRs. */
  | "stopTooWide"
  /** {rr, min}: reward/risk to TP2 (after the structure cap) below RR_MIN. */
  | "rrBelowMin"
  /**
   * {problem}: the model answered with a malformed setup (a stop on the wrong side, a score outside 0–100,
   * another model's or candle's name...), which the analyzer never lets through (see `setupProblem`).
   */
  | "invalidSetup";

/** What a setup's `reasons` say in its favour (in this order). */
export type SetupReasonCode =
  /** {timeframe: "1d", ema, distanceAtr}: 1d close on the trade side of its EMA. */
  | "dailyBias"
  /** {timeframe: "4h", adx}: 4h close and EMAs stacked in the trade direction. */
  | "trendAligned"
  /** {ema}: 30m pulled back to its EMA and the trigger candle resumed the trend. */
  | "pullbackResumed"
  /** {rsi, roc}: 30m momentum in the trade direction. */
  | "momentum"
  /** {band: "lower" | "upper", depthAtr}: price pierced the Bollinger band... */
  | "bandPierced"
  /** {band}: ...and the trigger candle closed back inside it. */
  | "closedBackInside"
  /** {rsi, extreme}: the RSI reached an extreme and is turning. */
  | "rsiTurn"
  /** {ratio}: trigger volume vs its 30m average, when above 1. */
  | "volumeAboveAverage"
  /** {level}: TP2 (or TP3) placed just before an opposing 4h structure level. */
  | "targetAtStructure";

export type ReasonCode = NoSetupCode | SetupReasonCode;
