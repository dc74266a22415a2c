import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capturingLogger, type RunningBot, Simulation, TELEGRAM_CHAT_ID } from "./Simulation.ts";

// One market story, told in order (each test continues the previous one): BTCUSDT gives a continuation LONG at
// the 2025-01-06 00:00 close (a 4h close; fixtures), the trade hits TP1 and ends at break-even on 01-07 15:30.
const START = Date.UTC(2025, 0, 5, 12, 0);
const SIGNAL_CLOSE = Date.UTC(2025, 0, 6, 0, 0);
const HALF_HOUR = 30 * 60_000;

let sim: Simulation;
let dir: string;
let bot: RunningBot | undefined;
const logs: string[] = [];
const log = capturingLogger(logs, () => sim.exchange.now());

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "signalbot-e2e-"));
  sim = new Simulation({ startTime: START, generatedSymbols: 6 });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const db = () => join(dir, "signalbot.db");
const sent = (method: "sendPhoto" | "sendMessage") =>
  sim.telegram.delivered().filter((r) => r.method === method);
const texts = () => sim.telegram.delivered().map((r) => String(r.params.text ?? r.params.caption ?? ""));
/** The parts of /healthz these tests read. */
interface HealthJson {
  readonly ok: boolean;
  readonly openTrades: number;
  readonly symbols: { readonly list: readonly string[] };
  readonly lastClosed: Readonly<Record<string, string | null>>;
  readonly outbox: { readonly depth: number };
  readonly marketData: { readonly shards: readonly unknown[] };
  readonly memory: { readonly pausedUntil: string | null };
}
const health = async (b: RunningBot) => {
  const r = await fetch(`http://127.0.0.1:${b.handle.httpPort}/healthz`);
  return { status: r.status, body: (await r.json()) as HealthJson };
};
const stepUntil = async (time: number) => {
  while (sim.exchange.now() < time) await sim.step();
};

test("warm-up, then the first signal reaches Telegram with its chart; /healthz reflects it", async () => {
  const t0 = performance.now();
  bot = await sim.startBot(
    sim.env(db(), { FIXED_SYMBOLS: "BTCUSDT,ETHUSDT", MAX_SYMBOLS_SUBSCRIBED: "4" }),
    log,
  );
  const warmupMs = performance.now() - t0;
  expect(bot.handle.symbols.view().active).toHaveLength(4);
  await sim.until(() => sent("sendMessage").length > 0, "the start alert");
  await stepUntil(SIGNAL_CLOSE + 60_000);
  await sim.until(() => sent("sendPhoto").length > 0, "the signal's photo");
  const photo = sent("sendPhoto")[0]!;
  expect(photo.params.chat_id).toBe(TELEGRAM_CHAT_ID);
  expect(String(photo.params.caption)).toContain("BTCUSDT");
  expect(Object.values(photo.files)[0]!.type).toBe("image/png");

  // /healthz's outbox depth is a figure refreshed every 5 s of market time: let refreshes pass after delivery.
  for (let i = 0; i < 3 && (await health(bot)).body.outbox.depth > 0; i++) await sim.step(5_000);
  const { status, body } = await health(bot);
  expect(status).toBe(200);
  expect(body.ok).toBe(true);
  expect(body.openTrades).toBe(1);
  expect(body.symbols.list).toEqual(bot.handle.symbols.view().active);
  const last = sim.lastClosed("BTCUSDT")!;
  expect(body.lastClosed["30m"]).toBe(new Date(last.closeTime + 1).toISOString());
  const h4 = Math.floor((last.closeTime + 1) / (4 * 3_600_000)) * 4 * 3_600_000;
  expect(body.lastClosed["4h"]).toBe(new Date(h4).toISOString());
  expect(body.outbox.depth).toBe(0);
  expect(body.marketData.shards.length).toBeGreaterThan(0);
  const metrics = await (await fetch(`http://127.0.0.1:${bot.handle.httpPort}/metrics`)).text();
  expect(metrics).toContain("signalbot_signals_total 1");
  expect(metrics).toMatch(/signalbot_rest_weight_used \d+/);
  console.log(`e2e: warm-up of 4 symbols × 3 timeframes took ${warmupMs.toFixed(0)} ms`);
}, 30_000);

test("a disconnect storm loses no candle", async () => {
  const b = bot!;
  for (let i = 0; i < 6; i++) {
    sim.exchange.dropConnections();
    await sim.step();
  }
  for (const symbol of b.handle.symbols.view().active) {
    const series = b.handle.symbols.tracked(symbol)!.analyzer.series("30m");
    const now = sim.exchange.now();
    const truth = sim.exchange.closedCandles(symbol, "30m", now - 20 * HALF_HOUR, now);
    const seen: number[] = [];
    for (let i = series.length - truth.length; i < series.length; i++) seen.push(series.at(i)!.openTime);
    expect(seen).toEqual(truth.map((c) => c.openTime));
  }
  expect(logs.some((l) => l.includes("reconnected"))).toBe(true);
}, 30_000);

test("a restart sends no duplicate, resumes the open trade and keeps its symbol through rotations", async () => {
  const photos = sent("sendPhoto").length;
  expect(await bot!.stop()).toBe(0);
  // Restarted with other fixed symbols and fewer slots: BTCUSDT stays only because its trade is open.
  // (XRPUSDT sets up a continuation LONG at the 2025-01-06 16:00 close: the pause below must block it.)
  bot = await sim.startBot(sim.env(db(), { FIXED_SYMBOLS: "XRPUSDT", MAX_SYMBOLS_SUBSCRIBED: "3" }), log);
  expect(bot.handle.symbols.view().pinned).toEqual(["BTCUSDT"]);
  expect(bot.handle.symbols.view().active).toContain("BTCUSDT");
  const before = bot.handle.symbols.view().rotating;
  await stepUntil(sim.exchange.now() + 6.5 * 3_600_000); // ROTATION_SLOT_SECONDS=21600 in the simulation
  const after = bot.handle.symbols.view();
  expect(after.rotating).not.toEqual(before);
  expect(after.active).toContain("BTCUSDT");
  expect(sent("sendPhoto").length).toBe(photos);
  expect((await health(bot)).body.openTrades).toBe(1);
}, 30_000);

test("a memory pause blocks new signals and is announced; the trade's result arrives", async () => {
  const b = bot!;
  const replies = sent("sendMessage").length;
  sim.telegram.pushMessage({ chatId: Number(TELEGRAM_CHAT_ID), fromId: 7, text: "/pause 48" });
  await sim.until(() => sent("sendMessage").length > replies, "the /pause reply");
  await sim.step();
  const { body } = await health(b);
  expect(body.memory.pausedUntil).not.toBeNull();
  await stepUntil(Date.UTC(2025, 0, 7, 15, 30));
  await sim.until(() => texts().some((t) => /THẮNG|THUA|HÒA/.test(t)), "the trade result message");
  expect((await health(b)).body.openTrades).toBe(0);
  const blocked = logs.filter((l) => l.includes("signal blocked"));
  expect(blocked.some((l) => l.includes("manualPause") || l.includes("paused"))).toBe(true);
  expect(sent("sendPhoto").length).toBe(1);
}, 40_000);
