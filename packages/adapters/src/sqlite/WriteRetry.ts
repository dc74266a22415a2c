/**
 * Writes that wait out a full disk instead of failing: nothing the bot decided (a signal, a trade update, an
 * outbox mark) is lost to a transient storage fault. A write that fails because the disk is full, the file is
 * locked by another program, or the file system turned read-only or failed an I/O is tried again every
 * `everyMs` until it commits; its caller simply waits. One error line when such an episode starts, one line
 * when writes go through again; `status()` tells /healthz meanwhile. Corruption and bugs still fail at once.
 */
import type { StoreError } from "@signalbot/core";
import { Clock, Effect } from "effect";

/** The storage faults that heal by themselves or by the owner's hand (space freed, remounted, unlocked). */
const RETRYABLE: ReadonlySet<StoreError["reason"]> = new Set([
  "diskFull",
  "locked",
  "readOnly",
  "unavailable",
]);

export interface WriteStatus {
  /** Set while writes fail and wait: since when, why, and how many writes are waiting now. */
  readonly failing?: {
    readonly since: number;
    readonly reason: StoreError["reason"];
    readonly message: string;
    readonly waiting: number;
  };
}

export interface WriteRetry {
  /** `write` (one transaction attempt), retried while it fails with a retryable reason. */
  readonly retrying: <A>(write: Effect.Effect<A, StoreError>) => Effect.Effect<A, StoreError>;
  readonly status: () => WriteStatus;
}

export const makeWriteRetry = (everyMs: number, path: string): WriteRetry => {
  let failing: { since: number; reason: StoreError["reason"]; message: string } | undefined;
  let waiting = 0;
  let waitedInEpisode = 0;

  const retrying = <A>(write: Effect.Effect<A, StoreError>): Effect.Effect<A, StoreError> =>
    Effect.gen(function* () {
      let counted = false;
      const done = Effect.sync(() => {
        if (counted) waiting--;
        counted = false;
      });
      return yield* Effect.gen(function* () {
        for (;;) {
          const result = yield* Effect.result(write);
          const now = yield* Clock.currentTimeMillis;
          if (result._tag === "Success") {
            if (failing !== undefined) {
              const seconds = Math.round((now - failing.since) / 1000);
              yield* Effect.logInfo(
                `storage: "${path}" is writable again after ${seconds} s; ${waitedInEpisode} writes waited, none lost`,
              );
              failing = undefined;
              waitedInEpisode = 0;
            }
            return result.success;
          }
          const e = result.failure;
          if (!RETRYABLE.has(e.reason)) return yield* Effect.fail(e);
          if (!counted) {
            counted = true;
            waiting++;
            waitedInEpisode++;
          }
          if (failing === undefined) {
            failing = { since: now, reason: e.reason, message: e.message };
            yield* Effect.logError(
              `storage: writes fail (${e.reason}) and are held, retried every ${everyMs / 1000} s until they commit: ${e.message}`,
            );
          } else failing = { ...failing, reason: e.reason, message: e.message };
          yield* Effect.sleep(everyMs);
        }
      }).pipe(Effect.ensuring(done));
    });

  return {
    retrying,
    status: () => (failing === undefined ? {} : { failing: { ...failing, waiting } }),
  };
};
