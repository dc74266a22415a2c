/**
 * A full disk under the live bot's setting (`retryWritesEveryMs`): a signal's emit and a trade's update that hit
 * it are held, not lost; the database says so (`writeStatus`) with one error line; once space is freed they
 * commit at their next try, whole, and the status clears with one line. Disk full is `PRAGMA max_page_count`
 * on the live connection (the file cannot grow by one page), freed by raising it.
 */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { SignalStore } from "@signalbot/core";
import { Effect, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import { captureLogs } from "../testing/LogCapture.ts";
import { layer, SqliteDatabase } from "./index.ts";
import { closedByStop, nthBigEmission, nthEmission, tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

const rows = () => {
  const db = new Database(tmp.dbPath, { readonly: true });
  try {
    const count = (t: string) => db.query<{ n: number }, []>(`SELECT COUNT(*) AS n FROM ${t}`).get()!.n;
    const closed = db
      .query<{ n: number }, []>("SELECT COUNT(*) AS n FROM trades WHERE status = 'closed'")
      .get()!.n;
    return { signals: count("signals"), trades: count("trades"), closed, outbox: count("outbox") };
  } finally {
    db.close();
  }
};

/** The disk is full: the file may not grow by one page, and what room its pages had left is taken too. */
const fillUp = (db: Database) => {
  const pages = db.query<{ page_count: number }, []>("PRAGMA page_count").get()!.page_count;
  db.run(`PRAGMA max_page_count = ${pages}`);
  let n = 0;
  for (const size of [1000, 100, 10, 1])
    for (;;) {
      try {
        db.run("INSERT INTO kv (key, value, updated_at) VALUES (?, ?, 0)", [
          `filler-${n++}`,
          "x".repeat(size),
        ]);
      } catch {
        break;
      }
    }
};

test("disk full: an emit and a trade update wait, the status says so, and both commit once space is freed", async () => {
  const first = nthEmission(0);
  const bigEmission = nthBigEmission(1);
  const logs = captureLogs();
  const services = Layer.mergeAll(
    layer({ path: tmp.dbPath, retryWritesEveryMs: 1000 }),
    TestClock.layer(),
    logs.layer,
  );
  const r = await Effect.runPromise(
    Effect.gen(function* () {
      const sqlite = yield* SqliteDatabase;
      const store = yield* SignalStore;
      yield* store.emit(first);
      fillUp(sqlite.db);
      const failed = logs.next();
      const emitting = yield* Effect.forkChild(store.emit(bigEmission));
      yield* failed;
      // The trade's close, with enough events and messages to need a new page (what a full disk refuses).
      const closing = closedByStop(first.trade);
      const updating = yield* Effect.forkChild(
        store.updateTrade({
          trade: closing.trade,
          events: Array.from({ length: 40 }, () => closing.event),
          notifications: Array.from({ length: 40 }, () => closing.notification),
        }),
      );
      yield* Effect.yieldNow;
      const whileFull = sqlite.writeStatus();
      yield* TestClock.adjust(1000); // tried again, still full: still waiting, no new line
      const linesWhileFull = logs.lines.length;
      sqlite.db.run("PRAGMA max_page_count = 1073741823"); // space freed
      const recovered = logs.next();
      yield* TestClock.adjust(1000);
      yield* recovered;
      return {
        whileFull,
        linesWhileFull,
        emitted: yield* Fiber.join(emitting),
        updated: yield* Fiber.join(updating),
        after: sqlite.writeStatus(),
      };
    }).pipe(Effect.provide(services)),
  );
  expect(r.whileFull.failing).toMatchObject({ reason: "diskFull", waiting: 2 });
  expect(r.linesWhileFull).toBe(1);
  expect(logs.lines[0]).toStartWith(
    "storage: writes fail (diskFull) and are held, retried every 1 s until they commit:",
  );
  expect(logs.lines[0]).toContain(tmp.dbPath);
  expect(logs.lines.at(-1)).toBe(
    `storage: "${tmp.dbPath}" is writable again after 2 s; 2 writes waited, none lost`,
  );
  expect(r.emitted).toBe("inserted");
  expect(r.updated).toBeUndefined();
  expect(r.after).toEqual({});
  expect(rows()).toEqual({ signals: 2, trades: 2, closed: 1, outbox: 42 });
});

test("without retryWritesEveryMs (tools, tests) a full disk still fails at once", async () => {
  const error = await Effect.runPromise(
    Effect.gen(function* () {
      const sqlite = yield* SqliteDatabase;
      const store = yield* SignalStore;
      yield* store.emit(nthEmission(0));
      const pages = sqlite.db.query<{ page_count: number }, []>("PRAGMA page_count").get()!.page_count;
      sqlite.db.run(`PRAGMA max_page_count = ${pages}`);
      return yield* Effect.flip(
        store.emit({ ...nthEmission(1), notification: { _tag: "Reply", text: "x".repeat(20_000), time: 0 } }),
      );
    }).pipe(Effect.provide(layer({ path: tmp.dbPath }))),
  );
  expect(error.reason).toBe("diskFull");
});
