/**
 * `runBot` as `bun run start` runs it, against the loopback fakes: a second bot on the same DATABASE_PATH is
 * refused; /healthz tells REST failing and Telegram refusing the chat, and recovers by itself; a flood of
 * malformed frames is a couple of log lines, not one per frame.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningBot, Simulation, TELEGRAM_CHAT_ID } from "../live/Simulation.ts";
import { makeLogger } from "../observability/Log.ts";
import { runBot } from "./start.ts";

const dir = mkdtempSync(join(tmpdir(), "signalbot-start-"));
const db = join(dir, "signalbot.db");
const sim = new Simulation({ startTime: Date.UTC(2025, 0, 6), generatedSymbols: 2 });
const lines: string[] = [];
const log = makeLogger({
  level: "info",
  format: "json",
  secrets: [],
  write: (l) => lines.push(l),
  now: Date.now,
});
let bot: RunningBot;

beforeAll(async () => {
  bot = await sim.startBot(sim.env(db, { FIXED_SYMBOLS: "BTCUSDT", MAX_SYMBOLS_SUBSCRIBED: "2" }), log);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}, 20_000);

/** The parts of /healthz these tests read. */
interface Health {
  readonly ok: boolean;
  readonly rest: { readonly ok: boolean; readonly degraded: boolean; readonly lastError: string | null };
  readonly storage: { readonly ok: boolean; readonly writable: boolean };
  readonly outbox: { readonly depth: number; readonly halted: { readonly reason: string } | null };
}
const health = () => bot.handle.health() as unknown as Health;
const parsed = () => lines.map((l) => JSON.parse(l) as { level: string; msg: string });

test("a second bot on the same DATABASE_PATH refuses to start: one line naming the file and the other process", async () => {
  const second: string[] = [];
  const secondLog = makeLogger({
    level: "info",
    format: "json",
    secrets: [],
    write: (l) => second.push(l),
    now: Date.now,
  });
  expect(await runBot(bot.config, { log: secondLog, httpPort: 0 })).toBe(1);
  const errors = second
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === "error");
  expect(errors).toHaveLength(1);
  expect(errors[0]?.msg).toContain(`SQLite database "${db}"`);
  expect(errors[0]?.msg).toContain(
    `another signalbot is already using this database (pid ${process.pid} on `,
  );
  expect(errors[0]?.msg).not.toContain(sim.telegram.token);
  // It never got as far as the loop: no "started" line of its own.
  expect(second.some((l) => l.includes("started:"))).toBe(false);
  expect(health().ok).toBe(true);
});

test("/healthz: REST degraded (not ok) while its requests fail, ok again at the next answer", async () => {
  expect(health()).toMatchObject({ ok: true, rest: { ok: true, degraded: false }, storage: { ok: true } });
  sim.exchange.failNext(1000, 503);
  // Market time to just past the next 4h close: its confirmation by REST fails, and is retried.
  const next4h = Math.ceil((sim.exchange.now() + 1) / 14_400_000) * 14_400_000 + 60_000;
  sim.exchange.advance(next4h - sim.exchange.now());
  sim.time.release();
  await sim.until(() => health().rest.degraded, "REST degraded", 0);
  expect(health()).toMatchObject({ ok: false, rest: { ok: false, degraded: true } });
  expect(health().rest.lastError).toBe("GET /fapi/v1/klines: HTTP 503");
  sim.exchange.failNext(0);
  await sim.until(() => !health().rest.degraded, "REST healthy again", 0);
  await sim.settle();
  expect(health()).toMatchObject({ ok: true, rest: { ok: true, degraded: false } });
}, 20_000);

test("/healthz: Telegram refusing the chat halts delivery (not ok, nothing dropped); it resumes once fixed", async () => {
  await sim.until(() => health().outbox.depth === 0, "an empty outbox");
  sim.telegram.setDown({ status: 400, description: "Bad Request: chat not found" });
  sim.telegram.pushMessage({ chatId: Number(TELEGRAM_CHAT_ID), fromId: 1, text: "/help" });
  await sim.until(() => health().outbox.halted !== null && health().outbox.depth === 1, "delivery halted");
  expect(health()).toMatchObject({
    ok: false,
    outbox: { depth: 1, halted: { reason: "sendMessage: 400 Bad Request: chat not found" } },
  });
  expect(parsed().filter((l) => l.msg.startsWith("outbox: delivery halted"))).toHaveLength(1);
  sim.telegram.setDown(undefined);
  await sim.step(300_000); // the periodic retry (5 min of the bot's clock)
  await sim.until(() => health().outbox.halted === null && health().outbox.depth === 0, "delivery resumed");
  expect(health().ok).toBe(true);
  expect(sim.telegram.delivered().at(-1)?.params.text).toContain("Các lệnh của bot");
});

test("a flood of malformed frames is two log lines with a count, not one per frame", async () => {
  const before = lines.length;
  const counted = async () => {
    const text = await (await fetch(`http://127.0.0.1:${bot.handle.httpPort}/metrics`)).text();
    return Number(/^signalbot_ws_malformed_total (\d+)$/m.exec(text)?.[1] ?? 0);
  };
  const already = await counted();
  sim.exchange.sendMalformed(400);
  // The bot reads the 400 frames (market time stands still meanwhile), then a minute passes on its clock.
  for (let i = 0; i < 1000 && (await counted()) < already + 400; i++) await Bun.sleep(5);
  expect(await counted()).toBe(already + 400);
  await sim.step(70_000);
  await sim.until(
    () =>
      parsed()
        .slice(before)
        .some((l) => l.msg.startsWith("malformed frame:")),
    "the count",
  );
  const malformed = parsed()
    .slice(before)
    .filter((l) => l.msg.startsWith("malformed frame"));
  expect(malformed).toHaveLength(2);
  expect(malformed[0]?.msg).toMatch(/^malformed frame on shard 1: /);
  expect(malformed[1]?.msg).toMatch(/^malformed frame: 399 more in the last \d+ s on shard 1 \(last: /);
});

test("no line for a stream backfill that found nothing (a hole in the exchange's own data)", async () => {
  const before = lines.length;
  // The candle forming now never closes at the exchange; the bot gets the next one after it.
  const hole = Math.floor(sim.exchange.now() / 1_800_000) * 1_800_000;
  sim.exchange.removeCandle("BTCUSDT", "30m", hole);
  await sim.step(1_800_000);
  await sim.step(1_800_000);
  expect(bot.handle.symbols.tracked("BTCUSDT")?.lastClosedOpenTime).toBe(hole + 1_800_000);
  expect(
    parsed()
      .slice(before)
      .filter((l) => l.msg.includes("backfilled 0")),
  ).toEqual([]);
});
