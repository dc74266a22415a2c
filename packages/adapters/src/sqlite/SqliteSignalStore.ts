/**
 * `SignalStore` on SQLite: signals (emitted and blocked), virtual trades with their events, and the outbox of
 * notifications. A signal, its trade and its notification commit in one transaction; the unique signal key
 * makes a second emit of the same setup a no-op that reports `"duplicate"`.
 */
import {
  type Notification,
  type OutboxItem,
  type Signal,
  SignalStore,
  type TradeEvent,
  type VirtualTrade,
} from "@signalbot/core";
import { Clock, Effect, Layer } from "effect";
import { SqliteDatabase } from "./SqliteDatabase.ts";

/** Longest `last_error` kept per outbox row. */
const MAX_ERROR_LENGTH = 1000;

/** Bot API URLs carry the token (`/bot123:ABC/sendMessage`): never store it with an error. */
const redactSecrets = (text: string): string =>
  text.replace(/bot\d+:[A-Za-z0-9_-]+/g, "bot<redacted>").slice(0, MAX_ERROR_LENGTH);

/** The signal key or trade id a notification is about, for inspection (`outbox.ref`). */
/** Outbox and delivery times come from Effect's Clock: event time in a backtest, the wall clock live. */
const withNow = <A, E>(f: (now: number) => Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatMap(Clock.currentTimeMillis, f);

const notificationRef = (n: Notification): string | null =>
  n._tag === "NewSignal" ? n.signal.key : n._tag === "TradeUpdate" ? n.trade.id : null;

export const make = Effect.gen(function* () {
  const { db, read, write } = yield* SqliteDatabase;

  // Prepared once per connection; bun:sqlite keeps them compiled.
  const selectSignalKey = db.prepare<{ one: number }, [string]>("SELECT 1 AS one FROM signals WHERE key = ?");
  const insertSignal = db.prepare(
    `INSERT INTO signals (key, symbol, timeframe, candle_open_time, model, side, status, blocked_reason,
       score, threshold, entry, stop, tp1, tp2, tp3, rr, created_at, payload)
     VALUES ($key, $symbol, $timeframe, $candleOpenTime, $model, $side, $status, $blockedReason,
       $score, $threshold, $entry, $stop, $tp1, $tp2, $tp3, $rr, $createdAt, $payload)
     ON CONFLICT DO NOTHING`,
  );
  const upsertTrade = db.prepare(
    `INSERT INTO trades (id, symbol, model, side, status, entry, stop, exit_reason, r_multiple, pnl,
       pnl_percent, opened_at, closed_at, payload)
     VALUES ($id, $symbol, $model, $side, $status, $entry, $stop, $exitReason, $rMultiple, $pnl,
       $pnlPercent, $openedAt, $closedAt, $payload)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, stop = excluded.stop,
       exit_reason = excluded.exit_reason, r_multiple = excluded.r_multiple, pnl = excluded.pnl,
       pnl_percent = excluded.pnl_percent, closed_at = excluded.closed_at, payload = excluded.payload`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO trade_events (trade_id, kind, time, price, payload)
     VALUES ($tradeId, $kind, $time, $price, $payload)`,
  );
  const insertOutbox = db.prepare(
    `INSERT INTO outbox (kind, ref, payload, created_at) VALUES ($kind, $ref, $payload, $createdAt)`,
  );
  const selectOpenTrades = db.prepare<{ payload: string }, []>(
    "SELECT payload FROM trades WHERE status = 'open' ORDER BY opened_at, id",
  );
  const selectClosedTrades = db.prepare<{ payload: string }, [number]>(
    "SELECT payload FROM trades WHERE status = 'closed' AND closed_at >= ? ORDER BY closed_at, id",
  );
  const selectRecentSignals = db.prepare<{ payload: string }, [number]>(
    "SELECT payload FROM signals ORDER BY created_at DESC, id DESC LIMIT ?",
  );
  const countEmittedIn = db.prepare<{ n: number }, [number, number]>(
    "SELECT COUNT(*) AS n FROM signals WHERE status = 'emitted' AND created_at >= ? AND created_at < ?",
  );
  const selectPending = db.prepare<
    { id: number; payload: string; created_at: number; attempts: number },
    [number]
  >("SELECT id, payload, created_at, attempts FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?");
  // Delivered rows stay for the record, minus the chart candles that only delivery needed.
  const setDelivered = db.prepare<never, [number, number]>(
    "UPDATE outbox SET delivered_at = ?, payload = json_remove(payload, '$.candles') WHERE id = ? AND delivered_at IS NULL",
  );
  const setFailed = db.prepare<never, [string, number]>(
    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
  );
  const countPending = db.prepare<{ n: number }, []>(
    "SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL",
  );

  const insertSignalRow = (signal: Signal, status: Signal["status"]): boolean => {
    const s = signal.setup;
    return (
      insertSignal.run({
        key: signal.key,
        symbol: s.symbol,
        timeframe: s.timeframe,
        candleOpenTime: s.candleOpenTime,
        model: s.model,
        side: s.side,
        status,
        blockedReason: signal.blockedBy?.code ?? null,
        score: s.score,
        threshold: signal.threshold,
        entry: s.entry,
        stop: s.stop,
        tp1: s.targets[0],
        tp2: s.targets[1],
        tp3: s.targets[2],
        rr: s.rr,
        createdAt: signal.createdAt,
        payload: JSON.stringify(signal),
      }).changes === 1
    );
  };
  const saveTrade = (t: VirtualTrade): void => {
    upsertTrade.run({
      id: t.id,
      symbol: t.symbol,
      model: t.model,
      side: t.side,
      status: t.status,
      entry: t.entry,
      stop: t.stop,
      exitReason: t.exitReason ?? null,
      rMultiple: t.rMultiple ?? null,
      pnl: t.pnl ?? null,
      pnlPercent: t.pnlPercent ?? null,
      openedAt: t.openedAt,
      closedAt: t.closedAt ?? null,
      payload: JSON.stringify(t),
    });
  };
  const saveEvent = (e: TradeEvent): void => {
    insertEvent.run({
      tradeId: e.tradeId,
      kind: e._tag,
      time: e.time,
      price: e.price,
      payload: JSON.stringify(e),
    });
  };
  const saveNotification = (n: Notification, now: number): void => {
    insertOutbox.run({ kind: n._tag, ref: notificationRef(n), payload: JSON.stringify(n), createdAt: now });
  };
  const payloads = <A>(rows: readonly { payload: string }[]): A[] =>
    rows.map((r) => JSON.parse(r.payload) as A);

  return SignalStore.of({
    wasEmitted: (key) => read("SignalStore.wasEmitted", () => selectSignalKey.get(key) !== null),
    emit: ({ signal, trade, notification }) =>
      withNow((now) =>
        write("SignalStore.emit", () => {
          // The unique keys decide: a duplicate inserts nothing, so the transaction commits empty.
          if (!insertSignalRow(signal, signal.status)) return "duplicate" as const;
          saveTrade(trade);
          saveNotification(notification, now);
          return "inserted" as const;
        }),
      ),
    recordBlocked: (signal) =>
      write("SignalStore.recordBlocked", () => {
        insertSignalRow(signal, "blocked");
      }),
    updateTrade: ({ trade, events, notifications }) =>
      withNow((now) =>
        write("SignalStore.updateTrade", () => {
          saveTrade(trade);
          for (const e of events) saveEvent(e);
          for (const n of notifications) saveNotification(n, now);
        }),
      ),
    openTrades: read("SignalStore.openTrades", () => payloads<VirtualTrade>(selectOpenTrades.all())),
    recentSignals: (limit) =>
      read("SignalStore.recentSignals", () => payloads<Signal>(selectRecentSignals.all(Math.max(0, limit)))),
    closedTrades: (since) =>
      read("SignalStore.closedTrades", () => payloads<VirtualTrade>(selectClosedTrades.all(since))),
    countEmitted: (from, to) => read("SignalStore.countEmitted", () => countEmittedIn.get(from, to)?.n ?? 0),
    enqueue: (notification) =>
      withNow((now) => write("SignalStore.enqueue", () => saveNotification(notification, now))),
    pendingOutbox: (limit) =>
      read("SignalStore.pendingOutbox", () =>
        selectPending.all(Math.max(0, limit)).map(
          (r): OutboxItem => ({
            id: r.id,
            notification: JSON.parse(r.payload) as Notification,
            createdAt: r.created_at,
            attempts: r.attempts,
          }),
        ),
      ),
    markDelivered: (id) =>
      withNow((now) =>
        write("SignalStore.markDelivered", () => {
          setDelivered.run(now, id);
        }),
      ),
    markFailed: (id, error) =>
      write("SignalStore.markFailed", () => {
        setFailed.run(redactSecrets(error), id);
      }),
    outboxDepth: read("SignalStore.outboxDepth", () => countPending.get()?.n ?? 0),
  });
});

/** `SignalStore` over the shared {@link SqliteDatabase} connection. */
export const layer: Layer.Layer<SignalStore, never, SqliteDatabase> = Layer.effect(SignalStore, make);
