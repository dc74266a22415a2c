/** The core `SignalStore` contract suite, run against the SQLite adapter on real temp files. */
import { afterAll, describe, expect, test } from "bun:test";
import { signalStoreContract } from "@signalbot/core/testing";
import { Layer } from "effect";
import { SqliteDatabase } from "./SqliteDatabase.ts";
import { tempDatabase } from "./SqliteFixtures.ts";
import * as SqliteSignalStore from "./SqliteSignalStore.ts";

const created: ReturnType<typeof tempDatabase>[] = [];
afterAll(() => {
  for (const t of created) t.remove();
});

signalStoreContract(
  "SqliteSignalStore",
  () => {
    const tmp = tempDatabase();
    created.push(tmp);
    // Each call opens the same file again, as a restarted process would.
    return () => SqliteSignalStore.layer.pipe(Layer.provide(SqliteDatabase.layer({ path: tmp.dbPath })));
  },
  { describe, test, expect },
);
