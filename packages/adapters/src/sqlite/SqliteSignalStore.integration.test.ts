/** SqliteSignalStore on a real file: atomic emit, duplicates, trades and events, the outbox, restarts. */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { type Notification, SignalStore, type TradeEvent, type VirtualTrade } from "@signalbot/core";
import { runTest } from "@signalbot/core/testing";
import { Effect } from "effect";
import { layer } from "./index.ts";
import { nthEmission, nthSignal, T0, tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

/** Outbox and delivery times come from the clock: the test clock, set here. */
const NOW = T0 + 86_400_000;

/** Runs `program` against a fresh connection to the temp database (opened and closed around it). */
const run = <A, E>(program: Effect.Effect<A, E, SignalStore>): Promise<A> =>
  runTest(program, layer({ path: tmp.dbPath }), { at: NOW });

const rawCount = (table: string): number => {
  const db = new Database(tmp.dbPath, { readonly: true });
  try {
    return db.query<{ n: number }, []>(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n;
  } finally {
    db.close();
  }
};

const closedTrade = (open: VirtualTrade, pnl: number): VirtualTrade => ({
  ...open,
  status: "closed",
  remaining: 0,
  exitReason: pnl > 0 ? "tp3" : "stop",
  closedAt: open.openedAt + 3_600_000,
  rMultiple: pnl / open.riskAmount,
  pnl,
  pnlPercent: (pnl / (open.entry * open.quantity)) * 100,
});

test("emit writes the signal, its trade and its notification; a second emit of the key writes nothing", async () => {
  const e = nthEmission(0);
  const result = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      const first = yield* store.emit(e);
      const again = yield* store.emit({
        ...e,
        notification: { _tag: "Reply", text: "must not be queued", time: T0 },
      });
      return {
        first,
        again,
        was: yield* store.wasEmitted(e.signal.key),
        wasOther: yield* store.wasEmitted(nthSignal(1).key),
        open: yield* store.openTrades,
        recent: yield* store.recentSignals(10),
        pending: yield* store.pendingOutbox(10),
      };
    }),
  );
  expect(result.first).toBe("inserted");
  expect(result.again).toBe("duplicate");
  expect(result.was).toBe(true);
  expect(result.wasOther).toBe(false);
  expect(result.open).toEqual([e.trade]);
  expect(result.recent).toEqual([e.signal]);
  expect(result.pending.map((p) => p.notification)).toEqual([e.notification]);
  expect(result.pending[0]?.createdAt).toBe(NOW);
  expect(result.pending[0]?.attempts).toBe(0);
  expect([rawCount("signals"), rawCount("trades"), rawCount("outbox")]).toEqual([1, 1, 1]);
});

test("the unique (symbol, timeframe, candle_open_time, model, side) key rejects a duplicate under another key", async () => {
  const e = nthEmission(0);
  const relabelled = { ...e.signal, key: "another-key" };
  const result = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      yield* store.emit(e);
      return yield* store.emit({ ...e, signal: relabelled, trade: { ...e.trade, id: "another-key" } });
    }),
  );
  expect(result).toBe("duplicate");
  expect([rawCount("signals"), rawCount("trades"), rawCount("outbox")]).toEqual([1, 1, 1]);
});

test("blocked signals are recorded once with their reason and count as seen but not as emitted", async () => {
  const blocked = nthSignal(3, "blocked");
  const result = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      yield* store.recordBlocked(blocked);
      yield* store.recordBlocked(blocked);
      yield* store.emit(nthEmission(4));
      const emitBlocked = yield* store.emit({ ...nthEmission(3), signal: blocked });
      return {
        was: yield* store.wasEmitted(blocked.key),
        emitBlocked,
        count: yield* store.countEmitted(T0, T0 + 86_400_000),
        recent: yield* store.recentSignals(10),
      };
    }),
  );
  expect(result.was).toBe(true);
  expect(result.emitBlocked).toBe("duplicate");
  expect(result.count).toBe(1);
  expect(result.recent.map((s) => s.key)).toEqual([nthSignal(4).key, blocked.key]);
  const db = new Database(tmp.dbPath, { readonly: true });
  const row = db.query("SELECT status, blocked_reason FROM signals WHERE key = ?").get(blocked.key);
  db.close();
  expect(row).toEqual({ status: "blocked", blocked_reason: "cooldown" });
});

test("countEmitted counts created_at in [from, to)", async () => {
  const counts = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      for (let n = 0; n < 5; n++) yield* store.emit(nthEmission(n));
      const t = (n: number) => nthSignal(n).createdAt;
      return [
        yield* store.countEmitted(t(0), t(5)),
        yield* store.countEmitted(t(1), t(3)),
        yield* store.countEmitted(t(4) + 1, t(4) + 2),
      ];
    }),
  );
  expect(counts).toEqual([5, 2, 0]);
});

test("updateTrade saves the new state, its events and notifications together; closed trades leave openTrades", async () => {
  const e0 = nthEmission(0);
  const e1 = nthEmission(1);
  const closed = closedTrade(e0.trade, 20);
  const event: TradeEvent = {
    _tag: "Closed",
    tradeId: closed.id,
    time: closed.closedAt!,
    reason: "tp3",
    price: 115,
    rMultiple: 2,
    pnl: 20,
    pnlPercent: 10,
    durationMs: 3_600_000,
  };
  const notification: Notification = { _tag: "TradeUpdate", trade: closed, event };
  const result = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      yield* store.emit(e0);
      yield* store.emit(e1);
      yield* store.updateTrade({ trade: closed, events: [event], notifications: [notification] });
      return {
        open: yield* store.openTrades,
        closedSince: yield* store.closedTrades(closed.closedAt!),
        closedLater: yield* store.closedTrades(closed.closedAt! + 1),
        pending: yield* store.pendingOutbox(10),
      };
    }),
  );
  expect(result.open).toEqual([e1.trade]);
  expect(result.closedSince).toEqual([closed]);
  expect(result.closedLater).toEqual([]);
  expect(result.pending.map((p) => p.notification._tag)).toEqual(["NewSignal", "NewSignal", "TradeUpdate"]);
  expect(result.pending[2]?.createdAt).toBe(NOW);
  expect(rawCount("trade_events")).toBe(1);
});

test("the outbox delivers in insertion order; delivered rows leave the queue, failures count attempts", async () => {
  const result = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      yield* store.emit(nthEmission(0));
      yield* store.enqueue({ _tag: "Reply", text: "một", time: T0 + 1 });
      yield* store.enqueue({ _tag: "Alert", alert: { kind: "stopping", reason: "SIGTERM" }, time: T0 + 2 });
      const before = yield* store.pendingOutbox(10);
      yield* store.markFailed(
        before[0]!.id,
        "HTTP 502 from https://api.telegram.org/bot123456:AAE-secret_Token/sendMessage",
      );
      yield* store.markFailed(before[0]!.id, "timeout");
      const afterFail = yield* store.pendingOutbox(1);
      yield* store.markDelivered(before[0]!.id);
      yield* store.markDelivered(before[0]!.id);
      return { before, afterFail, after: yield* store.pendingOutbox(10), depth: yield* store.outboxDepth };
    }),
  );
  expect(result.before.map((p) => p.notification._tag)).toEqual(["NewSignal", "Reply", "Alert"]);
  expect(result.before.map((p) => p.id)).toEqual([...result.before.map((p) => p.id)].sort((a, b) => a - b));
  expect(result.afterFail[0]?.attempts).toBe(2);
  expect(result.after.map((p) => p.notification._tag)).toEqual(["Reply", "Alert"]);
  expect(result.depth).toBe(2);
  const db = new Database(tmp.dbPath, { readonly: true });
  const rows = db
    .query("SELECT last_error, delivered_at IS NOT NULL AS delivered FROM outbox ORDER BY id")
    .all();
  db.close();
  expect(rows[0]).toEqual({ last_error: "timeout", delivered: 1 });
});

test("the bot token in an error text is never stored", async () => {
  await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      yield* store.enqueue({ _tag: "Reply", text: "x", time: T0 });
      const [item] = yield* store.pendingOutbox(1);
      yield* store.markFailed(
        item!.id,
        "POST https://api.telegram.org/bot123456:AAE-secret_Token/sendMessage: 502",
      );
    }),
  );
  const db = new Database(tmp.dbPath, { readonly: true });
  const row = db.query<{ last_error: string }, []>("SELECT last_error FROM outbox").get();
  db.close();
  expect(row?.last_error).toBe("POST https://api.telegram.org/bot<redacted>/sendMessage: 502");
});

test("everything survives a restart: a reopened store knows the keys, open trades and the pending outbox", async () => {
  const e = nthEmission(7);
  await run(Effect.flatMap(SignalStore, (s) => s.emit(e)));
  const after = await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      return {
        again: yield* store.emit(e),
        open: yield* store.openTrades,
        depth: yield* store.outboxDepth,
      };
    }),
  );
  expect(after).toEqual({ again: "duplicate", open: [e.trade], depth: 1 });
});

test("delivered NewSignal rows drop their chart candles but keep the signal", async () => {
  const e = nthEmission(0);
  const candles = [
    { openTime: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, closeTime: T0 + 1_799_999 },
  ];
  await run(
    Effect.gen(function* () {
      const store = yield* SignalStore;
      yield* store.emit({ ...e, notification: { _tag: "NewSignal", signal: e.signal, candles } });
      const [item] = yield* store.pendingOutbox(1);
      expect(item?.notification).toEqual({ _tag: "NewSignal", signal: e.signal, candles });
      yield* store.markDelivered(item!.id);
    }),
  );
  const db = new Database(tmp.dbPath, { readonly: true });
  const row = db.query<{ payload: string }, []>("SELECT payload FROM outbox").get();
  db.close();
  expect(JSON.parse(row!.payload)).toEqual({ _tag: "NewSignal", signal: e.signal });
});
