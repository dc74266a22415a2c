/**
 * @signalbot/core — the pure domain of signalbot: candles, indicators (TA-Lib semantics), the two models
 * and their scoring, risk sizing, the virtual-trade lifecycle and the adaptive memory layer.
 * No I/O, no clock reads: time comes from Effect's Clock, data through the ports.
 */

export * from "./indicator/Adx.ts";
export * from "./indicator/Atr.ts";
export * from "./indicator/Bollinger.ts";
export * from "./indicator/Ema.ts";
export * from "./indicator/Indicator.ts";
export * from "./indicator/Macd.ts";
export * from "./indicator/Roc.ts";
export * from "./indicator/RollingExtreme.ts";
export * from "./indicator/Rsi.ts";
export * from "./indicator/Sma.ts";
export * from "./memory/DrawdownRiskCut.ts";
export * from "./memory/DrawdownSignalCap.ts";
export * from "./memory/LossStreakPause.ts";
export * from "./memory/ManualPause.ts";
export * from "./memory/Memory.ts";
export * from "./memory/MemoryState.ts";
export * from "./memory/ModelDisable.ts";
export * from "./memory/ModelPreference.ts";
export * from "./memory/Outcome.ts";
export * from "./memory/Rule.ts";
export * from "./memory/SymbolCooldown.ts";
export * from "./memory/SymbolScorePenalty.ts";
export * from "./memory/WinRateThreshold.ts";
export * from "./model/Candle.ts";
export * from "./model/Notification.ts";
export * from "./model/Signal.ts";
export * from "./model/Symbol.ts";
export * from "./model/Time.ts";
export * from "./model/Trade.ts";
export * from "./port/HigherTimeframes.ts";
export * from "./port/KeyValueStore.ts";
export * from "./port/MarketData.ts";
export * from "./port/MemoryStore.ts";
export * from "./port/Notifier.ts";
export * from "./port/SignalStore.ts";
export * from "./port/StoreError.ts";
export * from "./risk/DailyCap.ts";
export * from "./risk/PositionSize.ts";
export * from "./risk/ScoreGate.ts";
export * from "./series/CandleSeries.ts";
export * from "./series/TimeframeAggregator.ts";
export * from "./strategy/Analyzer.ts";
export * from "./strategy/Continuation.ts";
export * from "./strategy/Levels.ts";
export * from "./strategy/Params.ts";
export * from "./strategy/Reasons.ts";
export * from "./strategy/Reversal.ts";
export * from "./strategy/Score.ts";
export * from "./strategy/Snapshot.ts";
export * from "./trade/Funding.ts";
export * from "./trade/OpenTrades.ts";
export * from "./trade/VirtualTrade.ts";
export * from "./universe/Rotation.ts";
export * from "./usecase/advanceOpenTrades.ts";
export * from "./usecase/OutboxWorker.ts";
export * from "./usecase/onClosedCandle.ts";
export * from "./usecase/onFormingTick.ts";
export * from "./usecase/Pipeline.ts";
export * from "./usecase/processEvaluations.ts";
export * from "./usecase/restoreOpenTrades.ts";
export * from "./usecase/SymbolState.ts";
export * from "./usecase/signalsToday.ts";
