/**
 * The outbox worker: delivers pending notifications strictly in order through the `Notifier`, within the chat's
 * rate limits, waiting out 429s and backing off on transient failures, so nothing is lost while Telegram is down.
 *
 * Delivery is at-least-once: an item is marked delivered only after `Notifier.deliver` succeeded, so after a
 * crash at most the ONE item that was in flight (accepted by Telegram, not yet marked) is sent again.
 * A permanently rejected item (4xx other than 429) is recorded with `markFailed` and then closed with
 * `markDelivered` so it never blocks the queue; its last error stays in the store.
 */
import { Clock, Effect, Result, Schedule } from "effect";
import type { Notification } from "../model/Notification.ts";
import { type DeliveryError, Notifier } from "../port/Notifier.ts";
import { type OutboxItem, SignalStore } from "../port/SignalStore.ts";
import type { StoreError } from "../port/StoreError.ts";

export interface OutboxWorkerConfig {
  /** Minimum gap between two messages to the chat. Telegram: about 1 per second per chat. Default 1000. */
  readonly minIntervalMs?: number;
  /**
   * At most this many messages in any 60-second window (Telegram: 20 per minute in a group). Default: no window
   * limit (a private chat). Set it when the chat is a group (negative chat id).
   */
  readonly maxPerMinute?: number;
  /** First wait after a transient failure; doubles on each consecutive one up to `maxBackoffMs`. Default 1000. */
  readonly baseBackoffMs?: number;
  /** Ceiling of the transient backoff. Default 60000. */
  readonly maxBackoffMs?: number;
  /** Wait used when Telegram says 429 without `retry_after`. Default 1000. */
  readonly defaultRetryAfterMs?: number;
  /** Pause between polls of an empty outbox, and after a store error. Default 1000. */
  readonly idleMs?: number;
  /** Items read from the store per batch. Default 20. */
  readonly batchSize?: number;
}

export interface OutboxWorker {
  /** Deliver forever (fork it; interrupt it on shutdown). */
  readonly run: Effect.Effect<never, never, Notifier | SignalStore>;
  /**
   * Deliver what is pending for at most `maxMs` (shutdown): returns how many items are still undelivered.
   * An item interrupted mid-delivery stays pending and is sent at the next start.
   */
  readonly drain: (maxMs: number) => Effect.Effect<number, never, Notifier | SignalStore>;
}

const MINUTE = 60_000;

const describe = (n: Notification): string => {
  switch (n._tag) {
    case "NewSignal":
      return `NewSignal "${n.signal.key}"`;
    case "TradeUpdate":
      return `TradeUpdate "${n.trade.id}" ${n.event._tag}`;
    case "Alert":
      return `Alert "${n.alert.kind}"`;
    default:
      return n._tag;
  }
};

/** Build a worker; its rate-limit state is shared by `run` and `drain`. */
export const makeOutboxWorker = (config: OutboxWorkerConfig = {}): OutboxWorker => {
  const minIntervalMs = config.minIntervalMs ?? 1000;
  const maxPerMinute = config.maxPerMinute ?? 0;
  const baseBackoffMs = config.baseBackoffMs ?? 1000;
  const maxBackoffMs = config.maxBackoffMs ?? 60_000;
  const defaultRetryAfterMs = config.defaultRetryAfterMs ?? 1000;
  const idleMs = config.idleMs ?? 1000;
  const batchSize = config.batchSize ?? 20;

  // Send attempts (times), newest last: the last one gives the per-chat gap, the window the per-minute cap.
  // Failed attempts count too: Telegram counts requests, not successes.
  const sent: number[] = [];

  /** Wait until sending now respects both limits, then record the send. */
  const acquireSlot = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    const last = sent[sent.length - 1];
    let earliest = last === undefined ? now : last + minIntervalMs;
    if (maxPerMinute > 0 && sent.length >= maxPerMinute) {
      earliest = Math.max(earliest, sent[sent.length - maxPerMinute]! + MINUTE);
    }
    if (earliest > now) yield* Effect.sleep(earliest - now);
    const at = yield* Clock.currentTimeMillis;
    sent.push(at);
    while (sent.length > Math.max(1, maxPerMinute)) sent.shift();
  });

  /** Retry a store write until it succeeds: losing a markDelivered would resend the message. */
  const persist = (what: string, write: Effect.Effect<void, StoreError>) =>
    write.pipe(
      Effect.tapError((e) =>
        Effect.logError(`outbox: ${what} failed, retrying in ${idleMs} ms: ${e.message}`),
      ),
      Effect.retry(Schedule.spaced(idleMs)),
      Effect.orDie,
    );

  const deliverOne = (item: OutboxItem) =>
    Effect.gen(function* () {
      const notifier = yield* Notifier;
      const store = yield* SignalStore;
      let transientFailures = 0;
      for (;;) {
        yield* acquireSlot;
        const result = yield* Effect.result(notifier.deliver(item.notification));
        if (Result.isSuccess(result)) {
          yield* persist(`markDelivered(${item.id})`, store.markDelivered(item.id));
          return;
        }
        const error: DeliveryError = result.failure;
        if (error.reason === "permanent") {
          yield* Effect.logError(
            `outbox: item ${item.id} (${describe(item.notification)}) rejected permanently, dropped: ${error.message}`,
          );
          yield* persist(`markFailed(${item.id})`, store.markFailed(item.id, error.message));
          yield* persist(`markDelivered(${item.id})`, store.markDelivered(item.id));
          return;
        }
        const waitMs =
          error.reason === "rateLimited"
            ? Math.max(error.retryAfterMs ?? defaultRetryAfterMs, minIntervalMs)
            : Math.min(maxBackoffMs, baseBackoffMs * 2 ** transientFailures++);
        yield* Effect.logWarning(
          `outbox: item ${item.id} (${describe(item.notification)}) ${error.reason}, retrying in ${waitMs} ms: ${error.message}`,
        );
        yield* Effect.sleep(waitMs);
      }
    });

  /** One batch, in order; returns how many items were pending (0 = idle). Store errors count as idle. */
  const deliverBatch = Effect.gen(function* () {
    const store = yield* SignalStore;
    const items = yield* store.pendingOutbox(batchSize);
    for (const item of items) yield* deliverOne(item);
    return items.length;
  }).pipe(
    Effect.catchTag("StoreError", (e) =>
      Effect.logError(`outbox: reading the outbox failed (${e.operation}): ${e.message}`).pipe(Effect.as(0)),
    ),
  );

  const run: OutboxWorker["run"] = Effect.forever(
    Effect.flatMap(deliverBatch, (n) => (n === 0 ? Effect.sleep(idleMs) : Effect.void)),
  );

  const drain: OutboxWorker["drain"] = (maxMs) =>
    Effect.gen(function* () {
      const store = yield* SignalStore;
      const loop = Effect.gen(function* () {
        while ((yield* deliverBatch) > 0) {
          // keep going until the outbox is empty
        }
      });
      yield* Effect.timeoutOption(loop, maxMs);
      return yield* store.outboxDepth.pipe(Effect.orElseSucceed(() => -1));
    });

  return { run, drain };
};

/** Convenience: a fresh worker's `run`. */
export const runOutboxWorker = (
  config: OutboxWorkerConfig = {},
): Effect.Effect<never, never, Notifier | SignalStore> => makeOutboxWorker(config).run;
