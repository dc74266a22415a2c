/** BinanceRest against the loopback fake exchange: weights, budget, 429/418, 5xx, 4xx, caches and the universe. */
import { afterEach, expect, test } from "bun:test";
import { MarketData, MarketDataError, TIMEFRAMES } from "@signalbot/core";
import { Effect } from "effect";
import { FakeExchange, type FakeExchangeOptions } from "../testing/FakeExchange.ts";
import { ManualClock } from "../testing/ManualClock.ts";
import * as BinanceMarketData from "./BinanceMarketData.ts";
import { BinanceRest, type BinanceRestConfig, type RestEvent } from "./BinanceRest.ts";

const DATA = new URL("../../../../fixtures/klines", import.meta.url).pathname;
let fake: FakeExchange | undefined;
afterEach(() => fake?.stop());

const setup = (fakeOptions: FakeExchangeOptions = {}, config: BinanceRestConfig = {}) => {
  fake = new FakeExchange({ dataDir: DATA, ...fakeOptions });
  const events: RestEvent[] = [];
  const rest = new BinanceRest({
    restUrl: fake.restUrl,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    rateLimitJitterMs: 20,
    onEvent: (e) => events.push(e),
    ...config,
  });
  return { fake, rest, events };
};

const warmUp = (rest: BinanceRest, symbols: readonly string[]) =>
  Promise.all(
    symbols.flatMap((symbol) =>
      TIMEFRAMES.map((timeframe) => rest.klines({ symbol, timeframe, limit: 500 })),
    ),
  );

test("warm-up of 40 symbols × 3 timeframes × 500 candles at production limits: no 429", async () => {
  const { fake, rest } = setup();
  const symbols = (await rest.universe(40)).map((u) => u.symbol);
  expect(symbols).toHaveLength(40);
  const series = await warmUp(rest, symbols);
  const expected = symbols.flatMap((symbol) =>
    TIMEFRAMES.map((tf) => Math.min(500, fake.closedCandles(symbol, tf, 0, fake.now()).length)),
  );
  expect(series.map((s) => s.length)).toEqual(expected);
  expect(expected.filter((n) => n === 500).length).toBeGreaterThan(90);
  expect(fake.stats.rateLimited429).toBe(0);
  // 120 klines calls at limit 500 (weight 5) + exchangeInfo (1) + tickers (40).
  expect(fake.stats.weight).toBe(120 * 5 + 1 + 40);
});

test("the governor queues rather than exceeds: same warm-up with a budget 5× smaller than its weight", async () => {
  // Minute shrunk to 300 ms: fake allows 240 per window, the client budgets 120 (half of it, like 1200 of 2400).
  const { fake, rest } = setup(
    { weightLimit: 240, weightWindowMs: 300 },
    { weightBudget: 120, weightWindowMs: 300 },
  );
  const symbols = fake.listedSymbols().slice(0, 40);
  const started = Date.now();
  await warmUp(rest, symbols);
  expect(fake.stats.rateLimited429).toBe(0);
  expect(fake.stats.weight).toBe(600);
  // 600 weight at 120 per window needs at least 4 window changes.
  expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 300);
});

test("control: the same warm-up sent naively (no governor) trips 429, and ignoring 429 gets the IP banned", async () => {
  // A 3 s window, so a burst slowed down by a busy machine still lands in one window.
  const { fake } = setup({ weightLimit: 240, weightWindowMs: 3000 });
  const burst = () =>
    Promise.all(
      fake
        .listedSymbols()
        .slice(0, 40)
        .flatMap((symbol) =>
          TIMEFRAMES.map((tf) =>
            fetch(`${fake.restUrl}/fapi/v1/klines?symbol=${symbol}&interval=${tf}&limit=500`).then(
              (r) => r.status,
            ),
          ),
        ),
    );
  const first = await burst();
  expect(first.filter((s) => s === 429).length).toBeGreaterThan(0);
  expect(fake.stats.rateLimited429).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 150)); // past the fake's in-flight grace, still inside Retry-After
  const second = await burst();
  expect(second).toContain(418);
});

test("a 429 storm pauses everybody for Retry-After and never escalates to 418", async () => {
  const { fake, rest, events } = setup({ banAfterViolations: 5 });
  fake.rateLimitStorm(12, 1);
  const started = Date.now();
  const series = await warmUp(rest, fake.listedSymbols().slice(0, 10));
  expect(series).toHaveLength(30);
  expect(fake.stats.rateLimited429).toBe(12);
  expect(fake.stats.banned418).toBe(0);
  expect(events.some((e) => e._tag === "RateLimited")).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
});

test("a 418 halts all REST until the ban ends, raises an alert, then recovers", async () => {
  const { fake, rest, events } = setup();
  fake.ban(1200);
  const results = await Promise.all([rest.serverTime(), ...(await warmUp(rest, ["BTCUSDT", "ETHUSDT"]))]);
  expect(results).toHaveLength(7);
  // Only the requests already in flight when the first 418 arrived hit the banned server.
  expect(fake.stats.requestsDuringBan).toBeLessThanOrEqual(8);
  expect(events.map((e) => e._tag)).toContain("Banned");
  expect(events.map((e) => e._tag)).toContain("BanLifted");
});

test("an exchange limit below the budget: the budget follows exchangeInfo's REQUEST_WEIGHT and no 429 comes", async () => {
  // This IP may use 100 per window (1 s here), the bot is configured for 1200: it must not trust its own figure.
  const { fake, rest, events } = setup(
    { weightLimit: 100, weightWindowMs: 1000 },
    { weightBudget: 1200, weightWindowMs: 1000 },
  );
  const symbols = (await rest.universe(10)).map((u) => u.symbol);
  expect(rest.governor.budget).toBe(80);
  expect(events).toContainEqual({ _tag: "BudgetLimited", budget: 80, configured: 1200, advertised: 100 });
  await warmUp(rest, symbols); // 30 × weight 5: two windows' worth
  expect(fake.stats.rateLimited429).toBe(0);
  expect(fake.stats.banned418).toBe(0);
});

test("a 429 holds every queued or retried request until Retry-After (nothing else goes out meanwhile)", async () => {
  const clock = new ManualClock(Date.now());
  const timeline: { status: number; at: number }[] = [];
  const { fake, rest } = setup(
    { realClock: clock.now, onRest: (a) => timeline.push({ status: a.status, at: clock.now() }) },
    { clock, maxConcurrent: 1, random: () => 0 },
  );
  fake.rateLimitStorm(1, 2);
  const calls = warmUp(rest, fake.listedSymbols().slice(0, 5));
  await clock.whenIdle(); // the 429 is in; whatever the client would send at once, it has sent
  const pausedAt = clock.now();
  clock.advance(2000);
  expect(await calls).toHaveLength(15);
  expect(timeline[0]).toEqual({ status: 429, at: pausedAt });
  // Every later request went out once the pause had passed: none while it lasted.
  expect(timeline.slice(1).filter((t) => t.at < pausedAt + 2000)).toEqual([]);
  expect(timeline.slice(1).every((t) => t.status === 200)).toBe(true);
  expect(fake.stats.requestsDuringBackoff).toBe(0);
});

test("after a ban: one alert with its end, then one probe alone, then the requests in flight ramp back up", async () => {
  const clock = new ManualClock(Date.now());
  const arrivals: { status: number; inFlight: number; at: number }[] = [];
  let client: BinanceRest | undefined;
  const { fake, rest, events } = setup(
    {
      realClock: clock.now,
      onRest: (a) =>
        arrivals.push({
          status: a.status,
          inFlight: client?.governor.requestsInFlight() ?? 0,
          at: clock.now(),
        }),
    },
    { clock, maxConcurrent: 8, maxBanWaitMs: 60_000 },
  );
  client = rest;
  const bannedAt = clock.now();
  fake.ban(30_000);
  const calls = warmUp(rest, fake.listedSymbols().slice(0, 10));
  await clock.whenIdle();
  const refused = arrivals.filter((a) => a.status === 418);
  expect(refused.length).toBeGreaterThan(1); // the first wave, in flight together
  expect(refused.length).toBeLessThanOrEqual(8);
  clock.advance(30_000);
  expect(await calls).toHaveLength(30);
  const bans = events.filter((e) => e._tag === "Banned");
  expect(bans).toEqual([{ _tag: "Banned", until: bannedAt + 30_000, retryAfterMs: 30_000 }]);
  expect(events.filter((e) => e._tag === "BanLifted")).toHaveLength(1);
  const after = arrivals.filter((a) => a.at >= bannedAt + 30_000);
  expect(after.every((a) => a.status === 200)).toBe(true);
  // The probe goes alone; then 2, 4, 8 at most in flight as each answer comes back fine.
  expect(after[0]?.inFlight).toBe(1);
  expect(Math.max(...after.slice(1, 3).map((a) => a.inFlight))).toBeLessThanOrEqual(2);
  expect(Math.max(...after.map((a) => a.inFlight))).toBeLessThanOrEqual(8);
  expect(fake.stats.requestsDuringBan).toBe(refused.length);
});

test("a ban longer than maxBanWaitMs fails fast with reason banned and retryAt", async () => {
  const { fake, rest } = setup({}, { maxBanWaitMs: 1000 });
  fake.ban(600_000);
  const error = await rest.serverTime().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MarketDataError);
  expect((error as MarketDataError).reason).toBe("banned");
  expect((error as MarketDataError).retryAt).toBeGreaterThan(Date.now() + 500_000);
  const sent = fake.stats.requests;
  await rest.exchangeInfo().catch(() => {});
  expect(fake.stats.requests).toBe(sent);
});

test("5xx bursts are retried with backoff; other 4xx fail at once with the exchange's message", async () => {
  const { fake, rest, events } = setup();
  fake.failNext(3, 502);
  expect(await rest.serverTime()).toBe(fake.now());
  expect(fake.stats.serverErrors).toBe(3);
  // Each retried failure is told at once, so the owner can log the first one without waiting for the last.
  const retrying = events.filter((e) => e._tag === "Retrying");
  expect(retrying.map((e) => e._tag === "Retrying" && [e.source, e.attempt])).toEqual([
    ["GET /fapi/v1/time", 1],
    ["GET /fapi/v1/time", 2],
    ["GET /fapi/v1/time", 3],
  ]);
  const before = fake.stats.requests;
  const error = await rest
    .klines({ symbol: "NOPEUSDT", timeframe: "30m", limit: 10 })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ _tag: "MarketDataError", reason: "notFound", source: "GET /fapi/v1/klines" });
  expect((error as MarketDataError).message).toContain("Invalid symbol.");
  expect(fake.stats.requests).toBe(before + 1);
});

test("bounded attempts: a server that keeps failing yields a network error naming the endpoint", async () => {
  const { fake, rest } = setup({}, { retries: 2 });
  fake.failNext(100, 503);
  const error = await rest.exchangeInfo().catch((e: unknown) => e);
  expect(error).toMatchObject({
    _tag: "MarketDataError",
    reason: "network",
    source: "GET /fapi/v1/exchangeInfo",
  });
  expect(fake.stats.serverErrors).toBe(3);
});

test("a body that never finishes cannot hang REST: one deadline covers headers and body, frees the slot, retries", async () => {
  const clock = new ManualClock(Date.now());
  const { fake, rest, events } = setup({}, { clock, maxConcurrent: 8, timeoutMs: 10_000 });
  // Headers at once, then a body that never ends, on 8 answers: every concurrency slot is taken.
  fake.slowBodyNext(8);
  const calls = Array.from({ length: 9 }, () => rest.serverTime());
  await fake.whenRequests(8);
  expect(clock.pending()).toBe(8); // one deadline per attempt in flight; the ninth waits for a slot
  clock.advance(10_000);
  // Every call completes: the 8 stuck attempts were aborted and retried, the ninth got a freed slot.
  expect(await Promise.all(calls)).toEqual(Array.from({ length: 9 }, () => fake.now()));
  const timedOut = events.filter((e) => e._tag === "Retrying" && e.message.includes("timed out"));
  expect(timedOut).toHaveLength(8);
  expect(fake.stats.byPath["/fapi/v1/time"]).toBe(8 + 9);
  // A finished attempt drops its deadline timer; REST is healthy again and remembers what happened.
  expect(clock.pending()).toBe(0);
  expect(rest.health()).toMatchObject({ degraded: false, consecutiveFailures: 0 });
  expect(rest.health().lastError).toContain("headers and body");
});

test("headers that never come hit the same deadline", async () => {
  const clock = new ManualClock(Date.now());
  const { fake, rest } = setup({}, { clock, timeoutMs: 5_000 });
  fake.hangNext(1);
  const call = rest.exchangeInfo();
  await fake.whenRequests(1);
  clock.advance(5_000);
  expect((await call).length).toBeGreaterThan(0);
  expect(fake.stats.byPath["/fapi/v1/exchangeInfo"]).toBe(2);
});

test("health: degraded while attempts fail, with since, count and the last error; healthy at the next answer", async () => {
  const { fake, rest } = setup({}, { retries: 1 });
  fake.failNext(2, 503);
  expect(await rest.serverTime().catch((e: unknown) => e)).toMatchObject({ reason: "network" });
  const failing = rest.health();
  expect(failing).toMatchObject({ degraded: true, consecutiveFailures: 2 });
  expect(failing.failingSince).toBeNumber();
  expect(failing.lastError).toBe("GET /fapi/v1/time: HTTP 503");
  await rest.serverTime();
  expect(rest.health()).toMatchObject({ degraded: false, consecutiveFailures: 0 });
  expect(rest.health().failingSince).toBeUndefined();
});

test("timeouts and a dead server are network errors", async () => {
  const rest = new BinanceRest({ restUrl: "http://127.0.0.1:9", retries: 1, backoffBaseMs: 1 });
  expect(await rest.serverTime().catch((e: unknown) => e)).toMatchObject({ reason: "network" });
});

test("universe: USDT perpetuals that trade, by quote volume, with filters; exchangeInfo and tickers cached", async () => {
  const { fake, rest } = setup({ generatedSymbols: 400 });
  const universe = await rest.universe(300);
  expect(universe).toHaveLength(300);
  for (let i = 1; i < universe.length; i++)
    expect(universe[i - 1]!.quoteVolume).toBeGreaterThanOrEqual(universe[i]!.quoteVolume);
  const names = universe.map((u) => u.symbol);
  expect(names).not.toContain("BTCUSDC");
  expect(names).not.toContain("BTCUSDT_260925");
  expect(names).not.toContain("OLDUSDT");
  expect(universe.find((u) => u.symbol === "BTCUSDT")?.info).toMatchObject({
    tickSize: "0.10",
    symbol: "BTCUSDT",
  });
  await rest.universe(10);
  expect(fake.stats.byPath["/fapi/v1/exchangeInfo"]).toBe(1);
  expect(fake.stats.byPath["/fapi/v1/ticker/24hr"]).toBe(1);
});

test("klines: only closed candles, paging by startTime/endTime for backfill", async () => {
  const { fake, rest } = setup();
  fake.advance(600_000);
  const latest = await rest.klines({ symbol: "BTCUSDT", timeframe: "30m", limit: 5 });
  expect(latest).toHaveLength(4); // the fifth is forming at the fake's clock
  expect(fake.stats.byPath["/fapi/v1/time"]).toBeUndefined(); // the Date header told closed from forming
  expect(latest.every((c) => c.closeTime < fake.now())).toBe(true);
  const to = fake.now() - 1_800_000;
  const from = to - 2400 * 1_800_000;
  const range = await rest.klinesRange("BTCUSDT", "30m", from, to);
  expect(range).toEqual(
    fake.closedCandles("BTCUSDT", "30m", from, to).map((c) => ({ ...c, ...pick(c, range) })),
  );
  expect(fake.stats.byPath["/fapi/v1/klines"]).toBe(1 + 3);
});

test("impossible candles from REST never reach the caller: dropped, counted, told; paging still complete", async () => {
  const { fake, rest, events } = setup();
  fake.advance(600_000);
  const to = fake.now() - 1_800_000;
  const from = to - 2400 * 1_800_000;
  const truth = fake.closedCandles("BTCUSDT", "30m", from, to);
  for (const kind of ["negative", "zero", "huge", "highBelowLow"] as const) {
    fake.corruptNextKlines(1, kind);
    const latest = await rest.klines({ symbol: "BTCUSDT", timeframe: "30m", limit: 10 });
    expect(latest).toHaveLength(8); // 10 rows: the forming one and the impossible one are not candles
    expect(latest.every((c) => c.low > 0 && c.high >= c.low && c.high < 1e9)).toBe(true);
  }
  expect(rest.rejectedCandles).toBe(4);
  const told = events.filter((e) => e._tag === "RejectedCandles");
  expect(told).toHaveLength(4);
  expect(told[0]).toMatchObject({ symbol: "BTCUSDT", timeframe: "30m", count: 1 });
  expect(told.map((e) => (e._tag === "RejectedCandles" ? e.example.split(": ")[1] : ""))).toEqual([
    expect.stringMatching(/^impossible low price -/),
    "impossible low price 0",
    "impossible high price 1e+300",
    expect.stringMatching(/^high .* below low /),
  ]);
  // A dropped row in a full page does not end the paging: every other candle of the range arrives.
  fake.corruptNextKlines(1, "zero");
  const range = await rest.klinesRange("BTCUSDT", "30m", from, to);
  expect(range).toHaveLength(truth.length - 1);
  expect(range.at(-1)?.openTime).toBe(truth.at(-1)?.openTime);
});

/** Prices cross the wire as strings rounded like Binance's; compare on what the client parsed. */
const pick = (c: { openTime: number }, range: readonly { openTime: number }[]) =>
  range.find((r) => r.openTime === c.openTime) ?? {};

test("BinanceMarketData layer implements the port", async () => {
  const { fake } = setup();
  const program = Effect.gen(function* () {
    const md = yield* MarketData;
    const time = yield* md.serverTime;
    const top = yield* md.universe(5);
    const candles = yield* md.klines({ symbol: "ETHUSDT", timeframe: "4h", limit: 10 });
    const failure = yield* Effect.flip(md.klines({ symbol: "ETHUSDT", timeframe: "4h", limit: 5000 }));
    return { time, top, candles, failure };
  });
  const r = await Effect.runPromise(
    program.pipe(Effect.provide(BinanceMarketData.layer({ restUrl: fake.restUrl }))),
  );
  expect(r.time).toBe(fake.now());
  expect(r.top).toHaveLength(5);
  expect(r.candles.length).toBeGreaterThanOrEqual(9);
  expect(r.failure).toMatchObject({ reason: "rejected", source: "GET /fapi/v1/klines" });
});

test("the fake exchange replays real candles shifted by whole days (the chaos soak plays 2025 'now')", async () => {
  const shift = 500 * 86_400_000;
  const start = Date.UTC(2025, 5, 1);
  const { rest } = setup({ startTime: start + shift, dataShiftMs: shift, generatedSymbols: 0 });
  const shifted = await rest.klines({ symbol: "BTCUSDT", timeframe: "4h", limit: 3 });
  fake?.stop();
  const { rest: plain } = setup({ startTime: start, generatedSymbols: 0 });
  const original = await plain.klines({ symbol: "BTCUSDT", timeframe: "4h", limit: 3 });
  expect(shifted).toHaveLength(3);
  expect(shifted.map((c) => c.openTime - shift)).toEqual(original.map((c) => c.openTime));
  expect(shifted.map((c) => c.close)).toEqual(original.map((c) => c.close));
  expect(() => new FakeExchange({ dataShiftMs: 3_600_000 })).toThrow("whole number of days");
});

test("a request landing exactly on a candle's close gets that candle final, equal to the exchange's truth", async () => {
  const boundary = Date.UTC(2025, 5, 1, 12, 30);
  const { fake, rest } = setup({ startTime: boundary, generatedSymbols: 0 });
  const got = await rest.klines({ symbol: "ETHUSDT", timeframe: "30m", limit: 3 });
  const truth = fake.closedCandles("ETHUSDT", "30m", boundary - 3 * 1_800_000, boundary);
  expect(got.at(-1)?.closeTime).toBe(boundary - 1);
  expect(got).toEqual(truth.slice(-got.length));
});

test("price: one symbol's last traded price now, weight 1; an unknown symbol is notFound", async () => {
  const { fake, rest } = setup();
  fake.advance(600_000);
  const sample = await rest.price("BTCUSDT");
  const forming = await rest.klines({
    symbol: "BTCUSDT",
    timeframe: "30m",
    startTime: fake.now() - 600_000,
    limit: 1,
  });
  expect(forming).toEqual([]); // the candle is still forming: the price is its close so far
  expect(sample).toMatchObject({ symbol: "BTCUSDT", time: fake.now() });
  const truth = fake.closedCandles("BTCUSDT", "30m", fake.now() - 3_600_000, fake.now()).at(-1)!;
  expect(sample.price).toBeGreaterThan(truth.close * 0.8);
  expect(sample.price).toBeLessThan(truth.close * 1.2);
  expect(fake.stats.byPath["/fapi/v2/ticker/price"]).toBe(1);
  expect(await rest.price("NOPEUSDT").catch((e: MarketDataError) => e.reason)).toBe("notFound");
});
