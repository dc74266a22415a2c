/** SqliteMemoryStore and SqliteKeyValueStore on a real file: round trips, replacement, restarts. */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import {
  defaultMemoryConfig,
  KeyValueStore,
  Memory,
  type MemorySnapshot,
  MemoryStore,
} from "@signalbot/core";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import { SNAPSHOT_V1 } from "../../../core/src/memory/SnapshotV1.testkit.ts";
import { layer } from "./index.ts";
import { T0, tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

const run = <A, E>(program: Effect.Effect<A, E, MemoryStore | KeyValueStore>): Promise<A> =>
  Effect.runPromise(Effect.provide(program, layer({ path: tmp.dbPath })));

const snapshot: MemorySnapshot = {
  version: 3,
  updatedAt: T0 + 5_000,
  state: {
    recent: [{ outcome: "loss", r: -1 }],
    equity: 990.5,
    peakEquity: 1000,
    models: { continuation: { wins: 2, losses: 1 } },
  },
  locks: [
    {
      scope: "global",
      rule: "lossStreakPause",
      until: T0 + 12 * 3_600_000,
      reason: "3 losses in a row",
      createdAt: T0,
    },
    {
      scope: "symbol",
      target: "SOLUSDT",
      rule: "symbolCooldown",
      until: T0 + 24 * 3_600_000,
      reason: "2 losses",
      createdAt: T0 + 1,
    },
    {
      scope: "model",
      target: "reversal",
      rule: "modelDisable",
      until: T0 + 48 * 3_600_000,
      reason: "win rate 20%",
      createdAt: T0 + 2,
    },
  ],
};

test("an empty database has no memory snapshot", async () => {
  expect(await run(Effect.flatMap(MemoryStore, (m) => m.load))).toBeUndefined();
});

test("a snapshot and its locks survive a restart exactly", async () => {
  await run(Effect.flatMap(MemoryStore, (m) => m.save(snapshot)));
  expect(await run(Effect.flatMap(MemoryStore, (m) => m.load))).toEqual(snapshot);
  const db = new Database(tmp.dbPath, { readonly: true });
  const locks = db.query("SELECT scope, target, rule, until, reason FROM locks ORDER BY id").all();
  db.close();
  expect(locks).toEqual([
    {
      scope: "global",
      target: null,
      rule: "lossStreakPause",
      until: T0 + 12 * 3_600_000,
      reason: "3 losses in a row",
    },
    {
      scope: "symbol",
      target: "SOLUSDT",
      rule: "symbolCooldown",
      until: T0 + 24 * 3_600_000,
      reason: "2 losses",
    },
    {
      scope: "model",
      target: "reversal",
      rule: "modelDisable",
      until: T0 + 48 * 3_600_000,
      reason: "win rate 20%",
    },
  ]);
});

test("a save replaces the previous snapshot: removed fields and released locks are gone", async () => {
  const next: MemorySnapshot = {
    version: 3,
    updatedAt: T0 + 9_000,
    state: { equity: 1010 },
    locks: [snapshot.locks[1]!],
  };
  const loaded = await run(
    Effect.gen(function* () {
      const m = yield* MemoryStore;
      yield* m.save(snapshot);
      yield* m.save(next);
      return yield* m.load;
    }),
  );
  expect(loaded).toEqual(next);
});

test("a state that is not an object (array, number, null) round-trips whole", async () => {
  for (const state of [[1, 2, 3], 42, null, {}]) {
    const s: MemorySnapshot = { version: 1, updatedAt: T0, state, locks: [] };
    expect(
      await run(
        Effect.gen(function* () {
          const m = yield* MemoryStore;
          yield* m.save(s);
          return yield* m.load;
        }),
      ),
    ).toEqual(s);
  }
});

test("a bot upgraded in place restarts from the snapshot its previous version stored (version 1)", async () => {
  // What the previous version's memory layer saved, through this same store, before models were plug-ins.
  await run(Effect.flatMap(MemoryStore, (m) => m.save(JSON.parse(SNAPSHOT_V1) as MemorySnapshot)));
  const memory = Memory.layer(defaultMemoryConfig).pipe(Layer.provide(layer({ path: tmp.dbPath })));
  const r = await Effect.runPromise(
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2025, 5, 3));
      const m = yield* Memory;
      const status = yield* m.status(0);
      const reversal = yield* m.canTrade("BTCUSDT", "reversal");
      yield* m.pause(1);
      return { status, reversal };
    }).pipe(Effect.provide(memory), Effect.provide(TestClock.layer())),
  );
  expect(r.status.unavailable).toBeUndefined();
  expect(r.status.preferredModel).toBe("continuation");
  expect(r.status.models.continuation).toEqual({ trades: 10, winRate: 0.8 });
  expect(r.status.disabledModels.map((d) => d.model)).toEqual(["reversal"]);
  expect(r.reversal._tag).toBe("Blocked");
  // The next save writes version 2: the preference is a model name, the old flag's row is gone.
  const db = new Database(tmp.dbPath, { readonly: true });
  const rows = db.query("SELECT key, value FROM memory_state ORDER BY key").all() as {
    key: string;
    value: string;
  }[];
  db.close();
  const value = (key: string) => rows.find((row) => row.key === key)?.value;
  expect(JSON.parse(value("snapshot") ?? "{}").version).toBe(2);
  expect(value("state.preferredModel")).toBe('"continuation"');
  expect(value("state.continuationPreferred")).toBeUndefined();
});

test("key-value pairs are stored, overwritten and survive a restart", async () => {
  await run(
    Effect.gen(function* () {
      const kv = yield* KeyValueStore;
      yield* kv.set("telegram.offset", "100");
      yield* kv.set("telegram.offset", "101");
      yield* kv.set("counter.signals", "7");
    }),
  );
  const after = await run(
    Effect.gen(function* () {
      const kv = yield* KeyValueStore;
      return [yield* kv.get("telegram.offset"), yield* kv.get("counter.signals"), yield* kv.get("missing")];
    }),
  );
  expect(after).toEqual(["101", "7", undefined]);
});
