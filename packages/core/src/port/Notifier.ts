/**
 * Delivers one notification to the owner (Telegram, console). The outbox worker calls it in order and
 * marks an item delivered only after `deliver` succeeded.
 */
import { Context, Data, type Effect } from "effect";
import type { Notification } from "../model/Notification.ts";

export class DeliveryError extends Data.TaggedError("DeliveryError")<{
  /**
   * rateLimited: wait `retryAfterMs`; transient: back off and retry; blocked: the destination refuses everything
   * (wrong chat, revoked token, bot blocked) — stop delivering, keep every item, retry later; permanent: this item
   * can never be delivered — give up on it.
   */
  readonly reason: "rateLimited" | "transient" | "blocked" | "permanent";
  readonly message: string;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}> {}

/** What the outbox worker hands the notifier with each notification. */
export interface Delivery {
  /**
   * Run before every request after the first one a notification needs (the parts of a long text, a caption sent
   * as text after a refused photo): it waits for the chat's rate limit and counts the request. The worker paced
   * the first request itself.
   */
  readonly pace: Effect.Effect<void>;
}

export class Notifier extends Context.Service<
  Notifier,
  {
    readonly deliver: (notification: Notification, delivery?: Delivery) => Effect.Effect<void, DeliveryError>;
  }
>()("signalbot/core/Notifier") {}
