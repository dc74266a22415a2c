/** The real adaptive memory (core `Memory`) over SqliteMemoryStore: what it learned survives a restart. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { defaultMemoryConfig, Memory } from "@signalbot/core";
import { aLosingTrade, runTest, T0 } from "@signalbot/core/testing";
import { Effect, Layer } from "effect";
import { SqliteDatabase } from "./SqliteDatabase.ts";
import { tempDatabase } from "./SqliteFixtures.ts";
import * as SqliteMemoryStore from "./SqliteMemoryStore.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

const H = 3_600_000;
const memoryOnFile = () =>
  Memory.layer(defaultMemoryConfig).pipe(
    Layer.provide(SqliteMemoryStore.layer),
    Layer.provide(SqliteDatabase.layer({ path: tmp.dbPath })),
  );

test("losses, locks and the owner's pause are restored from the file after a restart", async () => {
  const before = await runTest(
    Effect.gen(function* () {
      const memory = yield* Memory;
      for (const [i, symbol] of ["BTCUSDT", "ETHUSDT", "SOLUSDT"].entries()) {
        yield* memory.updateAfterTradeClosed(aLosingTrade({ symbol, closedAt: T0 + i * H }));
      }
      yield* memory.pause(24);
      return {
        snapshot: yield* memory.snapshot,
        gate: yield* memory.canTrade("BTCUSDT", "continuation"),
        status: yield* memory.status(0),
      };
    }),
    memoryOnFile(),
    { at: T0 + 3 * H },
  );
  expect(before.snapshot.locks.length).toBeGreaterThan(0);
  expect(before.gate._tag).toBe("Blocked");

  // A new process, one hour later: same file, nothing relearned.
  const after = await runTest(
    Effect.gen(function* () {
      const memory = yield* Memory;
      return {
        snapshot: yield* memory.snapshot,
        gate: yield* memory.canTrade("BTCUSDT", "continuation"),
        status: yield* memory.status(0),
      };
    }),
    memoryOnFile(),
    { at: T0 + 4 * H },
  );
  expect(after.snapshot).toEqual(before.snapshot);
  expect(after.gate).toEqual(before.gate);
  expect({ ...after.status, time: 0 }).toEqual({ ...before.status, time: 0 });
});
