/**
 * The whole `SignalStore` port in memory (signals, trades, trade events, outbox), with the same semantics as
 * the SQLite adapter: unique signal keys, one-step "transactions", an ordered at-least-once outbox. Used by
 * unit tests and by backtests that need no database. Its state object can be reopened to simulate a restart.
 */
import { Clock, Effect, Layer } from "effect";
import type { Notification } from "../model/Notification.ts";
import type { Signal } from "../model/Signal.ts";
import type { TradeEvent, VirtualTrade } from "../model/Trade.ts";
import { type OutboxItem, SignalStore } from "../port/SignalStore.ts";
import { lowerBound } from "../series/Search.ts";

interface OutboxRow extends OutboxItem {
  readonly delivered: boolean;
  readonly lastError?: string;
}

/** Everything the store holds; survives "restarts" when the same state is given to a new layer. */
export class SignalStoreMemoryState {
  /** By key, in insertion order. */
  readonly signals = new Map<string, Signal>();
  readonly trades = new Map<string, VirtualTrade>();
  readonly events: TradeEvent[] = [];
  readonly outbox: OutboxRow[] = [];
  nextOutboxId = 1;
  /** `createdAt` of every emitted signal, ascending: `countEmitted` is two binary searches, not a scan. */
  readonly emittedAt: number[] = [];
}

const make = (state: SignalStoreMemoryState = new SignalStoreMemoryState()): SignalStore["Service"] => {
  const push = (notification: Notification, createdAt: number) =>
    state.outbox.push({ id: state.nextOutboxId++, notification, createdAt, attempts: 0, delivered: false });
  const update = (id: number, f: (row: OutboxRow) => OutboxRow) => {
    const i = state.outbox.findIndex((r) => r.id === id);
    if (i >= 0) state.outbox[i] = f(state.outbox[i]!);
  };
  return SignalStore.of({
    wasEmitted: (key) => Effect.sync(() => state.signals.has(key)),
    emit: ({ signal, trade, notification }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (state.signals.has(signal.key)) return "duplicate" as const;
        state.signals.set(signal.key, signal);
        // After any emitted at the same instant: the list stays in time order whatever order emits came in.
        if (signal.status === "emitted")
          state.emittedAt.splice(lowerBound(state.emittedAt, signal.createdAt + 1), 0, signal.createdAt);
        state.trades.set(trade.id, trade);
        push(notification, now);
        return "inserted" as const;
      }),
    recordBlocked: (signal) =>
      Effect.sync(() => {
        if (!state.signals.has(signal.key)) state.signals.set(signal.key, signal);
      }),
    updateTrade: ({ trade, events, notifications }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        state.trades.set(trade.id, trade);
        state.events.push(...events);
        for (const n of notifications) push(n, now);
      }),
    openTrades: Effect.sync(() =>
      [...state.trades.values()].filter((t) => t.status === "open").sort((a, b) => a.openedAt - b.openedAt),
    ),
    recentSignals: (limit) =>
      Effect.sync(() =>
        [...state.signals.values()]
          .map((s, i) => [s, i] as const)
          .sort(([a, i], [b, j]) => b.createdAt - a.createdAt || j - i)
          .slice(0, limit)
          .map(([s]) => s),
      ),
    closedTrades: (since) =>
      Effect.sync(() =>
        [...state.trades.values()]
          .filter((t) => t.status === "closed" && (t.closedAt ?? 0) >= since)
          .sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0)),
      ),
    countEmitted: (from, to) =>
      Effect.sync(() =>
        to <= from ? 0 : lowerBound(state.emittedAt, to) - lowerBound(state.emittedAt, from),
      ),
    enqueue: (notification) => Effect.map(Clock.currentTimeMillis, (now) => void push(notification, now)),
    pendingOutbox: (limit) =>
      Effect.sync(() =>
        state.outbox
          .filter((r) => !r.delivered)
          .slice(0, limit)
          .map(({ id, notification, createdAt, attempts }) => ({ id, notification, createdAt, attempts })),
      ),
    markDelivered: (id) => Effect.sync(() => update(id, (r) => ({ ...r, delivered: true }))),
    markFailed: (id, error) =>
      Effect.sync(() => update(id, (r) => ({ ...r, attempts: r.attempts + 1, lastError: error }))),
    outboxDepth: Effect.sync(() => state.outbox.reduce((n, r) => (r.delivered ? n : n + 1), 0)),
  });
};

export const SignalStoreMemory = {
  State: SignalStoreMemoryState,
  make,
  /** A store over `state` (fresh by default); two layers over one state behave like a reopened database. */
  layer: (state: SignalStoreMemoryState = new SignalStoreMemoryState()): Layer.Layer<SignalStore> =>
    Layer.sync(SignalStore, () => make(state)),
};
