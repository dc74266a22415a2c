/** The `CandleCache` port over a Map, for tests (the entries' arrays are copied in and out, as a file would). */
import { Effect, Layer } from "effect";
import { TIMEFRAMES, type Timeframe } from "../model/Candle.ts";
import { type CachedCandles, CandleCache } from "../port/CandleCache.ts";

const copy = (entry: CachedCandles): CachedCandles => {
  const candles = {} as Record<Timeframe, Float64Array>;
  for (const tf of TIMEFRAMES) candles[tf] = new Float64Array(entry.candles[tf]);
  return { symbol: entry.symbol, savedAt: entry.savedAt, candles };
};

export const CandleCacheMemory = {
  /** A cache over `entries` (shared across layers built from the same map, like a reopened file). */
  make: (entries: Map<string, CachedCandles> = new Map()): CandleCache["Service"] =>
    CandleCache.of({
      save: (entry) =>
        Effect.sync(() => {
          entries.delete(entry.symbol);
          entries.set(entry.symbol, copy(entry));
        }),
      load: (limit) =>
        Effect.sync(() =>
          [...entries.values()]
            .reverse()
            .sort((a, b) => b.savedAt - a.savedAt)
            .slice(0, Math.max(0, limit))
            .map(copy),
        ),
      remove: (symbol) => Effect.sync(() => void entries.delete(symbol)),
      keepOnly: (symbols) =>
        Effect.sync(() => {
          for (const symbol of [...entries.keys()]) if (!symbols.has(symbol)) entries.delete(symbol);
        }),
    }),
  layer: (entries: Map<string, CachedCandles> = new Map()): Layer.Layer<CandleCache> =>
    Layer.sync(CandleCache, () => CandleCacheMemory.make(entries)),
};
