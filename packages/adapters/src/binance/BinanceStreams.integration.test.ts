/**
 * The Binance kline streams against the loopback fake exchange: sharding, paced SUBSCRIBE/UNSUBSCRIBE, pongs,
 * malformed frames, and the completeness guarantee (every closed candle exactly once, in order) through
 * dropped connections, late closed-candle messages, silently stalled streams and recycling. Reconnect
 * backoff, the grace for late messages, the watchdog and recycling run on the TestClock: the test moves time,
 * and waits only for events (the stream's queue, the fake's own view of its clients) — never sleeps or polls.
 */
import { expect, test } from "bun:test";
import type { Candle, StreamEvent } from "@signalbot/core";
import { Effect, Queue, Random, type Scope } from "effect";
import { TestClock } from "effect/testing";
import { FakeExchange, type FakeExchangeOptions } from "../testing/FakeExchange.ts";
import { streamEventReader } from "../testing/StreamEvents.ts";
import { backfillFrom } from "./BinanceMarketData.ts";
import { BinanceRest } from "./BinanceRest.ts";
import { type BinanceStreamsConfig, make } from "./BinanceStreams.ts";

const DATA = new URL("../../../../fixtures/klines", import.meta.url).pathname;
const HALF_HOUR = 1_800_000;

/** A Random that always draws 0.5: a reconnect waits exactly half its cap. */
const halfRandom: Random.Random = { nextDoubleUnsafe: () => 0.5, nextIntUnsafe: () => 0 };

const setup = (
  fakeOptions: FakeExchangeOptions = {},
  config: Partial<BinanceStreamsConfig> = {},
  clock: "test" | "real" = "test",
) =>
  Effect.gen(function* () {
    const fake = new FakeExchange({
      dataDir: DATA,
      generatedSymbols: 20,
      updateIntervalMs: 600_000,
      ...fakeOptions,
    });
    yield* Effect.addFinalizer(() => Effect.sync(() => fake.stop()));
    const rest = new BinanceRest({ restUrl: fake.restUrl, backoffBaseMs: 5, rateLimitJitterMs: 10 });
    const streams = yield* make({
      wsUrl: fake.wsUrl,
      backfill: backfillFrom(rest),
      reconnect: { baseMs: 1_000, maxMs: 8_000 },
      maxMessagesPerSecond: 8,
      closedGraceMs: 5_000,
      ...config,
    });
    const seen: StreamEvent[] = [];
    /**
     * The next event, kept in `seen`. A failed backfill waits on the TestClock for its retry: the test lets
     * that time pass (a REST call can fail under load; what is tested is that the retry then completes the data).
     */
    const take = Effect.gen(function* () {
      const e = yield* Queue.take(streams.events);
      seen.push(e);
      if (e._tag === "BackfillFailed" && clock === "test") yield* TestClock.adjust(e.retryInMs);
      return e;
    });
    const { next, until } = streamEventReader(take);
    const closed = (symbol: string): Candle[] =>
      seen.flatMap((e) =>
        e._tag === "Candle" && e.event.closed && e.event.symbol === symbol ? [e.event.candle] : [],
      );
    const connected =
      (reconnect: boolean) =>
      (e: StreamEvent): e is Extract<StreamEvent, { _tag: "Connected" }> =>
        e._tag === "Connected" && e.reconnect === reconnect;
    const tagged =
      <T extends StreamEvent["_tag"]>(tag: T) =>
      (e: StreamEvent): e is Extract<StreamEvent, { _tag: T }> =>
        e._tag === tag;
    const wait = (promise: () => Promise<void>) => Effect.promise(promise);
    return { fake, streams, seen, next, until, closed, connected, tagged, wait };
  });

/** Runs `body` in a Scope on the real clock (pacing against the fake's real-time rate limits). */
const live = <A>(body: Effect.Effect<A, never, Scope.Scope>) => Effect.runPromise(Effect.scoped(body));
/** Runs `body` in a Scope on the TestClock, with a Random that draws 0.5. */
const onTestClock = <A>(body: Effect.Effect<A, never, Scope.Scope>) =>
  Effect.runPromise(
    Effect.scoped(body).pipe(
      Effect.provideService(Random.Random, halfRandom),
      Effect.provide(TestClock.layer()),
    ),
  );

test(
  "shards at WS_MAX_STREAMS_PER_CONN and subscribes/unsubscribes at runtime under the message limit",
  () =>
    live(
      Effect.gen(function* () {
        const { fake, streams, wait } = yield* setup(
          { maxIncomingPerSecond: 10 },
          { maxStreamsPerConnection: 5 },
        );
        const symbols = fake.listedSymbols();
        yield* streams.subscribe(symbols.slice(0, 12), {});
        yield* wait(() => fake.when(() => fake.connections().length === 3));
        expect(
          fake
            .connections()
            .map((c) => c.streams.length)
            .sort(),
        ).toEqual([2, 5, 5]);
        // 14 alternating requests cannot be merged: sent one by one, paced at 8/s, the fake (10/s) never cuts us off.
        for (let i = 0; i < 7; i++) {
          yield* streams.subscribe([symbols[12 + i]!], {});
          yield* streams.unsubscribe([symbols[12 + i]!]);
        }
        yield* streams.subscribe(symbols.slice(12, 15), {});
        yield* streams.unsubscribe(symbols.slice(0, 5)); // empties shard 1: its connection closes
        yield* wait(() =>
          fake.when(
            () =>
              fake.connections().length === 2 &&
              fake.connections().reduce((n, c) => n + c.streams.length, 0) === 10,
          ),
        );
        expect(fake.stats.wsClosedForRate).toBe(0);
        expect(streams.stats().symbols).toBe(10);
      }),
    ),
  15_000,
);

test("answers server pings (ws pongs by itself) and survives malformed frames", () =>
  live(
    Effect.gen(function* () {
      const { fake, streams, next, until, closed, connected, tagged, wait } = yield* setup({}, {}, "real");
      yield* streams.subscribe(["BTCUSDT"], {});
      yield* next(connected(false));
      yield* wait(() => fake.streamsReady(["btcusdt@kline_30m"]));
      fake.ping();
      yield* wait(() => fake.when(() => fake.stats.pongs === 1));
      fake.sendMalformed(4);
      for (let i = 0; i < 4; i++) yield* next(tagged("Malformed"));
      fake.advance(HALF_HOUR);
      yield* until(() => closed("BTCUSDT").length === 1);
      expect(streams.stats().shards[0]).toMatchObject({ state: "open", malformed: 4, reconnects: 0 });
      expect(streams.stats().malformed).toBe(4);
    }),
  ));

test("reconnects wait on the backoff schedule: doubling while connections keep failing, afresh after a stable one", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, streams, next, connected, tagged } = yield* setup(
        {},
        { stableAfterMs: 60_000, staleAfterMs: 3_600_000 },
      );
      yield* streams.subscribe(["BTCUSDT"], {});
      yield* next(connected(false));
      const waits: number[] = [];
      for (let i = 0; i < 4; i++) {
        fake.dropConnections();
        const down = yield* next(tagged("Disconnected"));
        waits.push(down.retryInMs);
        yield* TestClock.adjust(down.retryInMs);
        yield* next(connected(true));
      }
      // Half of 1, 2, 4 then 8 s (the cap): the time is the schedule's, not the machine's.
      expect(waits).toEqual([500, 1_000, 2_000, 4_000]);
      // A connection that held for a minute counts as healthy: the next failure starts from the base again.
      yield* TestClock.adjust(60_000);
      fake.dropConnections();
      expect((yield* next(tagged("Disconnected"))).retryInMs).toBe(500);
      expect(streams.stats().reconnects).toBe(4);
    }),
  ));

test("a subscription made right after a reconnect goes out even while the old connection's sender was pacing", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, streams, next, connected, tagged, wait } = yield* setup(
        {},
        { reconnect: { baseMs: 100, maxMs: 100 }, maxMessagesPerSecond: 8 },
      );
      const [a, b, c, d] = fake.listedSymbols();
      const stream = (s: string) => `${s.toLowerCase()}@kline_30m`;
      yield* streams.subscribe([a!], {});
      yield* next(connected(false));
      yield* wait(() => fake.streamsReady([stream(a!)]));
      // Two SUBSCRIBEs: the first goes out at once, the second waits its 125 ms turn...
      yield* streams.subscribe([b!], {});
      yield* streams.subscribe([c!], {});
      // ...when the connection drops; it is back 50 ms later, before that turn.
      fake.dropConnections();
      yield* TestClock.adjust((yield* next(tagged("Disconnected"))).retryInMs);
      yield* next(connected(true));
      yield* streams.subscribe([d!], {});
      yield* wait(() => fake.streamsReady([a, b, c, d].map((s) => stream(s!))));
    }),
  ));

test(
  "connections dropped every few fake hours during a replay: closed candles equal the exchange's",
  () =>
    onTestClock(
      Effect.gen(function* () {
        const { fake, streams, seen, next, until, closed, connected, tagged, wait } = yield* setup(
          {},
          { maxStreamsPerConnection: 4 },
        );
        const symbols = [...fake.listedSymbols().slice(0, 6), ...fake.listedSymbols().slice(-4)];
        const start = fake.now();
        // The caller's warm-up ended with the candle that closed at `start`.
        yield* streams.subscribe(symbols, Object.fromEntries(symbols.map((s) => [s, start - HALF_HOUR])));
        for (let i = 0; i < 3; i++) yield* next(connected(false));
        const all = symbols.map((s) => `${s.toLowerCase()}@kline_30m`);
        yield* wait(() => fake.streamsReady(all));
        for (let i = 1; i <= 48; i++) {
          fake.advance(HALF_HOUR);
          if (i % 6 === 0) {
            fake.dropConnections();
            fake.advance(HALF_HOUR); // candles pushed while nobody listens are lost on the wire
            let longest = 0;
            for (let k = 0; k < 3; k++)
              longest = Math.max(longest, (yield* next(tagged("Disconnected"))).retryInMs);
            yield* TestClock.adjust(longest);
            // Three reconnects; a connection that fails again meanwhile (a busy machine can make the freshness
            // watchdog cut a shard the clock jump left silent) waits on the TestClock: let its backoff pass too.
            for (let up = 0; up < 3; ) {
              const e = yield* next((x): x is StreamEvent => connected(true)(x) || tagged("Disconnected")(x));
              if (e._tag === "Disconnected") yield* TestClock.adjust(e.retryInMs);
              else up++;
            }
            yield* wait(() => fake.streamsReady(all));
          }
        }
        const end = fake.now();
        fake.advance(60_000); // the first frame after the last reconnect reveals the final gap
        const expected = (s: string) => fake.closedCandles(s, "30m", start, end);
        yield* until(() => symbols.every((s) => closed(s).length >= expected(s).length));
        for (const s of symbols) expect(closed(s)).toEqual(expected(s));
        expect(expected("BTCUSDT").length).toBeGreaterThanOrEqual(50);
        // Every drop reconnected all three shards (more only if a shard failed again under load).
        expect(streams.stats().reconnects).toBeGreaterThanOrEqual(3 * 8);
        expect(streams.stats().reconnects).toBe(seen.filter(connected(true)).length);
        expect(seen.filter((e) => e._tag === "Backfilled").length).toBeGreaterThan(0);
        expect(streams.stats().backfilledCandles).toBeGreaterThanOrEqual(8 * symbols.length);
      }),
    ),
  20_000,
);

test("late closed-candle messages: awaited through the grace, else backfilled, never duplicated", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, streams, seen, next, until, closed, connected, tagged, wait } = yield* setup();
      const symbols = ["BTCUSDT", "ETHUSDT", "GEN001USDT"];
      const start = fake.now();
      yield* streams.subscribe(symbols, Object.fromEntries(symbols.map((s) => [s, start - HALF_HOUR])));
      yield* next(connected(false));
      yield* wait(() => fake.streamsReady(symbols.map((s) => `${s.toLowerCase()}@kline_30m`)));
      fake.delayClosedCandles(600_000); // the closed message comes after the next candle's first update
      const received = () => symbols.every((s) => closed(s).length > 0);
      // 1. The grace is still running when the late message comes: it is simply delivered.
      fake.advance(HALF_HOUR + 600_000);
      yield* until(received);
      expect(seen.some((e) => e._tag === "Backfilled")).toBe(false);
      // 2. The grace ends first: the missing closed candle is fetched by REST; its late message is dropped.
      fake.advance(HALF_HOUR - 600_000 + 60_000); // a forming update of the next-next candle
      yield* TestClock.adjust(5_000);
      for (let i = 0; i < symbols.length; i++) yield* next(tagged("Backfilled"));
      fake.advance(600_000); // the late closed messages arrive now
      fake.advance(HALF_HOUR);
      const expected = (s: string) => fake.closedCandles(s, "30m", start, fake.now() - HALF_HOUR - 600_000);
      yield* until(() => symbols.every((s) => closed(s).length >= expected(s).length));
      for (const s of symbols) {
        expect(closed(s).slice(0, expected(s).length)).toEqual(expected(s));
        const times = closed(s).map((c) => c.openTime);
        expect(new Set(times).size).toBe(times.length);
        expect([...times].sort((a, b) => a - b)).toEqual(times);
      }
      expect(streams.stats().duplicatesDropped).toBeGreaterThanOrEqual(symbols.length);
    }),
  ));

test("a silent (stalled) stream is detected by the watchdog and healed, with the gap backfilled", () =>
  onTestClock(
    Effect.gen(function* () {
      const { fake, streams, seen, next, until, closed, connected, tagged, wait } = yield* setup(
        {},
        { staleAfterMs: 30_000, watchdogIntervalMs: 5_000 },
      );
      const start = fake.now();
      yield* streams.subscribe(["BTCUSDT", "SOLUSDT"], {
        BTCUSDT: start - HALF_HOUR,
        SOLUSDT: start - HALF_HOUR,
      });
      yield* next(connected(false));
      yield* wait(() => fake.streamsReady(["btcusdt@kline_30m", "solusdt@kline_30m"]));
      fake.stallConnections();
      fake.advance(3 * HALF_HOUR); // pushed into the void: connected but silent
      yield* TestClock.adjust(25_000);
      expect(seen.some((e) => e._tag === "Stale")).toBe(false); // 25 s of silence is not yet stale
      yield* TestClock.adjust(5_000);
      expect((yield* next(tagged("Stale"))).silentMs).toBe(30_000);
      const down = yield* next(tagged("Disconnected"));
      expect(down).toMatchObject({ code: 4000, reason: "stale" });
      yield* TestClock.adjust(down.retryInMs);
      yield* next(connected(true));
      yield* wait(() => fake.streamsReady(["btcusdt@kline_30m"]));
      fake.advance(HALF_HOUR);
      const expected = fake.closedCandles("BTCUSDT", "30m", start, fake.now());
      yield* until(() => closed("BTCUSDT").length === 4);
      expect(closed("BTCUSDT")).toEqual(expected);
      expect(seen.find((e) => e._tag === "Backfilled" && e.symbol === "BTCUSDT")).toMatchObject({
        candles: 3,
      });
    }),
  ));

test("connections are recycled before the 24 h cut without losing a candle, and without a backoff", () =>
  onTestClock(
    Effect.gen(function* () {
      const maxAge = 23.5 * 3_600_000;
      const { fake, streams, seen, next, until, closed, connected, wait } = yield* setup(
        {},
        { watchdogIntervalMs: maxAge, staleAfterMs: 2 * maxAge },
      );
      const start = fake.now();
      yield* streams.subscribe(["ETHUSDT"], { ETHUSDT: start - HALF_HOUR });
      yield* next(connected(false));
      for (let i = 0; i < 2; i++) {
        yield* wait(() => fake.streamsReady(["ethusdt@kline_30m"]));
        fake.advance(HALF_HOUR);
        yield* TestClock.adjust(maxAge);
        yield* next(connected(true));
      }
      yield* wait(() => fake.streamsReady(["ethusdt@kline_30m"]));
      fake.advance(60_000);
      const expected = fake.closedCandles("ETHUSDT", "30m", start, fake.now());
      yield* until(() => closed("ETHUSDT").length === expected.length);
      expect(closed("ETHUSDT")).toEqual(expected);
      expect(streams.stats().reconnects).toBe(2);
      expect(seen.some((e) => e._tag === "Disconnected")).toBe(false); // recycling is not a failure
    }),
  ));
