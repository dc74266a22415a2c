/**
 * Mark-to-market equity of a replay: at every 30m close of the period, the starting equity plus every
 * closed trade's result plus every open trade valued at its symbol's latest close (core's `markToMarket`,
 * funding paid so far included). Rebuilt from the trades' fills and the candle data alone, so it does not
 * depend on how the engine got there. Drawdown and daily returns are read off this series: up to ten trades
 * can be open at once, and a closed-trades-only curve hides their dips.
 */
import {
  type FundingCharge,
  type FundingRates,
  fundingCharges,
  markToMarket,
  TIMEFRAME_MS,
  type VirtualTrade,
} from "@signalbot/core";

/** The columns of a symbol's 30m candles the report reads (`KlineColumns` fits). */
export interface PriceSeries {
  readonly length: number;
  readonly openTime: ArrayLike<number>;
  readonly open: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  readonly closeTime: ArrayLike<number>;
}

/** What the report needs besides the replay record: prices to value open trades, and the funding source. */
export interface ReportMarket {
  /** 30m candles per symbol, ascending. */
  readonly candles: ReadonlyMap<string, PriceSeries>;
  readonly funding: FundingRates;
}

export interface MarkedEquity {
  /** The period start, then every 30m close up to the period end (ms UTC). */
  readonly times: Float64Array;
  readonly equity: Float64Array;
}

const STEP = TIMEFRAME_MS["30m"];

/** Index of the last candle of `s` closed by `time` (closeTime + 1 ≤ time), or -1. */
export const lastClosedBy = (s: PriceSeries, time: number, from = 0): number => {
  let i = Math.max(-1, from);
  while (i + 1 < s.length && s.closeTime[i + 1]! + 1 <= time) i++;
  return i;
};

interface Book {
  readonly trade: VirtualTrade;
  readonly series: PriceSeries | undefined;
  readonly charges: readonly FundingCharge[];
  candle: number;
  charged: number;
  paid: number;
}

/** Funding paid by `b.trade` up to `time` (the charges are in time order; `b` remembers how far it got). */
const paidBy = (b: Book, time: number): number => {
  while (b.charged < b.charges.length && b.charges[b.charged]!.time <= time)
    b.paid += b.charges[b.charged++]!.amount;
  return b.paid;
};

/** What equity is counted in: quote currency (pnl), or R (each trade's result over its initial risk). */
export type EquityUnit = "money" | "R";

/** The open part of a trade valued at `time`: its symbol's latest close, else its last known price. */
const markedValue = (b: Book, time: number, unit: EquityUnit): number => {
  if (b.series !== undefined) b.candle = lastClosedBy(b.series, time, b.candle);
  const price = b.series !== undefined && b.candle >= 0 ? b.series.close[b.candle]! : b.trade.lastPrice;
  const v = markToMarket(b.trade, time, price, paidBy(b, time));
  return unit === "R" ? v.rMultiple : v.pnl;
};

/**
 * The marked equity at the period start and at each 30m close until `end`. `trades` are the replay's final
 * trade states (closed or still open at the end). In R (`unit: "R"`, start at 0) it is the cumulative R of
 * closed trades plus the open ones' R so far: the walk-forward's drawdown, where trades from several runs
 * (each sized from its own equity) are pooled.
 */
export const markedEquity = (
  trades: readonly VirtualTrade[],
  market: ReportMarket,
  startingEquity: number,
  start: number,
  end: number,
  unit: EquityUnit = "money",
): MarkedEquity => {
  const n = Math.max(1, Math.floor((end - start) / STEP) + 1);
  const times = new Float64Array(n);
  const equity = new Float64Array(n);
  const pending = [...trades].sort((a, b) => a.openedAt - b.openedAt);
  const open: Book[] = [];
  let next = 0;
  let realised = 0;
  for (let k = 0; k < n; k++) {
    const t = k === n - 1 ? end : start + k * STEP;
    while (next < pending.length && pending[next]!.openedAt <= t) {
      const trade = pending[next++]!;
      open.push({
        trade,
        series: market.candles.get(trade.symbol),
        charges: fundingCharges(trade, trade.closedAt ?? end, market.funding),
        candle: -1,
        charged: 0,
        paid: 0,
      });
    }
    let marked = 0;
    for (let i = open.length - 1; i >= 0; i--) {
      const b = open[i]!;
      if (b.trade.closedAt !== undefined && b.trade.closedAt <= t) {
        realised += (unit === "R" ? b.trade.rMultiple : b.trade.pnl) ?? 0;
        open.splice(i, 1);
      } else marked += markedValue(b, t, unit);
    }
    times[k] = t;
    equity[k] = startingEquity + realised + marked;
  }
  return { times, equity };
};

/** A still-open trade at the end of the replay, valued at its symbol's last close. */
export interface OpenTradeValue {
  readonly id: string;
  readonly symbol: string;
  readonly model: VirtualTrade["model"];
  readonly side: VirtualTrade["side"];
  readonly openedAt: number;
  readonly entry: number;
  readonly stop: number;
  readonly targetsHit: number;
  /** The close it is valued at, and when. */
  readonly markPrice: number;
  readonly markTime: number;
  readonly funding: number;
  readonly pnl: number;
  readonly rMultiple: number;
}

/** Every trade still open at `end`, valued as the marked equity values it. */
export const openAtEnd = (
  trades: readonly VirtualTrade[],
  market: ReportMarket,
  end: number,
): OpenTradeValue[] =>
  trades
    .filter((t) => t.status === "open")
    .map((trade) => {
      const series = market.candles.get(trade.symbol);
      const i = series === undefined ? -1 : lastClosedBy(series, end);
      const markPrice = series !== undefined && i >= 0 ? series.close[i]! : trade.lastPrice;
      const markTime = series !== undefined && i >= 0 ? series.closeTime[i]! + 1 : end;
      let funding = 0;
      for (const c of fundingCharges(trade, end, market.funding)) funding += c.amount;
      const v = markToMarket(trade, end, markPrice, funding);
      return {
        id: trade.id,
        symbol: trade.symbol,
        model: trade.model,
        side: trade.side,
        openedAt: trade.openedAt,
        entry: trade.entry,
        stop: trade.stop,
        targetsHit: trade.targetsHit,
        markPrice,
        markTime,
        funding,
        pnl: v.pnl,
        rMultiple: v.rMultiple,
      };
    });

export interface DailyEquity {
  /** UTC midnight opening the day. */
  readonly time: number;
  /** Marked equity at the day's last 30m close (or the period end). */
  readonly equity: number;
  /** Lowest marked equity during the day. */
  readonly low: number;
  /** Deepest drawdown from the running peak reached during the day, in %. */
  readonly drawdownPct: number;
}

const DAY = 86_400_000;

/** One point per UTC day of the marked equity. */
export const dailyEquity = (marked: MarkedEquity): DailyEquity[] => {
  const out: DailyEquity[] = [];
  let peak = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < marked.times.length; k++) {
    const t = marked.times[k]!;
    const e = marked.equity[k]!;
    if (e > peak) peak = e;
    const dd = peak > 0 ? ((peak - e) / peak) * 100 : 0;
    // A close at 00:00 ends the previous day.
    const day = Math.floor((t - 1) / DAY) * DAY;
    const last = out[out.length - 1];
    if (k > 0 && last !== undefined && last.time === day) {
      out[out.length - 1] = {
        time: day,
        equity: e,
        low: Math.min(last.low, e),
        drawdownPct: Math.max(last.drawdownPct, dd),
      };
    } else if (k > 0) out.push({ time: day, equity: e, low: e, drawdownPct: dd });
  }
  return out;
};
