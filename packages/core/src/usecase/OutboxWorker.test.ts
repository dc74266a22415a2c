import { describe, expect, test } from "bun:test";
import { Clock, Duration, Effect, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import type { Notification } from "../model/Notification.ts";
import type { KeyValueStore } from "../port/KeyValueStore.ts";
import { DeliveryError, Notifier } from "../port/Notifier.ts";
import { SignalStore } from "../port/SignalStore.ts";
import { KeyValueStoreMemory } from "../testing/KeyValueStoreMemory.ts";
import { SignalStoreMemory, SignalStoreMemoryState } from "../testing/SignalStoreMemory.ts";
import { makeOutboxWorker, PACING_KEY } from "./OutboxWorker.ts";

const reply = (i: number): Notification => ({ _tag: "Reply", text: `m${i}`, time: 0 });
const textOf = (n: Notification) => (n._tag === "Reply" ? n.text : n._tag);

/**
 * A scripted Telegram: `answer(text, attempt, now)` decides each attempt's fate; accepted messages are recorded
 * with the (test) clock time. A `"crash"` answer accepts the message and then kills the worker before it can
 * mark the item delivered — the worst moment for a process to die.
 */
type Answer = "ok" | "crash" | DeliveryError;
const scriptedTelegram = (answer: (text: string, attempt: number, now: number) => Answer) => {
  const accepted: { text: string; at: number }[] = [];
  const attempts: { text: string; at: number }[] = [];
  const layer = Layer.succeed(
    Notifier,
    Notifier.of({
      deliver: (n) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const text = textOf(n);
          const attempt = attempts.filter((a) => a.text === text).length;
          attempts.push({ text, at: now });
          const a = answer(text, attempt, now);
          if (a === "ok" || a === "crash") accepted.push({ text, at: now });
          if (a === "ok") return Effect.void;
          if (a === "crash") return Effect.die("process killed");
          return Effect.fail(a);
        }),
    }),
  );
  return { accepted, attempts, layer };
};

const down = (message = "502 Bad Gateway") => new DeliveryError({ reason: "transient", message });

const enqueueAll = (n: number) =>
  Effect.gen(function* () {
    const store = yield* SignalStore;
    for (let i = 1; i <= n; i++) yield* store.enqueue(reply(i));
  });

/** Run `program` with the store over `state`, the scripted notifier and the test clock. */
const run = <A, E>(
  program: Effect.Effect<A, E, SignalStore | Notifier>,
  state: SignalStoreMemoryState,
  notifier: Layer.Layer<Notifier>,
) =>
  Effect.runPromise(
    program.pipe(Effect.provide(Layer.mergeAll(SignalStoreMemory.layer(state), notifier, TestClock.layer()))),
  );

/** Advance the test clock second by second until the outbox is empty (or `limitMs` passed). */
const advanceUntilEmpty = (limitMs: number) =>
  Effect.gen(function* () {
    const store = yield* SignalStore;
    for (let t = 0; t < limitMs; t += 1000) {
      if ((yield* store.outboxDepth) === 0) return t;
      yield* TestClock.adjust(Duration.seconds(1));
    }
    return limitMs;
  });

const gaps = (times: readonly number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe("OutboxWorker", () => {
  test("a 10-minute Telegram outage loses nothing; delivery is in order and within the group rate limits", async () => {
    const OUTAGE = 10 * 60_000;
    let grumpy = true;
    const tg = scriptedTelegram((_text, _attempt, now) => {
      if (now < OUTAGE) return down();
      // Right after the outage Telegram is still grumpy once.
      if (grumpy) {
        grumpy = false;
        return new DeliveryError({ reason: "rateLimited", message: "429", retryAfterMs: 30_000 });
      }
      return "ok";
    });
    const state = new SignalStoreMemoryState();
    const r = await run(
      Effect.gen(function* () {
        yield* enqueueAll(30);
        const worker = makeOutboxWorker({ minIntervalMs: 1000, maxPerMinute: 20, maxBackoffMs: 60_000 });
        const fiber = yield* Effect.forkChild(worker.run);
        const tookMs = yield* advanceUntilEmpty(30 * 60_000);
        yield* Fiber.interrupt(fiber);
        return { tookMs, depth: yield* (yield* SignalStore).outboxDepth };
      }),
      state,
      tg.layer,
    );
    expect(r.depth).toBe(0);
    expect(tg.accepted.map((a) => a.text)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i + 1}`));
    const times = tg.accepted.map((a) => a.at);
    const firstAfterOutage = tg.attempts.find((a) => a.at >= OUTAGE)!.at;
    expect(firstAfterOutage - OUTAGE).toBeLessThanOrEqual(60_000); // backoff is capped at a minute
    expect(times[0]! - firstAfterOutage).toBe(30_000); // the 429's retry_after was honoured
    // ≤ 1 message per second, and no 60-second window holds more than 20 attempts (failed ones included).
    expect(Math.min(...gaps(times))).toBeGreaterThanOrEqual(1000);
    const all = tg.attempts.map((a) => a.at);
    for (const t of all) expect(all.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(20);
    // 20 at 1/s, then the minute window holds the last 10 back.
    expect(times[20]! - times[0]!).toBeGreaterThanOrEqual(60_000);
  });

  test("transient failures back off exponentially up to the ceiling", async () => {
    const tg = scriptedTelegram((_t, attempt) => (attempt < 6 ? down() : "ok"));
    await run(
      Effect.gen(function* () {
        yield* enqueueAll(1);
        const fiber = yield* Effect.forkChild(
          makeOutboxWorker({ minIntervalMs: 1000, baseBackoffMs: 1000, maxBackoffMs: 8000 }).run,
        );
        yield* advanceUntilEmpty(120_000);
        yield* Fiber.interrupt(fiber);
      }),
      new SignalStoreMemoryState(),
      tg.layer,
    );
    expect(gaps(tg.attempts.map((a) => a.at))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(tg.accepted.map((a) => a.text)).toEqual(["m1"]);
  });

  test("a 429 is honoured: the next attempt waits retry_after", async () => {
    const tg = scriptedTelegram((text, attempt) =>
      text === "m1" && attempt === 0
        ? new DeliveryError({ reason: "rateLimited", message: "429", retryAfterMs: 17_000 })
        : "ok",
    );
    await run(
      Effect.gen(function* () {
        yield* enqueueAll(2);
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* advanceUntilEmpty(60_000);
        yield* Fiber.interrupt(fiber);
      }),
      new SignalStoreMemoryState(),
      tg.layer,
    );
    expect(tg.attempts.map((a) => [a.text, a.at])).toEqual([
      ["m1", 0],
      ["m1", 17_000],
      ["m2", 18_000],
    ]);
  });

  test("a permanent rejection is recorded, closed, and the queue moves on", async () => {
    const tg = scriptedTelegram((text) =>
      text === "m2"
        ? new DeliveryError({ reason: "permanent", message: "400 Bad Request: can't parse entities" })
        : "ok",
    );
    const state = new SignalStoreMemoryState();
    await run(
      Effect.gen(function* () {
        yield* enqueueAll(3);
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* advanceUntilEmpty(60_000);
        yield* Fiber.interrupt(fiber);
      }),
      state,
      tg.layer,
    );
    expect(tg.accepted.map((a) => a.text)).toEqual(["m1", "m3"]);
    expect(tg.attempts.filter((a) => a.text === "m2")).toHaveLength(1);
    const m2 = state.outbox.find((r) => textOf(r.notification) === "m2");
    expect(m2).toMatchObject({
      delivered: true,
      attempts: 1,
      lastError: "400 Bad Request: can't parse entities",
    });
  });

  test("restart after a crash: only the one in-flight item repeats, nothing is lost", async () => {
    let crashed = false;
    const tg = scriptedTelegram((text) => {
      if (text === "m3" && !crashed) {
        crashed = true;
        return "crash";
      }
      return "ok";
    });
    const state = new SignalStoreMemoryState();
    const first = await run(
      Effect.gen(function* () {
        yield* enqueueAll(6);
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* TestClock.adjust(Duration.seconds(10));
        return yield* Fiber.await(fiber);
      }),
      state,
      tg.layer,
    );
    expect(first._tag).toBe("Failure"); // the process "died"
    expect(state.outbox.filter((r) => r.delivered).map((r) => textOf(r.notification))).toEqual(["m1", "m2"]);
    // Restart: a new worker over the same (reopened) store.
    await run(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* advanceUntilEmpty(60_000);
        yield* Fiber.interrupt(fiber);
      }),
      state,
      tg.layer,
    );
    expect(tg.accepted.map((a) => a.text)).toEqual(["m1", "m2", "m3", "m3", "m4", "m5", "m6"]);
  });

  test("restart after an interruption while waiting: no repeat at all", async () => {
    const tg = scriptedTelegram(() => "ok");
    const state = new SignalStoreMemoryState();
    const layer = tg.layer;
    await run(
      Effect.gen(function* () {
        yield* enqueueAll(5);
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* TestClock.adjust(Duration.millis(1500)); // m1 at 0, m2 at 1000, m3 waiting for its slot
        yield* Fiber.interrupt(fiber);
      }),
      state,
      layer,
    );
    await run(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* advanceUntilEmpty(60_000);
        yield* Fiber.interrupt(fiber);
      }),
      state,
      layer,
    );
    expect(tg.accepted.map((a) => a.text)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  });

  test("drain delivers what it can within its budget and reports what is left", async () => {
    const tg = scriptedTelegram(() => "ok");
    const left = await run(
      Effect.gen(function* () {
        yield* enqueueAll(10);
        const worker = makeOutboxWorker({ minIntervalMs: 1000 });
        const fiber = yield* Effect.forkChild(worker.drain(4500));
        yield* TestClock.adjust(Duration.seconds(5));
        return yield* Fiber.join(fiber);
      }),
      new SignalStoreMemoryState(),
      tg.layer,
    );
    expect(tg.accepted.map((a) => a.text)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(left).toBe(5);
  });

  test("the limits count requests: a reply sent in 3 parts is 3 sends, each paced", async () => {
    // A Telegram whose messages split in 3 parts (a long reply), sending each part through `pace`.
    const sends: number[] = [];
    const layer = Layer.succeed(
      Notifier,
      Notifier.of({
        deliver: (_n, delivery) =>
          Effect.gen(function* () {
            for (let part = 0; part < 3; part++) {
              if (part > 0 && delivery !== undefined) yield* delivery.pace;
              sends.push(yield* Clock.currentTimeMillis);
            }
          }),
      }),
    );
    await run(
      Effect.gen(function* () {
        yield* enqueueAll(7);
        const fiber = yield* Effect.forkChild(
          makeOutboxWorker({ minIntervalMs: 1000, maxPerMinute: 20 }).run,
        );
        yield* advanceUntilEmpty(10 * 60_000);
        yield* Fiber.interrupt(fiber);
      }),
      new SignalStoreMemoryState(),
      layer,
    );
    expect(sends).toHaveLength(21);
    expect(Math.min(...gaps(sends))).toBeGreaterThanOrEqual(1000);
    for (const t of sends)
      expect(sends.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(20);
  });

  test("a restart remembers the window: the 21st send of a group waits for the minute begun before it", async () => {
    const tg = scriptedTelegram(() => "ok");
    const state = new SignalStoreMemoryState();
    const kv = new Map<string, string>();
    const config = { minIntervalMs: 1000, maxPerMinute: 20 };
    const withKv = <E>(program: Effect.Effect<void, E, SignalStore | Notifier | KeyValueStore>) =>
      run(program.pipe(Effect.provide(KeyValueStoreMemory.layer(kv))), state, tg.layer);
    await withKv(
      Effect.gen(function* () {
        yield* enqueueAll(25);
        const fiber = yield* Effect.forkChild(makeOutboxWorker(config).run);
        yield* TestClock.adjust(Duration.millis(19_500)); // 20 sent (t = 0 … 19 s)
        yield* Fiber.interrupt(fiber);
      }),
    );
    expect(tg.accepted).toHaveLength(20);
    expect(JSON.parse(kv.get(PACING_KEY) ?? "{}").sends).toHaveLength(20);
    // The restarted process (a fresh worker, the same store) runs on the same clock from where it stopped.
    await withKv(
      Effect.gen(function* () {
        yield* TestClock.setTime(19_500);
        const fiber = yield* Effect.forkChild(makeOutboxWorker(config).run);
        yield* advanceUntilEmpty(5 * 60_000);
        yield* Fiber.interrupt(fiber);
      }),
    );
    expect(tg.accepted.map((a) => a.at).slice(19)).toEqual([19_000, 60_000, 61_000, 62_000, 63_000, 64_000]);
  });

  test("a restart remembers a pending retry_after: nothing is sent before Telegram said so", async () => {
    const tg = scriptedTelegram((text, attempt) =>
      text === "m1" && attempt === 0
        ? new DeliveryError({ reason: "rateLimited", message: "429", retryAfterMs: 30_000 })
        : "ok",
    );
    const state = new SignalStoreMemoryState();
    const kv = new Map<string, string>();
    const withKv = <E>(program: Effect.Effect<void, E, SignalStore | Notifier | KeyValueStore>) =>
      run(program.pipe(Effect.provide(KeyValueStoreMemory.layer(kv))), state, tg.layer);
    await withKv(
      Effect.gen(function* () {
        yield* enqueueAll(2);
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* TestClock.adjust(Duration.seconds(2));
        yield* Fiber.interrupt(fiber); // the process restarts during the wait
      }),
    );
    await withKv(
      Effect.gen(function* () {
        yield* TestClock.setTime(2000);
        const fiber = yield* Effect.forkChild(makeOutboxWorker().run);
        yield* advanceUntilEmpty(60_000);
        yield* Fiber.interrupt(fiber);
      }),
    );
    expect(tg.attempts.map((a) => [a.text, a.at])).toEqual([
      ["m1", 0],
      ["m1", 30_000],
      ["m2", 31_000],
    ]);
  });
});
