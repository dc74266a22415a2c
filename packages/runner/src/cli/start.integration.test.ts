/**
 * `runBot` as `bun run start` runs it: a second bot on the same DATABASE_PATH refuses to start with one line
 * naming the file and the process already running, before anything else runs; the running bot is not disturbed.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Simulation } from "../live/Simulation.ts";
import { makeLogger, silentLogger } from "../observability/Log.ts";
import { runBot } from "./start.ts";

const dir = mkdtempSync(join(tmpdir(), "signalbot-start-"));
const sim = new Simulation({ startTime: Date.UTC(2025, 0, 6), generatedSymbols: 2 });
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a second bot on the same DATABASE_PATH refuses to start: one line naming the file and the other process", async () => {
  const db = join(dir, "signalbot.db");
  const first = await sim.startBot(
    sim.env(db, { FIXED_SYMBOLS: "BTCUSDT", MAX_SYMBOLS_SUBSCRIBED: "2" }),
    silentLogger,
  );
  const lines: string[] = [];
  const log = makeLogger({
    level: "info",
    format: "json",
    secrets: [],
    write: (l) => lines.push(l),
    now: Date.now,
  });
  expect(await runBot(first.config, { log, httpPort: 0 })).toBe(1);
  const errors = lines
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === "error");
  expect(errors).toHaveLength(1);
  expect(errors[0]?.msg).toContain(`SQLite database "${db}"`);
  expect(errors[0]?.msg).toContain(
    `another signalbot is already using this database (pid ${process.pid} on `,
  );
  expect(errors[0]?.msg).not.toContain(sim.telegram.token);
  // It never got as far as the loop: no "started" line, no start alert of its own.
  expect(lines.some((l) => l.includes("started:"))).toBe(false);
  expect(first.handle.health().ok).toBe(true);
  expect(await first.stop()).toBe(0);
});
