/**
 * `CandleCache` on SQLite (table `candle_cache`): one row per symbol and timeframe, the packed candles as a BLOB
 * (the Float64Array's bytes, little-endian as on every platform Bun runs on). 3 × 499 candles are 71.9 KB a symbol.
 * Writes fail at once rather than wait for a full disk: the candles can be fetched again.
 */
import { type CachedCandles, CandleCache, StoreError, TIMEFRAMES, type Timeframe } from "@signalbot/core";
import { Effect, Layer } from "effect";
import { SqliteDatabase } from "./SqliteDatabase.ts";

/** Bytes per candle: six float64. */
const CANDLE_BYTES = 48;

interface Row {
  readonly symbol: string;
  readonly timeframe: string;
  readonly candles: Uint8Array;
  readonly saved_at: number;
}

/** A copy (a BLOB's bytes need not be 8-byte aligned); undefined when the length is not whole candles. */
const toFloats = (bytes: Uint8Array): Float64Array | undefined => {
  if (bytes.byteLength % CANDLE_BYTES !== 0) return undefined;
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
};

const corrupt = (message: string) =>
  new StoreError({ reason: "corrupt", operation: "CandleCache.load", message });

/** Groups the rows (newest symbol first) into entries; a symbol without all three timeframes is corrupt. */
const entriesOf = (rows: readonly Row[], path: string): Effect.Effect<CachedCandles[], StoreError> =>
  Effect.suspend(() => {
    const bySymbol = new Map<
      string,
      { savedAt: number; candles: Partial<Record<Timeframe, Float64Array>> }
    >();
    for (const row of rows) {
      const candles = toFloats(row.candles);
      if (candles === undefined)
        return Effect.fail(
          corrupt(
            `SQLite database "${path}": the cached ${row.timeframe} candles of "${row.symbol}" are ${row.candles.byteLength} bytes, not whole candles of ${CANDLE_BYTES}`,
          ),
        );
      const entry = bySymbol.get(row.symbol) ?? { savedAt: row.saved_at, candles: {} };
      entry.candles[row.timeframe as Timeframe] = candles;
      bySymbol.set(row.symbol, entry);
    }
    const out: CachedCandles[] = [];
    for (const [symbol, { savedAt, candles }] of bySymbol) {
      const missing = TIMEFRAMES.filter((tf) => candles[tf] === undefined);
      if (missing.length > 0)
        return Effect.fail(
          corrupt(`SQLite database "${path}": the cached candles of "${symbol}" lack ${missing.join(", ")}`),
        );
      out.push({ symbol, savedAt, candles: candles as Record<Timeframe, Float64Array> });
    }
    return Effect.succeed(out);
  });

export const make = Effect.gen(function* () {
  const { db, path, read, writeOnce } = yield* SqliteDatabase;
  const upsert = db.prepare<never, [string, string, Uint8Array, number]>(
    `INSERT INTO candle_cache (symbol, timeframe, candles, saved_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (symbol, timeframe) DO UPDATE SET candles = excluded.candles, saved_at = excluded.saved_at`,
  );
  const newest = db.prepare<Row, [number]>(
    `SELECT c.symbol, c.timeframe, c.candles, c.saved_at FROM candle_cache c
     JOIN (SELECT symbol, MAX(saved_at) AS at FROM candle_cache GROUP BY symbol
           ORDER BY at DESC, symbol LIMIT ?) s ON s.symbol = c.symbol
     ORDER BY s.at DESC, c.symbol`,
  );
  const removeSymbol = db.prepare<never, [string]>("DELETE FROM candle_cache WHERE symbol = ?");
  const symbols = db.prepare<{ symbol: string }, []>("SELECT DISTINCT symbol FROM candle_cache");
  return CandleCache.of({
    save: (entry) =>
      writeOnce("CandleCache.save", () => {
        for (const tf of TIMEFRAMES) {
          const a = entry.candles[tf];
          upsert.run(entry.symbol, tf, new Uint8Array(a.buffer, a.byteOffset, a.byteLength), entry.savedAt);
        }
      }),
    load: (limit) =>
      Effect.flatMap(
        read("CandleCache.load", () => newest.all(Math.max(0, Math.trunc(limit)))),
        (rows) => entriesOf(rows, path),
      ),
    remove: (symbol) => writeOnce("CandleCache.remove", () => void removeSymbol.run(symbol)),
    keepOnly: (keep) =>
      writeOnce("CandleCache.keepOnly", () => {
        for (const { symbol } of symbols.all()) if (!keep.has(symbol)) removeSymbol.run(symbol);
      }),
  });
});

/** `CandleCache` over the shared {@link SqliteDatabase} connection. */
export const layer: Layer.Layer<CandleCache, never, SqliteDatabase> = Layer.effect(CandleCache, make);
