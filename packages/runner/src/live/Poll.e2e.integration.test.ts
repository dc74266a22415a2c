// MARKET_DATA=poll through the real bot (Simulation: the fake Binance and Telegram, on the market clock): every
// closed candle of every watched symbol is stepped from REST alone — no WebSocket connection is ever opened —,
// /healthz and /metrics say so, and the half hour between two rounds is not mistaken for a market-data outage.
// With POLL_PRICE_SECONDS the open trade's symbol, and only it, has its price asked once a minute.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeLogger } from "../observability/Log.ts";
import { Simulation } from "./Simulation.ts";

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
const log = makeLogger({
  level: "debug",
  format: "pretty",
  secrets: [],
  write: (l) => void logs.push(l),
  now: () => sim.exchange.now(),
});

let bot: Awaited<ReturnType<typeof sim.startBot>>;
const health = async () => {
  const r = await fetch(`http://127.0.0.1:${bot.handle.httpPort}/healthz`);
  return (await r.json()) as { readonly openTrades: number };
};

test("poll mode: every closed candle from REST, no WebSocket, fresh between rounds", async () => {
  bot = await sim.startBot(
    sim.env(join(dir, "bot.db"), {
      MARKET_DATA: "poll",
      FIXED_SYMBOLS: "BTCUSDT,ETHUSDT,SOLUSDT",
      MAX_SYMBOLS_SUBSCRIBED: "3",
      STALE_ALERT_MINUTES: "3",
      POLL_PRICE_SECONDS: "60",
    }),
    log,
  );
  const active = bot.handle.symbols.view().active;
  expect(active).toHaveLength(3);
  for (let i = 0; i < 8; i++) await sim.step();
  const now = sim.exchange.now();
  for (const symbol of active) {
    const series = bot.handle.symbols.tracked(symbol)!.analyzer.series("30m");
    const truth = sim.exchange.closedCandles(symbol, "30m", now - 12 * HALF_HOUR, now);
    expect(series.tail(truth.length)).toEqual(truth);
  }
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
