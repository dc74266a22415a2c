/**
 * `runBot` as `bun run start` runs it, against the loopback fakes: a second bot on the same DATABASE_PATH is
 * refused; a flood of malformed frames is a couple of log lines, not one per frame.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningBot, Simulation } from "../live/Simulation.ts";
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

const health = () => bot.handle.health();
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
