/**
 * The behaviour every `SignalStore` must show, as one test suite run against each implementation (the
 * in-memory layer here, the SQLite adapter in adapters, yours). De-duplication across replays and restarts,
 * the one-transaction emit, trade updates, the daily-cap count and the ordered outbox.
 *
 * Usage: `signalStoreContract("SqliteSignalStore", () => { const file = tmpFile(); return () => layerFor(file) },
 * { describe, test, expect })` — the outer function creates fresh, empty storage; each call of the returned
 * function opens that SAME storage again (as a restarted process would). The last argument is your test
 * runner's functions (bun:test, Vitest and Jest all fit), so the suite imports none itself.
 */
import { Effect, type Layer } from "effect";
import type { Notification } from "../model/Notification.ts";
import type { TradeEvent } from "../model/Trade.ts";
import { SignalStore } from "../port/SignalStore.ts";
import { advanceTrade, openTrade } from "../trade/VirtualTrade.ts";
import { runTest } from "./effect.ts";
import { aBlockedSignal, aSignal, T0 } from "./TradeBuilders.ts";

export type OpenSignalStore = () => Layer.Layer<SignalStore, unknown>;

/** The matchers the suite uses, as bun:test, Vitest and Jest spell them. */
export interface ContractMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeLessThan(expected: number): void;
}

/** The test runner's `describe`, `test` and `expect` that the suite registers its tests with. */
export interface ContractTestApi {
  readonly describe: (name: string, body: () => void) => void;
  readonly test: (name: string, body: () => Promise<void>) => void;
  readonly expect: (actual: unknown) => ContractMatchers;
}

const H = 3_600_000;

const newSignal = (over: Parameters<typeof aSignal>[0] = {}) => {
  const signal = aSignal(over);
  const trade = openTrade(signal);
  const notification: Notification = { _tag: "NewSignal", signal };
  return { signal, trade, notification };
};

export const signalStoreContract = (
  name: string,
  makeStorage: () => OpenSignalStore,
  { describe, test, expect }: ContractTestApi,
): void => {
  describe(`SignalStore contract: ${name}`, () => {
    const run = <A>(open: OpenSignalStore, effect: Effect.Effect<A, unknown, SignalStore>, at = T0 + H) =>
      runTest(effect, open(), { at });

    test("emit inserts a signal, its open trade and its notification; the same key again is a duplicate that writes nothing", async () => {
      const open = makeStorage();
      const s = newSignal();
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          const before = yield* store.wasEmitted(s.signal.key);
          const first = yield* store.emit(s);
          const second = yield* store.emit({ ...s, notification: { _tag: "Reply", text: "again", time: 1 } });
          return {
            before,
            first,
            second,
            after: yield* store.wasEmitted(s.signal.key),
            open: yield* store.openTrades,
            depth: yield* store.outboxDepth,
            pending: yield* store.pendingOutbox(10),
          };
        }),
      );
      expect(r).toMatchObject({
        before: false,
        first: "inserted",
        second: "duplicate",
        after: true,
        depth: 1,
      });
      expect(r.open).toEqual([s.trade]);
      expect(r.pending.map((p) => p.notification)).toEqual([s.notification]);
    });

    test("a replayed candle: the same setup processed twice is emitted once", async () => {
      const open = makeStorage();
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          // the replay builds equal-but-new objects, as a re-processed candle would
          const a = yield* store.emit(newSignal());
          const b = yield* store.emit(newSignal());
          return { a, b, n: yield* store.countEmitted(0, Number.MAX_SAFE_INTEGER) };
        }),
      );
      expect(r).toEqual({ a: "inserted", b: "duplicate", n: 1 });
    });

    test("a restart (storage reopened) remembers emitted keys, open trades and the undelivered outbox", async () => {
      const open = makeStorage();
      const s = newSignal({ symbol: "ETHUSDT" });
      const blocked = aBlockedSignal("dailyCap", { symbol: "SOLUSDT" });
      await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          yield* store.emit(s);
          yield* store.recordBlocked(blocked);
        }),
      );
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          return {
            emitted: yield* store.wasEmitted(s.signal.key),
            blocked: yield* store.wasEmitted(blocked.key),
            again: yield* store.emit(s),
            open: yield* store.openTrades,
            pending: yield* store.pendingOutbox(10),
          };
        }),
      );
      expect(r).toMatchObject({ emitted: true, blocked: true, again: "duplicate" });
      expect(r.open).toEqual([s.trade]);
      expect(r.pending.map((p) => p.notification)).toEqual([s.notification]);
    });

    test("recordBlocked is idempotent on the key, counts as known, and blocks a later emit of that key", async () => {
      const open = makeStorage();
      const blocked = aBlockedSignal("scoreBelowThreshold");
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          yield* store.recordBlocked(blocked);
          yield* store.recordBlocked({ ...blocked, blockedBy: { code: "openTrade" } });
          return {
            known: yield* store.wasEmitted(blocked.key),
            emit: yield* store.emit(newSignal()),
            recent: yield* store.recentSignals(10),
            emittedToday: yield* store.countEmitted(0, Number.MAX_SAFE_INTEGER),
            depth: yield* store.outboxDepth,
          };
        }),
      );
      expect(r).toMatchObject({ known: true, emit: "duplicate", emittedToday: 0, depth: 0 });
      expect(r.recent).toEqual([blocked]);
    });

    test("updateTrade saves the new state and queues its notifications after the signal's; closed trades leave the open set", async () => {
      const open = makeStorage();
      const s = newSignal();
      const t1 = advanceTrade(s.trade, {
        time: s.trade.openedAt + H,
        low: 99,
        high: 106,
        close: 105,
        closed: true,
      });
      const t2 = advanceTrade(t1.trade, {
        time: s.trade.openedAt + 2 * H,
        low: 99,
        high: 101,
        close: 100,
        closed: true,
      });
      const note = (trade: typeof t1.trade, event: TradeEvent): Notification => ({
        _tag: "TradeUpdate",
        trade,
        event,
      });
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          yield* store.emit(s);
          yield* store.updateTrade({ ...t1, notifications: t1.events.map((e) => note(t1.trade, e)) });
          const openAfterTp1 = yield* store.openTrades;
          yield* store.updateTrade({ ...t2, notifications: t2.events.map((e) => note(t2.trade, e)) });
          return {
            openAfterTp1,
            openAfterClose: yield* store.openTrades,
            closed: yield* store.closedTrades(s.trade.openedAt),
            closedLater: yield* store.closedTrades(s.trade.openedAt + 3 * H),
            pending: yield* store.pendingOutbox(10),
          };
        }),
      );
      expect(t2.trade.status).toBe("closed");
      expect(r.openAfterTp1).toEqual([t1.trade]);
      expect(r.openAfterClose).toEqual([]);
      expect(r.closed).toEqual([t2.trade]);
      expect(r.closedLater).toEqual([]);
      expect(r.pending.map((p) => p.notification._tag)).toEqual(["NewSignal", "TradeUpdate", "TradeUpdate"]);
    });

    test("countEmitted counts emitted signals whose createdAt is in [from, to), never blocked ones", async () => {
      const open = makeStorage();
      const day = Date.UTC(2025, 5, 1);
      const at = (h: number, symbol: string) => {
        const s = newSignal({ symbol });
        return { ...s, signal: { ...s.signal, key: `${s.signal.key}|${h}`, createdAt: day + h * H } };
      };
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          yield* store.emit(at(0, "A"));
          yield* store.emit(at(23.5, "B"));
          yield* store.emit(at(24, "C"));
          yield* store.recordBlocked({ ...aBlockedSignal("dailyCap"), createdAt: day + H });
          return [
            yield* store.countEmitted(day, day + 24 * H),
            yield* store.countEmitted(day + 24 * H, day + 48 * H),
          ];
        }),
      );
      expect(r).toEqual([2, 1]);
    });

    test("the outbox delivers in order, keeps failed items pending with their attempt count, and drains", async () => {
      const open = makeStorage();
      const reply = (text: string): Notification => ({ _tag: "Reply", text, time: T0 });
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          yield* store.enqueue(reply("a"));
          yield* store.enqueue(reply("b"));
          yield* store.enqueue(reply("c"));
          const first2 = yield* store.pendingOutbox(2);
          yield* store.markDelivered(first2[0]!.id);
          yield* store.markFailed(first2[1]!.id, "429 Too Many Requests");
          const afterOne = yield* store.pendingOutbox(10);
          const depth = yield* store.outboxDepth;
          for (const item of afterOne) yield* store.markDelivered(item.id);
          return {
            first2,
            afterOne,
            depth,
            drained: yield* store.outboxDepth,
            empty: yield* store.pendingOutbox(10),
          };
        }),
      );
      expect(r.first2.map((i) => i.notification)).toEqual([reply("a"), reply("b")]);
      expect(r.first2[0]!.id).toBeLessThan(r.first2[1]!.id);
      expect(r.first2[0]).toMatchObject({ attempts: 0, createdAt: T0 + H });
      expect(r.afterOne.map((i) => [i.notification, i.attempts])).toEqual([
        [reply("b"), 1],
        [reply("c"), 0],
      ]);
      expect(r.depth).toBe(2);
      expect(r).toMatchObject({ drained: 0, empty: [] });
    });

    test("recentSignals returns the newest first, emitted and blocked, up to the limit", async () => {
      const open = makeStorage();
      const a = newSignal({ symbol: "A", candleOpenTime: T0 });
      const b = aBlockedSignal("openTrade", { symbol: "B", candleOpenTime: T0 + H });
      const c = newSignal({ symbol: "C", candleOpenTime: T0 + 2 * H });
      const r = await run(
        open,
        Effect.gen(function* () {
          const store = yield* SignalStore;
          yield* store.emit(a);
          yield* store.recordBlocked(b);
          yield* store.emit(c);
          return yield* store.recentSignals(2);
        }),
      );
      expect(r).toEqual([c.signal, b]);
    });
  });
};
