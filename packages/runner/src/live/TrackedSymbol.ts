/**
 * Everything the live loop keeps for one watched symbol: its analyzer (500 candles per timeframe), the
 * aggregators that build 4h and 1d candles from closed 30m ones, its exchange filters and its last tick.
 * Plain synchronous state; dropping the object frees the candles when the symbol leaves the active set.
 */
import {
  type AggregatedCandle,
  type Candle,
  type StrategyParams,
  SymbolAnalyzer,
  type SymbolInfo,
  type Timeframe,
  TimeframeAggregator,
} from "@signalbot/core";

/**
 * Candles fetched per timeframe at warm-up. The series hold 500; `limit` < 500 costs request weight 2 instead
 * of 5 (GET /fapi/v1/klines), so 40 symbols × 3 timeframes warm up for 240 weight instead of 600.
 */
export const WARMUP_CANDLES = 499;

/**
 * Trigger candles carried by a NewSignal notification for its chart: the chart draws the last 80, the 120
 * before warm its EMA up until it matches the model's (computed over 500) to the pixel.
 */
export const CHART_CANDLES = 200;

export class TrackedSymbol {
  readonly symbol: string;
  info: SymbolInfo | undefined;
  readonly analyzer: SymbolAnalyzer;
  readonly h4 = new TimeframeAggregator("4h");
  readonly d1 = new TimeframeAggregator("1d");
  /** Time of the last kline event (forming or closed), ms UTC. */
  lastTickAt = 0;
  /** Open time of the forming candle whose tick was last applied. */
  lastFormingOpenTime = 0;

  constructor(symbol: string, info: SymbolInfo | undefined, params: Partial<StrategyParams> = {}) {
    this.symbol = symbol;
    this.info = info;
    this.analyzer = new SymbolAnalyzer(symbol, params);
  }

  /**
   * Loads warm-up history (closed candles, ascending). The 30m candles also seed the aggregators, so the
   * first live 4h/1d bucket is complete when the bot started inside it.
   */
  warm(history: Readonly<Record<Timeframe, readonly Candle[]>>): void {
    for (const c of history["1d"]) this.analyzer.push("1d", c);
    for (const c of history["4h"]) this.analyzer.push("4h", c);
    for (const c of history["30m"]) {
      this.analyzer.push("30m", c);
      this.h4.add(c);
      this.d1.add(c);
    }
  }

  /** Open time of the last closed 30m candle, or undefined before any. */
  get lastClosedOpenTime(): number | undefined {
    return this.analyzer.series("30m").lastOpenTime;
  }

  /** Feeds a closed 30m candle to the aggregators: the higher-timeframe candles it closes, 4h first. */
  aggregate(candle: Candle): { readonly timeframe: "4h" | "1d"; readonly aggregated: AggregatedCandle }[] {
    const out: { timeframe: "4h" | "1d"; aggregated: AggregatedCandle }[] = [];
    const h4 = this.h4.add(candle);
    if (h4 !== undefined) out.push({ timeframe: "4h", aggregated: h4 });
    const d1 = this.d1.add(candle);
    if (d1 !== undefined) out.push({ timeframe: "1d", aggregated: d1 });
    return out;
  }

  /** The last `n` closed 30m candles, oldest first (for the chart). */
  recent(n: number = CHART_CANDLES): Candle[] {
    const s = this.analyzer.series("30m");
    const out: Candle[] = [];
    for (let i = Math.max(0, s.length - n); i < s.length; i++) {
      const c = s.at(i);
      if (c !== undefined) out.push(c);
    }
    return out;
  }
}
