/**
 * The warm-up cache on a real SQLite file: what is kept survives a reopen; what storage cannot take (disk full,
 * a corrupt entry, a stale one, more than the capacity) costs a fresh warm-up, one log line, never the bot.
 */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteCandleCache, SqliteDatabase } from "@signalbot/adapters/sqlite";
import { CandleCache, TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from "@signalbot/core";
import { loadKlines } from "@signalbot/core/testing";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { makeLogger } from "../observability/Log.ts";
import { makePersistentWarmupCache } from "./PersistentWarmupCache.ts";

const all = Object.fromEntries(
  TIMEFRAMES.map((tf) => [tf, loadKlines("BTCUSDT", tf, FIXTURE_KLINES_DIR)]),
) as Record<Timeframe, ReturnType<typeof loadKlines>>;
const last499 = Object.fromEntries(TIMEFRAMES.map((tf) => [tf, all[tf].slice(-499)])) as typeof all;
/** Just after the last fixture candle closed: the kept candles are current. */
const NOW = all["30m"].at(-1)!.closeTime + 1 + 10 * 60_000;

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "signalbot-warmup-cache-"));
  path = join(dir, "bot.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One "process": the cache over the database file at `path`, with its log lines collected. */
const session = <A>(
  capacity: number,
  body: (
    cache: ReturnType<typeof makePersistentWarmupCache>,
    db: Database,
  ) => Effect.Effect<A, never, CandleCache | SqliteDatabase>,
  at = NOW,
) => {
  const lines: string[] = [];
  const log = makeLogger({
    level: "info",
    format: "pretty",
    secrets: [],
    write: (l) => lines.push(l),
    now: () => at,
  });
  return Effect.runPromise(
    Effect.gen(function* () {
      yield* TestClock.setTime(at);
      const store = yield* CandleCache;
      const { db } = yield* SqliteDatabase;
      const cache = makePersistentWarmupCache({ capacity, store, log, window: 499 });
      yield* cache.restore;
      const result = yield* body(cache, db);
      return { result, lines };
    }).pipe(
      Effect.provide(SqliteCandleCache.layer.pipe(Layer.provideMerge(SqliteDatabase.layer({ path })))),
      Effect.provide(TestClock.layer()),
    ),
  );
};

test("kept candles survive a restart bit for bit; forgotten and retained-out ones do not", async () => {
  await session(10, (cache) =>
    Effect.gen(function* () {
      for (const s of ["AUSDT", "BUSDT", "CUSDT", "DUSDT"]) yield* cache.keep(s, last499);
      yield* cache.forget("BUSDT");
      yield* cache.retain(new Set(["AUSDT", "BUSDT", "DUSDT"]));
    }),
  );
  const { result, lines } = await session(10, (cache) =>
    Effect.sync(() => ({
      a: cache.get("AUSDT"),
      b: cache.get("BUSDT"),
      c: cache.get("CUSDT"),
      size: cache.size,
    })),
  );
  expect(result.a).toEqual(last499);
  expect(result.b).toBeUndefined();
  expect(result.c).toBeUndefined();
  expect(result.size).toBe(2);
  expect(lines.some((l) => l.includes("warm-up cache: 2 symbols' candles restored (0.1 MB)"))).toBe(true);
});

test("at start: at most the capacity (the newest), stale and malformed entries dropped from the file too", async () => {
  const shifted = Object.fromEntries(
    TIMEFRAMES.map((tf) => [
      tf,
      last499[tf].map((c) => ({ ...c, openTime: c.openTime + 1, closeTime: c.closeTime + 1 })),
    ]),
  ) as typeof all;
  await session(10, (cache) =>
    Effect.gen(function* () {
      yield* cache.keep("OLDUSDT", last499);
      yield* TestClock.adjust(1000);
      yield* cache.keep("MIDUSDT", last499);
      yield* TestClock.adjust(1000);
      yield* cache.keep("MISALIGNEDUSDT", shifted);
      yield* TestClock.adjust(1000);
      yield* cache.keep("NEWUSDT", last499);
    }),
  );
  // Capacity 2 now: the two newest are read, and the misaligned one (open times off the 30m grid) is not restored.
  const { result } = await session(2, (cache, db) =>
    Effect.sync(() => ({
      symbols: ["OLDUSDT", "MISALIGNEDUSDT", "MIDUSDT", "NEWUSDT"].filter((s) => cache.get(s) !== undefined),
      rows: db.query("SELECT DISTINCT symbol FROM candle_cache ORDER BY symbol").all(),
    })),
  );
  expect(result.symbols).toEqual(["NEWUSDT"]);
  expect(result.rows).toEqual([{ symbol: "NEWUSDT" }]);
  // 500 days later every timeframe's window is past what was kept: stale, dropped.
  const late = NOW + 500 * TIMEFRAME_MS["1d"];
  const stale = await session(
    10,
    (cache, db) =>
      Effect.sync(() => ({ got: cache.get("NEWUSDT"), rows: db.query("SELECT * FROM candle_cache").all() })),
    late,
  );
  expect(stale.result).toEqual({ got: undefined, rows: [] });
  expect(stale.lines.join("\n")).toContain("stale=1");
});

test("a corrupt entry on disk: one error line, every symbol warms up afresh, and the file is clean for the next start", async () => {
  await session(10, (cache) => cache.keep("AUSDT", last499));
  const raw = new Database(path);
  raw.run("UPDATE candle_cache SET candles = x'00' WHERE timeframe = '30m'");
  raw.close();
  const { result, lines } = await session(10, (cache) => Effect.sync(() => cache.get("AUSDT")));
  expect(result).toBeUndefined();
  const errors = lines.filter((l) => l.includes("ERROR"));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain(
    "warm-up cache: could not read the kept candles (corrupt), every symbol warms up afresh by REST",
  );
  expect(errors[0]).toContain('the cached 30m candles of "AUSDT" are 1 bytes');
  const next = await session(10, (cache) => Effect.sync(() => cache.size));
  expect(next.result).toBe(0);
  expect(next.lines.filter((l) => l.includes("ERROR"))).toEqual([]);
});

test("a full disk: saves fail without stopping anything, logged once; memory still serves; saving resumes when space is back", async () => {
  const { result, lines } = await session(10, (cache, db) =>
    Effect.gen(function* () {
      yield* cache.keep("AUSDT", last499);
      const pages = db.query<{ page_count: number }, []>("PRAGMA page_count").get()!.page_count;
      db.run(`PRAGMA max_page_count = ${pages + 1}`);
      yield* cache.keep("BUSDT", last499);
      yield* cache.keep("CUSDT", last499);
      const inMemory = [cache.get("BUSDT"), cache.get("CUSDT")].every((x) => x !== undefined);
      db.run("PRAGMA max_page_count = 1000000");
      yield* cache.keep("DUSDT", last499);
      return inMemory;
    }),
  );
  expect(result).toBe(true);
  const errors = lines.filter((l) => l.includes("ERROR"));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('warm-up cache: could not save "BUSDT" (diskFull); the bot goes on');
  expect(lines.some((l) => l.includes('warm-up cache: storage works again (save "DUSDT")'))).toBe(true);
  const next = await session(10, (cache) =>
    Effect.sync(() => ["AUSDT", "BUSDT", "CUSDT", "DUSDT"].filter((s) => cache.get(s) !== undefined)),
  );
  expect(next.result).toEqual(["AUSDT", "DUSDT"]);
});
