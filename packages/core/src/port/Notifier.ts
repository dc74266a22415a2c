/**
 * Delivers one notification to the owner (Telegram, console). The outbox worker calls it in order and
 * marks an item delivered only after `deliver` succeeded.
 */
import { Context, Data, type Effect } from "effect";
import type { Notification } from "../model/Notification.ts";

export class DeliveryError extends Data.TaggedError("DeliveryError")<{
  /** rateLimited: wait `retryAfterMs`; transient: back off and retry; permanent: give up on this item. */
  readonly reason: "rateLimited" | "transient" | "permanent";
  readonly message: string;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}> {}

export class Notifier extends Context.Service<
  Notifier,
  {
    readonly deliver: (notification: Notification) => Effect.Effect<void, DeliveryError>;
  }
>()("signalbot/core/Notifier") {}
