/**
 * SQLite persistence (bun:sqlite): `layer({ path })` opens one connection and provides the three store ports
 * on it — `SignalStore`, `MemoryStore`, `KeyValueStore`, `CandleCache` — plus the `SqliteDatabase` itself.
 */
import type { CandleCache, KeyValueStore, MemoryStore, SignalStore, StoreError } from "@signalbot/core";
import { Layer } from "effect";
import * as SqliteCandleCache from "./SqliteCandleCache.ts";
import { SqliteDatabase, type SqliteOptions } from "./SqliteDatabase.ts";
import * as SqliteKeyValueStore from "./SqliteKeyValueStore.ts";
import * as SqliteMemoryStore from "./SqliteMemoryStore.ts";
import * as SqliteSignalStore from "./SqliteSignalStore.ts";

export { LATEST_VERSION, MIGRATIONS, type Migration } from "./Migrations.ts";
export { DEFAULT_DATABASE_PATH, SqliteDatabase, type SqliteOptions, toStoreError } from "./SqliteDatabase.ts";
export type { WriteStatus } from "./WriteRetry.ts";
export { SqliteCandleCache, SqliteKeyValueStore, SqliteMemoryStore, SqliteSignalStore };

/** Every store port on one connection to the database at `options.path` (opened, migrated, closed with the scope). */
export const layer = (
  options: SqliteOptions,
): Layer.Layer<SignalStore | MemoryStore | KeyValueStore | CandleCache | SqliteDatabase, StoreError> =>
  Layer.mergeAll(
    SqliteSignalStore.layer,
    SqliteMemoryStore.layer,
    SqliteKeyValueStore.layer,
    SqliteCandleCache.layer,
  ).pipe(Layer.provideMerge(SqliteDatabase.layer(options)));
