/**
 * The real bot against loopback fakes — the fake Binance (replaying the committed klines under a market clock
 * the caller moves) and the fake Telegram Bot API — for `bun run demo` and the end-to-end tests. The bot runs
 * unchanged (same AppLayer, same live loop); only its clock is the fake exchange's market time.
 */
import { type FakeBotApi, FakeExchange, startFakeBotApi } from "@signalbot/adapters/testing";
import { type Candle, TIMEFRAME_MS } from "@signalbot/core";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { type AppConfig, loadConfig } from "../Config.ts";
import { runBot } from "../cli/start.ts";
import { type Logger, type LogLevel, makeLogger } from "../observability/Log.ts";
import type { LiveHandle, LiveOptions } from "./Live.ts";
import { clockFrom, SteppedTime } from "./TimeSource.ts";

const STEP = TIMEFRAME_MS["30m"];
export const TELEGRAM_CHAT_ID = "424242";

/**
 * A logger for the end-to-end tests: each line kept in `lines` (and printed when `E2E_LOG` is set), timed by
 * `now` (the simulation's market clock).
 */
export const capturingLogger = (lines: string[], now: () => number, level: LogLevel = "info"): Logger =>
  makeLogger({
    level,
    format: "pretty",
    secrets: [],
    write: (l) => {
      lines.push(l);
      if (process.env.E2E_LOG) console.log(l);
    },
    now,
  });

export interface SimulationOptions {
  /** Market time at start (ms UTC, on a 30m boundary). */
  readonly startTime: number;
  /** Generated (non-fixture) symbols listed beside the fixture ones. Default 4. */
  readonly generatedSymbols?: number;
  /** Forming updates in market time. Default every minute. */
  readonly updateIntervalMs?: number;
  readonly dataDir?: string;
  /** Symbols the fake lists pegged to 1 USDT (see `FakeExchangeOptions.peggedSymbols`). Default none. */
  readonly peggedSymbols?: readonly string[];
  /**
   * While the bot lags, `settle` lets market time run on a minute every this many polls (default 25, ≈ 50 ms):
   * what a reconnecting stream needs. A test that must not drift raises it.
   */
  readonly catchUpPolls?: number;
}

export interface RunningBot {
  readonly handle: LiveHandle;
  readonly config: AppConfig;
  /** SIGTERM: resolves with the exit code. */
  readonly stop: () => Promise<number>;
}

export class Simulation {
  readonly exchange: FakeExchange;
  readonly telegram: FakeBotApi;
  readonly time: SteppedTime;
  private bot: RunningBot | undefined;
  private readonly catchUpPolls: number;

  constructor(options: SimulationOptions) {
    this.catchUpPolls = options.catchUpPolls ?? 25;
    this.exchange = new FakeExchange({
      dataDir: options.dataDir ?? FIXTURE_KLINES_DIR,
      generatedSymbols: options.generatedSymbols ?? 4,
      startTime: options.startTime,
      updateIntervalMs: options.updateIntervalMs ?? 60_000,
      ...(options.peggedSymbols === undefined ? {} : { peggedSymbols: options.peggedSymbols }),
    });
    this.telegram = startFakeBotApi({ now: () => this.exchange.now() });
    this.time = new SteppedTime(() => this.exchange.now());
  }

  /** The environment that points the bot at the fakes (Telegram on, HTTP on a free port). */
  env(dbPath: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      BINANCE_REST_URL: this.exchange.restUrl,
      BINANCE_WS_URL: this.exchange.wsUrl,
      TELEGRAM_BOT_TOKEN: this.telegram.token,
      TELEGRAM_CHAT_ID: TELEGRAM_CHAT_ID,
      TELEGRAM_API_ROOT: this.telegram.apiRoot,
      DATABASE_PATH: dbPath,
      REST_WEIGHT_BUDGET: "2400",
      ROTATION_SLOT_SECONDS: "21600",
      DAILY_STATUS_HOUR: "-1",
      STALE_ALERT_MINUTES: "60",
      // The fake lists some symbols (BTCUSDT among them) with a whole-unit LOT_SIZE step: size like a big account.
      STARTING_BALANCE: "1000000",
      HTTP_PORT: "0",
      ...extra,
    };
  }

  /**
   * Starts the real bot with `env`; resolves once it has warmed up and subscribed. `onStep` follows every
   * closed-candle step (see `LiveOptions.onStep`).
   */
  async startBot(
    env: Record<string, string>,
    log: Logger,
    hooks: { readonly onStep?: LiveOptions["onStep"] } = {},
  ): Promise<RunningBot> {
    const loaded = loadConfig(env);
    if (loaded._tag === "Invalid") throw new Error(`bad configuration: ${loaded.problems.join("; ")}`);
    const config = loaded.config;
    const abort = new AbortController();
    let started: (h: LiveHandle) => void = () => {};
    const handle = new Promise<LiveHandle>((resolve) => {
      started = resolve;
    });
    const done = runBot(config, {
      log,
      clock: clockFrom(this.time),
      signal: abort.signal,
      onStarted: started,
      httpPort: 0,
      outbox: { minIntervalMs: 0 },
      pollTimeoutSeconds: 1,
      reconnect: { baseMs: 20, maxMs: 200 },
      restRetry: { baseMs: 5, maxMs: 50 },
      stopReason: () => "simulation over",
      ...(hooks.onStep === undefined ? {} : { onStep: hooks.onStep }),
    });
    const h = await Promise.race([
      handle,
      done.then((code) => {
        throw new Error(`the bot exited with ${code} before it started`);
      }),
    ]);
    const bot: RunningBot = {
      handle: h,
      config,
      stop: async () => {
        abort.abort();
        const code = await done;
        if (this.bot === bot) this.bot = undefined;
        return code;
      },
    };
    this.bot = bot;
    await this.settle();
    return bot;
  }

  /** Moves market time by `ms` (default one 30m candle), wakes the bot's timers and waits until it caught up. */
  async step(ms: number = STEP): Promise<void> {
    this.exchange.advance(ms);
    this.time.release();
    await this.settle();
  }

  /** The exchange's last closed 30m candle of `symbol` (what the bot must have seen). */
  lastClosed(symbol: string): Candle | undefined {
    const now = this.exchange.now();
    return this.exchange.closedCandles(symbol, "30m", now - 2 * STEP, now).at(-1);
  }

  /**
   * Waits (polling, bounded) until the running bot has processed every closed candle the exchange pushed:
   * no rotation in progress, nothing in flight, no close waiting for a symbol's candle (a symbol without data
   * holds its close for `ROUND_WAIT_MS` of market time), every active symbol at the exchange's last close. While it
   * lags, market time runs on a minute at a time, as it would live: a stream that reconnected notices what it
   * missed from the next forming update.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    const bot = this.bot;
    if (bot === undefined) return;
    const deadline = Date.now() + timeoutMs;
    let behind = "";
    for (let polls = 1, quiet = 0; ; polls++) {
      if (polls % this.catchUpPolls === 0) this.exchange.advance(60_000);
      // A sleeper woken now (a rotation at its boundary) has not run yet: not quiet until a poll wakes none.
      quiet = this.time.release() > 0 ? 0 : quiet + 1;
      const view = bot.handle.symbols.view();
      const load = bot.handle.health().scans as { readonly inFlight: number; readonly closesPending: number };
      behind = view.busy
        ? "rotation in progress"
        : load.inFlight > 0
          ? `${load.inFlight} events in flight`
          : load.closesPending > 0
            ? `${load.closesPending} closes waiting for their symbols`
            : "";
      if (behind === "" && bot.config.marketData === "stream") {
        const streams = new Set(this.exchange.connections().flatMap((c) => c.streams));
        const missing = view.active.find((s) => !streams.has(`${s.toLowerCase()}@kline_30m`));
        if (missing !== undefined) behind = `"${missing}" not subscribed at the exchange yet`;
      }
      if (behind === "")
        for (const symbol of view.active) {
          const want = this.lastClosed(symbol)?.openTime;
          const have = bot.handle.symbols.tracked(symbol)?.lastClosedOpenTime;
          if (want !== undefined && have !== want) {
            behind = `"${symbol}" at ${have === undefined ? "nothing" : new Date(have).toISOString()}, exchange at ${new Date(want).toISOString()}`;
            break;
          }
        }
      if (behind === "" && quiet >= 2) return;
      if (Date.now() > deadline) throw new Error(`the bot did not catch up in ${timeoutMs} ms: ${behind}`);
      await Bun.sleep(2);
    }
  }

  /**
   * Waits (polling, bounded) until `predicate` holds, letting market time run a second per poll (at most
   * `maxAdvanceMs`) so the bot's timers (outbox pacing, polls) move as they would live.
   */
  async until(
    predicate: () => boolean,
    what: string,
    maxAdvanceMs = 60_000,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let advanced = 0;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      if (advanced < maxAdvanceMs) {
        this.exchange.advance(1000);
        advanced += 1000;
      }
      this.time.release();
      await Bun.sleep(2);
    }
  }

  async close(): Promise<void> {
    await this.bot?.stop();
    await this.telegram.stop();
    this.exchange.stop();
  }
}
