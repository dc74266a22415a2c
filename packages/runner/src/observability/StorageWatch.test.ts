/** The storage alert under TestClock: once per episode, straight to the notifier, the recovery via the outbox. */
import { expect, test } from "bun:test";
import type { WriteStatus } from "@signalbot/adapters/sqlite";
import { DeliveryError, type Notification, Notifier } from "@signalbot/core";
import { SignalStoreMemory } from "@signalbot/core/testing";
import { Effect, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import { storageProbe, watchStorage } from "./StorageWatch.ts";

test("disk full: one alert sent directly (retried while Telegram fails), the recovery queued in the outbox", async () => {
  let status: WriteStatus = {};
  const delivered: Notification[] = [];
  let telegramUp = false;
  const notifier = Layer.succeed(
    Notifier,
    Notifier.of({
      deliver: (n) =>
        telegramUp
          ? Effect.sync(() => void delivered.push(n))
          : Effect.fail(new DeliveryError({ reason: "transient", message: "502 Bad Gateway" })),
    }),
  );
  const state = new SignalStoreMemory.State();
  const probe = storageProbe(() => status);
  const seen = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(watchStorage(() => status, 5_000));
      const health: unknown[] = [probe.health()];
      status = { failing: { since: 0, reason: "diskFull", message: "SQLITE_FULL", waiting: 2 } };
      health.push(probe.health());
      yield* TestClock.adjust(5_000); // Telegram down: not delivered, tried again next check
      telegramUp = true;
      yield* TestClock.adjust(5_000);
      yield* TestClock.adjust(60_000); // still failing: no second alert
      status = {};
      yield* TestClock.adjust(5_000); // within one check: recovered
      health.push(probe.health());
      yield* TestClock.adjust(60_000);
      yield* Fiber.interrupt(fiber);
      return health;
    }).pipe(Effect.provide(Layer.mergeAll(notifier, SignalStoreMemory.layer(state), TestClock.layer()))),
  );
  expect(delivered).toEqual([
    {
      _tag: "Alert",
      alert: { kind: "storageFailing", reason: "diskFull", since: 0, waiting: 2 },
      time: 10_000,
    },
  ]);
  expect(state.outbox.map((r) => r.notification)).toEqual([
    { _tag: "Alert", alert: { kind: "storageRecovered", downMinutes: 1 }, time: 75_000 },
  ]);
  expect(seen).toEqual([
    { ok: true, writable: true },
    {
      ok: false,
      writable: false,
      reason: "diskFull",
      since: "1970-01-01T00:00:00.000Z",
      writesWaiting: 2,
      message: "SQLITE_FULL",
    },
    { ok: true, writable: true },
  ]);
});
