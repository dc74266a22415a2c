/** The core `CandleCache` contract suite against the SQLite adapter on real temp files, and its failures. */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { CandleCache } from "@signalbot/core";
import { aCachedEntry, candleCacheContract, T0 } from "@signalbot/core/testing";
import { Effect, Layer } from "effect";
import * as SqliteCandleCache from "./SqliteCandleCache.ts";
import { SqliteDatabase } from "./SqliteDatabase.ts";
import { tempDatabase } from "./SqliteFixtures.ts";

const created: ReturnType<typeof tempDatabase>[] = [];
afterAll(() => {
  for (const t of created) t.remove();
});

const layerAt = (path: string) => SqliteCandleCache.layer.pipe(Layer.provide(SqliteDatabase.layer({ path })));

candleCacheContract(
  "SqliteCandleCache",
  () => {
    const tmp = tempDatabase();
    created.push(tmp);
    return () => layerAt(tmp.dbPath);
  },
  { describe, test, expect },
);

const withCache = <A>(path: string, f: (c: CandleCache["Service"]) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.flatMap(Effect.service(CandleCache), f).pipe(Effect.provide(layerAt(path))));

test("a blob that is not whole candles, or a symbol missing a timeframe, loads as a corrupt StoreError", async () => {
  const tmp = tempDatabase();
  created.push(tmp);
  await withCache(tmp.dbPath, (c) => c.save(aCachedEntry("AUSDT", T0)));
  const raw = new Database(tmp.dbPath);
  raw.run("UPDATE candle_cache SET candles = x'0102030405' WHERE timeframe = '4h'");
  raw.close();
  const cut = await withCache(tmp.dbPath, (c) => Effect.flip(c.load(10)));
  expect(cut).toMatchObject({ reason: "corrupt", operation: "CandleCache.load" });
  expect(cut.message).toContain(`the cached 4h candles of "AUSDT" are 5 bytes`);

  const again = new Database(tmp.dbPath);
  again.run("DELETE FROM candle_cache WHERE timeframe = '4h'");
  again.close();
  const partial = await withCache(tmp.dbPath, (c) => Effect.flip(c.load(10)));
  expect(partial.message).toContain(`the cached candles of "AUSDT" lack 4h`);
  // keepOnly clears it, and the cache works again.
  await withCache(tmp.dbPath, (c) => c.keepOnly(new Set()));
  expect(await withCache(tmp.dbPath, (c) => c.load(10))).toEqual([]);
});

test("a full disk fails a save at once (never held like a decision), and the transaction leaves nothing half-written", async () => {
  const tmp = tempDatabase();
  created.push(tmp);
  const layer = SqliteCandleCache.layer.pipe(
    Layer.provideMerge(SqliteDatabase.layer({ path: tmp.dbPath, retryWritesEveryMs: 1000 })),
  );
  const r = await Effect.runPromise(
    Effect.gen(function* () {
      const cache = yield* CandleCache;
      const { db, writeStatus } = yield* SqliteDatabase;
      yield* cache.save(aCachedEntry("AUSDT", T0, 1));
      const pages = db.query<{ page_count: number }, []>("PRAGMA page_count").get()!.page_count;
      db.run(`PRAGMA max_page_count = ${pages + 2}`);
      const failed = yield* Effect.flip(cache.save(aCachedEntry("BUSDT", T0 + 1, 2)));
      return { failed, status: writeStatus(), left: yield* cache.load(10) };
    }).pipe(Effect.provide(layer)),
  );
  expect(r.failed.reason).toBe("diskFull");
  expect(r.status).toEqual({});
  expect(r.left.map((e) => e.symbol)).toEqual(["AUSDT"]);
});

test("disk use: 300 symbols of 3 × 499 candles take about 72 KB each, and saving them again does not grow the file", async () => {
  const tmp = tempDatabase();
  created.push(tmp);
  const sizes = await Effect.runPromise(
    Effect.gen(function* () {
      const cache = yield* CandleCache;
      const { db } = yield* SqliteDatabase;
      const size = () => {
        db.run("PRAGMA wal_checkpoint(TRUNCATE)");
        return Bun.file(tmp.dbPath).size;
      };
      const empty = size();
      const round = (seed: number) =>
        Effect.forEach(
          Array.from({ length: 300 }, (_, i) => i),
          (i) => cache.save(aCachedEntry(`S${i}USDT`, T0 + i, seed + i)),
        );
      yield* round(1);
      const once = size();
      yield* cache.keepOnly(new Set());
      yield* round(2);
      return { empty, once, twice: size() };
    }).pipe(
      Effect.provide(
        SqliteCandleCache.layer.pipe(Layer.provideMerge(SqliteDatabase.layer({ path: tmp.dbPath }))),
      ),
    ),
  );
  const perSymbol = (sizes.once - sizes.empty) / 300;
  expect(perSymbol).toBeGreaterThan(3 * 499 * 48);
  expect(perSymbol).toBeLessThan(76_000);
  expect(sizes.twice).toBeLessThanOrEqual(sizes.once);
});
