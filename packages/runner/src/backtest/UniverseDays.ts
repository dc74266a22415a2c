/**
 * The backtest's universe filter: every symbol is screened once per UTC day of the replay from its own data —
 * core's `screenSymbol` on its last daily candles and its age since the first candle of the data — as the live
 * bot screens the ranked list at every refresh. A symbol left out that day has its setups dropped (live it would
 * not be watched); the days it was left out are recorded as periods, each with the reason of its first day.
 */
import {
  type Candle,
  type CandleSeries,
  DAY_MS,
  DEFAULT_UNIVERSE_FILTER,
  makeParams,
  screenSymbol,
  type UniverseFilterConfig,
  type UniverseSkip,
  utcDayStart,
  warmupCandles,
} from "@signalbot/core";

/** Core's filter with the models' daily warm-up as the least age: what live uses by default. */
export const defaultUniverseFilter = (): UniverseFilterConfig => ({
  ...DEFAULT_UNIVERSE_FILTER,
  minAgeDays: warmupCandles(makeParams({}))["1d"],
});

/** A run of days a symbol was left out for the same reason. */
export interface UniverseSkipPeriod {
  readonly symbol: string;
  /** First UTC day left out (ms). */
  readonly from: number;
  /** One past the last day left out (ms). */
  readonly to: number;
  /** The reason, with the numbers of the first day. */
  readonly skip: UniverseSkip;
}

interface Verdict {
  day: number;
  skip: UniverseSkip | undefined;
  /** The open period of the symbol, when left out: its first and its last day screened. */
  open: { from: number; last: number; skip: UniverseSkip } | undefined;
}

export class UniverseDays {
  private readonly verdicts: Verdict[];
  private readonly closed: UniverseSkipPeriod[] = [];

  constructor(
    private readonly filter: UniverseFilterConfig | undefined,
    private readonly symbols: readonly string[],
    /** Per symbol, the open time of its first candle in the data (its "listing" as far as the data knows). */
    private readonly listedAt: readonly number[],
  ) {
    this.verdicts = symbols.map(() => ({ day: Number.NaN, skip: undefined, open: undefined }));
  }

  /**
   * Whether symbol `index` is in the universe at `time` (a close), screened on the first close of each UTC day
   * with the daily candles closed by then. Always true without a filter.
   */
  admits(index: number, time: number, daily: CandleSeries): boolean {
    if (this.filter === undefined) return true;
    const v = this.verdicts[index]!;
    const day = utcDayStart(time);
    if (v.day !== day) {
      v.day = day;
      v.skip = this.screen(index, time, daily);
      this.track(index, v, day);
    }
    return v.skip === undefined;
  }

  /**
   * Every period a symbol was left out, from its first to its last day screened (a symbol is screened on the
   * days it has trigger candles: a gap in its data is not counted as left out).
   */
  periods(): UniverseSkipPeriod[] {
    const out = [...this.closed];
    this.verdicts.forEach((v, i) => {
      if (v.open !== undefined)
        out.push({
          symbol: this.symbols[i]!,
          from: v.open.from,
          to: v.open.last + DAY_MS,
          skip: v.open.skip,
        });
    });
    return out.sort((a, b) => a.from - b.from || (a.symbol < b.symbol ? -1 : 1));
  }

  private screen(index: number, time: number, daily: CandleSeries): UniverseSkip | undefined {
    const filter = this.filter!;
    const candles: Candle[] = [];
    for (let i = Math.max(0, daily.length - filter.rangeDays); i < daily.length; i++) {
      const c = daily.at(i);
      if (c !== undefined) candles.push(c);
    }
    const verdict = screenSymbol(
      { symbol: this.symbols[index]!, listedAt: this.listedAt[index]!, listedFrom: "data", daily: candles },
      filter,
      time,
    );
    return verdict._tag === "Skipped" ? verdict.skip : undefined;
  }

  private track(index: number, v: Verdict, day: number): void {
    if (v.open !== undefined && v.open.skip.code !== v.skip?.code) {
      const { from, last, skip } = v.open;
      this.closed.push({ symbol: this.symbols[index]!, from, to: last + DAY_MS, skip });
      v.open = undefined;
    }
    if (v.skip === undefined) return;
    if (v.open === undefined) v.open = { from: day, last: day, skip: v.skip };
    else v.open.last = day;
  }
}
