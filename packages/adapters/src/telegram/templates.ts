/**
 * Every message the bot sends its owner, in Vietnamese, as pure functions from a notification to a `Doc`
 * (rendered as Telegram HTML or console text by Message.ts). Reason codes from the models, the risk gates and
 * the memory layer are phrased here (the memory's over their typed data, checked by the compiler); an unknown
 * code falls back to a readable generic sentence.
 */
import {
  type Alert,
  DEFAULT_MODELS,
  type MemoryEvent,
  type MemoryReason,
  type MemoryReasonOf,
  type MemoryStatus,
  type Model,
  type ModelName,
  modelLabel,
  modelPhrase,
  type Notification,
  outcomeOf,
  preferenceCodes,
  type Reason,
  SETUP_TIMEFRAME,
  type Side,
  type Signal,
  type SymbolInfo,
  type TrackRecord,
  type TradeEvent,
  type VirtualTrade,
} from "@signalbot/core";
import {
  DEFAULT_TIME_ZONE,
  formatDistance,
  formatDuration,
  formatNumber,
  formatPrice,
  formatRate,
  formatSigned,
  formatTime,
  formatTrim,
} from "./Format.ts";
import { bold, code, type Doc, italic, type Line, plain } from "./Message.ts";

export interface TemplateOptions {
  /** IANA zone for every time shown (TIMEZONE), default Asia/Ho_Chi_Minh. */
  readonly timeZone?: string;
  /**
   * The models the bot runs (MODELS; default `DEFAULT_MODELS`): messages call each by its Vietnamese label,
   * charts draw its lines, reports list each one. A model not among them is called by its name.
   */
  readonly models?: readonly Model[];
}

interface Ctx {
  readonly tz: string;
  readonly tick: string | undefined;
  readonly side: Side | undefined;
  readonly models: readonly Model[];
}

const ctxOf = (o: TemplateOptions, info?: SymbolInfo, side?: Side): Ctx => ({
  tz: o.timeZone ?? DEFAULT_TIME_ZONE,
  tick: info?.tickSize,
  side,
  models: o.models ?? DEFAULT_MODELS,
});

/** A model as the owner reads it: its Vietnamese label ("Tiếp diễn xu hướng"), else its name. */
export const modelName = (m: ModelName, models: readonly Model[] = DEFAULT_MODELS): string =>
  modelLabel(models, m, "vi");

export const sideLabel = (side: Side): string => (side === "LONG" ? "🟢 MUA / LONG" : "🔴 BÁN / SHORT");
const sideShort = (side: Side): string => (side === "LONG" ? "LONG" : "SHORT");

// ---- reason phrasing ------------------------------------------------------------------------------------

type Data = Readonly<Record<string, number | string>> | undefined;
const num = (d: Data, k: string): number | undefined => {
  const v = d?.[k];
  return typeof v === "number"
    ? v
    : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))
      ? Number(v)
      : undefined;
};
const str = (d: Data, k: string): string | undefined => (d?.[k] === undefined ? undefined : String(d[k]));
const n2 = (v: number | undefined, decimals = 2): string => (v === undefined ? "?" : formatTrim(v, decimals));
/** A leverage as Binance writes it: "x10", "x12.5". */
const times = (v: number | undefined): string => (v === undefined ? "?" : `x${formatTrim(v, 1)}`);
/** Win rates arrive as fractions (0.35); accept percentages too. */
const rate = (v: number | undefined): string => (v === undefined ? "?" : formatRate(v > 1 ? v / 100 : v));
const upDown = (c: Ctx, up: string, down: string): string => (c.side === "SHORT" ? down : up);
const bandName = (b: string | undefined): string => (b === "upper" ? "trên" : b === "lower" ? "dưới" : "");
const untilText = (c: Ctx, until: number | undefined): string =>
  until === undefined ? "" : ` đến ${formatTime(until, c.tz)}`;

/**
 * The fallback for a code we have no sentence for (a test keeps every code core emits phrased): the code is
 * quoted as an identifier, its data left out — the owner gets Vietnamese, a developer the code to look up.
 */
const genericPhrase = (r: Reason): string => `Lý do khác (mã “${r.code}”)`;

const PHRASES: Readonly<Record<string, (d: Data, c: Ctx) => string>> = {
  // What a setup has in its favour (strategy/Reasons.ts: SetupReasonCode).
  dailyBias: (d, c) =>
    `Khung ${str(d, "timeframe") ?? "1d"}: giá đóng cửa ${upDown(c, "trên", "dưới")} EMA${str(d, "ema") ?? ""}` +
    (num(d, "distanceAtr") === undefined ? "" : ` (cách ${n2(num(d, "distanceAtr"))} ATR)`),
  trendAligned: (d, c) =>
    `Khung ${str(d, "timeframe") ?? "4h"}: giá và các EMA xếp theo xu hướng ${upDown(c, "tăng", "giảm")}, ADX ${n2(num(d, "adx"), 1)}`,
  pullbackResumed: (d) =>
    `Khung ${str(d, "timeframe") ?? "4h"}: giá hồi về EMA${str(d, "ema") ?? ""} và nến kích hoạt đã tiếp diễn xu hướng`,
  momentum: (d) =>
    `Động lượng khung ${str(d, "timeframe") ?? "4h"} ủng hộ: RSI ${n2(num(d, "rsi"), 1)}, ROC ${n2(num(d, "roc"))}`,
  bandPierced: (d) =>
    `Giá khung ${str(d, "timeframe") ?? "4h"} xuyên qua dải Bollinger ${bandName(str(d, "band"))} (sâu ${n2(num(d, "depthAtr"))} ATR)`,
  closedBackInside: (d) =>
    `Nến kích hoạt đóng cửa quay lại bên trong dải Bollinger ${bandName(str(d, "band"))}`,
  rsiTurn: (d) => `RSI đã chạm vùng cực trị (${n2(num(d, "extreme"), 1)}), hiện ${n2(num(d, "rsi"), 1)}`,
  volumeAboveAverage: (d) =>
    `Khối lượng giao dịch của nến kích hoạt gấp ${n2(num(d, "ratio"))} lần trung bình`,
  targetAtStructure: (d, c) => {
    const level = num(d, "level");
    return `Mục tiêu đặt ngay trước vùng cản khung 4h${level === undefined ? "" : ` (${formatPrice(level, c.tick)})`}`;
  },
  // Why a model found nothing (NoSetupCode).
  warmup: (d) =>
    `Chưa đủ dữ liệu khung ${str(d, "timeframe") ?? "?"} (cần ${n2(num(d, "need"), 0)} nến, có ${n2(num(d, "have"), 0)})`,
  staleTimeframe: (d) =>
    `Dữ liệu khung ${str(d, "timeframe") ?? "?"} đã cũ (thiếu nến gần đây), chưa phân tích được`,
  betweenTrendCloses: () => "Chưa đến lúc đóng nến 4h (mô hình chỉ xét khi một nến 4h vừa đóng)",
  noBias: () => "Khung 1d chưa có xu hướng rõ (giá và các EMA chưa cùng một hướng)",
  trendNotAligned: () => "Khung 4h không cùng xu hướng với khung 1d",
  trendWeak: (d) => `Xu hướng 4h yếu (ADX ${n2(num(d, "adx"), 1)} < ${n2(num(d, "min"), 0)})`,
  noPullback: (d) => `Không có nhịp hồi về EMA trong ${n2(num(d, "window"), 0)} nến 4h gần nhất`,
  noTrigger: () => "Nến 4h chưa xác nhận tiếp diễn xu hướng",
  momentumWeak: (d) => `Động lượng yếu (RSI ${n2(num(d, "rsi"), 1)}, cần ${n2(num(d, "min"), 0)})`,
  overextended: (d) => `Giá đã đi quá xa (RSI ${n2(num(d, "rsi"), 1)}, giới hạn ${n2(num(d, "max"), 0)})`,
  noBandPierce: (d) =>
    `Không có nến 4h đóng cửa ngoài dải Bollinger trong ${n2(num(d, "window"), 0)} nến gần nhất`,
  noReentry: () => "Giá chưa đóng cửa quay lại trong dải Bollinger",
  rsiNotExtreme: (d) =>
    `RSI chưa chạm vùng cực trị (${n2(num(d, "rsi"), 1)}, ngưỡng ${n2(num(d, "limit"), 0)})`,
  rsiNotTurning: (d) => `RSI chưa quay đầu (${n2(num(d, "rsi"), 1)}, trước đó ${n2(num(d, "previous"), 1)})`,
  higherTimeframeOpposing: (d) => `Xu hướng 4h mạnh đi ngược (ADX ${n2(num(d, "adx"), 1)})`,
  invalidAtr: () => "ATR bằng 0 (thị trường đi ngang tuyệt đối)",
  stopTooWide: (d) => `Điểm cắt lỗ quá xa (${n2(num(d, "stopAtr"))} ATR > ${n2(num(d, "max"))} ATR)`,
  rrBelowMin: (d) => `Tỉ lệ lợi nhuận/rủi ro thấp (R:R ${n2(num(d, "rr"))} < ${n2(num(d, "min"))})`,
  invalidSetup: (d) => `Mô hình trả về thiết lập không hợp lệ, đã bỏ qua (${str(d, "problem") ?? "?"})`,
  // Gates (risk/, usecase/).
  scoreBelowThreshold: (d) => `Điểm ${n2(num(d, "score"), 0)} thấp hơn ngưỡng ${n2(num(d, "threshold"), 0)}`,
  costAboveRisk: (d) =>
    `Phí giao dịch và trượt giá (vào và thoát lệnh) tốn ${n2(num(d, "costR"))}R, vượt mức cho phép ${n2(num(d, "max"))}R (cắt lỗ chỉ cách ${n2(num(d, "stopPercent"), 4)}%)`,
  leverageAboveCap: (d) =>
    `Cần đòn bẩy ${times(num(d, "leverage"))} để rủi ro ${n2(num(d, "riskPercent"))}% vốn, vượt mức tối đa ${times(num(d, "max"))} (cắt lỗ chỉ cách ${n2(num(d, "stopPercent"), 4)}%)`,
  dailyCap: (d) => `Đã đủ ${n2(num(d, "count"), 0)}/${n2(num(d, "max"), 0)} tín hiệu trong ngày`,
  openTrade: (d) => `Mã này đang có ${n2(num(d, "open"), 0)} lệnh mở (tối đa ${n2(num(d, "max"), 0)})`,
  duplicate: () => "Tín hiệu này đã được gửi trước đó",
  zeroStopDistance: () => "Điểm cắt lỗ trùng giá vào",
  invalidSizingInput: () => "Không tính được số lượng (vốn, rủi ro hoặc giá không hợp lệ)",
  belowMinNotional: (d) =>
    `Giá trị lệnh dưới mức tối thiểu của sàn${num(d, "minNotional") === undefined ? "" : ` (${n2(num(d, "minNotional"))} USDT)`}`,
};

/**
 * The memory's reasons (blocks by a lock, adjustments, model preference), one phrase per code over its typed
 * data: a new memory reason, or a datum renamed, does not compile until it is phrased here. Stored signals
 * may predate a datum, so a phrase still reads when one is missing.
 */
type PreferenceCode = `prefer${string}` | `slotReservedFor${string}`;
const MEMORY_PHRASES: {
  readonly [C in Exclude<MemoryReason["code"], PreferenceCode>]: (
    d: MemoryReasonOf<C>["data"],
    c: Ctx,
  ) => string;
} = {
  lossStreakPause: (d, c) => `Đang tạm dừng sau chuỗi thua${untilText(c, d.until)}`,
  manualPause: (d, c) => `Đang tạm dừng theo yêu cầu${untilText(c, d.until)}`,
  symbolCooldown: (d, c) => `${d.target ?? "Mã này"} đang tạm ngưng sau chuỗi thua${untilText(c, d.until)}`,
  modelDisable: (d, c) =>
    `Mô hình ${modelName(d.target ?? "?", c.models)} đang tạm tắt${untilText(c, d.until)}`,
  memoryUnavailable: () =>
    "Bộ nhớ thích ứng tạm thời không dùng được: mọi tín hiệu bị chặn cho an toàn đến khi khôi phục",
  // Signals stored before the window was configurable carry no `trades`: it was 20 then.
  winRateThreshold: (d) =>
    `Ngưỡng điểm +${n2(d.points, 0)} vì tỉ lệ thắng ${n2(d.trades ?? 20, 0)} lệnh gần nhất thấp (${rate(d.winRate)})`,
  drawdownSignalCap: (d) => `Giới hạn ${n2(d.maxSignalsPerDay, 0)} tín hiệu/ngày do vốn đang sụt giảm`,
  drawdownRiskCut: (d) => `Rủi ro mỗi lệnh giảm còn ${n2(d.riskPercent)}% do vốn đang sụt giảm`,
  modelPreference: (d, c) => `Ưu tiên mô hình ${modelName(d.model ?? "?", c.models)} nhờ tỉ lệ thắng tốt`,
  symbolScorePenalty: (d) =>
    `${d.symbol ?? "Mã này"} cần thêm +${n2(d.points, 0)} điểm vì tỉ lệ thắng thấp (${rate(d.winRate)})`,
};

/**
 * A model-preference code of one candle (`preferenceCodes`) read back: which kind, and the preferred model —
 * found among `models` ("preferDonchian" → "donchian"), or, for a model no longer registered, from the code.
 */
export const preferenceOf = (
  code: string,
  models: readonly Model[] = DEFAULT_MODELS,
): { readonly kind: "prefer" | "slotReserved"; readonly model: ModelName } | undefined => {
  const kind = /^prefer[A-Z]/.test(code)
    ? "prefer"
    : /^slotReservedFor./.test(code)
      ? "slotReserved"
      : undefined;
  if (kind === undefined) return undefined;
  const title = code.slice(kind === "prefer" ? "prefer".length : "slotReservedFor".length);
  const model =
    models.find((m) => preferenceCodes(m.name)[kind] === code)?.name ??
    title.charAt(0).toLowerCase() + title.slice(1);
  return { kind, model };
};

const preferencePhrase = (code: string, c: Ctx): ((d: Data) => string) | undefined => {
  const p = preferenceOf(code, c.models);
  if (p === undefined) return undefined;
  const name = modelName(p.model, c.models);
  return p.kind === "prefer"
    ? () => `Đang ưu tiên mô hình ${name}`
    : (d) => `Suất tín hiệu còn lại (${n2(num(d, "slotsLeft"), 0)}) dành cho mô hình ${name}`;
};

const phraseOf = (code: string, c: Ctx): ((d: Data, c: Ctx) => string) | undefined =>
  (MEMORY_PHRASES as unknown as Readonly<Record<string, (d: Data, c: Ctx) => string>>)[code] ??
  PHRASES[code] ??
  preferencePhrase(code, c);

/**
 * A reason in Vietnamese; `side` and `tickSize` refine direction words and price formats, `models` name the
 * models (default `DEFAULT_MODELS`).
 */
export const phraseReason = (
  r: Reason,
  context: {
    readonly side?: Side;
    readonly tickSize?: string;
    readonly timeZone?: string;
    readonly models?: readonly Model[];
  } = {},
): string => {
  const c: Ctx = {
    tz: context.timeZone ?? DEFAULT_TIME_ZONE,
    tick: context.tickSize,
    side: context.side,
    models: context.models ?? DEFAULT_MODELS,
  };
  const f = phraseOf(r.code, c);
  return f === undefined ? (modelPhrase(c.models, r, "vi") ?? genericPhrase(r)) : f(r.data, c);
};

// ---- new signal ---------------------------------------------------------------------------------------

const bullet = (text: string): Line => [plain(`• ${text}`)];
/** The virtual account a position was sized on (notional ÷ leverage for signals stored before it was kept). */
const equityOf = (z: NonNullable<Signal["sizing"]>): number | undefined =>
  z.equity ?? (z.notional > 0 && z.leverage > 0 ? z.notional / z.leverage : undefined);
/**
 * The share of equity the rounded quantity really risks, with the target beside it when rounding to the
 * exchange's lot step moved it: "0.87% vốn, mục tiêu 1%".
 */
const riskShare = (z: NonNullable<Signal["sizing"]>): string => {
  const equity = equityOf(z);
  const actual = equity === undefined ? z.riskPercent : (z.riskAmount / equity) * 100;
  const shown = formatTrim(actual);
  return shown === formatTrim(z.riskPercent)
    ? `${shown}% vốn`
    : `${shown}% vốn, mục tiêu ${formatTrim(z.riskPercent)}%`;
};
/** "BTCUSDT" → "BTC", "1000PEPEUSDT" → "1000PEPE": the unit of a USDT perpetual's quantity. */
const baseAsset = (symbol: string): string => symbol.replace(/USDT$/, "");
const labelled = (label: string, ...value: Line): Line => [plain(`${label}: `), ...value];

/**
 * The leverage as Binance means it (notional ÷ margin): the least whole leverage at which the position's margin
 * fits in the virtual account, and the margin it then takes — "x1 (ký quỹ 6,320.05 USDT = 63% vốn ảo)". A higher
 * leverage only lowers the margin; the risk stays the amount shown.
 */
const minimumLeverage = (z: Pick<NonNullable<Signal["sizing"]>, "leverage">): number =>
  Math.max(1, Math.ceil(z.leverage - 1e-9));
const leverageNote = (z: NonNullable<Signal["sizing"]>): string => {
  const times = minimumLeverage(z);
  const margin = z.notional / times;
  const equity = equityOf(z);
  const share = equity === undefined ? "" : ` = ${formatTrim((margin / equity) * 100, 0)}% vốn ảo`;
  return `x${times} (ký quỹ ${formatNumber(margin)} USDT${share})`;
};

export const newSignal = (signal: Signal, info: SymbolInfo | undefined, o: TemplateOptions = {}): Doc => {
  const s = signal.setup;
  const c = ctxOf(o, info, s.side);
  const p = (v: number) => formatPrice(v, c.tick);
  const lines: Line[] = [
    [plain(`${sideLabel(s.side)} `), bold(s.symbol)],
    // The models set up on 4h closes (the trigger is the 30m candle closing with it): the setup's own timeframe.
    labelled("Mô hình", plain(`${modelName(s.model, c.models)} · khung ${SETUP_TIMEFRAME}`)),
    labelled(
      "Điểm",
      bold(formatNumber(s.score, 0)),
      plain(`/100 (ngưỡng ${formatNumber(signal.threshold, 0)})`),
    ),
    labelled("Lúc", plain(formatTime(s.time, c.tz, true))),
    [],
    labelled("Giá vào", code(p(s.entry))),
    labelled("Cắt lỗ", code(p(s.stop)), plain(` (${formatDistance(s.entry, s.stop)})`)),
    ...s.targets.map(
      (t, i): Line => labelled(`TP${i + 1}`, code(p(t)), plain(` (${formatDistance(s.entry, t)})`)),
    ),
    labelled("R:R (TP2)", plain(formatNumber(s.rr, 2))),
  ];
  const z = signal.sizing;
  if (z !== undefined) {
    lines.push(
      [],
      labelled(
        "Số lượng gợi ý",
        plain(
          `${info === undefined ? formatTrim(z.quantity, 6) : formatPrice(z.quantity, info.stepSize)} ${baseAsset(s.symbol)} `,
        ),
        plain(`(≈ ${formatNumber(z.notional)} USDT)`),
      ),
      labelled("Đòn bẩy tối thiểu", plain(leverageNote(z))),
      labelled("Rủi ro", plain(`${formatNumber(z.riskAmount)} USDT (${riskShare(z)})`)),
    );
  }
  if (s.reasons.length > 0) {
    lines.push([], [bold("Lý do")]);
    for (const r of s.reasons)
      lines.push(
        bullet(phraseReason(r, { side: s.side, models: c.models, ...(c.tick ? { tickSize: c.tick } : {}) })),
      );
  }
  if (signal.adjustments.length > 0) {
    lines.push([], [bold("Điều chỉnh của bộ nhớ thích ứng")]);
    for (const r of signal.adjustments)
      lines.push(bullet(phraseReason(r, { side: s.side, timeZone: c.tz, models: c.models })));
  }
  lines.push([], [italic("Tín hiệu tham khảo, bot không đặt lệnh thật.")]);
  return { lines };
};

/** The short caption sent with the chart (≤ 1024 characters): the head of the signal message. */
export const newSignalCaption = (
  signal: Signal,
  info: SymbolInfo | undefined,
  o: TemplateOptions = {},
): Doc => {
  const full = newSignal(signal, info, o);
  const end = full.lines.findIndex(
    (l, i) => i > 5 && l.length === 0 && full.lines[i + 1]?.[0]?.text === "Lý do",
  );
  return { lines: end < 0 ? full.lines : full.lines.slice(0, end) };
};

// ---- trade events -------------------------------------------------------------------------------------

const EXIT_REASONS: Readonly<Record<string, string>> = {
  tp3: "chạm TP3",
  stop: "chạm cắt lỗ",
  breakeven: "chạm cắt lỗ đã dời về giá vào",
  timeout: "hết thời gian theo dõi",
};

/** Funding is inside R and pnl; the result line says how much of it, in USDT like the pnl beside it. */
const fundingNote = (trade: VirtualTrade): Line => {
  if (trade.funding === undefined || Math.abs(trade.funding) < 0.005) return [];
  return [plain(`, gồm funding ${formatSigned(-trade.funding)} USDT`)];
};

/**
 * The result in money and as a share of the virtual account the trade was sized on ("vốn ảo"); a trade stored
 * before the account was kept shows its older % of the position's value ("giá trị lệnh").
 */
const resultNote = (trade: VirtualTrade, pnl: number, pnlPercent: number): Line => [
  plain(
    ` · ${formatSigned(pnl)} USDT (${formatSigned(pnlPercent)}% ${trade.equity === undefined ? "giá trị lệnh" : "vốn ảo"}`,
  ),
  ...fundingNote(trade),
  plain(")"),
];

export const tradeUpdate = (
  trade: VirtualTrade,
  event: TradeEvent,
  info: SymbolInfo | undefined,
  o: TemplateOptions = {},
): Doc => {
  const c = ctxOf(o, info, trade.side);
  const p = (v: number) => formatPrice(v, c.tick);
  const head: Line = [
    bold(trade.symbol),
    plain(` ${sideShort(trade.side)} · ${modelName(trade.model, c.models)}`),
  ];
  switch (event._tag) {
    case "Opened":
      return {
        lines: [
          [plain("📥 Đã vào lệnh ảo "), ...head],
          labelled("Giá vào", code(p(event.price))),
          labelled("Lúc", plain(formatTime(event.time, c.tz, true))),
        ],
      };
    case "TargetHit": {
      const lines: Line[] = [
        [plain(`🎯 `), ...head, plain(" — "), bold(`chạm TP${event.target}`)],
        labelled("Giá", code(p(event.price)), plain(` (${formatDistance(trade.entry, event.price)})`)),
      ];
      if (event.target === 1)
        lines.push([
          plain("Đã chốt 1/3 vị thế, "),
          bold("dời cắt lỗ về giá vào"),
          plain(": "),
          code(p(event.stop)),
        ]);
      else if (event.target === 2)
        lines.push([
          plain("Đã chốt thêm 1/3 vị thế, phần còn lại chờ TP3 (cắt lỗ "),
          code(p(event.stop)),
          plain(")"),
        ]);
      else lines.push([plain("Đã chốt toàn bộ vị thế.")]);
      lines.push(labelled("Lúc", plain(formatTime(event.time, c.tz, true))));
      return { lines };
    }
    case "Closed": {
      const outcome = outcomeOf({ ...trade, rMultiple: event.rMultiple });
      const verdict = outcome === "win" ? "✅ THẮNG" : outcome === "loss" ? "❌ THUA" : "➖ HÒA VỐN";
      return {
        lines: [
          [bold(verdict), plain(" — "), ...head],
          labelled(
            "Đóng lệnh",
            plain(`${EXIT_REASONS[event.reason] ?? event.reason} tại `),
            code(p(event.price)),
          ),
          labelled(
            "Kết quả",
            bold(`${formatSigned(event.rMultiple)}R`),
            ...resultNote(trade, event.pnl, event.pnlPercent),
          ),
          labelled("Giữ lệnh", plain(formatDuration(event.durationMs))),
          labelled(
            "Giá vào",
            code(p(trade.entry)),
            plain(` · đóng lúc ${formatTime(event.time, c.tz, true)}`),
          ),
        ],
      };
    }
  }
};

// ---- status -------------------------------------------------------------------------------------------

/** The bot's own record in R with its sample size, to set beside the backtest's figures. */
const recordLine = (r: TrackRecord): Line =>
  r.trades === 0 || r.expectancyR === null
    ? labelled("Kết quả từ đầu", plain("chưa có lệnh ảo nào đóng"))
    : labelled(
        "Kết quả từ đầu",
        bold(`${formatSigned(r.expectancyR)}R/lệnh`),
        plain(` (${r.trades} lệnh, tổng ${formatSigned(r.totalR)}R)`),
      );

export const status = (st: MemoryStatus, o: TemplateOptions = {}, record?: TrackRecord): Doc => {
  const c = ctxOf(o);
  const t = (v: number) => formatTime(v, c.tz);
  const paused = st.pausedUntil !== undefined && st.pausedUntil > st.time;
  const lines: Line[] = [
    [plain("📊 "), bold("Trạng thái bot"), plain(` — ${formatTime(st.time, c.tz, true)}`)],
    labelled(
      `Tỉ lệ thắng ${st.window ?? 20} lệnh gần nhất`,
      bold(formatRate(st.winRate20)),
      plain(` (${st.trades20} lệnh)`),
    ),
    ...Object.entries(st.models).map(([m, x]) =>
      bullet(`${modelName(m, c.models)}: ${formatRate(x.winRate)} (${x.trades} lệnh)`),
    ),
    ...(record === undefined ? [] : [recordLine(record)]),
    labelled(
      "Vốn ảo",
      plain(
        `${formatNumber(st.equity)} USDT (đỉnh ${formatNumber(st.peakEquity)}), sụt giảm ${formatNumber(st.drawdownPct)}%`,
      ),
    ),
    labelled("Chuỗi thua hiện tại", plain(String(st.lossStreak))),
    labelled("Ngưỡng điểm", plain(formatNumber(st.threshold, 0))),
    labelled("Tín hiệu hôm nay", plain(`${st.signalsToday}/${st.maxSignalsPerDay}`)),
    labelled("Rủi ro mỗi lệnh", plain(`${formatTrim(st.riskPercent)}%`)),
    labelled("Tạm dừng", paused ? bold(`có, đến ${t(st.pausedUntil!)}`) : plain("không")),
    labelled(
      "Mã đang tạm ngưng",
      plain(
        st.cooldowns.length === 0
          ? "không"
          : st.cooldowns.map((x) => `${x.symbol} (đến ${t(x.until)})`).join(", "),
      ),
    ),
    labelled(
      "Mô hình tạm tắt",
      plain(
        st.disabledModels.length === 0
          ? "không"
          : st.disabledModels.map((x) => `${modelName(x.model, c.models)} (đến ${t(x.until)})`).join(", "),
      ),
    ),
  ];
  if (st.preferredModel !== undefined)
    lines.push(labelled("Mô hình ưu tiên", plain(modelName(st.preferredModel, c.models))));
  if (st.unavailable !== undefined)
    lines.push([
      plain("⚠️ "),
      bold("Bộ nhớ thích ứng tạm thời không dùng được"),
      plain(` từ ${t(st.unavailable.since)}: mọi tín hiệu bị chặn cho an toàn đến khi khôi phục.`),
    ]);
  return { lines };
};

// ---- alerts -------------------------------------------------------------------------------------------

/** One line per memory event; the compiler checks every rule is phrased and every datum it reads exists. */
const memoryEvent = (e: MemoryEvent, c: Ctx): Line => {
  switch (e.rule) {
    case "winRateThreshold":
      return e.action === "fired"
        ? [
            plain("📉 "),
            bold("Nâng ngưỡng điểm"),
            plain(
              ` thêm +${n2(e.data.points, 0)}: tỉ lệ thắng ${rate(e.data.winRate)} trên ${n2(e.data.trades, 0)} lệnh gần nhất.`,
            ),
          ]
        : [
            plain("📈 "),
            bold("Ngưỡng điểm trở lại bình thường"),
            plain(`: tỉ lệ thắng đã hồi phục (${rate(e.data.winRate)}).`),
          ];
    case "lossStreakPause":
      return e.action === "fired"
        ? [
            plain("⏸️ "),
            bold("Tạm dừng tín hiệu"),
            plain(`${untilText(c, e.until)} sau ${n2(e.data.losses, 0)} lệnh thua liên tiếp.`),
          ]
        : [plain("▶️ "), bold("Hết tạm dừng"), plain(" sau chuỗi thua: bot phát tín hiệu trở lại.")];
    case "drawdownSignalCap":
      return e.action === "fired"
        ? [
            plain("🔻 "),
            bold("Giới hạn tín hiệu"),
            plain(
              `: vốn ảo sụt ${n2(e.data.drawdownPct)}%, tối đa ${n2(e.data.maxSignalsPerDay, 0)} tín hiệu/ngày.`,
            ),
          ]
        : [
            plain("🔺 "),
            bold("Bỏ giới hạn tín hiệu"),
            plain(`: mức sụt giảm đã thu hẹp (${n2(e.data.drawdownPct)}%).`),
          ];
    case "drawdownRiskCut":
      return e.action === "fired"
        ? [
            plain("🔻 "),
            bold("Giảm rủi ro"),
            plain(` còn ${n2(e.data.riskPercent)}% mỗi lệnh: vốn ảo sụt ${n2(e.data.drawdownPct)}%.`),
          ]
        : [
            plain("🔺 "),
            bold("Rủi ro trở lại mức thường"),
            plain(`: mức sụt giảm đã thu hẹp (${n2(e.data.drawdownPct)}%).`),
          ];
    case "symbolCooldown":
      return e.action === "fired"
        ? [
            plain("🧊 "),
            bold(e.scope),
            plain(` tạm ngưng${untilText(c, e.until)} sau ${n2(e.data.losses, 0)} lệnh thua liên tiếp.`),
          ]
        : [plain("✅ "), bold(e.scope), plain(" hết thời gian tạm ngưng, được phát tín hiệu trở lại.")];
    case "symbolScorePenalty":
      return e.action === "fired"
        ? [
            plain("⚖️ "),
            bold(e.scope),
            plain(
              ` cần thêm +${n2(e.data.points, 0)} điểm: tỉ lệ thắng ${rate(e.data.winRate)} trên ${n2(e.data.trades, 0)} lệnh.`,
            ),
          ]
        : [plain("⚖️ "), bold(e.scope), plain(" không còn bị cộng điểm ngưỡng.")];
    case "modelDisable":
      return e.action === "fired"
        ? [
            plain("🚫 "),
            bold(`Tạm tắt mô hình ${modelName(e.scope, c.models)}`),
            plain(
              `${untilText(c, e.until)}: tỉ lệ thắng ${rate(e.data.winRate)} trên ${n2(e.data.trades, 0)} lệnh.`,
            ),
          ]
        : [plain("✅ "), bold(`Mô hình ${modelName(e.scope, c.models)} hoạt động trở lại.`)];
    case "modelPreference":
      return e.action === "fired"
        ? [
            plain("⭐ "),
            bold(`Ưu tiên mô hình ${modelName(e.scope, c.models)}`),
            plain(`: tỉ lệ thắng ${rate(e.data.winRate)} trên ${n2(e.data.trades, 0)} lệnh.`),
          ]
        : [plain("☆ "), bold(`Bỏ ưu tiên mô hình ${modelName(e.scope, c.models)}.`)];
    case "manualPause":
      return e.action === "fired"
        ? [
            plain("⏸️ "),
            bold("Đã tạm dừng theo yêu cầu"),
            plain(`${untilText(c, e.until)} (${n2(e.data.hours, 0)} giờ).`),
          ]
        : [
            plain("▶️ "),
            bold("Đã tiếp tục phát tín hiệu"),
            plain(e.data?.by === "owner" ? " theo yêu cầu." : " (hết thời gian tạm dừng)."),
          ];
  }
};

/** Why the bot stops, for the owner: the process signal in words, anything else as a generic request. */
const stopWhy = (reason: string): string =>
  reason === "SIGTERM"
    ? "theo yêu cầu của hệ thống (dịch vụ được dừng hoặc khởi động lại)"
    : reason === "SIGINT"
      ? "theo yêu cầu từ bàn phím (Ctrl+C)"
      : "theo yêu cầu";

export const alert = (a: Alert, time: number, o: TemplateOptions = {}): Doc => {
  const c = ctxOf(o);
  const at: Line = [italic(formatTime(time, c.tz, true))];
  const one = (line: Line): Doc => ({ lines: [line, at] });
  switch (a.kind) {
    case "memory":
      return { lines: [[plain("🧠 "), bold("Bộ nhớ thích ứng")], memoryEvent(a.event, c), at] };
    case "marketDataStale":
      return one([
        plain("⚠️ "),
        bold("Mất dữ liệu thị trường"),
        // No stream connections: the candles are polled by REST (MARKET_DATA=poll), asked again each round.
        plain(
          a.shards === 0
            ? ` ${a.minutes} phút. Bot đang hỏi lại sàn Binance.`
            : ` ${a.minutes} phút (${a.shards} kết nối luồng giá). Bot đang kết nối lại.`,
        ),
      ]);
    case "marketDataRecovered":
      return one([
        plain("✅ "),
        bold("Dữ liệu thị trường đã khôi phục"),
        plain(` sau ${a.downMinutes} phút gián đoạn.`),
      ]);
    case "restBan":
      return one([
        plain("⛔ "),
        bold("Binance tạm chặn truy vấn từ địa chỉ IP này"),
        plain(` đến ${formatTime(a.until, c.tz)}. Bot ngừng hỏi dữ liệu sàn đến khi hết hạn chặn.`),
      ]);
    case "telegramConflict":
      return one([
        plain("⚠️ "),
        bold("Một chương trình khác đang chạy cùng bot này"),
        plain(
          " (Telegram báo 409 khi nhận lệnh): lệnh có thể bị chương trình đó nhận mất. Hãy dừng bản bot còn lại.",
        ),
      ]);
    case "storageFailing":
      return one([
        plain("💾 "),
        bold(a.reason === "diskFull" ? "Ổ đĩa đã đầy" : "Không lưu được cơ sở dữ liệu"),
        plain(" ("),
        code(a.reason),
        plain(
          `) từ ${formatTime(a.since, c.tz)}: bot giữ lại tín hiệu và cập nhật lệnh (${a.waiting} mục đang chờ) và sẽ lưu ngay khi lưu được. Hãy giải phóng chỗ trống trên ổ đĩa.`,
        ),
      ]);
    case "storageRecovered":
      return one([
        plain("✅ "),
        bold("Đã lưu được cơ sở dữ liệu trở lại"),
        plain(` sau ${a.downMinutes} phút; không mất dữ liệu.`),
      ]);
    case "started":
      return one([
        plain("🚀 "),
        bold("Bot đã khởi động"),
        plain(` (phiên bản ${a.version}), theo dõi ${a.symbols} mã.`),
      ]);
    case "stopping":
      return one([plain("🛑 "), bold("Bot đang dừng"), plain(` ${stopWhy(a.reason)}.`)]);
    case "error":
      return {
        lines: [
          [plain("❗ "), bold("Bot gặp sự cố"), plain(". Chi tiết kỹ thuật (gửi kèm khi báo lỗi):")],
          [code(a.message)],
          at,
        ],
      };
  }
};

// ---- dispatch -----------------------------------------------------------------------------------------

/** The document for any notification except `Reply` (which arrives already rendered as HTML). */
export const render = (n: Exclude<Notification, { _tag: "Reply" }>, o: TemplateOptions = {}): Doc => {
  switch (n._tag) {
    case "NewSignal":
      return newSignal(n.signal, n.info, o);
    case "TradeUpdate":
      return tradeUpdate(n.trade, n.event, n.info, o);
    case "Status":
      return status(n.status, o, n.record);
    case "Alert":
      return alert(n.alert, n.time, o);
  }
};
