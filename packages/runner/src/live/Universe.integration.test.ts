/**
 * The live universe leaves out what a trader cannot use: against the loopback fake exchange, which lists two
 * contracts pegged to 1 USDT among its busiest (USDCUSDT, and PEGUSDT that no stablecoin list knows), the real
 * bot never watches them — one by its base asset, one by its 7-day range measured on daily candles fetched once
 * per day — and says so once per universe refresh, with the numbers. With the filter off it would watch both.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeLogger } from "../observability/Log.ts";
import { type RunningBot, Simulation } from "./Simulation.ts";

const START = Date.UTC(2025, 2, 3);
const PEGGED = ["USDCUSDT", "PEGUSDT"];

let sim: Simulation;
let dir: string;
const logs: string[] = [];
const log = makeLogger({
  level: "info",
  format: "pretty",
  secrets: [],
  write: (l) => logs.push(l),
  now: () => sim.exchange.now(),
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "signalbot-universe-"));
  sim = new Simulation({ startTime: START, generatedSymbols: 2, peggedSymbols: PEGGED });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Room for every listed symbol: only the filter can keep one out. */
const env = (db: string, extra: Record<string, string> = {}) =>
  sim.env(join(dir, db), { FIXED_SYMBOLS: "BTCUSDT", MAX_SYMBOLS_SUBSCRIBED: "40", ...extra });
const subscribed = () => new Set(sim.exchange.connections().flatMap((c) => c.streams));
const skipLines = (symbol: string) => logs.filter((l) => l.includes(`universe: skipped "${symbol}"`));

test("pegged contracts are never watched; each skip is said once per refresh with its numbers", async () => {
  const bot: RunningBot = await sim.startBot(env("on.db"), log);
  const view = bot.handle.symbols.view();
  expect(sim.exchange.listedSymbols()).toEqual(expect.arrayContaining(PEGGED));
  for (const s of PEGGED) {
    expect(view.active).not.toContain(s);
    expect(subscribed().has(`${s.toLowerCase()}@kline_30m`)).toBe(false);
  }
  expect(view.active.length).toBe(sim.exchange.listedSymbols().length - PEGGED.length);
  expect(view.skipped).toBe(2);
  expect(skipLines("USDCUSDT")).toEqual([
    expect.stringContaining('universe: skipped "USDCUSDT": pegged asset USDC'),
  ]);
  expect(skipLines("PEGUSDT")).toEqual([
    expect.stringMatching(/universe: skipped "PEGUSDT": 7-day range 0\.\d+ % < 2 %/),
  ]);
  // Only the pegged contract the list does not know needed its daily candles (one request of weight 1): every
  // real coin's 24 h ticker range already cleared 2 %.
  expect(logs.find((l) => l.includes("symbols ranked by 24h quote volume"))).toContain("dailyRequests=1");

  // The next refresh, 6 h later the same UTC day, says it again — once — without asking for the candles again.
  for (let i = 0; i < 12; i++) await sim.step();
  expect(skipLines("USDCUSDT")).toHaveLength(2);
  expect(skipLines("PEGUSDT")).toHaveLength(2);
  expect(logs.filter((l) => l.includes("symbols ranked by 24h quote volume")).at(-1)).toContain(
    "dailyRequests=0",
  );
  for (const s of PEGGED) expect(bot.handle.symbols.view().active).not.toContain(s);
  expect(await bot.stop()).toBe(0);
}, 30_000);

test("with the filter off the same bot would watch them", async () => {
  const bot = await sim.startBot(
    env("off.db", { UNIVERSE_PEGGED_ASSETS: "none", UNIVERSE_MIN_RANGE_PERCENT: "0" }),
    log,
  );
  for (const s of PEGGED) {
    expect(bot.handle.symbols.view().active).toContain(s);
    expect(subscribed().has(`${s.toLowerCase()}@kline_30m`)).toBe(true);
  }
  expect(await bot.stop()).toBe(0);
}, 30_000);
