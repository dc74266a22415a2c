/**
 * The one SQLite connection (bun:sqlite) the stores share: opened in WAL mode, migrated to the current schema,
 * closed with its scope. Every failure leaves here as a `StoreError` whose `reason` says what went wrong.
 */
import { Database, SQLiteError } from "bun:sqlite";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { StoreError } from "@signalbot/core";
import { Clock, Context, Effect, Layer } from "effect";
import { AlreadyRunning, acquireInstanceLock, type InstanceLock } from "./InstanceLock.ts";
import { migrate, SchemaTooNew } from "./Migrations.ts";
import { makeWriteRetry, type WriteStatus } from "./WriteRetry.ts";

/** Where the bot keeps its database unless `DATABASE_PATH` says otherwise. */
export const DEFAULT_DATABASE_PATH = "./data/signalbot.db";

export interface SqliteOptions {
  /** Database file; its parent directory is created when missing. `":memory:"` for a throwaway database. */
  readonly path: string;
  /**
   * How long a write waits for another connection's write lock before failing with reason `"locked"`.
   * Default 5000 ms.
   */
  readonly busyTimeoutMs?: number;
  /**
   * `"NORMAL"` (default): in WAL mode a commit survives a crash of the process (the WAL is in the OS cache)
   * and the file is never corrupted; only an OS crash or power cut can lose the last commits, and then a
   * signal is lost together with its trade and notification, never half of them. It avoids an fsync per
   * commit (every outbox mark and trade update). `"FULL"` fsyncs the WAL on every commit.
   */
  readonly synchronous?: "NORMAL" | "FULL";
  /** Open for reading only (inspection tools): no migration runs, every write fails with `"readOnly"`. */
  readonly readOnly?: boolean;
  /**
   * One writer process per database file (default true for a file opened for writing): the layer takes the
   * lock `<path>.lock` before opening, and a second one fails with reason `"locked"` naming the process that
   * holds it. The lock dies with its process (`kill -9` included), so it never needs cleaning up.
   */
  readonly singleInstance?: boolean;
  /**
   * Hold a write that fails for a storage fault that heals (disk full, locked, read-only or I/O error) and try
   * it again every this many ms until it commits, instead of failing it: the caller waits and nothing it decided
   * is lost (see `WriteRetry`). Default: fail at once (tools, tests).
   */
  readonly retryWritesEveryMs?: number;
}

export class SqliteDatabase extends Context.Service<
  SqliteDatabase,
  {
    readonly path: string;
    /** The raw connection, for preparing statements. Run them through `read`/`write` to get `StoreError`s. */
    readonly db: Database;
    /** Runs `f` (synchronous SQLite work) and maps a failure to a `StoreError` for `operation`. */
    readonly read: <A>(operation: string, f: () => A) => Effect.Effect<A, StoreError>;
    /**
     * Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it commits or none of it does. Taking the write
     * lock up front makes a busy database wait `busyTimeoutMs` instead of failing on the lock upgrade.
     */
    readonly write: <A>(operation: string, f: () => A) => Effect.Effect<A, StoreError>;
    /**
     * `write` that fails at once even with `retryWritesEveryMs`: for data that can be fetched again (the candle
     * cache), which must neither wait for a full disk nor count among the decisions held for it.
     */
    readonly writeOnce: <A>(operation: string, f: () => A) => Effect.Effect<A, StoreError>;
    /** Whether writes are failing and held right now (only with `retryWritesEveryMs`). */
    readonly writeStatus: () => WriteStatus;
  }
>()("signalbot/adapters/SqliteDatabase") {
  /** Opens (creating and migrating when needed) the database at `options.path`; closes it with the scope. */
  static readonly layer = (options: SqliteOptions): Layer.Layer<SqliteDatabase, StoreError> =>
    Layer.effect(
      SqliteDatabase,
      Effect.gen(function* () {
        // Lock first, so a second instance neither migrates nor reads a database another process is running on.
        yield* Effect.acquireRelease(lockOf(options), (lock) => Effect.sync(() => lock?.release()));
        const db = yield* Effect.acquireRelease(open(options), (db) => Effect.sync(() => db.close()));
        return make(options, db);
      }),
    );
}

/** The single-instance lock for a writable database file (none for `:memory:`, read-only or opted out). */
const lockOf = (options: SqliteOptions): Effect.Effect<InstanceLock | undefined, StoreError> =>
  options.path === ":memory:" || options.readOnly === true || options.singleInstance === false
    ? Effect.succeed(undefined)
    : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.try({
          try: () => {
            mkdirSync(dirname(options.path), { recursive: true });
            return acquireInstanceLock(options.path, now);
          },
          catch: (cause) => toStoreError(cause, "SqliteDatabase.open", options.path),
        }),
      );

const make = (options: SqliteOptions, db: Database): SqliteDatabase["Service"] => {
  const path = options.path;
  const read = <A>(operation: string, f: () => A): Effect.Effect<A, StoreError> =>
    Effect.try({ try: f, catch: (cause) => toStoreError(cause, operation, path) });
  const once = <A>(operation: string, f: () => A): Effect.Effect<A, StoreError> =>
    read(operation, () => db.transaction(f).immediate());
  const retry =
    options.retryWritesEveryMs === undefined ? undefined : makeWriteRetry(options.retryWritesEveryMs, path);
  const write =
    retry === undefined
      ? once
      : <A>(operation: string, f: () => A): Effect.Effect<A, StoreError> =>
          retry.retrying(once(operation, f));
  return SqliteDatabase.of({
    path,
    db,
    read,
    write,
    writeOnce: once,
    writeStatus: retry?.status ?? (() => ({})),
  });
};

/** Opens the file, sets the connection's pragmas and migrates; on failure nothing stays open. */
export const open = (options: SqliteOptions): Effect.Effect<Database, StoreError> =>
  Effect.try({
    try: () => {
      const readOnly = options.readOnly === true;
      if (options.path !== ":memory:" && !readOnly) {
        mkdirSync(dirname(options.path), { recursive: true });
        assertWritable(options.path);
      }
      const db = readOnly
        ? new Database(options.path, { readonly: true, strict: true })
        : new Database(options.path, { create: true, readwrite: true, strict: true });
      try {
        db.run(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
        if (!readOnly) db.run("PRAGMA journal_mode = WAL");
        db.run(`PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}`);
        db.run("PRAGMA foreign_keys = ON");
        if (!readOnly) migrate(db);
        return db;
      } catch (error) {
        db.close();
        throw error;
      }
    },
    catch: (cause) => toStoreError(cause, "SqliteDatabase.open", options.path),
  });

/**
 * SQLite opens a file it may not write read-only without a word and fails only at the first write; a bot
 * that cannot record its signals must not start. WAL also needs to create `-wal`/`-shm` beside the file.
 */
const assertWritable = (path: string): void => {
  for (const target of existsSync(path) ? [path, dirname(path)] : [dirname(path)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new NotWritable(target);
    }
  }
};

class NotWritable extends Error {
  constructor(readonly target: string) {
    super(`"${target}" is not writable by this user (permissions or a read-only mount)`);
    this.name = "NotWritable";
  }
}

/**
 * Classifies a failure. SQLite's primary result code is the low byte of the extended one.
 * @see https://www.sqlite.org/rescode.html
 */
export const toStoreError = (cause: unknown, operation: string, path: string): StoreError => {
  const where = `SQLite database "${path}" (${operation})`;
  if (cause instanceof SQLiteError) {
    const detail = `${cause.code ?? `SQLITE error ${cause.errno}`}: ${cause.message}`;
    switch (cause.errno & 0xff) {
      case 5: // SQLITE_BUSY
      case 6: // SQLITE_LOCKED
        return new StoreError({
          reason: "locked",
          operation,
          message: `${where} is locked by another connection and stayed locked past the busy timeout; nothing was written (${detail})`,
          cause,
        });
      case 8: // SQLITE_READONLY
        return new StoreError({
          reason: "readOnly",
          operation,
          message: `${where} is read-only (file permissions, a read-only mount or a read-only open); nothing was written (${detail})`,
          cause,
        });
      case 13: // SQLITE_FULL
        return new StoreError({
          reason: "diskFull",
          operation,
          message: `${where}: the disk (or the database's size limit) is full; the transaction was rolled back (${detail})`,
          cause,
        });
      case 11: // SQLITE_CORRUPT
      case 26: // SQLITE_NOTADB
        return new StoreError({
          reason: "corrupt",
          operation,
          message: `${where} is corrupt or not a SQLite database; restore a backup or move the file away (${detail})`,
          cause,
        });
      case 14: // SQLITE_CANTOPEN
      case 10: // SQLITE_IOERR
        return new StoreError({
          reason: "unavailable",
          operation,
          message: `${where} cannot be opened or read: check the path and its directory (${detail})`,
          cause,
        });
      default:
        return new StoreError({
          reason: "unknown",
          operation,
          message: `${where} failed (${detail})`,
          cause,
        });
    }
  }
  if (cause instanceof AlreadyRunning) {
    return new StoreError({
      reason: "locked",
      operation,
      message: `SQLite database "${path}": ${cause.message}`,
      cause,
    });
  }
  if (cause instanceof NotWritable) {
    return new StoreError({
      reason: "readOnly",
      operation,
      message: `${where}: ${cause.message}; fix the permissions, or open it with readOnly for inspection`,
      cause,
    });
  }
  if (cause instanceof SchemaTooNew) {
    return new StoreError({ reason: "unavailable", operation, message: `${where}: ${cause.message}`, cause });
  }
  if (cause instanceof SyntaxError) {
    return new StoreError({
      reason: "corrupt",
      operation,
      message: `${where} holds a row whose JSON payload does not parse (${cause.message})`,
      cause,
    });
  }
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === "EACCES" || code === "EROFS" || code === "EPERM") {
    return new StoreError({
      reason: "readOnly",
      operation,
      message: `${where}: its directory cannot be created or written (${code})`,
      cause,
    });
  }
  if (code === "ENOSPC") {
    return new StoreError({
      reason: "diskFull",
      operation,
      message: `${where}: no space left on the disk`,
      cause,
    });
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  // A file-system error (ENOTDIR, ENOENT...) while opening means the path is unusable; anything else is unknown.
  const reason = typeof code === "string" ? "unavailable" : "unknown";
  return new StoreError({ reason, operation, message: `${where} failed: ${message}`, cause });
};
