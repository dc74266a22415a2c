// MARKET_DATA=poll through the real bot (Simulation: the fake Binance and Telegram, on the market clock): every
// closed candle of every watched symbol is stepped from REST alone — no WebSocket connection is ever opened —,
// /healthz and /metrics say so, and the half hour between two rounds is not mistaken for a market-data outage.
// With POLL_PRICE_SECONDS the open trade's symbol, and only it, has its price asked once a minute. A REST outage
// over several closes and a restart end as in stream mode: every candle in the series, each stepped once, no
// signal sent twice, the open trade followed on. One story: each test continues the previous one.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClosedCandleOutcome } from "@signalbot/core";
import { capturingLogger, Simulation } from "./Simulation.ts";

const START = Date.UTC(2025, 0, 5, 12, 0);
const HALF_HOUR = 30 * 60_000;

/** The fixtures give BTCUSDT a continuation LONG at this close, a 4h close (see Live.e2e.integration.test.ts). */
const SIGNAL_CLOSE = Date.UTC(2025, 0, 6, 0, 0);
const PRICE_PATH = "/fapi/v2/ticker/price";

const dir = mkdtempSync(join(tmpdir(), "signalbot-poll-e2e-"));
const sim = new Simulation({ startTime: START, generatedSymbols: 4 });
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});
const logs: string[] = [];
const log = capturingLogger(logs, () => sim.exchange.now(), "debug");

let bot: Awaited<ReturnType<typeof sim.startBot>>;
const ENV = {
  MARKET_DATA: "poll",
  FIXED_SYMBOLS: "BTCUSDT,ETHUSDT,SOLUSDT",
  MAX_SYMBOLS_SUBSCRIBED: "3",
  STALE_ALERT_MINUTES: "3",
  POLL_PRICE_SECONDS: "60",
};
/** Every closed-candle step of every process, in order: which symbol, which close, whether it was analysed. */
const steps: { readonly symbol: string; readonly time: number; readonly analysed: boolean }[] = [];
const onStep = (symbol: string, outcome: ClosedCandleOutcome) => {
  if (outcome._tag === "Stepped")
    steps.push({ symbol, time: outcome.time, analysed: outcome.analysis._tag !== "Late" });
};
const start = () => sim.startBot(sim.env(join(dir, "bot.db"), ENV), log, { onStep });
/** The candles each symbol stepped more than once (none, when nothing is duplicated). */
const steppedTwice = () => {
  const seen = new Set<string>();
  return steps.map((s) => `${s.symbol}@${s.time}`).filter((k) => seen.has(k) || !seen.add(k));
};
/** Each active symbol's last `n` 30m candles are the exchange's, without a gap. */
const expectSeriesComplete = (n: number) => {
  const now = sim.exchange.now();
  const first = Math.floor(now / HALF_HOUR) * HALF_HOUR - n * HALF_HOUR;
  for (const symbol of bot.handle.symbols.view().active) {
    const series = bot.handle.symbols.tracked(symbol)!.analyzer.series("30m");
    const truth = sim.exchange.closedCandles(symbol, "30m", first, now);
    expect(truth).toHaveLength(n);
    expect(series.tail(n)).toEqual(truth);
  }
};
const photos = () => sim.telegram.delivered().filter((r) => r.method === "sendPhoto").length;
const texts = () => sim.telegram.delivered().map((r) => String(r.params.text ?? r.params.caption ?? ""));
const health = async () => {
  const r = await fetch(`http://127.0.0.1:${bot.handle.httpPort}/healthz`);
  return (await r.json()) as { readonly openTrades: number };
};

test("poll mode: every closed candle from REST, no WebSocket, fresh between rounds", async () => {
  bot = await start();
  const active = bot.handle.symbols.view().active;
  expect(active).toHaveLength(3);
  for (let i = 0; i < 8; i++) await sim.step();
  expectSeriesComplete(12);
  expect(steps).toHaveLength(8 * 3);
  expect(sim.exchange.stats.wsConnections).toBe(0);
  expect(
    logs.some((l) => l.includes("market data: the closed 30m candles by REST, 5 s after each close")),
  ).toBe(true);
  expect(logs.some((l) => l.includes("polled the") && l.includes("candle of 3 symbols"))).toBe(true);

  // 25 minutes after the last round, nothing new has come, as expected: still fresh (stream mode: stale after 3).
  sim.exchange.advance(25 * 60_000);
  sim.time.release();
  const r = await fetch(`http://127.0.0.1:${bot.handle.httpPort}/healthz`);
  const body = (await r.json()) as {
    readonly ok: boolean;
    readonly marketData: Readonly<Record<string, unknown>>;
  };
  expect(body.ok).toBe(true);
  expect(body.marketData).toMatchObject({ source: "poll", shards: [], fresh: true, staleAfterMinutes: 33 });
  const metrics = await (await fetch(`http://127.0.0.1:${bot.handle.httpPort}/metrics`)).text();
  expect(metrics).toMatch(/signalbot_poll_rounds_total [1-9]/);
}, 30_000);

test("the price poll asks for the open trade's symbol once a minute, and for nothing while no trade is open", async () => {
  const priced = () => sim.exchange.stats.byPath[PRICE_PATH] ?? 0;
  while (sim.exchange.now() < SIGNAL_CLOSE) {
    expect((await health()).openTrades).toBe(0);
    expect(priced()).toBe(0);
    await sim.step();
  }
  await sim.until(() => bot.handle.health().openTrades === 1, "the BTCUSDT trade");
  const before = priced();
  for (let minute = 1; minute <= 5; minute++)
    await sim.until(() => priced() >= before + minute, `price request ${minute}`, 61_000);
  expect(priced() - before).toBe(5);
}, 30_000);

test("a REST outage over three closes: the missed candles are fetched when the exchange answers, each stepped once", async () => {
  const openTrades = bot.handle.health().openTrades;
  const before = steps.length;
  const lastClose = Math.floor(sim.exchange.now() / HALF_HOUR) * HALF_HOUR;
  const closes = [1, 2, 3].map((i) => lastClose + i * HALF_HOUR);
  sim.exchange.failNext(1_000_000);
  for (const close of closes) {
    sim.exchange.advance(close - sim.exchange.now());
    const round = `poll of the ${new Date(close - HALF_HOUR).toISOString().slice(0, 16)}Z candle: 3 of 3 symbols late`;
    await sim.until(() => logs.some((l) => l.includes(round)), `the failed round of ${round}`);
  }
  expect(steps.length).toBe(before);
  await sim.until(() => texts().some((t) => t.includes("Mất dữ liệu thị trường")), "the stale alert");
  sim.exchange.failNext(0);
  await sim.step();
  // Everything the outage held back, and the next close, each stepped once; the series have no hole.
  const after = steps.slice(before);
  expect(after).toHaveLength(4 * 3);
  expect(steppedTwice()).toEqual([]);
  expectSeriesComplete(12);
  // The candles a full period late feed the series and the trades but are not analysed (the late-candle rule).
  expect(after.filter((s) => s.time <= closes[1]!).every((s) => !s.analysed)).toBe(true);
  expect(after.filter((s) => s.time > closes[2]!).every((s) => s.analysed)).toBe(true);
  expect(logs.some((l) => l.includes("backfilled"))).toBe(true);
  await sim.until(
    () => texts().some((t) => t.includes("Dữ liệu thị trường đã khôi phục")),
    "the recovery alert",
  );
  expect(bot.handle.health().openTrades).toBe(openTrades);
}, 30_000);

test("a restart: the warm-up covers the closes missed while down, no candle is stepped twice, no signal sent twice", async () => {
  const sent = photos();
  const openTrades = bot.handle.health().openTrades;
  const lastStep = Math.max(...steps.map((s) => s.time));
  expect(await bot.stop()).toBe(0);
  sim.exchange.advance(2 * HALF_HOUR); // down for two closes
  bot = await start();
  expect(bot.handle.health().openTrades).toBe(openTrades);
  expectSeriesComplete(12); // the two closes came with the warm-up
  const resumed = steps.length;
  for (let i = 0; i < 4; i++) await sim.step();
  expect(steps.slice(resumed)).toHaveLength(4 * 3);
  expect(steps.slice(resumed).every((s) => s.time > lastStep + 2 * HALF_HOUR && s.analysed)).toBe(true);
  expect(steppedTwice()).toEqual([]);
  expectSeriesComplete(12);
  expect(photos()).toBe(sent);
}, 30_000);
