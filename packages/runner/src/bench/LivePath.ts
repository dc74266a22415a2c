/**
 * Bench sections `live`, `burst` and `warmup`, measured on the REAL bot (`cli/start.ts` as a child process)
 * against the loopback fake exchange: warm-up time and REST weight under the weight budget, steady-state RSS
 * and CPU while every stream gets a kline update every 250 ms (Binance's rate), and the burst when every
 * subscribed symbol closes a 30m candle at once. One bot run per symbol count serves all three sections.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeExchange, startFakeBotApi } from "@signalbot/adapters/testing";
import { TIMEFRAME_MS } from "@signalbot/core";
import { BotProcess, freePort, probedBundle } from "../chaos/BotProcess.ts";
import type { BenchFigure, BenchSection } from "../cli/bench.ts";
import { median, percentile } from "./Stats.ts";

const THIRTY_MIN = TIMEFRAME_MS["30m"];
/** Binance pushes a kline update every 250 ms per stream. */
const PUSH_MS = 250;
/** Steady-state window sampled after warm-up (real seconds), then the candle closes. */
const SETTLE_S = 10;
const STEADY_S = 30;

export interface LiveRun {
  readonly symbols: number;
  readonly warmupMs: number;
  readonly weightUsed: number;
  readonly restRequests: number;
  readonly rateLimited: number;
  readonly rssMedianMb: number;
  readonly rssMaxMb: number;
  readonly cpuPercent: number;
  readonly framesPerSecond: number;
  /** Per-symbol time from the close being pushed to its scan returning (ms). */
  readonly burstP50Ms: number;
  readonly burstP99Ms: number;
  readonly burstAllMs: number;
  readonly burstScans: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts the bot on `symbols` symbols, measures warm-up, steady state and one burst, and stops it. */
export const measureLive = async (symbols: number): Promise<LiveRun> => {
  const dir = mkdtempSync(join(tmpdir(), "signalbot-bench-live-"));
  // The market stands still during warm-up, then runs at real pace from 5 s + SETTLE + STEADY before a close.
  const lead = (5 + SETTLE_S + STEADY_S) * 1000;
  const boundary = Math.ceil((Date.now() + lead) / THIRTY_MIN) * THIRTY_MIN;
  const exchange = new FakeExchange({
    generatedSymbols: symbols + 20,
    startTime: boundary - lead,
    updateIntervalMs: PUSH_MS,
  });
  const telegram = startFakeBotApi();
  const timingPath = join(dir, "scans.timing");
  const bot = BotProcess.start({
    cwd: dir,
    script: await probedBundle(),
    env: {
      BINANCE_REST_URL: exchange.restUrl,
      BINANCE_WS_URL: exchange.wsUrl,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_CHAT_ID: "1001",
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_PATH: join(dir, "bot.db"),
      HTTP_PORT: String(freePort()),
      // The fake lists only generated symbols here: fix three of them so every subscribed symbol is live.
      FIXED_SYMBOLS: "GEN001USDT,GEN002USDT,GEN003USDT",
      MAX_SYMBOLS_SUBSCRIBED: String(symbols),
      TOP_VOLUME_FETCH_LIMIT: String(symbols),
      DAILY_STATUS_HOUR: "-1",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      CHAOS_SCAN_TIMING: timingPath,
    },
  });
  let running = true;
  try {
    const started = await bot.waitFor((r) => r.msg.startsWith("started:"), 15 * 60_000, '"started:"');
    const warmupMs = Number(started.warmupMs ?? Number.NaN);
    const weightUsed = exchange.stats.weight;
    const restRequests = exchange.stats.requests;
    const rateLimited = exchange.stats.rateLimited429;
    // Market at real pace: one forming update per stream every 250 ms.
    let closeSentAt = 0;
    const market = (async () => {
      let last = performance.now();
      while (running) {
        await sleep(PUSH_MS);
        const now = performance.now();
        const before = exchange.now();
        exchange.advance(Math.round(now - last));
        last = now;
        if (closeSentAt === 0 && exchange.now() >= boundary && before < boundary) closeSentAt = Date.now();
      }
    })();
    await sleep(SETTLE_S * 1000);
    const rss: number[] = [];
    const cpu0 = bot.cpuSeconds();
    const frames0 = exchange.stats.framesSent;
    const t0 = performance.now();
    while (performance.now() - t0 < STEADY_S * 1000) {
      await sleep(1000);
      rss.push(bot.rssMb());
    }
    const wall = (performance.now() - t0) / 1000;
    const cpuPercent = ((bot.cpuSeconds() - cpu0) / wall) * 100;
    const framesPerSecond = (exchange.stats.framesSent - frames0) / wall;
    // The close: wait until it has been pushed, then give the scans time to finish.
    while (closeSentAt === 0 && performance.now() - t0 < (STEADY_S + 20) * 1000) await sleep(100);
    await sleep(5_000);
    running = false;
    await market;
    const burst = readFileSync(timingPath, "utf8")
      .split("\n")
      .map((l) => l.split(" "))
      .filter((f) => f.length === 3 && Number(f[1]) === boundary - THIRTY_MIN)
      .map((f) => Number(f[2]) - closeSentAt);
    return {
      symbols,
      warmupMs,
      weightUsed,
      restRequests,
      rateLimited,
      rssMedianMb: median(rss),
      rssMaxMb: Math.max(...rss),
      cpuPercent,
      framesPerSecond,
      burstP50Ms: percentile(burst, 50),
      burstP99Ms: percentile(burst, 99),
      burstAllMs: burst.length === 0 ? Number.NaN : Math.max(...burst),
      burstScans: burst.length,
    };
  } finally {
    running = false;
    await bot.terminate(10_000);
    exchange.stop();
    await telegram.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

const SIZES = [40, 300] as const;
const runs = new Map<number, Promise<LiveRun>>();
/** One bot run per size, shared by the three sections when they run in the same `bench` invocation. */
const liveRun = (symbols: number): Promise<LiveRun> => {
  const known = runs.get(symbols);
  if (known !== undefined) return known;
  const made = measureLive(symbols);
  runs.set(symbols, made);
  return made;
};

const mb = (x: number) => `${x.toFixed(1)} MB`;

export const liveSection: BenchSection = {
  name: "live",
  description:
    "live path: steady-state RSS and CPU of the real bot, 3 timeframes × 500 candles, 250 ms pushes",
  run: async () => {
    const figures: BenchFigure[] = [];
    for (const n of SIZES) {
      const r = await liveRun(n);
      const goal = n === 40 ? 100 : 160;
      figures.push({
        label: `${n} symbols RSS`,
        value: `median ${mb(r.rssMedianMb)}, max ${mb(r.rssMaxMb)} over ${STEADY_S} s (goal ≤ ${goal} MB: ${r.rssMaxMb <= goal ? "met" : "MISSED"})`,
      });
      figures.push({
        label: `${n} symbols CPU`,
        value: `${r.cpuPercent.toFixed(1)} % of one core at ${Math.round(r.framesPerSecond)} kline frames/s`,
      });
    }
    return figures;
  },
};

export const burstSection: BenchSection = {
  name: "burst",
  description: "burst: every subscribed symbol closes a 30m candle at once; close pushed → scan done",
  run: async () => {
    const figures: BenchFigure[] = [];
    for (const n of SIZES) {
      const r = await liveRun(n);
      const goal = n === 40 ? " (goal p99 ≤ 50 ms: " + (r.burstP99Ms <= 50 ? "met)" : "MISSED)") : "";
      figures.push({
        label: `${n} symbols`,
        value: `p50 ${r.burstP50Ms.toFixed(0)} ms, p99 ${r.burstP99Ms.toFixed(0)} ms, all ${r.burstAllMs.toFixed(0)} ms over ${r.burstScans} scans${goal}`,
      });
    }
    return figures;
  },
};

export const warmupSection: BenchSection = {
  name: "warmup",
  description:
    "warm-up: universe + 3 timeframes × 499 candles per symbol under the REST weight budget (1200/min)",
  run: async () => {
    const figures: BenchFigure[] = [];
    for (const n of SIZES) {
      const r = await liveRun(n);
      figures.push({
        label: `${n} symbols`,
        value: `${(r.warmupMs / 1000).toFixed(1)} s, weight ${r.weightUsed} in ${r.restRequests} requests, ${r.rateLimited} × 429`,
      });
    }
    return figures;
  },
};
