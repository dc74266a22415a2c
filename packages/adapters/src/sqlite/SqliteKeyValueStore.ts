/** `KeyValueStore` on SQLite (table `kv`): the Telegram update offset, counters and other small values. */
import { KeyValueStore } from "@signalbot/core";
import { Clock, Effect, Layer } from "effect";
import { SqliteDatabase } from "./SqliteDatabase.ts";

export const make = Effect.gen(function* () {
  const { db, read, write } = yield* SqliteDatabase;
  const selectValue = db.prepare<{ value: string }, [string]>("SELECT value FROM kv WHERE key = ?");
  const upsertValue = db.prepare<never, [string, string, number]>(
    `INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  return KeyValueStore.of({
    get: (key) => read("KeyValueStore.get", () => selectValue.get(key)?.value),
    set: (key, value) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        write("KeyValueStore.set", () => {
          upsertValue.run(key, value, now);
        }),
      ),
  });
});

/** `KeyValueStore` over the shared {@link SqliteDatabase} connection. */
export const layer: Layer.Layer<KeyValueStore, never, SqliteDatabase> = Layer.effect(KeyValueStore, make);
