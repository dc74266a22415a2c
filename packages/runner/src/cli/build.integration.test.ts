import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeExchange } from "@signalbot/adapters/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { buildBot } from "./build.ts";

const dir = mkdtempSync(join(tmpdir(), "signalbot-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the production bundle starts as the bot: a bad configuration exits 78 with one line per problem", async () => {
  const bundle = await buildBot({ outdir: join(dir, "bot") });
  const proc = Bun.spawn([process.execPath, bundle], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", SCORE_THRESHOLD: "abc", HTTP_PORT: "70000" },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await proc.exited).toBe(78);
  const stderr = await new Response(proc.stderr).text();
  expect(stderr).toContain('SCORE_THRESHOLD: expected a number, got "abc"');
  expect(stderr).toContain("HTTP_PORT: must be between 0 and 65535");
  expect(stderr).not.toContain("    at ");
});

test("charts drawn from the bundle use the bundled font (text is rendered, no system font needed)", async () => {
  const chart = fileURLToPath(new URL("../../../adapters/src/chart/index.ts", import.meta.url));
  const entry = join(dir, "chart-entry.ts");
  writeFileSync(
    entry,
    `import { renderChartPng } from ${JSON.stringify(chart)};
const candles = Array.from({ length: 80 }, (_, i) => ({ openTime: i * 1800000, open: 100 + i, high: 102 + i, low: 99 + i, close: 101 + i, volume: 1, closeTime: i * 1800000 + 1799999 }));
const input = { symbol: "BTCUSDT", timeframe: "30m", side: "LONG", candles, entry: 180, stop: 170, targets: [190, 200, 210] };
console.log(JSON.stringify({ withText: renderChartPng(input).length }));
`,
  );
  const bundle = await buildBot({ entry, outdir: join(dir, "chart"), name: "chart.js" });
  const run = Bun.spawnSync([process.execPath, bundle], { cwd: tmpdir() });
  expect(run.exitCode).toBe(0);
  const withFont = JSON.parse(run.stdout.toString()) as { withText: number };
  rmSync(join(dir, "chart", "fonts"), { recursive: true });
  const noFont = JSON.parse(
    Bun.spawnSync([process.execPath, bundle], { cwd: tmpdir() }).stdout.toString(),
  ) as {
    withText: number;
  };
  // Without the font beside the bundle resvg silently drops every label: the PNG shrinks by half.
  expect(withFont.withText).toBeGreaterThan(noFont.withText * 1.5);
});

test("the bundle serves the dashboard with its script and stylesheet built in (no file beside it, no CDN)", async () => {
  const bundle = await buildBot({ outdir: join(dir, "dashboard") });
  const HALF_HOUR = 1_800_000;
  const now = Math.floor(Date.now() / HALF_HOUR) * HALF_HOUR;
  const exchange = new FakeExchange({
    dataDir: FIXTURE_KLINES_DIR,
    dataShiftMs: Math.floor((now - Date.UTC(2025, 0, 6)) / 86_400_000) * 86_400_000,
    generatedSymbols: 0,
    startTime: now,
    updateIntervalMs: 60_000,
  });
  const probe = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = probe.port;
  await probe.stop(true);
  const bot = Bun.spawn([process.execPath, bundle], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      BINANCE_REST_URL: exchange.restUrl,
      BINANCE_WS_URL: exchange.wsUrl,
      DATABASE_PATH: join(dir, "dashboard.db"),
      MAX_SYMBOLS_SUBSCRIBED: "3",
      HTTP_PORT: String(port),
      LOG_FORMAT: "json",
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    let page: Response | undefined;
    for (const deadline = Date.now() + 30_000; page === undefined && Date.now() < deadline; )
      page = await fetch(`${base}/`).catch(() => Bun.sleep(50).then(() => undefined));
    expect(page?.status).toBe(200);
    const html = await page!.text();
    const script = /<script src="(\/assets\/app-[0-9a-f]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/app-[0-9a-f]+\.css)"/.exec(html)?.[1];
    const js = await fetch(`${base}${script}`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${base}${style}`)).status).toBe(200);
  } finally {
    bot.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    exchange.stop();
  }
}, 60_000);
