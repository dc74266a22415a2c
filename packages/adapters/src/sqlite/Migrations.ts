/**
 * The schema of the signalbot database as an ordered list of migrations. `PRAGMA user_version` records how
 * many have run; opening an older file runs the missing ones, each in its own transaction, in place.
 * Never edit a migration that has shipped: append a new one.
 */
import type { Database } from "bun:sqlite";

export interface Migration {
  /** The `user_version` after this migration. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "signals, virtual trades, memory state and key-value (the seed README's tables)",
    sql: `
      CREATE TABLE signals (
        id               INTEGER PRIMARY KEY,
        key              TEXT    NOT NULL UNIQUE,
        symbol           TEXT    NOT NULL,
        timeframe        TEXT    NOT NULL,
        candle_open_time INTEGER NOT NULL,
        model            TEXT    NOT NULL,
        side             TEXT    NOT NULL CHECK (side IN ('LONG', 'SHORT')),
        status           TEXT    NOT NULL CHECK (status IN ('emitted', 'blocked')),
        blocked_reason   TEXT,
        score            REAL    NOT NULL,
        threshold        REAL    NOT NULL,
        entry            REAL    NOT NULL,
        stop             REAL    NOT NULL,
        tp1              REAL    NOT NULL,
        tp2              REAL    NOT NULL,
        tp3              REAL    NOT NULL,
        rr               REAL    NOT NULL,
        created_at       INTEGER NOT NULL,
        payload          TEXT    NOT NULL,
        UNIQUE (symbol, timeframe, candle_open_time, model, side)
      );
      CREATE INDEX signals_created_at ON signals (created_at);

      -- id is the signal key; emit writes both rows in one transaction.
      CREATE TABLE trades (
        id          TEXT    PRIMARY KEY,
        symbol      TEXT    NOT NULL,
        model       TEXT    NOT NULL,
        side        TEXT    NOT NULL CHECK (side IN ('LONG', 'SHORT')),
        status      TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
        entry       REAL    NOT NULL,
        stop        REAL    NOT NULL,
        exit_reason TEXT,
        r_multiple  REAL,
        pnl         REAL,
        pnl_percent REAL,
        opened_at   INTEGER NOT NULL,
        closed_at   INTEGER,
        payload     TEXT    NOT NULL
      );
      CREATE INDEX trades_status_closed_at ON trades (status, closed_at);

      CREATE TABLE memory_state (
        key        TEXT    PRIMARY KEY,
        value      TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE kv (
        key        TEXT    PRIMARY KEY,
        value      TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: "trade events, the notification outbox and memory locks with expiries",
    sql: `
      CREATE TABLE trade_events (
        id       INTEGER PRIMARY KEY,
        trade_id TEXT    NOT NULL REFERENCES trades (id),
        kind     TEXT    NOT NULL,
        time     INTEGER NOT NULL,
        price    REAL    NOT NULL,
        payload  TEXT    NOT NULL
      );
      CREATE INDEX trade_events_trade ON trade_events (trade_id, id);

      -- AUTOINCREMENT: ids are never reused, so they order delivery and serve as idempotency keys.
      CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        kind         TEXT    NOT NULL,
        ref          TEXT,
        payload      TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        delivered_at INTEGER
      );
      CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;

      CREATE TABLE locks (
        id         INTEGER PRIMARY KEY,
        scope      TEXT    NOT NULL CHECK (scope IN ('global', 'symbol', 'model')),
        target     TEXT,
        rule       TEXT    NOT NULL,
        until      INTEGER NOT NULL,
        reason     TEXT    NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX locks_until ON locks (until);
    `,
  },
  {
    version: 3,
    description: "the warm-up cache: rotated-out symbols' candles, so a restart does not fetch them again",
    sql: `
      -- candles: a packed Float64Array (6 numbers a candle, ascending); at most WARMUP_CACHE_SYMBOLS symbols.
      CREATE TABLE candle_cache (
        symbol    TEXT    NOT NULL,
        timeframe TEXT    NOT NULL CHECK (timeframe IN ('30m', '4h', '1d')),
        candles   BLOB    NOT NULL,
        saved_at  INTEGER NOT NULL,
        PRIMARY KEY (symbol, timeframe)
      );
    `,
  },
];

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The schema version recorded in the file (0 for a new database). */
export const schemaVersion = (db: Database): number =>
  db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;

/**
 * Brings `db` to {@link LATEST_VERSION}. Each migration and its `user_version` bump commit together, so a
 * crash mid-upgrade leaves the file at the previous version, ready to retry. Throws when the file was
 * written by a newer build (its schema is unknown to us).
 */
export const migrate = (db: Database): { readonly from: number; readonly to: number } => {
  const from = schemaVersion(db);
  if (from > LATEST_VERSION) {
    throw new SchemaTooNew(from, LATEST_VERSION);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      db.run(migration.sql);
      db.run(`PRAGMA user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: LATEST_VERSION };
};

/** The file's schema is newer than this build: refuse rather than guess. */
export class SchemaTooNew extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `database schema version ${found} is newer than this build supports (${supported}); upgrade signalbot`,
    );
    this.name = "SchemaTooNew";
  }
}
