/**
 * What the store does when the disk says no: read-only, locked by another writer, full. Each write fails with
 * a `StoreError` naming the reason, writes nothing, leaves the caller's objects as they were, and the file
 * reopens intact. Tests run as root, where chmod does not stop writes, so read-only is simulated with
 * `PRAGMA query_only` on the live connection (and a read-only chmod is tested only when not root).
 */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { KeyValueStore, SignalStore, type StoreError } from "@signalbot/core";
import { Effect } from "effect";
import { layer, SqliteDatabase } from "./index.ts";
import { nthBigEmission, nthEmission, tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

type Services = SignalStore | KeyValueStore | SqliteDatabase;
const run = <A, E>(program: Effect.Effect<A, E, Services>, busyTimeoutMs?: number): Promise<A> =>
  Effect.runPromise(
    Effect.provide(
      program,
      layer({ path: tmp.dbPath, ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) }),
    ),
  );

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

/** Reopens the file with a plain connection: integrity and the row counts of the three emit tables. */
const inspect = () => {
  const db = new Database(tmp.dbPath, { readonly: true });
  try {
    const count = (t: string) => db.query<{ n: number }, []>(`SELECT COUNT(*) AS n FROM ${t}`).get()!.n;
    return {
      integrity: db.query("PRAGMA integrity_check").get(),
      rows: [count("signals"), count("trades"), count("outbox")],
    };
  } finally {
    db.close();
  }
};

test("read-only: emit fails with reason readOnly, writes nothing, leaves the caller's objects untouched", async () => {
  const first = nthEmission(0);
  const second = deepFreeze(nthEmission(1));
  const copy = structuredClone(second);
  const result = await run(
    Effect.gen(function* () {
      const { db } = yield* SqliteDatabase;
      const store = yield* SignalStore;
      yield* store.emit(first);
      db.run("PRAGMA query_only = ON"); // what a file system remounted read-only looks like to SQLite
      const error = yield* Effect.flip(store.emit(second));
      const kvError = yield* Effect.flip((yield* KeyValueStore).set("telegram.offset", "5"));
      const stillReadable = yield* store.wasEmitted(first.signal.key);
      db.run("PRAGMA query_only = OFF");
      const retried = yield* store.emit(second);
      return { error, kvError, stillReadable, retried };
    }),
  );
  expect(result.error.reason).toBe("readOnly");
  expect(result.error.operation).toBe("SignalStore.emit");
  expect(result.error.message).toContain("is read-only");
  expect(result.error.message).toContain(tmp.dbPath);
  expect(result.kvError.reason).toBe("readOnly");
  expect(result.stillReadable).toBe(true);
  expect(result.retried).toBe("inserted");
  expect(second).toEqual(copy);
  expect(inspect()).toEqual({ integrity: { integrity_check: "ok" }, rows: [2, 2, 2] });
});

test.skipIf(process.getuid?.() === 0)(
  "read-only file (chmod 444, not root): opening fails with readOnly",
  async () => {
    await run(Effect.void);
    chmodSync(tmp.dbPath, 0o444);
    chmodSync(dirname(tmp.dbPath), 0o555);
    try {
      const error = await Effect.runPromise(
        Effect.flip(Effect.provide(Effect.void, layer({ path: tmp.dbPath }))),
      );
      expect(error.reason).toBe("readOnly");
      expect(error.message).toContain("is not writable");
    } finally {
      chmodSync(dirname(tmp.dbPath), 0o755);
      chmodSync(tmp.dbPath, 0o644);
    }
  },
);

test("locked: another connection holding the write lock makes writes fail with reason locked after the busy timeout", async () => {
  mkdirSync(dirname(tmp.dbPath), { recursive: true });
  await run(Effect.void); // create and migrate
  const e = deepFreeze(nthEmission(0));
  const copy = structuredClone(e);
  const other = new Database(tmp.dbPath);
  other.run("BEGIN IMMEDIATE");
  other.run("INSERT INTO kv (key, value, updated_at) VALUES ('held', 'by another writer', 0)");
  const result = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      const error = yield* Effect.flip(store.emit(e));
      // WAL: readers are not blocked by a writer.
      const readable = yield* store.outboxDepth;
      other.run("COMMIT");
      const retried = yield* store.emit(e);
      return { error, readable, retried };
    }),
    50,
  );
  other.close();
  expect(result.error.reason).toBe("locked");
  expect(result.error.message).toContain("is locked by another connection");
  expect(result.readable).toBe(0);
  expect(result.retried).toBe("inserted");
  expect(e).toEqual(copy);
  expect(inspect()).toEqual({ integrity: { integrity_check: "ok" }, rows: [1, 1, 1] });
});

test("disk full (PRAGMA max_page_count): emit fails with reason diskFull, rolls back whole, the file stays intact", async () => {
  const big = nthEmission(1);
  const bigEmission = deepFreeze(nthBigEmission(1));
  const copy = structuredClone(bigEmission);
  const result = await run(
    Effect.gen(function* () {
      const { db } = yield* SqliteDatabase;
      const store = yield* SignalStore;
      yield* store.emit(nthEmission(0));
      const pages = db.query<{ page_count: number }, []>("PRAGMA page_count").get()!.page_count;
      db.run(`PRAGMA max_page_count = ${pages}`); // the disk has no room for one more page
      const error = yield* Effect.flip(store.emit(bigEmission));
      const seen = yield* store.wasEmitted(big.signal.key);
      return { error, seen };
    }),
  );
  expect(result.error.reason).toBe("diskFull");
  expect(result.error.message).toContain("full");
  expect(result.seen).toBe(false);
  expect(bigEmission).toEqual(copy);
  expect(inspect()).toEqual({ integrity: { integrity_check: "ok" }, rows: [1, 1, 1] });
  // Space freed (a new connection has no page limit): the same emit now succeeds whole.
  expect(await run(Effect.flatMap(SignalStore, (s) => s.emit(bigEmission)))).toBe("inserted");
  expect(inspect().rows).toEqual([2, 2, 2]);
});

test("every failure is a StoreError value, never a thrown exception", async () => {
  const error: StoreError = await Effect.runPromise(
    Effect.flip(Effect.provide(Effect.void, layer({ path: "/proc/no-such-dir/signalbot.db" }))),
  );
  expect(error._tag).toBe("StoreError");
  expect(error.reason).toBe("unavailable");
});
