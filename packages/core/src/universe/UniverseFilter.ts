/**
 * Universe hygiene: which listed USDT perpetuals are worth watching at all, before the volume ranking fills the
 * slots (in the spirit of freqtrade's pairlist filters: AgeFilter, RangeStabilityFilter, VolatilityFilter).
 * Three rules, in this order, each with its numbers:
 * 1. pegged — the base asset is a stablecoin or a fiat token (USDC, FDUSD, …): it does not move, whatever its
 *    volume (USDCUSDT is one of Binance's busiest contracts);
 * 2. too young — listed fewer than `minAgeDays` ago: the models cannot warm their daily indicators up;
 * 3. narrow range — over the last `rangeDays` closed daily candles, (highest high − lowest low) ÷ lowest low is
 *    below `minRangePercent`: no stop there is far enough to pay the fees (the cost gate would reject every
 *    setup), and a pegged contract the asset list does not know ends here.
 * A pure function of facts the caller gathers (exchangeInfo and tickers live, the data files in a backtest); the
 * time is passed in.
 * @see https://www.freqtrade.io/en/stable/plugins/ (Pairlists: AgeFilter, RangeStabilityFilter)
 */
import type { Candle } from "../model/Candle.ts";
import { DAY_MS } from "../model/Time.ts";

export interface UniverseFilterConfig {
  /** Base assets left out as pegged (UNIVERSE_PEGGED_ASSETS). */
  readonly peggedAssets: readonly string[];
  /** Least days since listing (UNIVERSE_MIN_AGE_DAYS); 0 disables the rule. */
  readonly minAgeDays: number;
  /** Daily candles the range is measured over (UNIVERSE_RANGE_DAYS, default 7). */
  readonly rangeDays: number;
  /** Least range over those days, in % of the lowest low (UNIVERSE_MIN_RANGE_PERCENT, default 2); 0 disables. */
  readonly minRangePercent: number;
}

/**
 * Stablecoins and fiat tokens Binance lists (or has listed) as bases: their contracts track 1 USD (or 1 EUR) to
 * a few hundredths of a percent.
 */
export const DEFAULT_PEGGED_ASSETS: readonly string[] = [
  "USDC",
  "FDUSD",
  "TUSD",
  "USDP",
  "BUSD",
  "DAI",
  "USDE",
  "USDS",
  "PYUSD",
  "USD1",
  "RLUSD",
  "BFUSD",
  "XUSD",
  "EUR",
  "EURI",
  "AEUR",
];

/**
 * The filter's defaults but `minAgeDays`, which the caller takes from the models' daily warm-up
 * (`warmupCandles(params)["1d"]`: 50 days with the default parameters).
 */
export const DEFAULT_UNIVERSE_FILTER: Omit<UniverseFilterConfig, "minAgeDays"> = {
  peggedAssets: DEFAULT_PEGGED_ASSETS,
  rangeDays: 7,
  minRangePercent: 2,
};

/** What the filter knows of one symbol. */
export interface UniverseFacts {
  readonly symbol: string;
  /** exchangeInfo's baseAsset; absent: the symbol without its "USDT". */
  readonly baseAsset?: string;
  /** When the contract was listed (exchangeInfo onboardDate live, the first candle of the data in a backtest). */
  readonly listedAt?: number;
  /** Where `listedAt` comes from, for the wording: the exchange's listing date or the first candle of the data. */
  readonly listedFrom?: "listing" | "data";
  /** Highest and lowest price of the last 24 h (a ticker): a 24 h range that already reaches the minimum keeps
   * the symbol without its daily candles — the last 24 h lie within the last `rangeDays` days. */
  readonly high24h?: number;
  readonly low24h?: number;
  /** Closed daily candles, oldest first (the last `rangeDays` are used); absent: not fetched yet. */
  readonly daily?: readonly Candle[];
}

/** Why a symbol is left out, with the numbers the log line quotes. */
export type UniverseSkip =
  | { readonly code: "pegged"; readonly asset: string }
  | {
      readonly code: "tooYoung";
      readonly ageDays: number;
      readonly minDays: number;
      readonly from: "listing" | "data";
    }
  | {
      readonly code: "narrowRange";
      readonly days: number;
      readonly rangePercent: number;
      readonly minPercent: number;
    };

export type Screening =
  | { readonly _tag: "Kept" }
  | { readonly _tag: "Skipped"; readonly skip: UniverseSkip }
  /** Pegged and age passed, the 24 h range did not settle it: the daily candles are needed. */
  | { readonly _tag: "NeedsDaily"; readonly days: number };

const KEPT: Screening = Object.freeze({ _tag: "Kept" });

/** The base asset of a USDT-quoted symbol: exchangeInfo's when known, else the symbol without "USDT". */
export const baseAssetOf = (facts: Pick<UniverseFacts, "symbol" | "baseAsset">): string =>
  facts.baseAsset ?? facts.symbol.replace(/USDT$/, "");

/** (max high − min low) ÷ min low × 100 over `candles` (NaN for none). */
export const rangePercent = (candles: readonly Pick<Candle, "high" | "low">[]): number => {
  if (candles.length === 0) return Number.NaN;
  let high = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  for (const c of candles) {
    if (c.high > high) high = c.high;
    if (c.low < low) low = c.low;
  }
  return ((high - low) / low) * 100;
};

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Screens one symbol at `now`. Without `facts.daily`, answers `NeedsDaily` when only the daily candles can tell;
 * with them it always decides. A symbol with fewer daily candles than `rangeDays` (and old enough, or of unknown
 * age) is measured on those it has.
 */
export const screenSymbol = (facts: UniverseFacts, config: UniverseFilterConfig, now: number): Screening => {
  const asset = baseAssetOf(facts);
  if (config.peggedAssets.includes(asset)) return { _tag: "Skipped", skip: { code: "pegged", asset } };
  if (config.minAgeDays > 0 && facts.listedAt !== undefined) {
    const ageDays = Math.floor((now - facts.listedAt) / DAY_MS);
    if (ageDays < config.minAgeDays)
      return {
        _tag: "Skipped",
        skip: { code: "tooYoung", ageDays, minDays: config.minAgeDays, from: facts.listedFrom ?? "listing" },
      };
  }
  if (config.minRangePercent <= 0) return KEPT;
  const { high24h, low24h } = facts;
  if (high24h !== undefined && low24h !== undefined && low24h > 0)
    if (((high24h - low24h) / low24h) * 100 >= config.minRangePercent) return KEPT;
  if (facts.daily === undefined) return { _tag: "NeedsDaily", days: config.rangeDays };
  const window = facts.daily.slice(-config.rangeDays);
  if (window.length === 0) return KEPT;
  const range = rangePercent(window);
  return range >= config.minRangePercent
    ? KEPT
    : {
        _tag: "Skipped",
        skip: {
          code: "narrowRange",
          days: window.length,
          rangePercent: round2(range),
          minPercent: config.minRangePercent,
        },
      };
};
