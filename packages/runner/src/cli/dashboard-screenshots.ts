/**
 * `bun packages/runner/src/cli/dashboard-screenshots.ts [DIR]`: the pictures of the dashboard in docs/images —
 * the demo's story (the real bot against the loopback fakes, real January 2025 candles, 21 market days, a
 * 1,000 USDT virtual account) photographed by headless Chromium, in Vietnamese and in English (the top of the
 * page). Stops on a moment with a trade open, so the pictures have a live P/L and its chart.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findChromium, launchChromium } from "../dashboard/Browser.testkit.ts";
import { DEMO_BALANCE, DEMO_START } from "../demo/Demo.ts";
import { Simulation } from "../live/Simulation.ts";
import { makeLogger } from "../observability/Log.ts";

const DAYS = 21;
const out = resolve(process.argv[2] ?? "docs/images");
const chromium = findChromium();
if (chromium === undefined) process.exit(1);
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "signalbot-screenshots-"));
const sim = new Simulation({ startTime: DEMO_START, generatedSymbols: 0 });
const log = makeLogger({
  level: "warn",
  format: "pretty",
  secrets: [],
  now: () => sim.exchange.now(),
  write: () => {},
});
try {
  const bot = await sim.startBot(
    sim.env(join(dir, "signalbot.db"), {
      FIXED_SYMBOLS: "BTCUSDT,ETHUSDT,SOLUSDT",
      MAX_SYMBOLS_SUBSCRIBED: "8",
      ROTATION_SLOT_SECONDS: "43200",
      STARTING_BALANCE: String(DEMO_BALANCE),
      TIMEZONE: "Asia/Ho_Chi_Minh",
    }),
    log,
  );
  const end = DEMO_START + DAYS * 86_400_000;
  while (sim.exchange.now() < end || Number(bot.handle.health().openTrades) === 0) await sim.step();
  const browser = await launchChromium(chromium);
  const base = `http://127.0.0.1:${bot.handle.httpPort}/`;
  for (const [lang, file, width] of [
    ["vi", "dashboard.png", 1360],
    ["en", "dashboard-en.png", 1360],
  ] as const) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${base}?lang=${lang}`);
    await page.locator(".feed.is-live").waitFor();
    await page.locator('#trades .chart[data-state="drawn"]').first().waitFor();
    await page.locator('#equity .chart[data-state="drawn"]').waitFor();
    await page.waitForTimeout(300);
    // The top of the page: status, symbols, locks, the open trade, the latest signal (the rest is below).
    await page.screenshot({
      path: join(out, file),
      fullPage: true,
      clip: { x: 0, y: 0, width, height: 1480 },
    });
    process.stdout.write(`${join(out, file)}\n`);
    await page.close();
  }
  await browser.close();
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
