/**
 * What the closed-candle step keeps for one symbol between candles: its analyzer (500 candles per timeframe and
 * their indicators), the aggregators that build 4h and 1d candles from closed 30m ones, and its exchange
 * filters. Plain synchronous state, owned by the live loop (one per watched symbol) or by the backtest.
 */
import type { Candle, Timeframe } from "../model/Candle.ts";
import type { SymbolInfo } from "../model/Symbol.ts";
import {
  type AggregatedCandle,
  type AggregateTimeframe,
  TimeframeAggregator,
} from "../series/TimeframeAggregator.ts";
import { type AnalyzerOptions, SymbolAnalyzer } from "../strategy/Analyzer.ts";
import { SETUP_TIMEFRAME } from "../strategy/Snapshot.ts";

/** A higher-timeframe candle a closed 30m candle finished (see `TimeframeAggregator.add`). */
export interface FinishedBucket {
  readonly timeframe: AggregateTimeframe;
  readonly aggregated: AggregatedCandle;
}

export class SymbolState {
  readonly symbol: string;
  /** Exchange filters (tick and step size, min notional); sizing rounds to them when known. */
  info: SymbolInfo | undefined;
  readonly analyzer: SymbolAnalyzer;
  private readonly h4 = new TimeframeAggregator("4h");
  private readonly d1 = new TimeframeAggregator("1d");

  /** `options`: the analyzer's strategy parameters and models (default: `DEFAULT_PARAMS`, `DEFAULT_MODELS`). */
  constructor(symbol: string, info: SymbolInfo | undefined, options: AnalyzerOptions = {}) {
    this.symbol = symbol;
    this.info = info;
    this.analyzer = new SymbolAnalyzer(symbol, options);
  }

  /**
   * Loads history (closed candles, ascending) in event-time order, as a replay feeds it: the three timeframes
   * merged by close time (on a tie 1d, then 4h, then 30m), so a model's own state sees them interleaved as they
   * happened. The 30m candles also seed the aggregators, so the first 4h/1d bucket after the history is complete
   * when the history ends inside it.
   */
  warm(history: Readonly<Record<Timeframe, readonly Candle[]>>): void {
    const d1 = history["1d"];
    const h4 = history["4h"];
    const m30 = history["30m"];
    const closeAt = (xs: readonly Candle[], i: number) => (i < xs.length ? xs[i]!.closeTime : Infinity);
    let i1 = 0;
    let i4 = 0;
    let i30 = 0;
    while (i1 < d1.length || i4 < h4.length || i30 < m30.length) {
      const t1 = closeAt(d1, i1);
      const t4 = closeAt(h4, i4);
      const t30 = closeAt(m30, i30);
      if (t1 <= t4 && t1 <= t30) this.analyzer.push("1d", d1[i1++]!);
      else if (t4 <= t30) this.analyzer.push("4h", h4[i4++]!);
      else {
        const c = m30[i30++]!;
        this.analyzer.push("30m", c);
        this.aggregate(c);
      }
    }
  }

  /** Open time of the last closed 30m candle, or undefined before any. */
  get lastClosedOpenTime(): number | undefined {
    return this.analyzer.series("30m").lastOpenTime;
  }

  /** Feeds a closed 30m candle to the aggregators: the higher-timeframe candles it finishes, 4h first. */
  aggregate(candle: Candle): readonly FinishedBucket[] {
    const h4 = this.h4.add(candle);
    const d1 = this.d1.add(candle);
    if (h4 === undefined && d1 === undefined) return NONE;
    const out: FinishedBucket[] = [];
    if (h4 !== undefined) out.push({ timeframe: "4h", aggregated: h4 });
    if (d1 !== undefined) out.push({ timeframe: "1d", aggregated: d1 });
    return out;
  }

  /** The last `n` closed candles of the setup timeframe (4h), oldest first: what a signal's chart shows. */
  recent(n: number): Candle[] {
    const s = this.analyzer.series(SETUP_TIMEFRAME);
    const out: Candle[] = [];
    for (let i = Math.max(0, s.length - n); i < s.length; i++) {
      const c = s.at(i);
      if (c !== undefined) out.push(c);
    }
    return out;
  }
}

const NONE: readonly FinishedBucket[] = Object.freeze([]);
