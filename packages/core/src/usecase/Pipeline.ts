/**
 * What the signal pipeline's use cases share in one process: their configuration, the book of open virtual
 * trades, and the lock that makes "count today's signals, then emit" atomic across concurrent symbol scans.
 */
import { Context, Layer, Semaphore } from "effect";
import { DEFAULT_MAX_COST_R } from "../risk/CostGate.ts";
import { DEFAULT_MAX_LEVERAGE } from "../risk/LeverageCap.ts";
import { OpenTrades } from "../trade/OpenTrades.ts";
import {
  type CostModel,
  DEFAULT_COSTS,
  DEFAULT_TIMEOUT_CANDLES,
  type TradeRules,
} from "../trade/VirtualTrade.ts";

export interface PipelineConfig {
  /** Fees and slippage on every virtual fill, funding while open (default 0.05 % taker, 0.02 % slippage, 0.01 %/8 h). */
  readonly costs: CostModel;
  /** Closed trigger candles after which an unresolved trade closes at the last price (default 48 = 24 h of 30m). */
  readonly timeoutCandles: number;
  /** Open virtual trades allowed per symbol; a new setup beyond it is blocked with `openTrade` (default 1). */
  readonly maxOpenTradesPerSymbol: number;
  /**
   * Record setups blocked ONLY by their score in the store (default true). Recording makes the decision on
   * a candle final: a replayed or re-processed candle can never emit late because the threshold dropped
   * meanwhile. A backtest that only wants emitted signals in its database may turn it off (the blocked
   * signals are still returned to the caller).
   */
  readonly recordBelowThreshold: boolean;
  /**
   * A setup whose round trip (fee + slippage, entry and exit, from `costs`) costs more than this many R is
   * rejected with `costAboveRisk` (MAX_COST_R, default 0.2; see risk/CostGate).
   */
  readonly maxCostR: number;
  /**
   * A setup whose position at the sizing's risk would need more than this leverage (notional ÷ equity) is
   * rejected with `leverageAboveCap` (MAX_LEVERAGE, default 10; see risk/LeverageCap).
   */
  readonly maxLeverage: number;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  costs: DEFAULT_COSTS,
  timeoutCandles: DEFAULT_TIMEOUT_CANDLES,
  maxOpenTradesPerSymbol: 1,
  recordBelowThreshold: true,
  maxCostR: DEFAULT_MAX_COST_R,
  maxLeverage: DEFAULT_MAX_LEVERAGE,
};

export class Pipeline extends Context.Service<
  Pipeline,
  {
    readonly config: PipelineConfig;
    /** `config.costs` and `config.timeoutCandles` as the trade state machine takes them. */
    readonly rules: TradeRules;
    readonly book: OpenTrades;
    /** One permit: the daily-cap count and the emit happen under it. */
    readonly emitLock: Semaphore.Semaphore;
  }
>()("signalbot/core/Pipeline") {
  /** A fresh pipeline (empty book) with `config` over the defaults. */
  static readonly layer = (config: Partial<PipelineConfig> = {}): Layer.Layer<Pipeline> =>
    Layer.sync(Pipeline, () => {
      const full: PipelineConfig = { ...DEFAULT_PIPELINE_CONFIG, ...config };
      return Pipeline.of({
        config: full,
        rules: { costs: full.costs, timeoutCandles: full.timeoutCandles },
        book: new OpenTrades(),
        emitLock: Semaphore.makeUnsafe(1),
      });
    });
}
