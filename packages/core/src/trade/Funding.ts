/**
 * Funding on perpetual futures, charged on virtual trades as the exchange charges real positions: at every
 * funding time a position pays `rate × mark price × quantity` (longs pay a positive rate, shorts receive it;
 * a negative rate reverses the flow). Binance USD-M settles most contracts every 8 h at 00:00, 08:00 and
 * 16:00 UTC. Pure functions: the live bot and the backtest compute the same charge from the same inputs.
 * @see https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Get-Funding-Rate-History
 */
import type { Fill, VirtualTrade } from "../model/Trade.ts";

/** One funding settlement: when, at what rate (0.0001 = 0.01 %), and the mark price when known. */
export interface FundingSettlement {
  readonly time: number;
  readonly rate: number;
  /** Mark price at the settlement; absent (or 0) when unknown: the trade's entry price stands in. */
  readonly markPrice?: number;
}

/** Where funding rates come from: a flat assumption, or recorded settlements (`<SYMBOL>-funding.csv`). */
export interface FundingRates {
  /** The settlements of `symbol` with `from < time ≤ to`, oldest first. */
  readonly between: (symbol: string, from: number, to: number) => readonly FundingSettlement[];
  /** How the rates were chosen, for reports and logs ("flat 0.0100 %/8h", "files for 3 symbols..."). */
  readonly describe: string;
}

/** Binance's standard funding interval. */
export const FUNDING_INTERVAL_MS = 8 * 3_600_000;

/** The flat rate assumed when no recorded rate is known: 0.01 % per 8 h (Binance's baseline interest rate). */
export const DEFAULT_FUNDING_RATE = 0.0001;

const NONE: readonly FundingSettlement[] = Object.freeze([]);

export const NO_FUNDING: FundingRates = { between: () => NONE, describe: "none" };

/** Every symbol pays `rate` at every multiple of `intervalMs` since the epoch (00:00/08:00/16:00 UTC for 8 h). */
export const flatFunding = (rate: number, intervalMs: number = FUNDING_INTERVAL_MS): FundingRates => {
  if (rate === 0) return { ...NO_FUNDING, describe: "flat 0 %" };
  return {
    between: (_symbol, from, to) => {
      const out: FundingSettlement[] = [];
      for (let t = Math.floor(from / intervalMs) * intervalMs + intervalMs; t <= to; t += intervalMs)
        out.push({ time: t, rate });
      return out;
    },
    describe: `flat ${(rate * 100).toFixed(4)} %/${intervalMs / 3_600_000}h`,
  };
};

/** A recorded settlement may be stamped a few ms after the hour (1789459200005): the flat fallback keeps clear. */
const EDGE_MS = 60_000;

/**
 * Recorded settlements per symbol (ascending time), with `fallback` for symbols without a record and for
 * times more than a minute outside a symbol's recorded span (before its first or after its last settlement).
 */
export const recordedFunding = (
  bySymbol: ReadonlyMap<string, readonly FundingSettlement[]>,
  fallback: FundingRates,
): FundingRates => {
  const describe =
    bySymbol.size === 0
      ? fallback.describe
      : `recorded for ${[...bySymbol.keys()].sort().join(", ")}; otherwise ${fallback.describe}`;
  return {
    between: (symbol, from, to) => {
      const rows = bySymbol.get(symbol);
      if (rows === undefined || rows.length === 0) return fallback.between(symbol, from, to);
      const first = rows[0]!.time;
      const last = rows[rows.length - 1]!.time;
      const out: FundingSettlement[] = [];
      for (const s of fallback.between(symbol, from, Math.min(to, first - EDGE_MS - 1))) out.push(s);
      let lo = 0;
      let hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (rows[mid]!.time <= from) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < rows.length && rows[i]!.time <= to; i++) out.push(rows[i]!);
      for (const s of fallback.between(symbol, Math.max(from, last + EDGE_MS), to)) out.push(s);
      return out;
    },
    describe,
  };
};

/** One funding payment of a trade: positive = paid, negative = received (quote currency). */
export interface FundingCharge {
  readonly time: number;
  readonly rate: number;
  readonly amount: number;
}

/**
 * Whether the part of the position an exit fill closed was still held at settlement `time`. Exits at a
 * stop or target happened inside their candle, before the candle's close (`fill.time`): a settlement at
 * that close is not theirs. A timeout closes at the close, after the settlement, which it therefore pays.
 */
const heldAt = (fill: Fill, time: number): boolean =>
  fill.time > time || (fill.time === time && fill.kind === "timeout");

/**
 * The funding payments of `trade` from its entry up to `until` (inclusive), on the part of the position
 * still held at each settlement. The entry fills at the trigger close, just after a settlement at that
 * instant, so that one is not charged.
 */
export const fundingCharges = (
  trade: Pick<VirtualTrade, "symbol" | "side" | "quantity" | "openedAt" | "fills">,
  until: number,
  rates: FundingRates,
): FundingCharge[] => {
  const entry = trade.fills[0];
  if (entry === undefined || until <= trade.openedAt) return [];
  const sign = trade.side === "LONG" ? 1 : -1;
  const out: FundingCharge[] = [];
  for (const s of rates.between(trade.symbol, trade.openedAt, until)) {
    let held = 1;
    for (let i = 1; i < trade.fills.length; i++) {
      const f = trade.fills[i]!;
      if (!heldAt(f, s.time)) held -= f.fraction;
    }
    if (held <= 1e-12) break;
    const mark = s.markPrice !== undefined && s.markPrice > 0 ? s.markPrice : entry.price;
    out.push({ time: s.time, rate: s.rate, amount: sign * s.rate * mark * trade.quantity * held });
  }
  return out;
};

/** Net funding paid by `trade` up to `until` (negative = received). */
export const fundingPaid = (
  trade: Pick<VirtualTrade, "symbol" | "side" | "quantity" | "openedAt" | "fills">,
  until: number,
  rates: FundingRates,
): number => {
  let sum = 0;
  for (const c of fundingCharges(trade, until, rates)) sum += c.amount;
  return sum;
};
