/**
 * Persistence of signals, virtual trades and the outbox. A signal, its trade and its notification are
 * written in ONE transaction, and the signal key is unique, so a signal can never be emitted twice.
 */
import { Context, type Effect } from "effect";
import type { Notification } from "../model/Notification.ts";
import type { Signal } from "../model/Signal.ts";
import type { TradeEvent, VirtualTrade } from "../model/Trade.ts";
import type { StoreError } from "./StoreError.ts";

export interface OutboxItem {
  readonly id: number;
  readonly notification: Notification;
  readonly createdAt: number;
  readonly attempts: number;
}

export class SignalStore extends Context.Service<
  SignalStore,
  {
    /** Has a signal with this key already been emitted (or blocked)? */
    readonly wasEmitted: (key: string) => Effect.Effect<boolean, StoreError>;
    /**
     * Emit: signal + open trade + notification in one transaction. `"duplicate"` when the key exists
     * (nothing is written then).
     */
    readonly emit: (args: {
      readonly signal: Signal;
      readonly trade: VirtualTrade;
      readonly notification: Notification;
    }) => Effect.Effect<"inserted" | "duplicate", StoreError>;
    /** Record a blocked signal with its reason (idempotent on the key). */
    readonly recordBlocked: (signal: Signal) => Effect.Effect<void, StoreError>;
    /** Save a trade's new state, its events and their notifications in one transaction. */
    readonly updateTrade: (args: {
      readonly trade: VirtualTrade;
      readonly events: readonly TradeEvent[];
      readonly notifications: readonly Notification[];
    }) => Effect.Effect<void, StoreError>;
    readonly openTrades: Effect.Effect<readonly VirtualTrade[], StoreError>;
    readonly recentSignals: (limit: number) => Effect.Effect<readonly Signal[], StoreError>;
    readonly closedTrades: (since: number) => Effect.Effect<readonly VirtualTrade[], StoreError>;
    /** Emitted signals whose createdAt falls in [from, to): the daily cap counts these. */
    readonly countEmitted: (from: number, to: number) => Effect.Effect<number, StoreError>;
    /** Queue a notification that is not tied to a signal or trade (alerts, status, replies). */
    readonly enqueue: (notification: Notification) => Effect.Effect<void, StoreError>;
    /** The oldest undelivered notifications, in order. */
    readonly pendingOutbox: (limit: number) => Effect.Effect<readonly OutboxItem[], StoreError>;
    readonly markDelivered: (id: number) => Effect.Effect<void, StoreError>;
    readonly markFailed: (id: number, error: string) => Effect.Effect<void, StoreError>;
    readonly outboxDepth: Effect.Effect<number, StoreError>;
  }
>()("signalbot/core/SignalStore") {}
