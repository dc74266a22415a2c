/**
 * The live universe's hygiene, decided by core's `screenSymbol`: at every universe refresh the ranked symbols
 * are screened — pegged assets and young listings from exchangeInfo, the range from the 24 h ticker the ranking
 * already fetched, and only when that does not settle it (a quiet day) from the last daily candles
 * (`GET /fapi/v1/klines` 1d with limit rangeDays + 1: weight 1), fetched through the weight governor at most once
 * per symbol and UTC day. Every skip is logged once per refresh, with its numbers.
 */
import {
  type Candle,
  MarketData,
  type MarketDataError,
  type Screening,
  screenSymbol,
  type UniverseEntry,
  type UniverseFilterConfig,
  type UniverseSkip,
  utcDayStart,
} from "@signalbot/core";
import { Clock, Effect } from "effect";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { describeSkip } from "./Describe.ts";

/** Daily-candle requests at once (each weight 1). */
const DAILY_CONCURRENCY = 4;

export interface UniverseScreenDeps {
  readonly filter: UniverseFilterConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
}

export interface ScreenResult {
  /** The entries kept, in their order; fixed symbols always are. */
  readonly kept: readonly UniverseEntry[];
  readonly skipped: readonly { readonly symbol: string; readonly skip: UniverseSkip }[];
  /** Daily-candle requests this screening made (the rest came from the day's cache or were not needed). */
  readonly requests: number;
}

export const makeUniverseScreen = (deps: UniverseScreenDeps) => {
  const { filter, log, metrics } = deps;
  /** Per symbol, its closed daily candles as fetched on `day` (they change once a day, at 00:00 UTC). */
  const cache = new Map<string, { readonly day: number; readonly daily: readonly Candle[] }>();

  const dailyOf = (symbol: string, day: number) =>
    Effect.suspend(() => {
      const hit = cache.get(symbol);
      if (hit !== undefined && hit.day === day) return Effect.succeed({ daily: hit.daily, fetched: false });
      return Effect.flatMap(Effect.service(MarketData), (md) =>
        Effect.map(md.klines({ symbol, timeframe: "1d", limit: filter.rangeDays + 1 }), (candles) => {
          const daily = candles.slice(-filter.rangeDays);
          cache.set(symbol, { day, daily });
          return { daily, fetched: true };
        }),
      );
    });

  /**
   * Screens `entries` (the ranked list's head, and the fixed symbols' entries) at the clock's now. A fixed symbol
   * that fails is kept — the owner chose it — and warned about; a symbol whose daily candles could not be fetched
   * is kept this time (the cost gate still stands behind it).
   */
  const screen = (entries: readonly UniverseEntry[], fixed: ReadonlySet<string>) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      const day = utcDayStart(now);
      const verdicts = new Map<string, Screening>();
      const needDaily: UniverseEntry[] = [];
      for (const e of entries) {
        const v = screenSymbol(factsOf(e), filter, now);
        if (v._tag === "NeedsDaily") needDaily.push(e);
        else verdicts.set(e.symbol, v);
      }
      let requests = 0;
      const unmeasured: { symbol: string; error: MarketDataError }[] = [];
      yield* Effect.forEach(
        needDaily,
        (e) =>
          dailyOf(e.symbol, day).pipe(
            Effect.flatMap(({ daily, fetched }) =>
              Effect.sync(() => {
                if (fetched) requests++;
                verdicts.set(e.symbol, screenSymbol({ ...factsOf(e), daily }, filter, now));
              }),
            ),
            Effect.catchTag("MarketDataError", (error) =>
              Effect.sync(() => {
                unmeasured.push({ symbol: e.symbol, error });
                verdicts.set(e.symbol, { _tag: "Kept" });
              }),
            ),
          ),
        { concurrency: DAILY_CONCURRENCY, discard: true },
      );
      const listed = new Set(entries.map((e) => e.symbol));
      for (const s of cache.keys()) if (!listed.has(s)) cache.delete(s);

      const kept: UniverseEntry[] = [];
      const skipped: { symbol: string; skip: UniverseSkip }[] = [];
      const byCode: Record<string, number> = { pegged: 0, tooYoung: 0, narrowRange: 0 };
      for (const e of entries) {
        const v = verdicts.get(e.symbol);
        if (v?._tag !== "Skipped") {
          kept.push(e);
          continue;
        }
        if (fixed.has(e.symbol)) {
          log.warn(`FIXED_SYMBOLS: "${e.symbol}" kept although ${describeSkip(v.skip)}`);
          kept.push(e);
          continue;
        }
        skipped.push({ symbol: e.symbol, skip: v.skip });
        byCode[v.skip.code] = (byCode[v.skip.code] ?? 0) + 1;
        log.info(`universe: skipped "${e.symbol}": ${describeSkip(v.skip)}`);
      }
      if (unmeasured.length > 0)
        log.warn(
          `universe: the daily range of ${unmeasured.length} symbols could not be measured, kept this time: ${unmeasured[0]!.error.reason} ${unmeasured[0]!.error.message}`,
          { symbols: unmeasured.map((u) => u.symbol).join(",") },
        );
      for (const [reason, n] of Object.entries(byCode))
        metrics.set(
          "signalbot_universe_skipped",
          "Symbols the universe filter left out at the last refresh, by reason.",
          n,
          { reason },
        );
      return { kept, skipped, requests } satisfies ScreenResult;
    });

  return { screen };
};

export type UniverseScreen = ReturnType<typeof makeUniverseScreen>;

const factsOf = (e: UniverseEntry) => ({
  symbol: e.symbol,
  ...(e.baseAsset === undefined ? {} : { baseAsset: e.baseAsset }),
  ...(e.listedAt === undefined ? {} : { listedAt: e.listedAt, listedFrom: "listing" as const }),
  ...(e.high24h === undefined || e.low24h === undefined ? {} : { high24h: e.high24h, low24h: e.low24h }),
});
