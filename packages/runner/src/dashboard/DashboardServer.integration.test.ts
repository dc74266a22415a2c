import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningBot, Simulation } from "../live/Simulation.ts";
import { makeLogger } from "../observability/Log.ts";
import type { ChartData } from "./ChartData.ts";
import type { DashboardView } from "./DashboardView.ts";

// The real bot against the loopback fakes (as Live.e2e does): BTCUSDT gives a continuation LONG at the
// 2025-01-06 15:00 UTC close; the dashboard is read over plain HTTP here, in a browser in Dashboard.browser.
const START = Date.UTC(2025, 0, 5, 12, 0);
const SIGNAL_CLOSE = Date.UTC(2025, 0, 6, 0, 0);

let sim: Simulation;
let bot: RunningBot;
let dir: string;
let base: string;
const log = makeLogger({
  level: "warn",
  format: "pretty",
  secrets: [],
  write: () => {},
  now: () => sim.exchange.now(),
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "signalbot-dashboard-"));
  mkdirSync(join(dir, "reports"));
  writeFileSync(join(dir, "reports", "run.json"), '{"schemaVersion":2}');
  sim = new Simulation({ startTime: START, generatedSymbols: 6 });
  bot = await sim.startBot(
    sim.env(join(dir, "signalbot.db"), {
      FIXED_SYMBOLS: "BTCUSDT,ETHUSDT",
      MAX_SYMBOLS_SUBSCRIBED: "4",
      REPORTS_DIR: join(dir, "reports"),
    }),
    log,
  );
  while (sim.exchange.now() < SIGNAL_CLOSE + 60_000) await sim.step();
  await sim.until(() => sim.telegram.delivered().some((r) => r.method === "sendPhoto"), "the signal's photo");
  base = `http://127.0.0.1:${bot.handle.httpPort}`;
}, 60_000);
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the page and the view show the signal the fake exchange produced, with security headers and no secret", async () => {
  const page = await fetch(`${base}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  expect(page.headers.get("referrer-policy")).toBe("no-referrer");
  const html = await page.text();
  expect(html).toContain("BTCUSDT");
  expect(html).toContain("Giá vào");

  const view = (await (await fetch(`${base}/api/view`)).json()) as DashboardView;
  expect(view.signals.emitted.map((s) => [s.setup.symbol, s.setup.side, s.setup.model])).toEqual([
    ["BTCUSDT", "LONG", "continuation"],
  ]);
  expect(view.trades.map((t) => t.trade.symbol)).toEqual(["BTCUSDT"]);
  expect(view.symbols.pinned).toEqual([]);
  expect(view.symbols.fixed).toEqual(["BTCUSDT", "ETHUSDT"]);
  expect(view.market.lastClosed["30m"]).toBe(sim.lastClosed("BTCUSDT")!.closeTime + 1);
  // Every other /healthz section is shown too: the REST client's and the storage's (the hardening's probes).
  expect(view.sections.map((s) => [s.name, s.ok])).toEqual([
    ["rest", true],
    ["storage", true],
  ]);
  expect(html).toContain('data-section="rest"><strong>Binance REST</strong>');
  for (const body of [html, JSON.stringify(view)]) expect(body).not.toContain(sim.telegram.token);
}, 20_000);

test("chart data: the signal's candles around its trigger with its levels, the open trade's, the equity curve", async () => {
  const view = (await (await fetch(`${base}/api/view`)).json()) as DashboardView;
  const key = view.signals.emitted[0]!.key;
  const signal = (await (
    await fetch(`${base}/api/chart?signal=${encodeURIComponent(key)}`)
  ).json()) as ChartData;
  // The 4h chart candle that closed with the trigger.
  const trigger = (view.signals.emitted[0]!.setup.time - 4 * 3_600_000) / 1000;
  expect(signal.candles.some((c) => c.time === trigger)).toBe(true);
  expect(signal.candles.length).toBeGreaterThan(60);
  expect(signal.levels.map((l) => l.label)).toEqual(["Giá vào", "Cắt lỗ", "TP1", "TP2", "TP3"]);
  // The model's own line, named as on the Telegram chart (the model's label for it, in the page's language).
  expect(signal.lines[0]?.name).toBe("EMA20 (đường hồi về)");
  const english = (await (
    await fetch(`${base}/api/chart?signal=${encodeURIComponent(key)}&lang=en`)
  ).json()) as ChartData;
  expect(english.lines[0]?.name).toBe("EMA20");
  expect(signal.markers[0]).toMatchObject({ time: trigger, shape: "arrowUp" });
  const trade = (await (
    await fetch(`${base}/api/chart?trade=${encodeURIComponent(view.trades[0]!.trade.id)}&lang=en`)
  ).json()) as ChartData;
  expect(trade.levels[0]!.label).toBe("Entry");
  // The last 4h candle closed by the last closed 30m one.
  const H4 = 4 * 3_600_000;
  const lastClose = sim.lastClosed("BTCUSDT")!.closeTime + 1;
  expect(trade.candles.at(-1)!.time).toBe((Math.floor(lastClose / H4) * H4 - H4) / 1000);
  const equity = (await (await fetch(`${base}/api/chart?equity=1`)).json()) as ChartData;
  expect(equity.equity?.length).toBeGreaterThanOrEqual(1);
  expect((await fetch(`${base}/api/chart?trade=nope`)).status).toBe(404);
});

test("read-only: anything but GET/HEAD is refused, and so is a Host that is not this machine", async () => {
  expect((await fetch(`${base}/`, { method: "POST", body: "x" })).status).toBe(405);
  expect((await fetch(`${base}/api/view`, { method: "DELETE" })).status).toBe(405);
  expect((await fetch(`${base}/`, { headers: { host: "rebind.example:8787" } })).status).toBe(403);
  expect((await fetch(`${base}/healthz`, { headers: { host: "localhost:9999" } })).status).toBe(200);
});

test("the script and stylesheet are served from the bot (lightweight-charts inside), cacheable forever", async () => {
  const html = await (await fetch(`${base}/`)).text();
  const script = /<script src="(\/assets\/app-[0-9a-f]+\.js)"/.exec(html)?.[1];
  const style = /<link rel="stylesheet" href="(\/assets\/app-[0-9a-f]+\.css)"/.exec(html)?.[1];
  const js = await fetch(`${base}${script}`, { headers: { "accept-encoding": "gzip" } });
  expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  expect(js.headers.get("content-encoding")).toBe("gzip");
  expect(js.headers.get("cache-control")).toContain("immutable");
  const text = await js.text();
  expect(text.length).toBeGreaterThan(100_000);
  expect(text).toContain("tradingview");
  expect(html).not.toMatch(/https?:\/\/(?!www\.tradingview\.com\/")/);
  expect((await fetch(`${base}${style}`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
});

test("live updates: the first event carries every section, a closed candle sends the ones that changed", async () => {
  const response = await fetch(`${base}/events?lang=en`);
  expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  const reader = response.body!.getReader();
  let buffer = "";
  const nextEvent = async () => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (raw.startsWith("event: sections"))
          return JSON.parse(raw.slice(raw.indexOf("data: ") + 6)) as {
            time: number;
            sections: Record<string, string>;
          };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += new TextDecoder().decode(value);
    }
  };
  const first = await nextEvent();
  expect(Object.keys(first.sections)).toContain("signals");
  expect(first.sections.signals).toContain("Recent signals");
  const before = sim.lastClosed("BTCUSDT")!.closeTime + 1;
  await sim.step();
  const next = await nextEvent();
  expect(next.time).toBeGreaterThan(first.time);
  expect(next.sections.exchange).toBeDefined();
  expect(next.sections.signals).toBeUndefined();
  expect(sim.lastClosed("BTCUSDT")!.closeTime + 1).toBeGreaterThan(before);
  await reader.cancel();
}, 20_000);

test("reports from REPORTS_DIR are listed and opened; nothing outside it", async () => {
  const html = await (await fetch(`${base}/`)).text();
  expect(html).toContain('href="/reports/run.json"');
  const r = await fetch(`${base}/reports/run.json`);
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ schemaVersion: 2 });
  expect((await fetch(`${base}/reports/..%2Fsignalbot.db`)).status).toBe(404);
  expect((await fetch(`${base}/reports/%2e%2e/signalbot.db`)).status).toBe(404);
  expect((await fetch(`${base}/reports/%E0%A4%A.json`)).status).toBe(404);
});
