/**
 * The outbox end to end with the real SQLite store and the fake Bot API: a worker process is killed with
 * SIGKILL while Telegram is accepting a message; after a restart every message arrives, in order, and only
 * that one in-flight message may arrive twice (the documented at-least-once guarantee).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { makeOutboxWorker, SignalStore } from "@signalbot/core";
import { Effect, Fiber, Layer } from "effect";
import { layer as sqliteLayer } from "../sqlite/index.ts";
import { tempDatabase } from "../sqlite/SqliteFixtures.ts";
import { type FakeBotApi, startFakeBotApi } from "../testing/FakeBotApi.ts";
import { TelegramNotifier } from "./TelegramNotifier.ts";

const WORKER = new URL("./OutboxCrashWorker.ts", import.meta.url).pathname;
const N = 12;
const KILL_AT = 5;

let tmp: ReturnType<typeof tempDatabase>;
let fake: FakeBotApi | undefined;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(async () => {
  await fake?.stop();
  tmp.remove();
});

test("killed mid-delivery: after a restart nothing is lost and only the in-flight message repeats", async () => {
  // Queue N replies in the database.
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      for (let i = 1; i <= N; i++) yield* store.enqueue({ _tag: "Reply", text: `m${i}`, time: i });
    }).pipe(Effect.provide(sqliteLayer({ path: tmp.dbPath }))),
  );

  let child: ReturnType<typeof Bun.spawn> | undefined;
  let sends = 0;
  const api = startFakeBotApi({
    // Telegram accepts message KILL_AT, and the worker dies before it can mark it delivered.
    onReceive: (r) => {
      if (r.method === "sendMessage" && ++sends === KILL_AT) child?.kill("SIGKILL");
    },
  });
  fake = api;
  child = Bun.spawn([process.execPath, WORKER, tmp.dbPath, api.apiRoot, api.token], {
    stdout: "ignore",
    stderr: "pipe",
  });
  await child.exited;
  expect(child.signalCode).toBe("SIGKILL");

  // Restart in this process over the same file and drain.
  const layer = Layer.mergeAll(
    sqliteLayer({ path: tmp.dbPath }),
    TelegramNotifier.layer({ token: api.token, apiRoot: api.apiRoot, chatId: "1" }),
  );
  const left = await Effect.runPromise(
    makeOutboxWorker({ minIntervalMs: 0 }).drain(10_000).pipe(Effect.provide(layer)),
  );
  expect(left).toBe(0);

  const texts = api.delivered().map((r) => String(r.params.text));
  const expected = Array.from({ length: N }, (_, i) => `m${i + 1}`);
  // Every message, in order; at most one repeat, and it is the message that was in flight at the kill.
  expect([...new Set(texts)]).toEqual(expected);
  expect(texts.length - N).toBeLessThanOrEqual(1);
  const repeated = texts.filter((t, i) => texts.indexOf(t) !== i);
  expect(repeated.every((t) => t === `m${KILL_AT}`)).toBe(true);
  expect(texts.slice(0, KILL_AT)).toEqual(expected.slice(0, KILL_AT));
});

test("a restart keeps the rate window: the restarted worker waits for the window the killed one began", async () => {
  const api = startFakeBotApi();
  fake = api;
  const layer = Layer.mergeAll(
    sqliteLayer({ path: tmp.dbPath }),
    TelegramNotifier.layer({ token: api.token, apiRoot: api.apiRoot, chatId: "-100200" }),
  );
  // A group allowing 3 requests per 1.5 s window (20 per minute, shrunk).
  const limits = { minIntervalMs: 0, maxPerMinute: 3, windowMs: 1500 };
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      for (let i = 1; i <= 5; i++) yield* store.enqueue({ _tag: "Reply", text: `m${i}`, time: i });
      const first = yield* Effect.forkChild(makeOutboxWorker(limits).run);
      yield* Effect.promise(() => api.whenDelivered(3));
      yield* Fiber.interrupt(first); // the process restarts with the window full
    }).pipe(Effect.provide(layer)),
  );
  const left = await Effect.runPromise(makeOutboxWorker(limits).drain(10_000).pipe(Effect.provide(layer)));
  expect(left).toBe(0);
  const sent = api.delivered();
  // m3 may go twice (accepted, then the process stopped before marking it): the one in-flight repeat.
  expect([...new Set(sent.map((r) => r.params.text))]).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  // The restarted worker's first send waited for the window the first one opened.
  expect(sent[3]!.at - sent[0]!.at).toBeGreaterThanOrEqual(1450);
});
