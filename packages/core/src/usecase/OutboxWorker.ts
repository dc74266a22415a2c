/**
 * The outbox worker: delivers pending notifications strictly in order through the `Notifier`, within the chat's
 * rate limits, waiting out 429s and backing off on transient failures, so nothing is lost while Telegram is down.
 *
 * The limits count requests, not items: a long text split in three is three sends, each paced (`Delivery.pace`).
 * The send times of the last minute and a pending `retry_after` are kept in the `KeyValueStore` (when one is
 * provided, as live), so a restart neither forgets the window nor retries before Telegram said it may.
 *
 * Delivery is at-least-once: an item is marked delivered only after `Notifier.deliver` succeeded, so after a
 * crash at most the ONE item that was in flight (accepted by Telegram, not yet marked) is sent again.
 * A permanently rejected item (this message refused: 4xx other than 429) is recorded with `markFailed` and
 * then closed with `markDelivered` so it never blocks the queue; its last error stays in the store.
 * A blocked destination (wrong chat id, revoked token, bot blocked: every message would be refused) halts
 * delivery instead: nothing is dropped, `status()` says so (for /healthz), one error line says why, and the
 * head of the queue is retried every `haltRetryMs` — delivery resumes by itself once the owner fixes it, or at
 * the next start.
 */
import { Clock, Effect, Option, Result, Schedule } from "effect";
import type { Notification } from "../model/Notification.ts";
import { MINUTE_MS } from "../model/Time.ts";
import { KeyValueStore } from "../port/KeyValueStore.ts";
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
  /** Length of the `maxPerMinute` window. Default 60 000 (tests shorten it). */
  readonly windowMs?: number;
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
  /** While the destination is blocked, how often the head of the queue is tried again. Default 300 000 (5 min). */
  readonly haltRetryMs?: number;
}

/** Whether delivery is running, for /healthz. */
export interface OutboxStatus {
  /** Set while the destination refuses every message (delivery stopped, the outbox kept). */
  readonly halted?: {
    readonly since: number;
    /** Telegram's answer, e.g. "sendMessage: 400 Bad Request: chat not found". */
    readonly reason: string;
    readonly nextRetryAt: number;
  };
}

export interface OutboxWorker {
  /** Deliver forever (fork it; interrupt it on shutdown). */
  readonly run: Effect.Effect<never, never, Notifier | SignalStore>;
  /**
   * Deliver what is pending for at most `maxMs` (shutdown): returns how many items are still undelivered.
   * An item interrupted mid-delivery stays pending and is sent at the next start.
   */
  readonly drain: (maxMs: number) => Effect.Effect<number, never, Notifier | SignalStore>;
  /** Delivery running or halted (a blocked destination), read at any time. */
  readonly status: () => OutboxStatus;
}

/** Key of the persisted pacing state in the KeyValueStore. */
export const PACING_KEY = "outbox.pacing";

/** Send times (newest last) and the end of a Telegram `retry_after`, as persisted. */
interface Pacing {
  readonly sends: readonly number[];
  readonly holdUntil: number;
}

const isTimes = (u: unknown): u is number[] => Array.isArray(u) && u.every((t) => Number.isFinite(t));

/** The persisted pacing, or nothing when absent or unreadable (then the worker starts with a clean window). */
export const decodePacing = (text: string | undefined): Pacing | undefined => {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null) return undefined;
    const { sends, holdUntil } = v as { sends?: unknown; holdUntil?: unknown };
    if (!isTimes(sends) || typeof holdUntil !== "number" || !Number.isFinite(holdUntil)) return undefined;
    return { sends: [...sends].sort((a, b) => a - b), holdUntil };
  } catch {
    return undefined;
  }
};

/** The earliest time the next request may go: after `holdUntil`, the per-chat gap and the window's cap. */
export const nextSendAt = (
  p: Pacing,
  minIntervalMs: number,
  maxPerMinute: number,
  windowMs = MINUTE_MS,
): number => {
  const last = p.sends[p.sends.length - 1];
  let at = Math.max(p.holdUntil, last === undefined ? Number.NEGATIVE_INFINITY : last + minIntervalMs);
  if (maxPerMinute > 0 && p.sends.length >= maxPerMinute)
    at = Math.max(at, p.sends[p.sends.length - maxPerMinute]! + windowMs);
  return at;
};

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
  const windowMs = config.windowMs ?? MINUTE_MS;
  const baseBackoffMs = config.baseBackoffMs ?? 1000;
  const maxBackoffMs = config.maxBackoffMs ?? MINUTE_MS;
  const defaultRetryAfterMs = config.defaultRetryAfterMs ?? 1000;
  const idleMs = config.idleMs ?? 1000;
  const batchSize = config.batchSize ?? 20;
  const haltRetryMs = config.haltRetryMs ?? 300_000;
  let halted: OutboxStatus["halted"];

  // Requests sent (times), newest last: the last one gives the per-chat gap, the window the per-minute cap.
  // Failed attempts count too: Telegram counts requests, not successes. Restored from the store on first use.
  let pacing: Pacing = { sends: [], holdUntil: 0 };
  let restored = false;

  const restorePacing = Effect.gen(function* () {
    if (restored) return;
    restored = true;
    const kv = yield* Effect.serviceOption(KeyValueStore);
    if (Option.isNone(kv)) return;
    const saved = decodePacing(yield* kv.value.get(PACING_KEY).pipe(Effect.orElseSucceed(() => undefined)));
    if (saved === undefined) return;
    pacing = saved;
    const now = yield* Clock.currentTimeMillis;
    if (saved.holdUntil > now)
      yield* Effect.logInfo(
        `outbox: Telegram's retry_after from before the restart holds sending for ${Math.ceil((saved.holdUntil - now) / 1000)} s more`,
      );
  });

  /** Persist the pacing; a failed write only costs the memory of it after a restart, so it is logged, not retried. */
  const savePacing = Effect.gen(function* () {
    const kv = yield* Effect.serviceOption(KeyValueStore);
    if (Option.isNone(kv)) return;
    yield* kv.value
      .set(PACING_KEY, JSON.stringify(pacing))
      .pipe(Effect.catch((e) => Effect.logWarning(`outbox: pacing not saved: ${e.message}`)));
  });

  /** Wait until sending now respects both limits and any retry_after, then record (and persist) the send. */
  const acquireSlot = Effect.gen(function* () {
    yield* restorePacing;
    const now = yield* Clock.currentTimeMillis;
    const earliest = nextSendAt(pacing, minIntervalMs, maxPerMinute, windowMs);
    if (earliest > now) yield* Effect.sleep(earliest - now);
    const at = yield* Clock.currentTimeMillis;
    pacing = { sends: [...pacing.sends, at].slice(-Math.max(1, maxPerMinute)), holdUntil: pacing.holdUntil };
    yield* savePacing;
  });

  /** Telegram said 429: nothing goes out before `until`, across a restart too. */
  const holdUntil = (until: number) =>
    Effect.gen(function* () {
      pacing = { sends: pacing.sends, holdUntil: Math.max(pacing.holdUntil, until) };
      yield* savePacing;
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
        const result = yield* Effect.result(notifier.deliver(item.notification, { pace: acquireSlot }));
        if (Result.isSuccess(result)) {
          yield* persist(`markDelivered(${item.id})`, store.markDelivered(item.id));
          if (halted !== undefined) {
            const minutes = Math.round(((yield* Clock.currentTimeMillis) - halted.since) / MINUTE_MS);
            const left = yield* store.outboxDepth.pipe(Effect.orElseSucceed(() => -1));
            yield* Effect.logInfo(
              `outbox: delivery resumed after ${minutes} min halted, ${left} notifications pending`,
            );
            halted = undefined;
          }
          return;
        }
        const error: DeliveryError = result.failure;
        if (error.reason === "blocked") {
          const now = yield* Clock.currentTimeMillis;
          if (halted === undefined) {
            const kept = yield* store.outboxDepth.pipe(Effect.orElseSucceed(() => -1));
            yield* Effect.logError(
              `outbox: delivery halted, the destination refuses every message (${error.message}); ${kept} notifications kept; fix TELEGRAM_CHAT_ID / TELEGRAM_BOT_TOKEN (or unblock the bot): delivery resumes by itself, tried every ${Math.round(haltRetryMs / 1000)} s, or at the next start`,
            );
          } else
            yield* Effect.logDebug(
              `outbox: still halted, next try in ${Math.round(haltRetryMs / 1000)} s: ${error.message}`,
            );
          halted = { since: halted?.since ?? now, reason: error.message, nextRetryAt: now + haltRetryMs };
          yield* persist(`markFailed(${item.id})`, store.markFailed(item.id, error.message));
          yield* Effect.sleep(haltRetryMs);
          continue;
        }
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
        if (error.reason === "rateLimited") yield* holdUntil((yield* Clock.currentTimeMillis) + waitMs);
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

  return { run, drain, status: () => (halted === undefined ? {} : { halted }) };
};

/** Convenience: a fresh worker's `run`. */
export const runOutboxWorker = (
  config: OutboxWorkerConfig = {},
): Effect.Effect<never, never, Notifier | SignalStore> => makeOutboxWorker(config).run;
