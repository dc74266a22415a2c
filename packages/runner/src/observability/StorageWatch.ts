/**
 * Tells the owner when the database stops taking writes (disk full, a read-only remount...) and when it takes
 * them again. While it fails, decisions wait in memory (the SQLite adapter retries them); the alert therefore
 * goes straight to the notifier, since the outbox lives in the database that cannot be written. One alert per
 * episode, tried again at each check until Telegram took it; the recovery goes through the outbox as usual.
 */
import type { WriteStatus } from "@signalbot/adapters/sqlite";
import { Notifier, SignalStore } from "@signalbot/core";
import { Clock, Effect } from "effect";
import type { HealthProbe } from "./HealthProbe.ts";

/** Checks `status` every `everyMs` (Effect's clock); runs until interrupted. */
export const watchStorage = (
  status: () => WriteStatus,
  everyMs = 5_000,
): Effect.Effect<never, never, Notifier | SignalStore> =>
  Effect.gen(function* () {
    const notifier = yield* Notifier;
    const store = yield* SignalStore;
    let told: { readonly since: number } | undefined;
    for (;;) {
      yield* Effect.sleep(everyMs);
      const failing = status().failing;
      const now = yield* Clock.currentTimeMillis;
      if (failing !== undefined && told === undefined) {
        const alert = {
          kind: "storageFailing",
          reason: failing.reason,
          since: failing.since,
          waiting: failing.waiting,
        } as const;
        const sent = yield* Effect.result(notifier.deliver({ _tag: "Alert", alert, time: now }));
        if (sent._tag === "Success") told = { since: failing.since };
        else
          yield* Effect.logWarning(
            `storage: the alert did not go out (${sent.failure.message}); trying again at the next check`,
          );
      } else if (failing === undefined && told !== undefined) {
        const downMinutes = Math.max(0, Math.round((now - told.since) / 60_000));
        told = undefined;
        yield* store
          .enqueue({ _tag: "Alert", alert: { kind: "storageRecovered", downMinutes }, time: now })
          .pipe(Effect.catch((e) => Effect.logError(`storage: recovery alert not queued: ${e.message}`)));
      }
    }
  });

/** The database's /healthz section (`storage`) and its /metrics gauge. */
export const storageProbe = (status: () => WriteStatus): HealthProbe => ({
  health: () => {
    const failing = status().failing;
    return failing === undefined
      ? { ok: true, writable: true }
      : {
          ok: false,
          writable: false,
          reason: failing.reason,
          since: new Date(failing.since).toISOString(),
          writesWaiting: failing.waiting,
          message: failing.message,
        };
  },
  metrics: (m) =>
    m.set(
      "signalbot_storage_writes_waiting",
      "Database writes held until the disk takes them again (0 = writable).",
      status().failing?.waiting ?? 0,
    ),
});
