/**
 * `MarketData` over a directory of Binance kline files (`DIR/<SYMBOL>-<interval>.csv[.gz]`): the data source
 * of the backtest, and a way to run the live warm-up code against recorded data. Files are read and validated
 * on first use and kept in memory as columns.
 */

import {
  type Candle,
  type KlineQuery,
  lowerBound,
  MarketData,
  MarketDataError,
  type Timeframe,
  type UniverseEntry,
} from "@signalbot/core";
import { Effect, Layer } from "effect";
import { candleAt, type KlineColumns } from "./KlineCsv.ts";
import { type KlineFile, listKlineFiles, readKlineFile } from "./KlineFiles.ts";

/** Smallest power-of-ten step (as a decimal string) that all `values` are multiples of, e.g. "0.01". */
const inferStep = (values: Float64Array, from: number): string => {
  let decimals = 0;
  for (let i = from; i < values.length; i++) {
    const v = values[i]!;
    while (decimals < 10) {
      const scaled = v * 10 ** decimals;
      if (Math.abs(scaled - Math.round(scaled)) <= 1e-7 * Math.max(1, scaled)) break;
      decimals++;
    }
  }
  return decimals === 0 ? "1" : `0.${"0".repeat(decimals - 1)}1`;
};

/** Trigger candles in the ranking window of `universe` (24 h of 30m candles). */
const DAY_OF_30M = 48;

/**
 * A `MarketData` that answers from the files of `dir`:
 * - `klines` follows Binance's semantics: with `startTime`, the first `limit` candles from there (up to
 *   `endTime`); otherwise the last `limit` candles up to `endTime`. A series without a file fails `notFound`.
 * - `universe` ranks the symbols that have a 30m file by quote volume over their last 24 h of data. Tick and
 *   step sizes are inferred from the decimals in the data; `minNotional` is Binance's common 5 USDT.
 * - `serverTime` is the end of the data: the latest close time of any file, plus 1 ms.
 */
export const layer = (dir: string): Layer.Layer<MarketData, MarketDataError> =>
  Layer.effect(
    MarketData,
    Effect.gen(function* () {
      const files = yield* listKlineFiles(dir);
      const byKey = new Map<string, KlineFile>(files.map((f) => [`${f.symbol}-${f.timeframe}`, f]));
      const loaded = new Map<string, KlineColumns>();

      const columnsOf = (symbol: string, timeframe: Timeframe) =>
        Effect.gen(function* () {
          const key = `${symbol}-${timeframe}`;
          const cached = loaded.get(key);
          if (cached !== undefined) return cached;
          const file = byKey.get(key);
          if (file === undefined) {
            return yield* new MarketDataError({
              reason: "notFound",
              source: `${dir}/${key}.csv`,
              message: `no ${timeframe} klines for ${symbol} in ${dir}`,
            });
          }
          const columns = yield* readKlineFile(file);
          loaded.set(key, columns);
          return columns;
        });

      const klines = (query: KlineQuery) =>
        Effect.gen(function* () {
          const c = yield* columnsOf(query.symbol, query.timeframe);
          const endIndex = query.endTime === undefined ? c.length : lowerBound(c.openTime, query.endTime + 1);
          const from =
            query.startTime === undefined
              ? Math.max(0, endIndex - query.limit)
              : lowerBound(c.openTime, query.startTime);
          const to = Math.min(endIndex, from + query.limit);
          const out: Candle[] = [];
          for (let i = from; i < to; i++) out.push(candleAt(c, i));
          return out as readonly Candle[];
        });

      const universe = (limit: number) =>
        Effect.gen(function* () {
          const entries: UniverseEntry[] = [];
          for (const f of files) {
            if (f.timeframe !== "30m") continue;
            const c = yield* columnsOf(f.symbol, "30m");
            const from = Math.max(0, c.length - DAY_OF_30M);
            let quoteVolume = 0;
            for (let i = from; i < c.length; i++) quoteVolume += c.close[i]! * c.volume[i]!;
            entries.push({
              symbol: f.symbol,
              quoteVolume,
              info: {
                symbol: f.symbol,
                tickSize: inferStep(c.close, from),
                stepSize: inferStep(c.volume, from),
                minNotional: 5,
              },
            });
          }
          entries.sort((a, b) => b.quoteVolume - a.quoteVolume || (a.symbol < b.symbol ? -1 : 1));
          return entries.slice(0, limit) as readonly UniverseEntry[];
        });

      const serverTime = Effect.gen(function* () {
        let latest = 0;
        for (const f of files) {
          const c = yield* columnsOf(f.symbol, f.timeframe);
          if (c.length > 0) latest = Math.max(latest, c.closeTime[c.length - 1]! + 1);
        }
        return latest;
      });

      return MarketData.of({ klines, universe, serverTime });
    }),
  );
