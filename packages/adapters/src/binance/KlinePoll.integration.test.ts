/**
 * The REST poller (MARKET_DATA=poll) against the loopback fake exchange: a round a few seconds after each close
 * delivers every tracked symbol's just-closed candle once, in order, for one weight-1 request each; a candle the
 * exchange publishes late is asked again on the retry schedule; an outage, a hole in the exchange's data and a
 * subscription that starts behind end with exactly the exchange's candles. Rounds and retries wait on the
 * TestClock, which the test moves together with the fake's market clock; it waits only for the poller's events.
 */
import { expect, test } from "bun:test";
import type { Candle, StreamEvent } from "@signalbot/core";
import { Effect, Queue, type Scope } from "effect";
import { TestClock } from "effect/testing";
import { FakeExchange } from "../testing/FakeExchange.ts";
import { streamEventReader } from "../testing/StreamEvents.ts";
import { backfillFrom } from "./BinanceMarketData.ts";
import { BinanceRest } from "./BinanceRest.ts";
import { type KlinePollConfig, MISSING_PATIENCE_MS, make } from "./KlinePoll.ts";

const DATA = new URL("../../../../fixtures/klines", import.meta.url).pathname;
const HALF_HOUR = 1_800_000;
const DELAY = 5_000;
/** The market clock starts 10 minutes into a candle: the round of the last close (00:00) is over. */
const START = Date.UTC(2025, 5, 1, 0, 10);
const LAST_CLOSE = Date.UTC(2025, 5, 1, 0, 0);

const setup = (config: Partial<KlinePollConfig> = {}) =>
  Effect.gen(function* () {
    const fake = new FakeExchange({
      dataDir: DATA,
      generatedSymbols: 5,
      updateIntervalMs: HALF_HOUR,
      startTime: START,
    });
    yield* Effect.addFinalizer(() => Effect.sync(() => fake.stop()));
    yield* TestClock.setTime(fake.now());
    const rest = new BinanceRest({ restUrl: fake.restUrl, backoffBaseMs: 5, rateLimitJitterMs: 10 });
    const asked: { symbol: string; from: number; to: number }[] = [];
    const fetch = backfillFrom(rest);
    const poll = yield* make({
      fetch: (symbol, timeframe, from, to) => {
        asked.push({ symbol, from, to });
        return fetch(symbol, timeframe, from, to);
      },
      delayMs: DELAY,
      retry: { baseMs: 1_000, maxMs: 60_000 },
      ...config,
    });
    const seen: StreamEvent[] = [];
    const take = Effect.map(Queue.take(poll.events), (e) => {
      seen.push(e);
      return e;
    });
    const { next, until } = streamEventReader(take);
    /** Market time and the poller's clock move together, by `ms`... */
    const advance = (ms: number) =>
      Effect.gen(function* () {
        fake.advance(ms);
        yield* TestClock.adjust(ms);
      });
    /** ...or to `time`. */
    const to = (time: number) => advance(time - fake.now());
    const closed = (symbol: string): Candle[] =>
      seen.flatMap((e) =>
        e._tag === "Candle" && e.event.closed && e.event.symbol === symbol ? [e.event.candle] : [],
      );
    const tagged =
      <T extends StreamEvent["_tag"]>(tag: T) =>
      (e: StreamEvent): e is Extract<StreamEvent, { _tag: T }> =>
        e._tag === tag;
    return { fake, poll, seen, asked, next, until, advance, to, closed, tagged };
  });

const onTestClock = <A>(body: Effect.Effect<A, never, Scope.Scope>) =>
  Effect.runPromise(Effect.scoped(body).pipe(Effect.provide(TestClock.layer())));

test("a round a few seconds after each close: each symbol's just-closed candle once, one weight-1 request each", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, poll, seen, asked, next, to, closed, tagged } = yield* setup();
      const symbols = ["BTCUSDT", "ETHUSDT", "GEN001USDT"];
      const start = LAST_CLOSE;
      // The caller's warm-up ended with the candle that closed at `start`.
      yield* poll.subscribe(symbols, Object.fromEntries(symbols.map((s) => [s, start - HALF_HOUR])));
      for (let round = 1; round <= 4; round++) {
        const close = start + round * HALF_HOUR;
        yield* to(close - 1);
        expect(asked.length).toBe(3 * (round - 1)); // nothing before the close...
        yield* to(close + DELAY - 1);
        expect(asked.length).toBe(3 * (round - 1)); // ...nor before its delay
        yield* to(close + DELAY);
        const polled = yield* next(tagged("Polled"));
        expect(polled).toEqual({ _tag: "Polled", openTime: close - HALF_HOUR, symbols: 3, late: [] });
      }
      for (const s of symbols) expect(closed(s)).toEqual(fake.closedCandles(s, "30m", start, fake.now()));
      expect(closed("BTCUSDT")).toHaveLength(4);
      // One request per symbol and round, for exactly the candle that closed, at weight 1.
      expect(asked).toHaveLength(12);
      expect(asked.every((a) => a.from === a.to)).toBe(true);
      expect(fake.stats.byPath["/fapi/v1/klines"]).toBe(12);
      expect(fake.stats.weight).toBe(12);
      expect(seen.some((e) => e._tag === "BackfillFailed" || e._tag === "Backfilled")).toBe(false);
      expect(poll.shards()).toEqual([]);
      expect(poll.stats()).toMatchObject({ symbols: 3, rounds: 4, closedDelivered: 12 });
      // What one candle costs on the wire: one kline row.
      expect(fake.stats.restBodyBytes / 12).toBeLessThan(200);
    }),
  ));

test("a candle the exchange publishes late is asked again on the retry schedule, and delivered once", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, poll, next, advance, to, closed, tagged } = yield* setup();
      const start = LAST_CLOSE;
      yield* poll.subscribe(["SOLUSDT"], { SOLUSDT: start - HALF_HOUR });
      fake.delayRestCandles(12_000);
      yield* to(start + HALF_HOUR + DELAY);
      expect((yield* next(tagged("Polled"))).late).toEqual(["SOLUSDT"]);
      const waits: number[] = [];
      while (closed("SOLUSDT").length === 0) {
        const e = yield* next((x): x is StreamEvent => x._tag === "BackfillFailed" || x._tag === "Candle");
        if (e._tag !== "BackfillFailed") continue;
        expect(e.message).toContain("not closed on the exchange yet");
        waits.push(e.retryInMs);
        yield* advance(e.retryInMs);
      }
      // Asked at close + 5 s, 6 s, 8 s; published 12 s after the close, delivered at the ask of 12 s.
      expect(waits).toEqual([1_000, 2_000, 4_000]);
      expect(closed("SOLUSDT")).toEqual(fake.closedCandles("SOLUSDT", "30m", start, start + HALF_HOUR));
    }),
  ));

test("an outage of several rounds, then a hole in the exchange's data: exactly the exchange's candles, in order", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, poll, seen, next, until, advance, to, closed, tagged } = yield* setup();
      const symbols = ["BTCUSDT", "DOGEUSDT", "GEN002USDT"];
      const start = LAST_CLOSE;
      yield* poll.subscribe(symbols, Object.fromEntries(symbols.map((s) => [s, start - HALF_HOUR])));
      yield* to(start + HALF_HOUR + DELAY);
      expect((yield* next(tagged("Polled"))).late).toEqual([]);
      // Every request fails (5xx) for three rounds: each round's candles are late, retried, given up at the next.
      fake.failNext(1_000_000);
      for (let i = 0; i < 3; i++) {
        yield* advance(HALF_HOUR);
        expect((yield* next(tagged("Polled"))).late).toEqual(symbols);
      }
      fake.failNext(0);
      // The exchange has no candle for the one that closes next (an incident): passed over once a later one exists.
      const hole = start + 4 * HALF_HOUR;
      fake.removeCandle("DOGEUSDT", "30m", hole);
      yield* advance(HALF_HOUR);
      yield* next(tagged("Polled"));
      yield* advance(HALF_HOUR);
      const expected = (s: string) => fake.closedCandles(s, "30m", start, fake.now());
      yield* until(() => symbols.every((s) => closed(s).length >= expected(s).length));
      for (const s of symbols) {
        expect(closed(s)).toEqual(expected(s));
        const times = closed(s).map((c) => c.openTime);
        expect(new Set(times).size).toBe(times.length);
      }
      expect(closed("BTCUSDT")).toHaveLength(6);
      expect(closed("DOGEUSDT").map((c) => c.openTime)).not.toContain(hole);
      expect(closed("DOGEUSDT")).toHaveLength(5);
      expect(seen.some((e) => e._tag === "BackfillFailed")).toBe(true);
      // The outage's candles came by the gap backfill (how many, depends on whether a retry or the next round
      // got through first; which candles, does not).
      expect(poll.stats().backfilledCandles).toBeGreaterThanOrEqual(symbols.length);
    }),
  ));

test("subscribed after a round, far behind: the missed candles are fetched at once, oldest first", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, poll, seen, asked, next, until, advance, to, closed, tagged } = yield* setup();
      const start = LAST_CLOSE + HALF_HOUR;
      yield* to(start + 2 * DELAY); // the round of `start` is over before the subscription
      // A restart: the symbol's last candle closed 2 hours ago, 4 closes are missing.
      yield* poll.subscribe(["ETHUSDT"], { ETHUSDT: start - 5 * HALF_HOUR });
      yield* until(() => closed("ETHUSDT").length === 4);
      expect(closed("ETHUSDT")).toEqual(fake.closedCandles("ETHUSDT", "30m", start - 4 * HALF_HOUR, start));
      expect(seen.find((e) => e._tag === "Backfilled")).toMatchObject({ symbol: "ETHUSDT", candles: 3 });
      // Unsubscribed, it is never asked again.
      yield* poll.unsubscribe(["ETHUSDT"]);
      const before = asked.length;
      yield* advance(HALF_HOUR);
      expect((yield* next(tagged("Polled"))).symbols).toBe(0);
      expect(asked.length).toBe(before);
      expect(poll.stats().symbols).toBe(0);
    }),
  ));

test("the exchange unreachable for 10 minutes after a close: the candle comes when it answers again, not a round later", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, poll, next, advance, to, closed, tagged } = yield* setup();
      const start = LAST_CLOSE;
      yield* poll.subscribe(["BNBUSDT"], { BNBUSDT: start - HALF_HOUR });
      fake.failNext(1_000_000);
      const close = start + HALF_HOUR;
      yield* to(close + DELAY);
      expect((yield* next(tagged("Polled"))).late).toEqual(["BNBUSDT"]);
      while (closed("BNBUSDT").length === 0) {
        const e = yield* next((x): x is StreamEvent => x._tag === "BackfillFailed" || x._tag === "Candle");
        if (e._tag !== "BackfillFailed") continue;
        if (fake.now() >= close + 10 * 60_000) fake.failNext(0); // back
        yield* advance(e.retryInMs);
      }
      expect(fake.now()).toBeGreaterThan(close + 10 * 60_000);
      expect(fake.now()).toBeLessThan(close + 15 * 60_000);
      expect(closed("BNBUSDT")).toEqual(fake.closedCandles("BNBUSDT", "30m", start, close));
    }),
  ));

test("a candle the exchange does not have is asked for two minutes, then passed over by the next round", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, poll, asked, next, until, advance, to, closed, tagged } = yield* setup();
      const start = LAST_CLOSE;
      const hole = start;
      fake.removeCandle("LINKUSDT", "30m", hole);
      yield* poll.subscribe(["LINKUSDT"], { LINKUSDT: start - HALF_HOUR });
      const close = start + HALF_HOUR;
      yield* to(close + DELAY);
      expect((yield* next(tagged("Polled"))).late).toEqual(["LINKUSDT"]);
      const waits: number[] = [];
      while (fake.now() < close + DELAY + MISSING_PATIENCE_MS) {
        const e = yield* next(tagged("BackfillFailed"));
        waits.push(e.retryInMs);
        yield* advance(e.retryInMs);
      }
      expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000]);
      const askedForHole = () => asked.filter((a) => a.from === hole).length;
      expect(askedForHole()).toBe(7); // the round and 6 retries; none once the 2 minutes are over
      yield* to(close + HALF_HOUR + DELAY);
      expect((yield* next(tagged("Polled"))).late).toEqual([]);
      yield* until(() => closed("LINKUSDT").length > 0); // after the gap's backfill found nothing
      expect(closed("LINKUSDT")).toEqual(fake.closedCandles("LINKUSDT", "30m", start, close + HALF_HOUR));
      expect(closed("LINKUSDT").map((c) => c.openTime)).toEqual([close]);
      expect(askedForHole()).toBe(8); // and the gap's backfill, once
    }),
  ));
