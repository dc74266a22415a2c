/**
 * Every word the dashboard shows, in Vietnamese (the default, with the Telegram messages' own terms: "Giá vào",
 * "Cắt lỗ", "Vốn ảo"...) and in English: ONE dictionary, checked by the compiler (English must have every key).
 * Reasons are phrased by the Telegram templates in Vietnamese and by the table at the end in English.
 */
import { phraseReason, preferenceOf, sideLabel } from "@signalbot/adapters/telegram";
import {
  DEFAULT_MODELS,
  modelLabel as labelOf,
  type MemoryLock,
  type Model,
  type ModelName,
  modelPhrase,
  type Reason,
  type Side,
} from "@signalbot/core";

export type Lang = "vi" | "en";
export const LANGS: readonly Lang[] = ["vi", "en"];
export const isLang = (s: string | null | undefined): s is Lang => s === "vi" || s === "en";

const vi = {
  htmlLang: "vi",
  title: "Bảng điều khiển",
  languageName: "Tiếng Việt",
  live: "Trực tiếp",
  offline: "Mất kết nối, đang thử lại…",
  botTime: "Giờ của bot",
  healthy: "Hoạt động bình thường",
  unhealthy: "Có vấn đề",
  readOnly: "Chỉ xem · bot không đặt lệnh thật",
  // Overview (the /status words)
  overview: "Tổng quan",
  equity: "Vốn ảo",
  peak: "đỉnh",
  drawdown: "Sụt giảm",
  maxDrawdown: "Sụt giảm lớn nhất",
  winRate20: "Tỉ lệ thắng {n} lệnh gần nhất",
  threshold: "Ngưỡng điểm",
  signalsToday: "Tín hiệu hôm nay",
  riskPerTrade: "Rủi ro mỗi lệnh",
  lossStreak: "Chuỗi thua hiện tại",
  openTradesCount: "Lệnh ảo đang mở",
  memoryUnavailable: "Bộ nhớ thích ứng tạm thời không dùng được: mọi tín hiệu bị chặn cho an toàn",
  // Symbols
  symbols: "Mã đang theo dõi",
  fixed: "Cố định",
  pinned: "Giữ lại vì có lệnh mở",
  rotating: "Xoay vòng",
  nextRotation: "Lượt xoay tiếp theo",
  none: "không có",
  // Trades
  openTrades: "Lệnh ảo đang mở",
  noOpenTrades: "Chưa có lệnh ảo nào đang mở.",
  entry: "Giá vào",
  stop: "Cắt lỗ",
  initialStop: "cắt lỗ ban đầu",
  lastPrice: "Giá hiện tại",
  livePnl: "Lãi/lỗ tạm tính",
  openedAt: "Vào lệnh lúc",
  remaining: "Còn giữ",
  hit: "đã chạm",
  // Signals
  signals: "Tín hiệu gần đây",
  noSignals: "Chưa có tín hiệu nào.",
  blocked: "Thiết lập bị chặn gần đây",
  noBlocked: "Chưa có thiết lập nào bị chặn.",
  time: "Lúc",
  symbol: "Mã",
  side: "Hướng",
  model: "Mô hình",
  score: "Điểm",
  rr: "R:R (TP2)",
  reasons: "Lý do",
  blockedBy: "Bị chặn vì",
  adjustments: "Điều chỉnh của bộ nhớ thích ứng",
  size: "Số lượng gợi ý",
  risk: "Rủi ro",
  // Memory
  locks: "Bộ nhớ thích ứng: các khóa đang hiệu lực",
  noLocks: "Không có khóa nào: bot được phát tín hiệu bình thường.",
  scope: "Phạm vi",
  scopeGlobal: "Toàn bộ bot",
  until: "Đến",
  remainingTime: "Còn lại",
  // Equity and statistics
  equityCurve: "Vốn ảo và mức sụt giảm",
  equityNote:
    "Sau mỗi lệnh ảo đóng (đã trừ phí, trượt giá, funding); điểm cuối tính cả lệnh đang mở theo giá hiện tại.",
  stats: "Thống kê lệnh ảo đã đóng",
  byModel: "Theo mô hình",
  bySymbol: "Theo mã",
  trades: "Lệnh",
  wins: "Thắng",
  losses: "Thua",
  breakevens: "Hòa vốn",
  winRate: "Tỉ lệ thắng",
  totalR: "Tổng R",
  meanR: "R trung bình",
  pnl: "Lãi/lỗ (USDT)",
  profitFactor: "Hệ số lợi nhuận",
  noClosed: "Chưa có lệnh ảo nào đóng.",
  all: "Tất cả",
  // Outbox and exchange
  outbox: "Hàng đợi thông báo",
  outboxDepth: "Đang chờ gửi",
  outboxEmpty: "Mọi thông báo đã được gửi.",
  attempts: "lần thử",
  queuedAt: "xếp hàng lúc",
  exchange: "Sàn và dữ liệu thị trường",
  marketData: "Dữ liệu giá",
  fresh: "đang cập nhật",
  stale: "mất dữ liệu",
  lastData: "Dữ liệu cuối lúc",
  lastClosed: "Nến đóng gần nhất",
  reconnects: "Số lần kết nối lại",
  restWeight: "Trọng số REST đã dùng trong phút",
  shards: "Kết nối luồng giá",
  streams: "luồng",
  silent: "im lặng",
  seconds: "giây",
  otherHealth: "Các bộ phận khác",
  healthRest: "Binance REST",
  healthStorage: "Lưu trữ (SQLite)",
  healthHalted: "Gửi Telegram đang dừng",
  ok: "ổn",
  notOk: "có vấn đề",
  // Reports
  reports: "Báo cáo backtest và walk-forward",
  noReports:
    "Chưa có báo cáo trong thư mục {dir}. Tạo bằng: bun run backtest -- --data fixtures/klines --html {dir}/backtest.html",
  modified: "sửa lúc",
  // Time words for countdowns
  day: "ngày",
  // Access
  tokenNeeded: "Cần mã truy cập",
  tokenHelp:
    "Mở trang với ?token=<DASHBOARD_TOKEN> một lần (trình duyệt sẽ nhớ), hoặc gửi kèm tiêu đề Authorization: Bearer <DASHBOARD_TOKEN>.",
  wrongHost: "Tên máy không được chấp nhận",
  wrongHostHelp:
    "Bảng điều khiển chỉ trả lời 127.0.0.1, localhost và ::1 khi chưa đặt DASHBOARD_TOKEN (chống DNS rebinding). Dùng đường hầm SSH, hoặc đặt DASHBOARD_TOKEN.",
  attribution: "Biểu đồ nến: TradingView Lightweight Charts™",
} as const;

type Key = keyof typeof vi;

const en: Readonly<Record<Key, string>> = {
  htmlLang: "en",
  title: "Dashboard",
  languageName: "English",
  live: "Live",
  offline: "Disconnected, retrying…",
  botTime: "Bot time",
  healthy: "Healthy",
  unhealthy: "Needs attention",
  readOnly: "Read-only · the bot places no real orders",
  overview: "Overview",
  equity: "Virtual equity",
  peak: "peak",
  drawdown: "Drawdown",
  maxDrawdown: "Max drawdown",
  winRate20: "Win rate, last {n} trades",
  threshold: "Score threshold",
  signalsToday: "Signals today",
  riskPerTrade: "Risk per trade",
  lossStreak: "Current losing streak",
  openTradesCount: "Open virtual trades",
  memoryUnavailable: "The adaptive memory is unavailable: every signal is blocked to be safe",
  symbols: "Watched symbols",
  fixed: "Fixed",
  pinned: "Pinned by an open trade",
  rotating: "Rotating",
  nextRotation: "Next rotation",
  none: "none",
  openTrades: "Open virtual trades",
  noOpenTrades: "No open virtual trade.",
  entry: "Entry",
  stop: "Stop",
  initialStop: "initial stop",
  lastPrice: "Last price",
  livePnl: "Unrealised P/L",
  openedAt: "Opened",
  remaining: "Still held",
  hit: "hit",
  signals: "Recent signals",
  noSignals: "No signal yet.",
  blocked: "Recently blocked setups",
  noBlocked: "No blocked setup yet.",
  time: "Time",
  symbol: "Symbol",
  side: "Side",
  model: "Model",
  score: "Score",
  rr: "R:R (TP2)",
  reasons: "Reasons",
  blockedBy: "Blocked because",
  adjustments: "Adaptive memory adjustments",
  size: "Suggested size",
  risk: "Risk",
  locks: "Adaptive memory: locks in force",
  noLocks: "No lock: the bot may signal normally.",
  scope: "Scope",
  scopeGlobal: "The whole bot",
  until: "Until",
  remainingTime: "Remaining",
  equityCurve: "Virtual equity and drawdown",
  equityNote:
    "After each closed virtual trade (fees, slippage and funding included); the last point marks open trades at their last price.",
  stats: "Closed virtual trades",
  byModel: "By model",
  bySymbol: "By symbol",
  trades: "Trades",
  wins: "Wins",
  losses: "Losses",
  breakevens: "Break-evens",
  winRate: "Win rate",
  totalR: "Total R",
  meanR: "Mean R",
  pnl: "P/L (USDT)",
  profitFactor: "Profit factor",
  noClosed: "No closed virtual trade yet.",
  all: "All",
  outbox: "Notification outbox",
  outboxDepth: "Waiting",
  outboxEmpty: "Every notification was delivered.",
  attempts: "attempts",
  queuedAt: "queued",
  exchange: "Exchange and market data",
  marketData: "Price data",
  fresh: "flowing",
  stale: "stale",
  lastData: "Last data",
  lastClosed: "Last closed candle",
  reconnects: "Reconnects",
  restWeight: "REST weight used this minute",
  shards: "Price stream connections",
  streams: "streams",
  silent: "silent",
  seconds: "s",
  otherHealth: "Other parts",
  healthRest: "Binance REST",
  healthStorage: "Storage (SQLite)",
  healthHalted: "Telegram delivery halted",
  ok: "ok",
  notOk: "failing",
  reports: "Backtest and walk-forward reports",
  noReports:
    "No report in {dir} yet. Make one with: bun run backtest -- --data fixtures/klines --html {dir}/backtest.html",
  modified: "modified",
  day: "d",
  tokenNeeded: "Access token required",
  tokenHelp:
    "Open the page once with ?token=<DASHBOARD_TOKEN> (the browser remembers it), or send Authorization: Bearer <DASHBOARD_TOKEN>.",
  wrongHost: "Host name not accepted",
  wrongHostHelp:
    "Without DASHBOARD_TOKEN the dashboard only answers 127.0.0.1, localhost and ::1 (DNS rebinding protection). Use an SSH tunnel, or set DASHBOARD_TOKEN.",
  attribution: "Candle charts: TradingView Lightweight Charts™",
};

export type Words = Readonly<Record<Key, string>>;
export const WORDS: Readonly<Record<Lang, Words>> = { vi, en };

/** `{name}` placeholders filled in. */
export const fill = (text: string, values: Readonly<Record<string, string | number>>): string =>
  text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));

/** A model's label in `lang` among the registered `models` (its name when it has none or is not one of them). */
export const modelLabel = (lang: Lang, m: ModelName, models: readonly Model[] = DEFAULT_MODELS): string =>
  labelOf(models, m, lang);

export const sideText = (lang: Lang, side: Side): string =>
  lang === "vi" ? sideLabel(side) : side === "LONG" ? "🟢 LONG" : "🔴 SHORT";

// ---- reasons in English -------------------------------------------------------------------------------------

type Data = Reason["data"];
const n = (d: Data, k: string, decimals = 2): string => {
  const v = d?.[k];
  const x = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(x) ? String(Math.round(x * 10 ** decimals) / 10 ** decimals) : "?";
};
const s = (d: Data, k: string, fallback = "?"): string => (d?.[k] === undefined ? fallback : String(d[k]));
const pct = (d: Data, k: string): string => {
  const v = Number(d?.[k]);
  return Number.isFinite(v) ? `${Math.round((v > 1 ? v : v * 100) * 10) / 10}%` : "?";
};
const dir = (side: Side | undefined, up: string, down: string) => (side === "SHORT" ? down : up);

/** Every code the Vietnamese templates phrase (a test keeps the two tables in step). */
export const EN_PHRASES: Readonly<Record<string, (d: Data, side: Side | undefined) => string>> = {
  dailyBias: (d, side) =>
    `${s(d, "timeframe", "1d")}: close ${dir(side, "above", "below")} EMA${s(d, "ema", "")} (${n(d, "distanceAtr")} ATR away)`,
  trendAligned: (d, side) =>
    `${s(d, "timeframe", "4h")}: price and EMAs stacked in the ${dir(side, "up", "down")}trend, ADX ${n(d, "adx", 1)}`,
  pullbackResumed: (d) =>
    `${s(d, "timeframe", "4h")}: pulled back to EMA${s(d, "ema", "")} and the trigger candle resumed the trend`,
  momentum: (d) => `${s(d, "timeframe", "4h")} momentum agrees: RSI ${n(d, "rsi", 1)}, ROC ${n(d, "roc")}`,
  bandPierced: (d) =>
    `${s(d, "timeframe", "4h")} price pierced the ${s(d, "band", "")} Bollinger band (${n(d, "depthAtr")} ATR deep)`,
  closedBackInside: (d) => `The trigger candle closed back inside the ${s(d, "band", "")} band`,
  rsiTurn: (d) => `RSI reached an extreme (${n(d, "extreme", 1)}), now ${n(d, "rsi", 1)}`,
  volumeAboveAverage: (d) => `Trigger candle volume ${n(d, "ratio")}× its average`,
  targetAtStructure: (d) => `Target placed just before a 4h structure level (${n(d, "level", 8)})`,
  warmup: (d) =>
    `Not enough ${s(d, "timeframe")} data yet (need ${n(d, "need", 0)} candles, have ${n(d, "have", 0)})`,
  staleTimeframe: (d) => `${s(d, "timeframe")} data is stale (recent candles missing)`,
  betweenTrendCloses: () => "Not a 4h close (the models only look when a 4h candle has just closed)",
  noBias: () => "No clear 1d bias (close and EMAs do not agree)",
  trendNotAligned: () => "4h trend does not agree with 1d",
  trendWeak: (d) => `4h trend weak (ADX ${n(d, "adx", 1)} < ${n(d, "min", 0)})`,
  noPullback: (d) => `No pullback to the EMA in the last ${n(d, "window", 0)} 4h candles`,
  noTrigger: () => "The 4h candle did not confirm the trend resuming",
  momentumWeak: (d) => `Momentum weak (RSI ${n(d, "rsi", 1)}, needs ${n(d, "min", 0)})`,
  overextended: (d) => `Overextended (RSI ${n(d, "rsi", 1)}, limit ${n(d, "max", 0)})`,
  noBandPierce: (d) => `No 4h close outside a Bollinger band in the last ${n(d, "window", 0)} candles`,
  noReentry: () => "Price has not closed back inside the Bollinger band",
  rsiNotExtreme: (d) => `RSI not extreme (${n(d, "rsi", 1)}, limit ${n(d, "limit", 0)})`,
  rsiNotTurning: (d) => `RSI not turning (${n(d, "rsi", 1)}, before ${n(d, "previous", 1)})`,
  higherTimeframeOpposing: (d) => `A strong 4h trend opposes it (ADX ${n(d, "adx", 1)})`,
  invalidAtr: () => "ATR is zero (perfectly flat market)",
  stopTooWide: (d) => `Stop too far (${n(d, "stopAtr")} ATR > ${n(d, "max")} ATR)`,
  rrBelowMin: (d) => `Reward/risk too low (R:R ${n(d, "rr")} < ${n(d, "min")})`,
  invalidSetup: (d) => `The model answered with a malformed setup, ignored (${s(d, "problem")})`,
  scoreBelowThreshold: (d) => `Score ${n(d, "score", 0)} below the threshold ${n(d, "threshold", 0)}`,
  dailyCap: (d) => `Daily cap reached (${n(d, "count", 0)}/${n(d, "max", 0)} signals)`,
  openTrade: (d) => `Symbol already has ${n(d, "open", 0)} open trade(s) (max ${n(d, "max", 0)})`,
  duplicate: () => "This signal was sent before",
  zeroStopDistance: () => "Stop equals the entry",
  invalidSizingInput: () => "Size cannot be computed (equity, risk or price invalid)",
  belowMinNotional: (d) => `Order value below the exchange minimum (${n(d, "minNotional")} USDT)`,
  memoryUnavailable: () => "Adaptive memory unavailable: every signal blocked until it recovers",
  lossStreakPause: () => "Paused after a losing streak",
  manualPause: () => "Paused by the owner",
  symbolCooldown: (d) => `${s(d, "target", s(d, "symbol", "Symbol"))} cooled down after a losing streak`,
  modelDisable: (d) => `Model ${s(d, "target", s(d, "model"))} disabled for a while`,
  winRateThreshold: (d) =>
    `Threshold +${n(d, "points", 0)}: low win rate over the last 20 trades (${pct(d, "winRate")})`,
  drawdownSignalCap: (d) =>
    `At most ${n(d, "maxSignalsPerDay", 0)} signals a day while equity is in drawdown`,
  drawdownRiskCut: (d) => `Risk per trade cut to ${n(d, "riskPercent")}% while equity is in drawdown`,
  modelPreference: (d) => `Model ${s(d, "model")} preferred for its win rate`,
  symbolScorePenalty: (d) =>
    `${s(d, "symbol", "Symbol")} needs +${n(d, "points", 0)} points: low win rate (${pct(d, "winRate")})`,
};

/** Model preference on one candle in English ("preferContinuation", "slotReservedForDonchian"...). */
const preferencePhrase = (r: Reason, models: readonly Model[]): string | undefined => {
  const p = preferenceOf(r.code, models);
  if (p === undefined) return undefined;
  const name = modelLabel("en", p.model, models);
  return p.kind === "prefer"
    ? `${name} is preferred now`
    : `The remaining signal slots (${n(r.data, "slotsLeft", 0)}) are kept for ${name}`;
};

/** A reason (setup, gate or memory adjustment) in `lang`; `models` name the models (default the built-ins). */
export const phrase = (
  lang: Lang,
  r: Reason,
  context: { readonly side?: Side; readonly timeZone?: string; readonly models?: readonly Model[] } = {},
): string => {
  if (lang === "vi") return phraseReason(r, context);
  const f = EN_PHRASES[r.code];
  if (f !== undefined) return f(r.data, context.side);
  const models = context.models ?? DEFAULT_MODELS;
  return preferencePhrase(r, models) ?? modelPhrase(models, r, "en") ?? `Other reason (code "${r.code}")`;
};

/** Why a memory lock holds, in `lang` (its rule phrased; the English keeps the rule's own evidence). */
export const lockReason = (lang: Lang, lock: MemoryLock): string => {
  // The end is shown beside the reason, so the phrase leaves it out.
  const data = lock.target === undefined ? {} : { target: lock.target };
  if (lang === "vi") return phraseReason({ code: lock.rule, data });
  return `${phrase("en", { code: lock.rule, data })} (${lock.reason})`;
};
