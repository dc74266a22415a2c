import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, ConsoleMessage, Page } from "playwright-core";
import { type RunningBot, Simulation } from "../live/Simulation.ts";
import { makeLogger } from "../observability/Log.ts";
import { findChromium, launchChromium } from "./Browser.testkit.ts";

// The real bot against the loopback fakes, bound to 0.0.0.0 with a token (as on a VPS without a tunnel), and
// the dashboard in headless Chromium. BTCUSDT gives a continuation LONG at the 2025-01-06 15:00 UTC close.
const START = Date.UTC(2025, 0, 5, 12, 0);
const SIGNAL_CLOSE = Date.UTC(2025, 0, 6, 0, 0);
const TOKEN = "browser-test-token-0123456789";

const chromiumPath = findChromium();
const browserTest = chromiumPath === undefined ? test.skip : test;

let sim: Simulation;
let bot: RunningBot;
let browser: Browser;
let dir: string;
let base: string;
const log = makeLogger({
  level: "warn",
  format: "pretty",
  secrets: [TOKEN],
  write: () => {},
  now: () => sim.exchange.now(),
});

/** A page with every console error, uncaught exception and failed request collected. */
const watched = async (cookies = true) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m: ConsoleMessage) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  page.on("requestfailed", (r) => {
    // Leaving a page ends its live feed: that abort is the browser's, not a failure.
    const aborted = r.failure()?.errorText === "net::ERR_ABORTED" && r.url().includes("/events");
    if (!aborted) problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ""}`);
  });
  if (cookies) {
    const r = await page.goto(`${base}/?token=${TOKEN}`);
    expect(r?.status()).toBe(200);
    expect(page.url()).toBe(`${base}/`);
  }
  return { page, problems, close: () => context.close() };
};

/** The page's globals these tests read in the browser (this file is type-checked without the DOM library). */
declare const document: {
  querySelector(
    selector: string,
  ): { textContent: string | null; getAttribute(name: string): string | null } | null;
};

const text = (page: Page, selector: string) => page.locator(selector).textContent();

beforeAll(async () => {
  if (chromiumPath === undefined) return;
  dir = mkdtempSync(join(tmpdir(), "signalbot-dashboard-browser-"));
  mkdirSync(join(dir, "reports"));
  // A self-contained report with inline style and script, as `bun run backtest --html` writes.
  writeFileSync(
    join(dir, "reports", "backtest.html"),
    '<!doctype html><html><head><title>backtest 2025</title><style>body{color:#123}</style></head><body><p id="x">static</p><script>document.getElementById("x").textContent="script ran"</script></body></html>',
  );
  sim = new Simulation({ startTime: START, generatedSymbols: 6 });
  bot = await sim.startBot(
    sim.env(join(dir, "signalbot.db"), {
      FIXED_SYMBOLS: "BTCUSDT,ETHUSDT",
      MAX_SYMBOLS_SUBSCRIBED: "4",
      HTTP_HOST: "0.0.0.0",
      DASHBOARD_TOKEN: TOKEN,
      REPORTS_DIR: join(dir, "reports"),
      TIMEZONE: "Asia/Ho_Chi_Minh",
    }),
    log,
  );
  while (sim.exchange.now() < SIGNAL_CLOSE + 60_000) await sim.step();
  await sim.until(() => sim.telegram.delivered().some((r) => r.method === "sendPhoto"), "the signal's photo");
  // Bound to every address; the test only ever talks to this machine's loopback.
  base = `http://127.0.0.1:${bot.handle.httpPort}`;
  browser = await launchChromium(chromiumPath);
}, 60_000);
afterAll(async () => {
  if (chromiumPath === undefined) return;
  await browser?.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

browserTest(
  "bound to 0.0.0.0, a request without the token is refused: page, API, live feed, health",
  async () => {
    const { page, close } = await watched(false);
    const r = await page.goto(`${base}/`);
    expect(r?.status()).toBe(401);
    expect(await page.locator("h1").first().textContent()).toBe("Cần mã truy cập");
    expect(await page.content()).not.toContain(TOKEN);
    for (const path of ["/api/view", "/events", "/healthz", "/metrics", "/reports/backtest.html"])
      expect([path, (await page.request.get(`${base}${path}`)).status()]).toEqual([path, 401]);
    expect((await page.request.get(`${base}/?token=wrong-token-wrong-token`)).status()).toBe(401);
    await close();
  },
);

browserTest(
  "the page loads with no console error and shows the signal the fake exchange produced",
  async () => {
    const { page, problems, close } = await watched();
    await page.locator(".feed.is-live").waitFor();
    const signal = page.locator("#signals details.signal").first();
    expect(await signal.locator(".sym").textContent()).toBe("BTCUSDT");
    expect(await signal.locator("summary").textContent()).toContain("MUA / LONG");
    expect(await signal.textContent()).toContain("Giá vào");
    expect(await signal.textContent()).toContain("Lý do");
    // The open trade, its live P/L in R, and its chart drawn by lightweight-charts (canvas) from /api/chart.
    const trade = page.locator("#trades article.trade");
    expect(await trade.count()).toBe(1);
    expect(await trade.locator(".live-r").textContent()).toMatch(/^[+-]\d+\.\d\dR$/);
    await page.locator('#trades .chart[data-state="drawn"]').waitFor();
    expect(await page.locator("#trades .chart canvas").count()).toBeGreaterThan(0);
    // The signal's chart loads when its details are opened (its trade's chart is already above).
    expect(await signal.getAttribute("open")).toBeNull();
    await signal.locator("summary").click();
    await page.locator('#signals .chart[data-state="drawn"]').waitFor();
    await page.locator('#equity .chart[data-state="drawn"]').waitFor();
    expect(await text(page, "#symbols")).toContain("ETHUSDT");
    expect(await page.content()).not.toContain(TOKEN);
    expect(problems).toEqual([]);
    await close();
  },
  30_000,
);

browserTest(
  "a new candle close updates the page without a reload",
  async () => {
    const { page, problems, close } = await watched();
    await page.locator('#trades .chart[data-state="drawn"]').waitFor();
    await page.evaluate(() => {
      (globalThis as { notReloaded?: boolean }).notReloaded = true;
    });
    const before = await text(page, "#exchange .last-closed");
    const candles = Number(await page.locator("#trades .chart").getAttribute("data-candles"));
    // Up to the next 4h close: the trade chart shows 4h candles (the setup timeframe).
    for (let i = 0; i < 8; i++) await sim.step();
    const next = new Date(sim.lastClosed("BTCUSDT")!.closeTime + 1);
    const shown = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Ho_Chi_Minh",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(next);
    await page.waitForFunction(
      (t) => document.querySelector("#exchange .last-closed")?.textContent?.includes(t),
      shown,
    );
    expect(await text(page, "#exchange .last-closed")).not.toBe(before);
    // The trade chart got the new 4h candle in place (same chart, one more candle).
    await page.waitForFunction(
      (n) => Number(document.querySelector("#trades .chart")?.getAttribute("data-candles")) === n + 1,
      candles,
    );
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(problems).toEqual([]);
    await close();
  },
  30_000,
);

browserTest(
  "English on request, remembered; a report opens with its own inline script allowed by hash",
  async () => {
    const { page, problems, close } = await watched();
    await Promise.all([
      page.waitForURL(`${base}/?lang=en`),
      page.getByRole("link", { name: "English" }).click(),
    ]);
    expect(await text(page, "#signals h2")).toBe("Recent signals");
    expect(await text(page, "#signals details.signal")).toContain("Entry");
    await page.goto(`${base}/`);
    expect(await text(page, "#trades h2")).toContain("Open virtual trades");
    const link = await page.getByRole("link", { name: "backtest 2025" }).getAttribute("href");
    expect(link).toBe("/reports/backtest.html");
    await page.goto(`${base}${link}`);
    expect(await page.locator("#x").textContent()).toBe("script ran");
    expect(problems).toEqual([]);
    await close();
  },
  30_000,
);
