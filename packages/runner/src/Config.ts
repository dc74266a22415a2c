/**
 * The bot's configuration: every variable, its default and its meaning in one table, decoded once at start
 * from the environment (and `.env` when present). Problems are collected and reported one line each;
 * secrets are redacted wherever the configuration is shown.
 */
import {
  boundProblem,
  DEFAULT_PEGGED_ASSETS,
  DEFAULT_TIMEOUT_CANDLES,
  isModelName,
  MEMORY_RULE_BOUNDS,
  makeParams,
  warmupCandles,
} from "@signalbot/core";
import { parseModelEntries } from "./plugins/ModelModules.ts";

/** Days of daily candles the models need before they can answer (their 1d warm-up). */
export const MODEL_WARMUP_DAYS = warmupCandles(makeParams({}))["1d"];

type Parsed<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly problem: string };

interface Variable<A> {
  readonly name: string;
  /** The default as written in `.env.example` ("" = unset). */
  readonly example: string;
  readonly doc: string;
  readonly secret?: boolean;
  readonly parse: (raw: string | undefined) => Parsed<A>;
}

const ok = <A>(value: A): Parsed<A> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

const text =
  (fallback: string) =>
  (raw: string | undefined): Parsed<string> =>
    ok(raw === undefined || raw.trim() === "" ? fallback : raw.trim());

const optionalText = (raw: string | undefined): Parsed<string | undefined> =>
  ok(raw === undefined || raw.trim() === "" ? undefined : raw.trim());

const bool =
  (fallback: boolean) =>
  (raw: string | undefined): Parsed<boolean> => {
    if (raw === undefined || raw.trim() === "") return ok(fallback);
    const v = raw.trim().toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) return ok(true);
    if (["false", "0", "no", "off"].includes(v)) return ok(false);
    return bad(`expected true or false, got "${raw}"`);
  };

const num =
  (fallback: number, min: number, max: number, integer = false) =>
  (raw: string | undefined): Parsed<number> => {
    if (raw === undefined || raw.trim() === "") return ok(fallback);
    const v = Number(raw.trim());
    if (!Number.isFinite(v)) return bad(`expected a number, got "${raw}"`);
    if (integer && !Number.isInteger(v)) return bad(`expected a whole number, got "${raw}"`);
    if (v < min || v > max) return bad(`must be between ${min} and ${max}, got ${v}`);
    return ok(v);
  };

/**
 * A comma-separated list of names that `valid` accepts ("BTCUSDT,ETHUSDT"), upper-cased unless `keepCase`; empty
 * keeps `fallback`; with `none`, the word "none" is the empty list.
 */
const names =
  (
    fallback: readonly string[],
    valid: (name: string) => boolean,
    what: string,
    options: { readonly none?: boolean; readonly keepCase?: boolean } = {},
  ) =>
  (raw: string | undefined): Parsed<readonly string[]> => {
    if (raw === undefined || raw.trim() === "") return ok(fallback);
    if (options.none === true && raw.trim().toLowerCase() === "none") return ok([]);
    const list = raw
      .split(",")
      .map((s) => (options.keepCase === true ? s.trim() : s.trim().toUpperCase()))
      .filter((s) => s !== "");
    const wrong = list.filter((s) => !valid(s));
    return wrong.length > 0 ? bad(`not ${what}: ${wrong.map((s) => `"${s}"`).join(", ")}`) : ok(list);
  };
const matching = (pattern: RegExp) => (name: string) => pattern.test(name);
const symbols = (fallback: readonly string[]) => names(fallback, matching(/^[A-Z0-9]{2,30}$/), "a symbol");
const assetList = (fallback: readonly string[]) =>
  names(fallback, matching(/^[A-Z0-9]{1,20}$/), "an asset", { none: true });

const url =
  (fallback: string | undefined, protocols: readonly string[]) =>
  (raw: string | undefined): Parsed<string | undefined> => {
    if (raw === undefined || raw.trim() === "") return ok(fallback);
    try {
      const u = new URL(raw.trim());
      if (!protocols.includes(u.protocol))
        return bad(`expected a ${protocols.join(" or ")} URL, got "${raw}"`);
      return ok(raw.trim().replace(/\/+$/, ""));
    } catch {
      return bad(`not a URL: "${raw}"`);
    }
  };

const timeZone = (raw: string | undefined): Parsed<string> => {
  const zone = raw === undefined || raw.trim() === "" ? "Asia/Ho_Chi_Minh" : raw.trim();
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return ok(zone);
  } catch {
    return bad(`unknown time zone "${zone}" (use an IANA name such as Asia/Ho_Chi_Minh)`);
  }
};

const idList = (raw: string | undefined): Parsed<readonly number[]> => {
  if (raw === undefined || raw.trim() === "") return ok([]);
  const ids = raw.split(",").map((s) => s.trim());
  const wrong = ids.filter((s) => !/^-?\d+$/.test(s));
  return wrong.length > 0 ? bad(`expected numeric user ids, got ${wrong.join(", ")}`) : ok(ids.map(Number));
};

const oneOf =
  <const T extends string>(values: readonly T[], fallback: T) =>
  (raw: string | undefined): Parsed<T> => {
    if (raw === undefined || raw.trim() === "") return ok(fallback);
    const v = raw.trim().toLowerCase() as T;
    return values.includes(v) ? ok(v) : bad(`expected one of ${values.join(", ")}, got "${raw}"`);
  };

/** MODELS: built-in model names and module paths (plugins/ModelModules), loaded at start. */
const modelEntries = (raw: string | undefined): Parsed<readonly string[]> => {
  const parsed = parseModelEntries(raw);
  return "problem" in parsed ? bad(parsed.problem) : ok(parsed.entries);
};

/** Model names, comma-separated ("none" = no model); each an identifier such as "reversal". */
const modelNames = (fallback: readonly string[]) =>
  names(fallback, isModelName, "a model name", { none: true, keepCase: true });

/** An IP address or host name to listen on (no port, no scheme). */
const host = (raw: string | undefined): Parsed<string> => {
  const h = raw === undefined || raw.trim() === "" ? "127.0.0.1" : raw.trim();
  return /^[A-Za-z0-9.:-]+$/.test(h) && !h.startsWith("-")
    ? ok(h)
    : bad(`expected an address such as 127.0.0.1, 0.0.0.0 or ::1, got "${raw}"`);
};

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export const isLoopbackHost = (h: string): boolean => {
  const name = h.toLowerCase().replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name);
};

/** The shortest DASHBOARD_TOKEN accepted: 16 characters of a random token are beyond guessing over HTTP. */
export const MIN_DASHBOARD_TOKEN = 16;

const v = <A>(variable: Variable<A>): Variable<A> => variable;

/** Every configuration variable. `.env.example` is checked against this table by a test. */
export const VARIABLES = {
  binanceApiKey: v({
    name: "BINANCE_API_KEY",
    example: "",
    doc: "Binance API key. Optional: klines and tickers are public market data.",
    secret: true,
    parse: optionalText,
  }),
  binanceApiSecret: v({
    name: "BINANCE_API_SECRET",
    example: "",
    doc: "Binance API secret. Optional, never logged.",
    secret: true,
    parse: optionalText,
  }),
  binanceTestnet: v({
    name: "BINANCE_TESTNET",
    example: "false",
    doc: "Use the futures testnet endpoints instead of production.",
    parse: bool(false),
  }),
  binanceRestUrl: v({
    name: "BINANCE_REST_URL",
    example: "",
    doc: "REST base URL override (default https://fapi.binance.com, testnet https://demo-fapi.binance.com).",
    parse: url(undefined, ["http:", "https:"]),
  }),
  binanceWsUrl: v({
    name: "BINANCE_WS_URL",
    example: "",
    doc: "WebSocket base URL override (default wss://fstream.binance.com/market, testnet wss://fstream.binancefuture.com).",
    parse: url(undefined, ["ws:", "wss:"]),
  }),
  restWeightBudget: v({
    name: "REST_WEIGHT_BUDGET",
    example: "1200",
    doc: "Request weight per minute the bot allows itself (Binance's IP limit is 2400; the rest is left to other tools).",
    parse: num(1200, 50, 2400, true),
  }),
  telegramBotToken: v({
    name: "TELEGRAM_BOT_TOKEN",
    example: "",
    doc: "Telegram bot token from @BotFather. Unset: notifications are printed to the console.",
    secret: true,
    parse: optionalText,
  }),
  telegramChatId: v({
    name: "TELEGRAM_CHAT_ID",
    example: "",
    doc: "Chat that receives notifications and whose messages are accepted as commands.",
    parse: optionalText,
  }),
  telegramAdminIds: v({
    name: "TELEGRAM_ADMIN_IDS",
    example: "",
    doc: "In a group chat, comma-separated user ids allowed to send commands (empty: everyone in the chat).",
    parse: idList,
  }),
  telegramMinIntervalMs: v({
    name: "TELEGRAM_MIN_INTERVAL_MS",
    example: "1000",
    doc: "Minimum gap between two messages to the chat, in ms (Telegram allows about 1 per second per chat).",
    parse: num(1000, 0, 60_000, true),
  }),
  telegramMaxPerMinute: v({
    name: "TELEGRAM_MAX_PER_MINUTE",
    example: "",
    doc: "Messages per 60 s window; empty means 20 in a group chat (Telegram's limit) and no extra limit in a private chat.",
    parse: (raw) => (raw === undefined || raw.trim() === "" ? ok(undefined) : num(20, 1, 600, true)(raw)),
  }),
  telegramApiRoot: v({
    name: "TELEGRAM_API_ROOT",
    example: "https://api.telegram.org",
    doc: "Telegram Bot API root (override for a local Bot API server or a proxy).",
    parse: url("https://api.telegram.org", ["http:", "https:"]),
  }),
  timeZone: v({
    name: "TIMEZONE",
    example: "Asia/Ho_Chi_Minh",
    doc: "Time zone for times shown in messages and for the daily status hour.",
    parse: timeZone,
  }),
  dailyStatusHour: v({
    name: "DAILY_STATUS_HOUR",
    example: "8",
    doc: "Hour of the day (in TIMEZONE) at which the daily status message is sent; -1 disables it.",
    parse: num(8, -1, 23, true),
  }),
  riskPerTrade: v({
    name: "RISK_PER_TRADE",
    example: "1.0",
    doc: "Percent of virtual equity risked per signal (the memory layer may lower it to 0.5).",
    parse: num(1.0, 0.01, 10),
  }),
  maxSignalsPerDay: v({
    name: "MAX_SIGNALS_PER_DAY",
    example: "5",
    doc: "Emitted signals per UTC day (the memory layer may lower it to 2).",
    parse: num(5, 1, 100, true),
  }),
  scoreThreshold: v({
    name: "SCORE_THRESHOLD",
    example: "75",
    doc: "Minimum score (0-100) for a signal (the memory layer may raise it).",
    parse: num(75, 0, 100),
  }),
  modelEntries: v({
    name: "MODELS",
    example: "continuation,reversal",
    doc: "The models the bot runs, in order, comma-separated: built-in names (continuation, reversal) and paths of modules whose default export is a model (docs/library.md#custom-models), e.g. continuation,reversal,./examples/donchian/Donchian.ts.",
    parse: modelEntries,
  }),
  rrMin: v({
    name: "RR_MIN",
    example: "1.5",
    doc: "Minimum reward/risk to the main target (TP2); setups below it are rejected.",
    parse: num(1.5, 0.5, 10),
  }),
  startingBalance: v({
    name: "STARTING_BALANCE",
    example: "1000",
    doc: "Virtual equity (USDT) the memory layer starts from, used for sizing and drawdown.",
    parse: num(1000, 10, 1e9),
  }),
  memoryEnabled: v({
    name: "MEMORY_ENABLED",
    example: "true",
    doc: "Adaptive memory layer on (true) or off (false: no pauses, cooldowns or adjustments).",
    parse: bool(true),
  }),
  // The memory rules' numbers (docs/memory.md); defaults are the original product's rules.
  memoryWindowTrades: v({
    name: "MEMORY_WINDOW_TRADES",
    example: "20",
    doc: "Memory: the global win rate is taken over this many last decisive trades.",
    parse: num(20, 2, 500, true),
  }),
  memoryModelWindowTrades: v({
    name: "MEMORY_MODEL_WINDOW_TRADES",
    example: "20",
    doc: "Memory: each model's win rate is taken over this many of its last decisive trades.",
    parse: num(20, 2, 500, true),
  }),
  memorySymbolWindowTrades: v({
    name: "MEMORY_SYMBOL_WINDOW_TRADES",
    example: "10",
    doc: "Memory: each symbol's win rate is taken over this many of its last decisive trades.",
    parse: num(10, 2, 500, true),
  }),
  memoryWinRateFloorPercent: v({
    name: "MEMORY_WIN_RATE_FLOOR_PERCENT",
    example: "45",
    doc: "Memory rule 1: below this global win rate (%) the score threshold rises (the original product used 55).",
    parse: num(45, 0, 100),
  }),
  memoryWinRateMinTrades: v({
    name: "MEMORY_WIN_RATE_MIN_TRADES",
    example: "10",
    doc: "Memory rule 1: decisive trades needed in the window before it may fire.",
    parse: num(10, 1, 500, true),
  }),
  memoryWinRateThresholdPoints: v({
    name: "MEMORY_WIN_RATE_THRESHOLD_POINTS",
    example: "5",
    doc: "Memory rule 1: score points added to the threshold while it holds.",
    parse: num(5, 0, 50),
  }),
  memoryLossStreak: v({
    name: "MEMORY_LOSS_STREAK",
    example: "3",
    doc: "Memory rule 2: this many consecutive losses pause every new signal.",
    parse: num(3, 1, 100, true),
  }),
  memoryLossStreakPauseHours: v({
    name: "MEMORY_LOSS_STREAK_PAUSE_HOURS",
    example: "12",
    doc: "Memory rule 2: length of that pause, from the close of the losing trade.",
    parse: num(12, 0, 720),
  }),
  memoryDrawdownCapAbovePercent: v({
    name: "MEMORY_DRAWDOWN_CAP_ABOVE_PERCENT",
    example: "5",
    doc: "Memory rule 3a: above this drawdown of the virtual equity (%) the signals per day are capped.",
    parse: num(5, 0, 100),
  }),
  memoryDrawdownCapReleaseBelowPercent: v({
    name: "MEMORY_DRAWDOWN_CAP_RELEASE_BELOW_PERCENT",
    example: "3",
    doc: "Memory rule 3a: the cap is lifted once the drawdown is back below this (%).",
    parse: num(3, 0, 100),
  }),
  memoryDrawdownCapSignalsPerDay: v({
    name: "MEMORY_DRAWDOWN_CAP_SIGNALS_PER_DAY",
    example: "2",
    doc: "Memory rule 3a: signals per UTC day while capped.",
    parse: num(2, 0, 100, true),
  }),
  memoryDrawdownRiskAbovePercent: v({
    name: "MEMORY_DRAWDOWN_RISK_ABOVE_PERCENT",
    example: "8",
    doc: "Memory rule 3b: above this drawdown (%) the risk per trade is cut.",
    parse: num(8, 0, 100),
  }),
  memoryDrawdownRiskReleaseBelowPercent: v({
    name: "MEMORY_DRAWDOWN_RISK_RELEASE_BELOW_PERCENT",
    example: "5",
    doc: "Memory rule 3b: the base risk comes back once the drawdown is below this (%).",
    parse: num(5, 0, 100),
  }),
  memoryDrawdownRiskPerTrade: v({
    name: "MEMORY_DRAWDOWN_RISK_PER_TRADE",
    example: "0.5",
    doc: "Memory rule 3b: percent of virtual equity risked per signal while cut.",
    parse: num(0.5, 0.01, 10),
  }),
  memorySymbolLossStreak: v({
    name: "MEMORY_SYMBOL_LOSS_STREAK",
    example: "2",
    doc: "Memory rule 4a: this many consecutive losses on one symbol cool it down.",
    parse: num(2, 1, 100, true),
  }),
  memorySymbolCooldownHours: v({
    name: "MEMORY_SYMBOL_COOLDOWN_HOURS",
    example: "24",
    doc: "Memory rule 4a: length of the cooldown, from the close of the losing trade.",
    parse: num(24, 0, 720),
  }),
  memorySymbolWinRateFloorPercent: v({
    name: "MEMORY_SYMBOL_WIN_RATE_FLOOR_PERCENT",
    example: "50",
    doc: "Memory rule 4b: below this win rate (%) a symbol needs more score.",
    parse: num(50, 0, 100),
  }),
  memorySymbolMinTrades: v({
    name: "MEMORY_SYMBOL_MIN_TRADES",
    example: "5",
    doc: "Memory rule 4b: decisive trades on the symbol needed before it may fire.",
    parse: num(5, 1, 500, true),
  }),
  memorySymbolPenaltyPoints: v({
    name: "MEMORY_SYMBOL_PENALTY_POINTS",
    example: "5",
    doc: "Memory rule 4b: extra score points that symbol needs.",
    parse: num(5, 0, 50),
  }),
  memoryDisableModels: v({
    name: "MEMORY_DISABLE_MODELS",
    example: "reversal",
    doc: "Memory rule 5a: the models it watches, comma-separated (none: no model); each is judged on its own trades with the three settings below.",
    parse: modelNames(["reversal"]),
  }),
  memoryReversalDisableBelowPercent: v({
    name: "MEMORY_REVERSAL_DISABLE_BELOW_PERCENT",
    example: "45",
    doc: "Memory rule 5a: below this win rate (%) a watched model (reversal by default) is disabled.",
    parse: num(45, 0, 100),
  }),
  memoryReversalMinTrades: v({
    name: "MEMORY_REVERSAL_MIN_TRADES",
    example: "10",
    doc: "Memory rule 5a: decisive trades of the watched model needed before it may fire.",
    parse: num(10, 1, 500, true),
  }),
  memoryReversalDisableHours: v({
    name: "MEMORY_REVERSAL_DISABLE_HOURS",
    example: "48",
    doc: "Memory rule 5a: how long a disabled model stays disabled.",
    parse: num(48, 0, 720),
  }),
  memoryPreferredModel: v({
    name: "MEMORY_PREFERRED_MODEL",
    example: "continuation",
    doc: "Memory rule 5b: the model it may prefer, judged on its own trades with the two settings below.",
    parse: (raw) => {
      const names = modelNames(["continuation"])(raw);
      if (!names.ok) return names;
      return names.value.length === 1
        ? ok(names.value[0]!)
        : bad(`expected one model name, got "${raw ?? ""}"`);
    },
  }),
  memoryContinuationPreferAbovePercent: v({
    name: "MEMORY_CONTINUATION_PREFER_ABOVE_PERCENT",
    example: "65",
    doc: "Memory rule 5b: above this win rate (%) the preferred model's setups (continuation by default) go first.",
    parse: num(65, 0, 100),
  }),
  memoryContinuationMinTrades: v({
    name: "MEMORY_CONTINUATION_MIN_TRADES",
    example: "10",
    doc: "Memory rule 5b: decisive trades of that model needed before it may fire.",
    parse: num(10, 1, 500, true),
  }),
  takerFeePercent: v({
    name: "TAKER_FEE_PERCENT",
    example: "0.05",
    doc: "Taker fee per side charged on every virtual fill, in percent (Binance USD-M standard 0.05).",
    parse: num(0.05, 0, 1),
  }),
  slippagePercent: v({
    name: "SLIPPAGE_PERCENT",
    example: "0.02",
    doc: "Adverse slippage charged on every virtual fill (entry and each exit), in percent.",
    parse: num(0.02, 0, 5),
  }),
  fundingRatePercent: v({
    name: "FUNDING_RATE_PERCENT",
    example: "0.01",
    doc: "Funding charged on open virtual trades at 00:00, 08:00 and 16:00 UTC, in percent of the notional: longs pay, shorts receive (negative: the reverse).",
    parse: num(0.01, -1, 1),
  }),
  tradeTimeoutCandles: v({
    name: "TRADE_TIMEOUT_CANDLES",
    example: String(DEFAULT_TIMEOUT_CANDLES),
    doc: "A virtual trade still open after this many closed 30m candles (192 = 4 days) is closed at the last price.",
    parse: num(DEFAULT_TIMEOUT_CANDLES, 1, 10_000, true),
  }),
  maxCostR: v({
    name: "MAX_COST_R",
    example: "0.2",
    doc: "Setups whose round trip (taker fee + slippage, entry and exit; funding left out) costs more than this fraction of their risk (1 R) are rejected.",
    parse: num(0.2, 0.01, 10),
  }),
  maxLeverage: v({
    name: "MAX_LEVERAGE",
    example: "10",
    doc: "Setups whose position at RISK_PER_TRADE would need more leverage than this (notional ÷ virtual equity) are rejected.",
    parse: num(10, 0.1, 125),
  }),
  maxOpenTradesPerSymbol: v({
    name: "MAX_OPEN_TRADES_PER_SYMBOL",
    example: "1",
    doc: "Open virtual trades allowed per symbol; further setups are recorded as blocked.",
    parse: num(1, 1, 10, true),
  }),
  maxSymbolsSubscribed: v({
    name: "MAX_SYMBOLS_SUBSCRIBED",
    example: "40",
    doc: "Symbols watched at once (fixed symbols included).",
    parse: num(40, 1, 1024, true),
  }),
  topVolumeFetchLimit: v({
    name: "TOP_VOLUME_FETCH_LIMIT",
    example: "300",
    doc: "Size of the top-24h-quote-volume list the rotating slots walk through.",
    parse: num(300, 1, 1000, true),
  }),
  universeRefreshSeconds: v({
    name: "UNIVERSE_REFRESH_SECONDS",
    example: "21600",
    doc: "How often the top-volume list is refreshed from Binance.",
    parse: num(21_600, 60, 7 * 86_400, true),
  }),
  universePeggedAssets: v({
    name: "UNIVERSE_PEGGED_ASSETS",
    example: DEFAULT_PEGGED_ASSETS.join(","),
    doc: "Base assets left out of the universe as pegged (stablecoins, fiat tokens), comma-separated; empty keeps the default list, none disables it.",
    parse: assetList(DEFAULT_PEGGED_ASSETS),
  }),
  universeMinRangePercent: v({
    name: "UNIVERSE_MIN_RANGE_PERCENT",
    example: "2",
    doc: "Symbols whose range (highest high − lowest low, in % of the low) over the last UNIVERSE_RANGE_DAYS daily candles is below this are left out; 0 disables.",
    parse: num(2, 0, 100),
  }),
  universeRangeDays: v({
    name: "UNIVERSE_RANGE_DAYS",
    example: "7",
    doc: "Daily candles the universe range is measured over.",
    parse: num(7, 1, 90, true),
  }),
  universeMinAgeDays: v({
    name: "UNIVERSE_MIN_AGE_DAYS",
    example: "",
    doc: `Symbols listed fewer days ago than this are left out; empty means the days the models need to warm up (${MODEL_WARMUP_DAYS}), 0 disables.`,
    parse: (raw) => (raw === undefined || raw.trim() === "" ? ok(undefined) : num(0, 0, 3650, true)(raw)),
  }),
  rotationSlotSeconds: v({
    name: "ROTATION_SLOT_SECONDS",
    example: "1800",
    doc: "How long one window of rotating symbols stays before the next takes over; a window is analysed on every 30m close of its slot, both boundaries included (at 1800 s each of the top 300 is analysed about 12 times a day).",
    parse: num(1_800, 60, 86_400, true),
  }),
  fixedSymbols: v({
    name: "FIXED_SYMBOLS",
    example: "BTCUSDT,ETHUSDT,BNBUSDT",
    doc: "Symbols always watched, comma-separated.",
    parse: symbols(["BTCUSDT", "ETHUSDT", "BNBUSDT"]),
  }),
  marketData: v({
    name: "MARKET_DATA",
    example: "stream",
    doc: "Where closed candles come from: stream (a 30m kline WebSocket stream per symbol; trade updates within seconds) or poll (REST a few seconds after each 30m close, a few MB per hour; open trades advance on closed candles, as in a backtest). See docs/market-data.md.",
    parse: oneOf(["stream", "poll"], "stream"),
  }),
  pollDelaySeconds: v({
    name: "POLL_DELAY_SECONDS",
    example: "5",
    doc: "MARKET_DATA=poll: seconds after each 30m close before the just-closed candles are fetched (a candle the exchange has not published yet is asked again).",
    parse: num(5, 1, 300, true),
  }),
  pollPriceSeconds: v({
    name: "POLL_PRICE_SECONDS",
    example: "0",
    doc: "MARKET_DATA=poll: every this many seconds the last price of each symbol with an open virtual trade (one weight-1 request, about 60 bytes, per trade), so a stop or target reached is announced within that time instead of at the 30m close. 0 is off (trades advance on closed candles only, as in a backtest); otherwise at least 10.",
    parse: num(0, 0, 3_600, true),
  }),
  warmupCacheSymbols: v({
    name: "WARMUP_CACHE_SYMBOLS",
    example: "300",
    doc: "Symbols whose candles are kept after they rotate out (about 72 KB each, in memory and in the database, so it survives restarts: about 22 MB of disk at 300), so one that rotates back in fetches only the candles it lacks; 0 fetches 3 × 499 candles at every entry.",
    parse: num(300, 0, 5_000, true),
  }),
  wsMaxStreamsPerConn: v({
    name: "WS_MAX_STREAMS_PER_CONN",
    example: "50",
    doc: "Kline streams per WebSocket connection (Binance allows 1024).",
    parse: num(50, 1, 1024, true),
  }),
  wsStaleAfterMs: v({
    name: "WS_STALE_AFTER_MS",
    example: "30000",
    doc: "Reconnect a WebSocket connection that stays open but sends nothing for this long (Binance pushes every 250 ms).",
    parse: num(30_000, 1_000, 600_000, true),
  }),
  wsReconnectMaxMs: v({
    name: "WS_RECONNECT_MAX_MS",
    example: "60000",
    doc: "Upper bound of the WebSocket reconnect backoff (full jitter, doubling from 1 s).",
    parse: num(60_000, 100, 600_000, true),
  }),
  scanConcurrency: v({
    name: "SCAN_CONCURRENCY",
    example: "5",
    doc: "Symbol scans running at once after a candle close.",
    parse: num(5, 1, 64, true),
  }),
  staleAlertMinutes: v({
    name: "STALE_ALERT_MINUTES",
    example: "3",
    doc: "Alert when no market data arrived for this many minutes.",
    parse: num(3, 1, 1440),
  }),
  databasePath: v({
    name: "DATABASE_PATH",
    example: "./data/signalbot.db",
    doc: "SQLite database file (its folder is created when missing).",
    parse: text("./data/signalbot.db"),
  }),
  httpPort: v({
    name: "HTTP_PORT",
    example: "8787",
    doc: "Port of the dashboard, /healthz and /metrics; 0 disables them.",
    parse: num(8787, 0, 65_535, true),
  }),
  httpHost: v({
    name: "HTTP_HOST",
    example: "127.0.0.1",
    doc: "Address the dashboard, /healthz and /metrics listen on. Anything but a loopback address (127.0.0.1, ::1) needs DASHBOARD_TOKEN; prefer an SSH tunnel.",
    parse: host,
  }),
  dashboardToken: v({
    name: "DASHBOARD_TOKEN",
    example: "",
    doc: "Access token of the dashboard, /healthz and /metrics (at least 16 characters; open /?token=… once, or send Authorization: Bearer …). Required when HTTP_HOST is not a loopback address.",
    secret: true,
    parse: optionalText,
  }),
  reportsDir: v({
    name: "REPORTS_DIR",
    example: "./reports",
    doc: "Folder of backtest and walk-forward reports (.html, .json from bun run backtest --html/--json) the dashboard lists and opens.",
    parse: text("./reports"),
  }),
  logLevel: v({
    name: "LOG_LEVEL",
    example: "info",
    doc: "debug, info, warn or error.",
    parse: oneOf(["debug", "info", "warn", "error"], "info"),
  }),
  logFormat: v({
    name: "LOG_FORMAT",
    example: "auto",
    doc: "auto (readable on a terminal, JSON lines otherwise), pretty or json.",
    parse: oneOf(["auto", "pretty", "json"], "auto"),
  }),
} as const;

type Vars = typeof VARIABLES;
export type AppConfig = {
  readonly [K in keyof Vars]: Vars[K] extends Variable<infer A> ? A : never;
} & {
  readonly restUrl: string;
  readonly wsUrl: string;
};

export type ConfigResult =
  | { readonly _tag: "Valid"; readonly config: AppConfig }
  | { readonly _tag: "Invalid"; readonly problems: readonly string[] };

/** The variable of each `MemoryRulesConfig` setting that `MEMORY_RULE_BOUNDS` relates (see `memoryRulesOf`). */
const RULE_VARIABLES: Readonly<Record<string, keyof typeof VARIABLES>> = {
  "windows.global": "memoryWindowTrades",
  "windows.model": "memoryModelWindowTrades",
  "windows.symbol": "memorySymbolWindowTrades",
  "winRateThreshold.minTrades": "memoryWinRateMinTrades",
  "symbolScorePenalty.minTrades": "memorySymbolMinTrades",
  "modelDisable.minTrades": "memoryReversalMinTrades",
  "modelPreference.minTrades": "memoryContinuationMinTrades",
  "drawdownSignalCap.abovePct": "memoryDrawdownCapAbovePercent",
  "drawdownSignalCap.releaseBelowPct": "memoryDrawdownCapReleaseBelowPercent",
  "drawdownRiskCut.abovePct": "memoryDrawdownRiskAbovePercent",
  "drawdownRiskCut.releaseBelowPct": "memoryDrawdownRiskReleaseBelowPercent",
};

/** Decode the configuration from an environment; every problem is reported, one line each. */
export const loadConfig = (env: Readonly<Record<string, string | undefined>>): ConfigResult => {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(VARIABLES) as [string, Variable<unknown>][]) {
    const parsed = variable.parse(env[variable.name]);
    if (parsed.ok) values[key] = parsed.value;
    else problems.push(`${variable.name}: ${variable.secret ? "invalid value" : parsed.problem}`);
  }
  // Checks across variables run on whatever parsed, so one start reports every problem at once.
  const parsed = values as Partial<Omit<AppConfig, "restUrl" | "wsUrl">>;
  if ("telegramBotToken" in parsed && "telegramChatId" in parsed)
    if (parsed.telegramBotToken !== undefined && parsed.telegramChatId === undefined)
      problems.push(
        "TELEGRAM_CHAT_ID: required when TELEGRAM_BOT_TOKEN is set (`bun run telegram-setup` finds it for you)",
      );
  if (parsed.fixedSymbols !== undefined && parsed.maxSymbolsSubscribed !== undefined)
    if (parsed.fixedSymbols.length > parsed.maxSymbolsSubscribed)
      problems.push(
        `FIXED_SYMBOLS: ${parsed.fixedSymbols.length} fixed symbols exceed MAX_SYMBOLS_SUBSCRIBED=${parsed.maxSymbolsSubscribed}`,
      );
  if (parsed.dashboardToken !== undefined && parsed.dashboardToken.length < MIN_DASHBOARD_TOKEN)
    problems.push(
      `DASHBOARD_TOKEN: too short (${parsed.dashboardToken.length} characters, at least ${MIN_DASHBOARD_TOKEN}; e.g. openssl rand -hex 24)`,
    );
  if (parsed.httpHost !== undefined && !isLoopbackHost(parsed.httpHost) && "dashboardToken" in parsed)
    if (parsed.dashboardToken === undefined)
      problems.push(
        `DASHBOARD_TOKEN: required when HTTP_HOST=${parsed.httpHost} is not a loopback address (anyone who can reach the port would see the dashboard); set one, or keep HTTP_HOST=127.0.0.1 and use an SSH tunnel`,
      );
  if (parsed.pollPriceSeconds !== undefined && parsed.pollPriceSeconds > 0 && parsed.pollPriceSeconds < 10)
    problems.push(
      `POLL_PRICE_SECONDS: 0 (off) or at least 10, got ${parsed.pollPriceSeconds} (one request per open trade each time)`,
    );
  // Memory rule settings that could never act (core's bounds; each value's range is its variable's).
  for (const b of MEMORY_RULE_BOUNDS) {
    const [setting, bound] = [RULE_VARIABLES[b.setting]!, RULE_VARIABLES[b.bound]!];
    const [v, max] = [parsed[setting], parsed[bound]];
    if (typeof v !== "number" || typeof max !== "number") continue;
    const p = boundProblem(b, v, max, (path) => VARIABLES[RULE_VARIABLES[path]!].name);
    if (p !== undefined) problems.push(p);
  }
  if (problems.length > 0) return { _tag: "Invalid", problems };
  const base = values as Omit<AppConfig, "restUrl" | "wsUrl">;
  const restUrl =
    base.binanceRestUrl ??
    (base.binanceTestnet ? "https://demo-fapi.binance.com" : "https://fapi.binance.com");
  const wsUrl =
    base.binanceWsUrl ??
    (base.binanceTestnet ? "wss://fstream.binancefuture.com" : "wss://fstream.binance.com/market");
  return { _tag: "Valid", config: { ...base, restUrl, wsUrl } };
};

/** Parse a `.env` file: KEY=value lines, `#` comments on their own lines, optional quotes. */
export const parseDotEnv = (content: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const line of content.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) continue;
    const key = trimmed
      .slice(0, eq)
      .trim()
      .replace(/^export\s+/, "");
    let value = trimmed.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
      value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
};

/** The configuration as it may be shown (logs, /healthz): secrets replaced by "***" or "(unset)". */
export const redactedConfig = (config: AppConfig): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(VARIABLES) as [keyof Vars, Variable<unknown>][]) {
    const value = config[key];
    out[variable.name] = value === undefined ? "(unset)" : variable.secret ? "***" : value;
  }
  return out;
};

/** Every secret value in the configuration, for log redaction. */
export const secretsOf = (config: AppConfig): readonly string[] =>
  (Object.entries(VARIABLES) as [keyof Vars, Variable<unknown>][])
    .filter(([, variable]) => variable.secret)
    .map(([key]) => config[key])
    .filter((value): value is string => typeof value === "string" && value.length > 0);

/** `.env.example`, generated from the table (a test keeps the committed file equal to it). */
export const envExample = (): string => {
  const lines = [
    "# signalbot configuration. Copy to .env and edit; every variable is optional.",
    "# Comments stay on their own lines: systemd's EnvironmentFile and shells would read a trailing comment as part of the value.",
    "",
  ];
  for (const variable of Object.values(VARIABLES) as Variable<unknown>[]) {
    lines.push(`# ${variable.doc}`, `${variable.name}=${variable.example}`, "");
  }
  return lines.join("\n");
};

/** The README's configuration table (Markdown), generated from the table above; a test keeps them equal. */
export const configurationTable = (): string => {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = ["| Variable | Default | Meaning |", "|---|---|---|"];
  for (const variable of Object.values(VARIABLES) as Variable<unknown>[]) {
    const example = variable.example === "" ? "(unset)" : `\`${variable.example}\``;
    lines.push(
      `| \`${variable.name}\`${variable.secret ? " 🔒" : ""} | ${example} | ${cell(variable.doc)} |`,
    );
  }
  return lines.join("\n");
};
