/** Opening the database: pragmas, in-place migration of an older file, the seed README's SQL, open failures. */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CandleCache, MemoryStore, type Notification, SignalStore, type StoreError } from "@signalbot/core";
import { aCachedEntry } from "@signalbot/core/testing";
import { Effect } from "effect";
import { LATEST_VERSION, layer, SqliteDatabase } from "./index.ts";
import { nthEmission, T0, tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

const openFailure = (path: string): Promise<StoreError> =>
  Effect.runPromise(Effect.flip(Effect.provide(Effect.void, SqliteDatabase.layer({ path }))));

test("opening creates the missing data directory and sets WAL, busy timeout, NORMAL sync and foreign keys", async () => {
  const pragmas = await Effect.runPromise(
    Effect.provide(
      Effect.map(SqliteDatabase, ({ db }) => ({
        journal: db.query("PRAGMA journal_mode").get(),
        busy: db.query("PRAGMA busy_timeout").get(),
        sync: db.query("PRAGMA synchronous").get(),
        fk: db.query("PRAGMA foreign_keys").get(),
        version: db.query("PRAGMA user_version").get(),
      })),
      SqliteDatabase.layer({ path: tmp.dbPath, busyTimeoutMs: 1234 }),
    ),
  );
  expect(pragmas).toEqual({
    journal: { journal_mode: "wal" },
    busy: { timeout: 1234 },
    sync: { synchronous: 1 },
    fk: { foreign_keys: 1 },
    version: { user_version: LATEST_VERSION },
  });
});

/** Schema version 1 exactly as it shipped, frozen here so the test does not depend on the migration code. */
const V1_SQL = `
  CREATE TABLE signals (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, symbol TEXT NOT NULL,
    timeframe TEXT NOT NULL, candle_open_time INTEGER NOT NULL, model TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('LONG', 'SHORT')), status TEXT NOT NULL CHECK (status IN ('emitted', 'blocked')),
    blocked_reason TEXT, score REAL NOT NULL, threshold REAL NOT NULL, entry REAL NOT NULL, stop REAL NOT NULL,
    tp1 REAL NOT NULL, tp2 REAL NOT NULL, tp3 REAL NOT NULL, rr REAL NOT NULL, created_at INTEGER NOT NULL,
    payload TEXT NOT NULL, UNIQUE (symbol, timeframe, candle_open_time, model, side));
  CREATE INDEX signals_created_at ON signals (created_at);
  CREATE TABLE trades (id TEXT PRIMARY KEY, symbol TEXT NOT NULL, model TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('LONG', 'SHORT')), status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    entry REAL NOT NULL, stop REAL NOT NULL, exit_reason TEXT, r_multiple REAL, pnl REAL, pnl_percent REAL,
    opened_at INTEGER NOT NULL, closed_at INTEGER, payload TEXT NOT NULL);
  CREATE INDEX trades_status_closed_at ON trades (status, closed_at);
  CREATE TABLE memory_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
  PRAGMA user_version = 1;
`;

test("a version-1 database is upgraded in place: its rows are kept and user_version is bumped", async () => {
  const { signal, trade } = nthEmission(0);
  mkdirSync(join(tmp.dir, "data"));
  const v1 = new Database(tmp.dbPath, { create: true, strict: true });
  v1.run(V1_SQL);
  v1.query(
    `INSERT INTO signals (key, symbol, timeframe, candle_open_time, model, side, status, score, threshold, entry,
       stop, tp1, tp2, tp3, rr, created_at, payload)
     VALUES ($key, 'BTCUSDT', '30m', $cot, 'continuation', 'LONG', 'emitted', 80, 75, 100, 95, 105, 110, 115, 2, $at, $payload)`,
  ).run({
    key: signal.key,
    cot: signal.setup.candleOpenTime,
    at: signal.createdAt,
    payload: JSON.stringify(signal),
  });
  v1.query(
    `INSERT INTO trades (id, symbol, model, side, status, entry, stop, opened_at, payload)
     VALUES ($id, 'BTCUSDT', 'continuation', 'LONG', 'open', 100, 95, $at, $payload)`,
  ).run({ id: trade.id, at: trade.openedAt, payload: JSON.stringify(trade) });
  v1.run("INSERT INTO kv (key, value, updated_at) VALUES ('telegram.offset', '42', 1)");
  v1.close();

  const after = await Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        const { db } = yield* SqliteDatabase;
        const store = yield* SignalStore;
        yield* store.enqueue({ _tag: "Reply", text: "ok", time: T0 });
        return {
          version: db.query("PRAGMA user_version").get(),
          was: yield* store.wasEmitted(signal.key),
          open: yield* store.openTrades,
          kv: db.query("SELECT key, value FROM kv").all(),
          tables: db
            .query(
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .all()
            .map((r) => (r as { name: string }).name),
          depth: yield* store.outboxDepth,
        };
      }),
      layer({ path: tmp.dbPath }),
    ),
  );
  expect(LATEST_VERSION).toBe(3);
  expect(after.version).toEqual({ user_version: 3 });
  expect(after.was).toBe(true);
  expect(after.open).toEqual([trade]);
  expect(after.kv).toEqual([{ key: "telegram.offset", value: "42" }]);
  expect(after.tables).toEqual([
    "candle_cache",
    "kv",
    "locks",
    "memory_state",
    "outbox",
    "signals",
    "trade_events",
    "trades",
  ]);
  expect(after.depth).toBe(1);
});

/** Schema version 2 as it shipped (version 1 plus trade events, the outbox and locks), frozen likewise. */
const V2_SQL = `${V1_SQL.replace("PRAGMA user_version = 1;", "")}
  CREATE TABLE trade_events (id INTEGER PRIMARY KEY, trade_id TEXT NOT NULL REFERENCES trades (id),
    kind TEXT NOT NULL, time INTEGER NOT NULL, price REAL NOT NULL, payload TEXT NOT NULL);
  CREATE INDEX trade_events_trade ON trade_events (trade_id, id);
  CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, ref TEXT, payload TEXT NOT NULL,
    created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at INTEGER);
  CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;
  CREATE TABLE locks (id INTEGER PRIMARY KEY, scope TEXT NOT NULL CHECK (scope IN ('global', 'symbol', 'model')),
    target TEXT, rule TEXT NOT NULL, until INTEGER NOT NULL, reason TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX locks_until ON locks (until);
  PRAGMA user_version = 2;
`;

test("a version-2 database is upgraded in place: its outbox is kept and the warm-up cache starts empty", async () => {
  mkdirSync(join(tmp.dir, "data"));
  const v2 = new Database(tmp.dbPath, { create: true, strict: true });
  v2.run(V2_SQL);
  const reply: Notification = { _tag: "Reply", text: "kept across the upgrade", time: T0 };
  v2.query("INSERT INTO outbox (kind, payload, created_at) VALUES ('Reply', $payload, $at)").run({
    payload: JSON.stringify(reply),
    at: T0,
  });
  v2.close();
  const entry = aCachedEntry("BTCUSDT", T0, 1, 5);
  const after = await Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        const { db } = yield* SqliteDatabase;
        const store = yield* SignalStore;
        const cache = yield* CandleCache;
        const before = yield* cache.load(10);
        yield* cache.save(entry);
        return {
          version: db.query("PRAGMA user_version").get(),
          pending: (yield* store.pendingOutbox(10)).map((p) => p.notification),
          before,
          loaded: (yield* cache.load(10)).map((e) => [...e.candles["1d"]]),
        };
      }),
      layer({ path: tmp.dbPath }),
    ),
  );
  expect(after.version).toEqual({ user_version: 3 });
  expect(after.pending).toEqual([reply]);
  expect(after.before).toEqual([]);
  expect(after.loaded).toEqual([[...entry.candles["1d"]]]);
});

test("the seed README's example SQL runs against our schema", async () => {
  await Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        const memory = yield* MemoryStore;
        yield* memory.save({ version: 1, updatedAt: T0, state: { lossStreak: 0, equity: 1000 }, locks: [] });
        yield* memory.save({
          version: 1,
          updatedAt: T0 + 60_000,
          state: { lossStreak: 1, equity: 990 },
          locks: [],
        });
        yield* memory.save({
          version: 1,
          updatedAt: T0 + 120_000,
          state: { lossStreak: 1, equity: 985 },
          locks: [],
        });
        for (let n = 0; n < 3; n++) yield* store.emit(nthEmission(n));
        for (const [n, pnl] of [
          [0, 20],
          [1, -10],
        ] as const) {
          const { trade } = nthEmission(n);
          const closed = {
            ...trade,
            status: "closed" as const,
            closedAt: trade.openedAt + 1,
            pnl,
            pnlPercent: pnl / 2,
            rMultiple: pnl / 10,
          };
          yield* store.updateTrade({ trade: closed, events: [], notifications: [] });
        }
      }),
      layer({ path: tmp.dbPath }),
    ),
  );
  const db = new Database(tmp.dbPath, { readonly: true });
  const signals = db.query("SELECT * FROM signals ORDER BY created_at DESC LIMIT 10;").all() as {
    key: string;
  }[];
  const memory = db.query("SELECT * FROM memory_state ORDER BY updated_at DESC;").all();
  const perf = db
    .query(
      "SELECT COUNT(*) as total_trades, SUM(CASE WHEN pnl > 0 THEN 1 ELSE 0 END) as wins, AVG(pnl_percent) as avg_pnl_pct FROM trades WHERE status = 'closed';",
    )
    .get();
  db.close();
  expect(signals.map((s) => s.key)).toEqual([2, 1, 0].map((n) => nthEmission(n).signal.key));
  // One row per memory field; only a changed value moves its updated_at, so the latest changes come first.
  const memoryRows = memory as { key: string; value: string; updated_at: number }[];
  expect(memoryRows.at(-1)?.key).toBe("state.lossStreak");
  expect([...memoryRows].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
    {
      key: "snapshot",
      value: JSON.stringify({ version: 1, updatedAt: T0 + 120_000, layout: "fields" }),
      updated_at: T0 + 120_000,
    },
    { key: "state.equity", value: "985", updated_at: T0 + 120_000 },
    { key: "state.lossStreak", value: "1", updated_at: T0 + 60_000 },
  ]);
  expect(perf).toEqual({ total_trades: 2, wins: 1, avg_pnl_pct: 2.5 });
});

test("a database written by a newer build is refused, not guessed at", async () => {
  mkdirSync(join(tmp.dir, "data"));
  const newer = new Database(tmp.dbPath, { create: true });
  newer.run(`PRAGMA user_version = ${LATEST_VERSION + 1}`);
  newer.close();
  const error = await openFailure(tmp.dbPath);
  expect(error.reason).toBe("unavailable");
  expect(error.message).toContain(`schema version ${LATEST_VERSION + 1} is newer`);
});

test("a file that is not a database fails with reason corrupt", async () => {
  const path = join(tmp.dir, "junk.db");
  writeFileSync(path, "this is not a SQLite database, it is a text file. ".repeat(100));
  const error = await openFailure(path);
  expect(error.reason).toBe("corrupt");
  expect(error.message).toContain(path);
});

test("a path whose directory cannot exist fails with reason unavailable", async () => {
  const file = join(tmp.dir, "plain-file");
  writeFileSync(file, "x");
  const error = await openFailure(join(file, "sub", "signalbot.db"));
  expect(error.reason).toBe("unavailable");
  expect(error.operation).toBe("SqliteDatabase.open");
});

test("a read-only open serves reads and refuses writes with reason readOnly", async () => {
  const e = nthEmission(0);
  await Effect.runPromise(
    Effect.provide(
      Effect.flatMap(SignalStore, (s) => s.emit(e)),
      layer({ path: tmp.dbPath }),
    ),
  );
  const result = await Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        return {
          was: yield* store.wasEmitted(e.signal.key),
          error: yield* Effect.flip(store.emit(nthEmission(1))),
        };
      }),
      layer({ path: tmp.dbPath, readOnly: true }),
    ),
  );
  expect(result.was).toBe(true);
  expect(result.error.reason).toBe("readOnly");
  expect(result.error.message).toContain("read-only");
});
