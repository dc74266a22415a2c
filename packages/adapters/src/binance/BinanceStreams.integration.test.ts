/**
 * BinanceStreams against the loopback fake exchange: sharding, paced SUBSCRIBE/UNSUBSCRIBE, pongs, malformed
 * frames, and the completeness guarantee (every closed candle exactly once, in order) through dropped
 * connections, late closed-candle messages and silently stalled streams.
 */
import { afterEach, expect, test } from "bun:test";
import type { Candle } from "@signalbot/core";
import { FakeExchange, type FakeExchangeOptions } from "../testing/FakeExchange.ts";
import { BinanceRest } from "./BinanceRest.ts";
import { BinanceStreams, type BinanceStreamsConfig, type StreamEvent } from "./BinanceStreams.ts";

const DATA = new URL("../../../../fixtures/klines", import.meta.url).pathname;
const HALF_HOUR = 1_800_000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Resolves once `condition` holds (checked on every event-loop turn), or fails after `ms`. */
const until = async (condition: () => boolean, what: string, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

const setup = (fakeOptions: FakeExchangeOptions = {}, config: Partial<BinanceStreamsConfig> = {}) => {
  const fake = new FakeExchange({
    dataDir: DATA,
    generatedSymbols: 20,
    updateIntervalMs: 600_000,
    ...fakeOptions,
  });
  const rest = new BinanceRest({ restUrl: fake.restUrl, backoffBaseMs: 5, rateLimitJitterMs: 10 });
  const events: StreamEvent[] = [];
  const streams = new BinanceStreams({
    wsUrl: fake.wsUrl,
    backfill: (symbol, timeframe, from, to) => rest.klinesRange(symbol, timeframe, from, to),
    onEvent: (e) => events.push(e),
    reconnectBaseMs: 10,
    reconnectMaxMs: 50,
    maxMessagesPerSecond: 8,
    closedGraceMs: 50,
    ...config,
  });
  cleanups.push(
    () => streams.close(),
    () => fake.stop(),
  );
  const closed = (symbol: string): Candle[] =>
    events.flatMap((e) => (e._tag === "Candle" && e.closed && e.symbol === symbol ? [e.candle] : []));
  const allOpen = () => streams.stats().shards.every((s) => s.state === "open");
  return { fake, rest, streams, events, closed, allOpen };
};

test("shards at WS_MAX_STREAMS_PER_CONN and subscribes/unsubscribes at runtime under the message limit", async () => {
  const { fake, streams, allOpen } = setup({ maxIncomingPerSecond: 10 }, { maxStreamsPerConnection: 5 });
  const symbols = fake.listedSymbols();
  streams.subscribe(symbols.slice(0, 12));
  await until(() => allOpen() && fake.connections().length === 3, "3 connections");
  expect(
    fake
      .connections()
      .map((c) => c.streams.length)
      .sort(),
  ).toEqual([2, 5, 5]);
  // 14 alternating requests cannot be merged: sent one by one, paced at 8/s, the fake (10/s) never cuts us off.
  for (let i = 0; i < 7; i++) {
    streams.subscribe([symbols[12 + i]!]);
    streams.unsubscribe([symbols[12 + i]!]);
  }
  streams.subscribe(symbols.slice(12, 15));
  streams.unsubscribe(symbols.slice(0, 5)); // empties shard 1: its connection closes
  await until(() => fake.connections().reduce((n, c) => n + c.streams.length, 0) === 10, "10 streams");
  expect(fake.stats.wsClosedForRate).toBe(0);
  expect(fake.connections()).toHaveLength(2);
  expect(streams.stats().symbols).toBe(10);
});

test("answers server pings (ws pongs by itself) and survives malformed frames", async () => {
  const { fake, streams, closed, allOpen } = setup();
  streams.subscribe(["BTCUSDT"]);
  await until(() => allOpen() && fake.connections().length === 1, "connection");
  fake.ping();
  await until(() => fake.stats.pongs === 1, "pong");
  fake.sendMalformed(4);
  await until(() => streams.stats().malformed === 4, "malformed counted");
  fake.advance(HALF_HOUR);
  await until(() => closed("BTCUSDT").length === 1, "a closed candle after the junk");
  expect(streams.stats().shards[0]).toMatchObject({ state: "open", malformed: 4, reconnects: 0 });
});

test("connections dropped every few fake hours during a replay: closed candles equal the exchange's", async () => {
  const { fake, streams, closed, events, allOpen } = setup({}, { maxStreamsPerConnection: 4 });
  const symbols = [...fake.listedSymbols().slice(0, 6), ...fake.listedSymbols().slice(-4)];
  const start = fake.now();
  // The caller's warm-up ended with the candle that closed at `start`.
  streams.subscribe(symbols, Object.fromEntries(symbols.map((s) => [s, start - HALF_HOUR])));
  await until(() => allOpen() && fake.connections().length === 3, "3 shards");
  for (let i = 1; i <= 48; i++) {
    fake.advance(HALF_HOUR);
    if (i % 6 === 0) {
      fake.dropConnections();
      fake.advance(HALF_HOUR); // candles pushed while nobody listens are lost on the wire
      await until(() => streams.stats().reconnects === 3 * (i / 6) && allOpen(), "reconnect");
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const end = fake.now();
  fake.advance(60_000); // the first frame after the last reconnect reveals the final gap
  const expected = (s: string) => fake.closedCandles(s, "30m", start, end);
  await until(() => symbols.every((s) => closed(s).length === expected(s).length), "all closed candles");
  for (const s of symbols) expect(closed(s)).toEqual(expected(s));
  expect(expected("BTCUSDT").length).toBeGreaterThanOrEqual(50);
  expect(streams.stats().reconnects).toBe(3 * 8);
  expect(events.filter((e) => e._tag === "Backfilled").length).toBeGreaterThan(0);
  expect(streams.stats().backfilledCandles).toBeGreaterThanOrEqual(8 * symbols.length);
});

test("late closed-candle messages: waited for, or backfilled, never duplicated", async () => {
  const { fake, streams, closed, allOpen } = setup({}, { closedGraceMs: 30 });
  const symbols = ["BTCUSDT", "ETHUSDT", "GEN001USDT"];
  const start = fake.now();
  streams.subscribe(symbols, Object.fromEntries(symbols.map((s) => [s, start - HALF_HOUR])));
  await until(allOpen, "open");
  fake.delayClosedCandles(600_000); // the closed message comes after the next candle's first update
  for (let i = 0; i < 12; i++) {
    fake.advance(HALF_HOUR);
    if (i % 3 === 0) await new Promise((r) => setTimeout(r, 60)); // sometimes the grace expires first
  }
  fake.advance(HALF_HOUR);
  const expected = (s: string) => fake.closedCandles(s, "30m", start, fake.now() - HALF_HOUR - 600_000);
  await until(() => symbols.every((s) => closed(s).length >= expected(s).length), "closed candles");
  for (const s of symbols) expect(closed(s).slice(0, expected(s).length)).toEqual(expected(s));
  for (const s of symbols) {
    const times = closed(s).map((c) => c.openTime);
    expect(new Set(times).size).toBe(times.length);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  }
});

test("a silent (stalled) stream is detected by the watchdog and healed, with the gap backfilled", async () => {
  const { fake, streams, closed, events, allOpen } = setup({}, { staleAfterMs: 150, watchdogIntervalMs: 20 });
  const start = fake.now();
  streams.subscribe(["BTCUSDT", "SOLUSDT"], { BTCUSDT: start - HALF_HOUR, SOLUSDT: start - HALF_HOUR });
  await until(allOpen, "open");
  fake.stallConnections();
  fake.advance(3 * HALF_HOUR); // pushed into the void: connected but silent
  await until(() => events.some((e) => e._tag === "Stale"), "stale detected");
  await until(() => events.some((e) => e._tag === "Reconnected") && allOpen(), "reconnected");
  fake.advance(HALF_HOUR);
  const expected = fake.closedCandles("BTCUSDT", "30m", start, fake.now());
  await until(() => closed("BTCUSDT").length === 4, "healed");
  expect(closed("BTCUSDT")).toEqual(expected);
  expect(events.find((e) => e._tag === "Backfilled" && e.symbol === "BTCUSDT")).toMatchObject({ candles: 3 });
});

test("connections are recycled before the 24 h cut (shrunk here to 60 ms) without losing a candle", async () => {
  const { fake, streams, closed, events, allOpen } = setup({}, { maxConnectionAgeMs: 60 });
  const start = fake.now();
  streams.subscribe(["ETHUSDT"], { ETHUSDT: start - HALF_HOUR });
  await until(allOpen, "open");
  for (let i = 0; i < 10; i++) {
    fake.advance(HALF_HOUR);
    await new Promise((r) => setTimeout(r, 15));
  }
  await until(() => streams.stats().reconnects >= 2 && allOpen(), "recycled");
  fake.advance(60_000);
  const expected = fake.closedCandles("ETHUSDT", "30m", start, fake.now());
  await until(() => closed("ETHUSDT").length === expected.length, "complete");
  expect(closed("ETHUSDT")).toEqual(expected);
  expect(events.some((e) => e._tag === "Disconnected")).toBe(false); // recycling is not a failure
});
