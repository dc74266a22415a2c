/**
 * `MemoryStore` on SQLite. The snapshot's state is kept one row per top-level field in `memory_state`, so
 * `SELECT * FROM memory_state ORDER BY updated_at DESC` shows what the memory layer changed last; the locks
 * are rows of `locks` (scope, target, rule, until, reason). A save replaces both in one transaction.
 */
import { type MemoryLock, type MemorySnapshot, MemoryStore } from "@signalbot/core";
import { Effect, Layer } from "effect";
import { SqliteDatabase } from "./SqliteDatabase.ts";

/** Row holding the snapshot's version and time; state fields are stored under `state.<field>`. */
const HEADER_KEY = "snapshot";
const FIELD_PREFIX = "state.";
/** A state that is not a plain object (array, number, null) is stored whole under this key. */
const WHOLE_KEY = "state";

interface Header {
  readonly version: number;
  readonly updatedAt: number;
  /** "fields": the state is an object split into `state.<field>` rows; "whole": one `state` row. */
  readonly layout: "fields" | "whole";
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

interface LockRow {
  scope: MemoryLock["scope"];
  target: string | null;
  rule: MemoryLock["rule"];
  until: number;
  reason: string;
  created_at: number;
}

export const make = Effect.gen(function* () {
  const { db, read, write } = yield* SqliteDatabase;

  const selectState = db.prepare<{ key: string; value: string }, []>(
    "SELECT key, value FROM memory_state ORDER BY rowid",
  );
  const selectLocks = db.prepare<LockRow, []>(
    "SELECT scope, target, rule, until, reason, created_at FROM locks ORDER BY id",
  );
  // Only a changed value moves `updated_at`, so the seed query lists the most recent changes first.
  const upsertState = db.prepare<never, [string, string, number]>(
    `INSERT INTO memory_state (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
     WHERE memory_state.value IS NOT excluded.value`,
  );
  const selectKeys = db.prepare<{ key: string }, []>("SELECT key FROM memory_state");
  const deleteState = db.prepare<never, [string]>("DELETE FROM memory_state WHERE key = ?");
  const deleteLocks = db.prepare<never, []>("DELETE FROM locks");
  const insertLock = db.prepare<never, [string, string | null, string, number, string, number]>(
    "INSERT INTO locks (scope, target, rule, until, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );

  const load = read("MemoryStore.load", (): MemorySnapshot | undefined => {
    const rows = selectState.all();
    const header = rows.find((r) => r.key === HEADER_KEY);
    if (header === undefined) return undefined;
    const { version, updatedAt, layout } = JSON.parse(header.value) as Header;
    let state: unknown;
    if (layout === "whole") {
      const whole = rows.find((r) => r.key === WHOLE_KEY);
      state = whole === undefined ? undefined : JSON.parse(whole.value);
    } else {
      const fields: Record<string, unknown> = {};
      for (const r of rows) {
        if (r.key.startsWith(FIELD_PREFIX)) fields[r.key.slice(FIELD_PREFIX.length)] = JSON.parse(r.value);
      }
      state = fields;
    }
    const locks = selectLocks.all().map(
      (r): MemoryLock => ({
        scope: r.scope,
        ...(r.target === null ? {} : { target: r.target }),
        rule: r.rule,
        until: r.until,
        reason: r.reason,
        createdAt: r.created_at,
      }),
    );
    return { version, updatedAt, state, locks };
  });

  const save = (snapshot: MemorySnapshot) =>
    write("MemoryStore.save", () => {
      const at = snapshot.updatedAt;
      const rows = new Map<string, string>();
      const layout: Header["layout"] = isPlainObject(snapshot.state) ? "fields" : "whole";
      if (isPlainObject(snapshot.state)) {
        for (const [field, value] of Object.entries(snapshot.state)) {
          if (value !== undefined) rows.set(FIELD_PREFIX + field, JSON.stringify(value));
        }
      } else if (snapshot.state !== undefined) {
        rows.set(WHOLE_KEY, JSON.stringify(snapshot.state));
      }
      const header: Header = { version: snapshot.version, updatedAt: at, layout };
      rows.set(HEADER_KEY, JSON.stringify(header));
      for (const { key } of selectKeys.all()) {
        if (!rows.has(key)) deleteState.run(key);
      }
      for (const [key, value] of rows) upsertState.run(key, value, at);
      deleteLocks.run();
      for (const l of snapshot.locks) {
        insertLock.run(l.scope, l.target ?? null, l.rule, l.until, l.reason, l.createdAt);
      }
    });

  return MemoryStore.of({ load, save });
});

/** `MemoryStore` over the shared {@link SqliteDatabase} connection. */
export const layer: Layer.Layer<MemoryStore, never, SqliteDatabase> = Layer.effect(MemoryStore, make);
