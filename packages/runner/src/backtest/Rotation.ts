/**
 * The live rotation in a replay (`--max-symbols`): which symbols the bot would have watched at each moment,
 * by core's `activeSet` — the fixed symbols, those with an open trade (pinned), and a window of the
 * top-volume list that moves every rotation slot — with the list re-ranked every universe refresh by the
 * last 24 h of quote volume in the data (the exchange's 24 h ticker, rebuilt from the candles). A symbol
 * outside the set gets its candles as history only: indicators, no trade step, no signal. As live (core's
 * timing rule, `slotCloses`), the candle closing at a slot boundary is analysed by the window leaving there as
 * well as by the one entering.
 */
import { activeSet, DAY_MS, lowerBound } from "@signalbot/core";
import type { ReplayData } from "./Replay.ts";

export interface RotationOptions {
  /** MAX_SYMBOLS_SUBSCRIBED: symbols watched at once, fixed ones included. */
  readonly maxSymbols: number;
  /** FIXED_SYMBOLS, always watched (when the data lists them). */
  readonly fixed: readonly string[];
  /** ROTATION_SLOT_SECONDS in ms: how long one window of rotating symbols stays. */
  readonly slotMs: number;
  /** UNIVERSE_REFRESH_SECONDS in ms: how often the top-volume list is re-ranked. */
  readonly refreshMs: number;
}

export class ReplayRotation {
  private readonly index = new Map<string, number>();
  private readonly trigger: (
    | { closeTime: Float64Array; close: Float64Array; volume: Float64Array }
    | undefined
  )[];
  private readonly watched: boolean[];
  /** The previous slot's set, still watched for the candle closing at the boundary (`boundary`). */
  private readonly leaving: boolean[];
  private boundary = Number.NaN;
  private now = Number.NaN;
  private ranked: readonly string[] = [];
  private listed = new Set<string>();
  private slot = Number.NaN;
  private refresh = Number.NaN;
  /** 30m candles each symbol analysed (went through the trading step). */
  readonly analysed: number[];

  constructor(
    private readonly data: ReplayData,
    private readonly options: RotationOptions,
  ) {
    for (let i = 0; i < data.symbols.length; i++) this.index.set(data.symbols[i]!, i);
    this.trigger = data.symbols.map((symbol) => {
      const s = data.series.find((x) => x.symbol === symbol && x.timeframe === "30m");
      return s === undefined ? undefined : s.columns;
    });
    this.watched = data.symbols.map(() => false);
    this.leaving = data.symbols.map(() => false);
    this.analysed = data.symbols.map(() => 0);
  }

  /** Symbols with trigger candles closing in the 24 h before `time`, by their quote volume (Σ close × volume). */
  private rank(time: number): string[] {
    const volumes: { symbol: string; quote: number }[] = [];
    for (let i = 0; i < this.data.symbols.length; i++) {
      const symbol = this.data.symbols[i]!;
      const c = this.trigger[i];
      if (c === undefined) continue;
      // Rows closing in (time − 24 h, time]: closeTime + 1 in that span.
      const from = lowerBound(c.closeTime, time - DAY_MS);
      const to = lowerBound(c.closeTime, time);
      let quote = 0;
      for (let k = from; k < to; k++) quote += c.close[k]! * c.volume[k]!;
      if (to > from) volumes.push({ symbol, quote });
    }
    return volumes.sort((a, b) => b.quote - a.quote || (a.symbol < b.symbol ? -1 : 1)).map((v) => v.symbol);
  }

  /**
   * Moves to event time `time` (call before each candle of the period): the list is re-ranked when a universe
   * refresh falls due, and the active set recomputed when a new rotation slot starts, with the symbols that
   * have an open trade pinned, as the live loop does.
   */
  advance(time: number, pinned: () => Iterable<string>): void {
    this.now = time;
    const refresh = Math.floor(time / this.options.refreshMs);
    if (refresh !== this.refresh) {
      this.refresh = refresh;
      this.ranked = this.rank(time);
      this.listed = new Set(this.ranked);
    }
    const slot = Math.floor(time / this.options.slotMs);
    if (slot === this.slot) return;
    // A window leaving at this very instant still has the candle that closes here.
    const atBoundary = slot === this.slot + 1 && time === slot * this.options.slotMs;
    for (let i = 0; i < this.watched.length; i++) this.leaving[i] = atBoundary && this.watched[i] === true;
    this.boundary = atBoundary ? time : Number.NaN;
    this.slot = slot;
    const set = activeSet({
      fixed: this.options.fixed.filter((s) => this.listed.has(s)),
      ranked: this.ranked,
      maxSymbols: this.options.maxSymbols,
      slotMs: this.options.slotMs,
      time,
      pinned: [...pinned()],
    });
    this.watched.fill(false);
    for (const s of set.symbols) {
      const i = this.index.get(s);
      if (i !== undefined) this.watched[i] = true;
    }
  }

  /** Is the symbol in the active set of the current slot (or of the one that left at this instant's boundary)? */
  isWatched(symbolIndex: number): boolean {
    return (
      this.watched[symbolIndex] === true || (this.now === this.boundary && this.leaving[symbolIndex] === true)
    );
  }
}
