/**
 * Bench section `bandwidth`: the bytes the loopback fake exchange sends the REAL bot (in process, on the fake's
 * market clock, fast-forwarded) per market hour — REST bodies and WebSocket frames — in each market-data mode,
 * with the default universe and rotation: 40 symbols (3 fixed), rotating through the top 300 every 30 minutes.
 * The first rotation cycle warms every ranked symbol up for the first time (the warm-up cache is empty); the
 * steady state after it is what a running bot costs. Stream mode gets Binance's push cadence (a kline update
 * every 250 ms per stream) in its steady state; its first cycle, which only fills the cache, gets the closed
 * candles alone (the WebSocket figure is the steady state's). Poll mode is then restarted on its database: its
 * first hours after the restart show what the warm-up cache kept on disk saves.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeExchange, type FakeExchangeStats } from "@signalbot/adapters/testing";
import { HOUR_MS, TIMEFRAME_MS } from "@signalbot/core";
import { loadConfig } from "../Config.ts";
import type { BenchFigure, BenchSection } from "../cli/bench.ts";
import { runBot } from "../cli/start.ts";
import type { LiveHandle } from "../live/Live.ts";
import { clockFrom, SteppedTime } from "../live/TimeSource.ts";
import { silentLogger } from "../observability/Log.ts";

const HALF_HOUR = TIMEFRAME_MS["30m"];
/** One minute into a candle. */
const START = Date.UTC(2025, 5, 1, 0, 1);
/** The first rotation cycle: 297 rotating symbols, 37 per 30m slot, so 8 slots until every one was seen. */
const COLD_HOURS = 4;
/**
 * Hours measured after it, by default: poll is cheap to run (its first day is measured whole), a stream at 250 ms
 * pushes 576,000 frames per market hour.
 */
const STEADY_HOURS = { poll: 20, stream: 2 } as const;
/** Market time pushed between two looks at the bot in stream mode (40 streams × 60 frames ≈ 1 MB). */
const CHUNK_MS = 15_000;
/** The REST weight window of the fake and of the bot, real ms: the market runs hundreds of times faster. */
const WEIGHT_WINDOW_MS = 1_000;
const UNIVERSE_PATHS = ["/fapi/v1/exchangeInfo", "/fapi/v1/ticker/24hr"];

interface Snapshot {
  readonly rest: number;
  readonly ws: number;
  readonly byPath: Readonly<Record<string, number>>;
  readonly requests: number;
  readonly weight: number;
}

const snapshot = (s: FakeExchangeStats): Snapshot => ({
  rest: s.restBodyBytes,
  ws: s.wsBytes,
  byPath: { ...s.restBodyBytesByPath },
  requests: s.requests,
  weight: s.weight,
});

export interface BandwidthRun {
  readonly marketData: "stream" | "poll";
  readonly cacheSymbols: number;
  /** Bytes sent until the bot had warmed up its first 40 symbols. */
  readonly startup: Snapshot;
  /** Per market hour over the first rotation cycle, then over the steady state. */
  readonly cold: Snapshot;
  readonly steady: Snapshot;
  readonly steadyHours: number;
  /** Everything from the start to the end of the run (start-up, first cycle, steady state). */
  readonly whole: Snapshot;
  /** Universe refresh (exchangeInfo + 24 h tickers) per market hour: once per UNIVERSE_REFRESH_SECONDS (6 h). */
  readonly universePerHour: number;
  readonly cache: { readonly symbols: number; readonly bytes: number };
  /**
   * After a restart on the same database: the bytes until the new process had warmed up its 40 symbols, then per
   * market hour over its first rotation cycle; what its warm-up cache held at the end.
   */
  readonly restart?: {
    readonly startup: Snapshot;
    readonly cold: Snapshot;
    readonly restored: { readonly symbols: number; readonly bytes: number };
  };
  readonly wsDropped: number;
  readonly realSeconds: number;
}

const perHour = (a: Snapshot, b: Snapshot, hours: number): Snapshot => {
  const byPath: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.byPath)) byPath[k] = (v - (a.byPath[k] ?? 0)) / hours;
  return {
    rest: (b.rest - a.rest) / hours,
    ws: (b.ws - a.ws) / hours,
    byPath,
    requests: (b.requests - a.requests) / hours,
    weight: (b.weight - a.weight) / hours,
  };
};

/** Resolves once the bot has stepped the candle that closed at `close` on every active symbol. */
const caughtUp = async (handle: LiveHandle, close: number, time: SteppedTime): Promise<void> => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    time.release();
    const view = handle.symbols.view();
    const load = handle.health().scans as { readonly inFlight: number };
    const behind =
      view.busy || load.inFlight > 0
        ? "busy"
        : view.active.find((s) => (handle.symbols.tracked(s)?.lastClosedOpenTime ?? 0) < close - HALF_HOUR);
    if (behind === undefined) return;
    if (Date.now() > deadline)
      throw new Error(`bench: the bot did not catch up with ${new Date(close).toISOString()}: ${behind}`);
    await Bun.sleep(1);
  }
};

/** Runs the bot in `marketData` mode for the cold cycle and the steady state; the bytes it was sent. */
export const measureBandwidth = async (
  marketData: "stream" | "poll",
  cacheSymbols = 300,
  steadyHours: number = STEADY_HOURS[marketData],
  /** `restart`: after the steady state, stop the bot and start it again on its database, and measure that too. */
  options: { readonly restart?: boolean } = {},
): Promise<BandwidthRun> => {
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "signalbot-bench-bandwidth-"));
  const exchange = new FakeExchange({
    generatedSymbols: 300,
    startTime: START,
    updateIntervalMs: HALF_HOUR,
    weightWindowMs: WEIGHT_WINDOW_MS,
  });
  const time = new SteppedTime(() => exchange.now());
  const loaded = loadConfig({
    BINANCE_REST_URL: exchange.restUrl,
    BINANCE_WS_URL: exchange.wsUrl,
    DATABASE_PATH: join(dir, "bot.db"),
    HTTP_PORT: "0",
    MARKET_DATA: marketData,
    WARMUP_CACHE_SYMBOLS: String(cacheSymbols),
    // The fake lists generated symbols only: three of them are the fixed ones.
    FIXED_SYMBOLS: "GEN001USDT,GEN002USDT,GEN003USDT",
    DAILY_STATUS_HOUR: "-1",
    STALE_ALERT_MINUTES: "1440",
  });
  if (loaded._tag !== "Valid") throw new Error(loaded.problems.join("; "));
  /** One bot process on the database in `dir` (a second one after a restart finds the first's warm-up cache). */
  const startBot = async () => {
    const abort = new AbortController();
    let started: (h: LiveHandle) => void = () => {};
    const ready = new Promise<LiveHandle>((resolve) => {
      started = resolve;
    });
    const done = runBot(loaded.config, {
      log: silentLogger,
      clock: clockFrom(time),
      signal: abort.signal,
      consoleWrite: () => {},
      outbox: { minIntervalMs: 0 },
      restWeightWindowMs: WEIGHT_WINDOW_MS,
      onStarted: (h) => started(h),
    });
    const stop = async () => {
      abort.abort();
      await done;
    };
    const handle = await Promise.race([
      ready,
      done.then((code): never => {
        throw new Error(`bench: the bot exited with ${code} before it started`);
      }),
    ]).catch(async (e) => {
      await stop();
      throw e;
    });
    if (marketData === "stream")
      await exchange.streamsReady(handle.symbols.view().active.map((s) => `${s.toLowerCase()}@kline_30m`));
    return { handle, stop };
  };
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;
  try {
    bot = await startBot();
    const startup = snapshot(exchange.stats);
    const run = async (hours: number) => {
      const handle = bot!.handle;
      const end = exchange.now() + hours * HOUR_MS;
      while (exchange.now() < end) {
        const close = Math.floor(exchange.now() / HALF_HOUR) * HALF_HOUR + HALF_HOUR;
        // To the close a few pushes at a time, reading the bot's socket dry in between (nothing is dropped)...
        while (exchange.now() < close + 60_000) {
          exchange.advance(Math.min(CHUNK_MS, close + 60_000 - exchange.now()));
          time.release();
          while (exchange.bufferedBytes() > 0) await Bun.sleep(1);
          await Bun.sleep(0);
        }
        // ...then, a minute after it (the poll round is 5 s after), until every symbol has stepped it.
        await caughtUp(handle, close, time);
      }
      return snapshot(exchange.stats);
    };
    const afterCold = await run(COLD_HOURS);
    exchange.pushEvery(250);
    const end = await run(steadyHours);
    const universeAtStart = UNIVERSE_PATHS.reduce((n, p) => n + (startup.byPath[p] ?? 0), 0);
    const view = bot.handle.symbols.view();
    let restart: BandwidthRun["restart"];
    if (options.restart === true) {
      // Stopped and started again at once on the same database: the warm-up cache is read back from it.
      await bot.stop();
      bot = undefined;
      const before = snapshot(exchange.stats);
      bot = await startBot();
      const restarted = snapshot(exchange.stats);
      const after = await run(COLD_HOURS);
      restart = {
        startup: perHour(before, restarted, 1),
        cold: perHour(restarted, after, COLD_HOURS),
        restored: bot.handle.symbols.view().warmupCache,
      };
    }
    return {
      marketData,
      cacheSymbols,
      startup,
      cold: perHour(startup, afterCold, COLD_HOURS),
      steady: perHour(afterCold, end, steadyHours),
      steadyHours,
      whole: end,
      universePerHour: universeAtStart / (loaded.config.universeRefreshSeconds / 3600),
      cache: view.warmupCache,
      ...(restart === undefined ? {} : { restart }),
      wsDropped: exchange.stats.wsDropped,
      realSeconds: (performance.now() - began) / 1000,
    };
  } finally {
    await bot?.stop();
    exchange.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} KB`;

/** REST bytes but the universe's (a fast-forwarded run reuses the REST client's cache of it; see `universePerHour`). */
const restBesidesUniverse = (s: Snapshot) =>
  s.rest - UNIVERSE_PATHS.reduce((n, p) => n + (s.byPath[p] ?? 0), 0);

/** Per market hour, with the universe refresh (every 6 h) included at its start-up size. */
const total = (r: BandwidthRun, s: Snapshot) => restBesidesUniverse(s) + s.ws + r.universePerHour;

/** Per market hour over the whole run, start-up included (its universe fetch is the first refresh). */
const wholeRun = (r: BandwidthRun) => {
  const hours = COLD_HOURS + r.steadyHours;
  return { hours, perHour: (restBesidesUniverse(r.whole) + r.whole.ws) / hours + r.universePerHour };
};

const describe = (r: BandwidthRun): BenchFigure[] => {
  const name = `${r.marketData}${r.cacheSymbols === 0 ? " (no cache)" : ""}`;
  const klines = (s: Snapshot) => s.byPath["/fapi/v1/klines"] ?? 0;
  const rest = (s: Snapshot) =>
    `REST ${mb(restBesidesUniverse(s) + r.universePerHour)}/h (klines ${mb(klines(s))}, universe ${mb(r.universePerHour)}); ${Math.round(s.requests)} requests/h, weight ${Math.round(s.weight)}`;
  const streamed = r.marketData === "stream";
  return [
    {
      label: `${name}: start-up`,
      value: `${mb(r.startup.rest + r.startup.ws)} (universe ${kb(UNIVERSE_PATHS.reduce((n, p) => n + (r.startup.byPath[p] ?? 0), 0))}, warm-up of 40 × 3 × 499 candles)`,
    },
    {
      label: `${name}: first ${COLD_HOURS} h`,
      value: `${streamed ? "" : `${mb(total(r, r.cold))}/h: `}${rest(r.cold)} (each ranked symbol enters for the first time)`,
    },
    {
      label: `${name}: steady`,
      value: `${mb(total(r, r.steady))}/h: ${streamed ? `WS ${mb(r.steady.ws)}/h, ` : ""}${rest(r.steady)} (hours ${COLD_HOURS}–${COLD_HOURS + r.steadyHours})`,
    },
    ...(r.restart === undefined
      ? []
      : [
          {
            label: `${name}: after a restart, start-up`,
            value: `${mb(r.restart.startup.rest + r.restart.startup.ws)} (universe ${kb(UNIVERSE_PATHS.reduce((n, p) => n + (r.restart!.startup.byPath[p] ?? 0), 0))}; the 40 symbols resumed from the warm-up cache read back from the database)`,
          },
          {
            label: `${name}: after a restart, first ${COLD_HOURS} h`,
            value: `${mb(total(r, r.restart.cold))}/h: ${rest(r.restart.cold)} (every symbol resumed from the database's cache; ${r.restart.restored.symbols} kept at the end, ${mb(r.restart.restored.bytes)})`,
          },
        ]),
    ...(streamed
      ? []
      : [
          {
            label: `${name}: first ${wholeRun(r).hours} h`,
            value: `${mb(wholeRun(r).perHour)}/h on average, start-up and first cycle included`,
          },
        ]),
  ];
};

export const bandwidthSection: BenchSection = {
  name: "bandwidth",
  description:
    "bytes the fake exchange sends per market hour, 40 symbols rotating through the top 300, each MARKET_DATA mode",
  run: async () => {
    const poll = await measureBandwidth("poll", 300, undefined, { restart: true });
    // Without the cache every hour after the first cycle is alike: a few of them tell.
    const uncached = await measureBandwidth("poll", 0, 4);
    const stream = await measureBandwidth("stream");
    const goal = (perHour: number) => `${perHour <= 5e6 ? "met" : "MISSED"} (${mb(perHour)}/h)`;
    return [
      ...describe(poll),
      {
        label: "poll: goal ≤ 5 MB/h",
        value: `in the steady state ${goal(total(poll, poll.steady))}; over the first ${wholeRun(poll).hours} h ${goal(wholeRun(poll).perHour)}; in the first ${COLD_HOURS} h after the first start ${goal(total(poll, poll.cold))}, after a restart ${poll.restart === undefined ? "not measured" : goal(total(poll, poll.restart.cold))}`,
      },
      ...describe(uncached),
      ...describe(stream),
      {
        label: "warm-up cache",
        value: `${poll.cache.symbols} symbols kept, ${mb(poll.cache.bytes)} of candles (${kb(poll.cache.bytes / Math.max(1, poll.cache.symbols))} each)`,
      },
      {
        label: "notes",
        value: `REST bodies and WS frames only (HTTP headers and TLS not counted: ${Math.round(poll.steady.requests)} answers/h in poll mode); the universe refresh counted at its start-up size (the fake lists 300 symbols, Binance's exchangeInfo is ~1.1 MB); WS frames dropped: ${stream.wsDropped}; real time ${poll.realSeconds.toFixed(0)} + ${uncached.realSeconds.toFixed(0)} + ${stream.realSeconds.toFixed(0)} s`,
      },
    ];
  },
};
