/**
 * Golden tests of every message template: the Telegram HTML of each case must match the reviewed file in
 * `__golden__/<name>.html` (and the console text `__golden__/<name>.txt`). After an intended wording change,
 * regenerate with `UPDATE_GOLDEN=1 bun test packages/adapters/src/telegram/templates.test.ts` and review the diff.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import {
  type Alert,
  DEFAULT_MODELS,
  MEMORY_RULE_NAMES,
  type MemoryEvent,
  type MemoryRule,
  type MemoryStatus,
  type NoSetupCode,
  type Notification,
  type SetupReasonCode,
  type SymbolInfo,
} from "@signalbot/core";
import { anOpenTrade, aQuietModel, aSignal, NO_COSTS, T0 } from "@signalbot/core/testing";
import { foreignWords, foreignWordsInDoc } from "../testing/Wording.ts";
import { formatPrice, formatTime } from "./Format.ts";
import { toHtml, toPlain } from "./Message.ts";
import { newSignalCaption, phraseReason, preferenceOf, render, status as statusDoc } from "./templates.ts";

const GOLDEN = new URL("./__golden__/", import.meta.url);
const update = process.env.UPDATE_GOLDEN === "1";

const golden = (name: string, actual: string) => {
  const file = new URL(name, GOLDEN);
  if (update || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, `${actual}\n`);
  }
  expect(`${actual}\n`).toBe(readFileSync(file, "utf8"));
};

const BTC: SymbolInfo = { symbol: "BTCUSDT", tickSize: "0.10", stepSize: "0.001", minNotional: 100 };
const HOUR = 3_600_000;

const longSignal = (() => {
  const s = aSignal(
    {
      symbol: "BTCUSDT",
      entry: 67_234.56,
      stop: 66_180.04,
      targets: [68_289.08, 69_343.6, 70_398.12],
      rr: 2,
      score: 82.4,
      reasons: [
        { code: "dailyBias", data: { timeframe: "1d", ema: 50, distanceAtr: 1.23 } },
        { code: "trendAligned", data: { timeframe: "4h", adx: 27.4 } },
        { code: "pullbackResumed", data: { ema: 21 } },
        { code: "momentum", data: { rsi: 58.2, roc: 0.84 } },
        { code: "volumeAboveAverage", data: { ratio: 1.6 } },
        { code: "targetAtStructure", data: { level: 69_420.37 } },
      ],
    },
    0.094,
  );
  return {
    ...s,
    threshold: 80,
    sizing: {
      quantity: 0.094,
      notional: 6320.05,
      leverage: 0.632005,
      riskAmount: 99.12,
      riskPercent: 1,
      equity: 10_000,
    },
    adjustments: [{ code: "winRateThreshold", data: { points: 5, winRate: 0.35, trades: 20 } }],
  };
})();

const shortSignalBase = aSignal({
  symbol: "1000PEPEUSDT",
  side: "SHORT",
  model: "reversal",
  entry: 0.0123456,
  stop: 0.0129871,
  targets: [0.0117041, 0.0110626, 0.0104211],
  score: 77,
  reasons: [
    { code: "bandPierced", data: { band: "upper", depthAtr: 0.42 } },
    { code: "closedBackInside", data: { band: "upper" } },
    { code: "rsiTurn", data: { rsi: 68.1, extreme: 74.9 } },
  ],
});
const shortSignal = {
  ...shortSignalBase,
  // Stored before the account was kept: the account is notional ÷ leverage.
  sizing: { quantity: 155_000, notional: 1913.57, leverage: 0.191357, riskAmount: 99.43, riskPercent: 1 },
  adjustments: [
    { code: "drawdownRiskCut", data: { riskPercent: 0.5 } },
    { code: "symbolScorePenalty", data: { symbol: "1000PEPEUSDT", points: 10, winRate: 0.2 } },
  ],
};

/** 0.094 BTC sized on a 10 000 USDT virtual account: 99.12 USDT at risk. */
const trade = {
  ...anOpenTrade({ symbol: "BTCUSDT", entry: 67_234.56, stop: 66_180.04 }, NO_COSTS),
  quantity: 0.094,
  riskAmount: 99.12,
  equity: 10_000,
};
const { equity: _, ...legacyTrade } = trade;
const PEPE: SymbolInfo = { symbol: "1000PEPEUSDT", tickSize: "0.0000001", stepSize: "1", minNotional: 5 };

const status: MemoryStatus = {
  time: T0 + 14 * HOUR,
  trades20: 20,
  winRate20: 0.55,
  models: { continuation: { trades: 12, winRate: 0.5833 }, reversal: { trades: 8, winRate: 0.5 } },
  equity: 10_250.5,
  peakEquity: 10_500,
  drawdownPct: 2.376,
  lossStreak: 1,
  threshold: 80,
  maxSignalsPerDay: 5,
  signalsToday: 3,
  riskPercent: 1,
  pausedUntil: T0 + 20 * HOUR,
  cooldowns: [{ symbol: "SOLUSDT", until: T0 + 30 * HOUR }],
  disabledModels: [{ model: "reversal", until: T0 + 72 * HOUR }],
  preferredModel: "continuation",
};

const memoryEvents: Readonly<Record<MemoryRule, readonly [MemoryEvent, MemoryEvent]>> = {
  winRateThreshold: [
    { rule: "winRateThreshold", action: "fired", time: T0, data: { winRate: 0.35, trades: 20, points: 5 } },
    { rule: "winRateThreshold", action: "relaxed", time: T0, data: { winRate: 0.5, trades: 20, points: 5 } },
  ],
  lossStreakPause: [
    {
      rule: "lossStreakPause",
      action: "fired",
      time: T0,
      until: T0 + 12 * HOUR,
      data: { losses: 3, tradeId: "x" },
    },
    { rule: "lossStreakPause", action: "relaxed", time: T0 + 12 * HOUR, until: T0 + 12 * HOUR },
  ],
  drawdownSignalCap: [
    {
      rule: "drawdownSignalCap",
      action: "fired",
      time: T0,
      data: { drawdownPct: 10.4, maxSignalsPerDay: 3 },
    },
    {
      rule: "drawdownSignalCap",
      action: "relaxed",
      time: T0,
      data: { drawdownPct: 7.9, maxSignalsPerDay: 3 },
    },
  ],
  drawdownRiskCut: [
    { rule: "drawdownRiskCut", action: "fired", time: T0, data: { drawdownPct: 15.2, riskPercent: 0.5 } },
    { rule: "drawdownRiskCut", action: "relaxed", time: T0, data: { drawdownPct: 9.1, riskPercent: 0.5 } },
  ],
  symbolCooldown: [
    {
      rule: "symbolCooldown",
      action: "fired",
      time: T0,
      scope: "SOLUSDT",
      until: T0 + 24 * HOUR,
      data: { losses: 2, tradeId: "t1" },
    },
    {
      rule: "symbolCooldown",
      action: "relaxed",
      time: T0 + 24 * HOUR,
      scope: "SOLUSDT",
      until: T0 + 24 * HOUR,
    },
  ],
  symbolScorePenalty: [
    {
      rule: "symbolScorePenalty",
      action: "fired",
      time: T0,
      scope: "DOGEUSDT",
      data: { winRate: 0.2, trades: 5, points: 10 },
    },
    {
      rule: "symbolScorePenalty",
      action: "relaxed",
      time: T0,
      scope: "DOGEUSDT",
      data: { winRate: 0.6, trades: 5, points: 10 },
    },
  ],
  modelDisable: [
    {
      rule: "modelDisable",
      action: "fired",
      time: T0,
      scope: "reversal",
      until: T0 + 48 * HOUR,
      data: { winRate: 0.3, trades: 10, tradeId: "t2" },
    },
    {
      rule: "modelDisable",
      action: "relaxed",
      time: T0 + 48 * HOUR,
      scope: "reversal",
      until: T0 + 48 * HOUR,
    },
  ],
  modelPreference: [
    {
      rule: "modelPreference",
      action: "fired",
      time: T0,
      scope: "continuation",
      data: { winRate: 0.65, trades: 20 },
    },
    {
      rule: "modelPreference",
      action: "relaxed",
      time: T0,
      scope: "continuation",
      data: { winRate: 0.5, trades: 20 },
    },
  ],
  manualPause: [
    { rule: "manualPause", action: "fired", time: T0, until: T0 + 6 * HOUR, data: { hours: 6 } },
    { rule: "manualPause", action: "relaxed", time: T0, until: T0 + 6 * HOUR, data: { by: "owner" } },
  ],
};

const alerts: Readonly<Record<string, Alert>> = {
  marketDataStale: { kind: "marketDataStale", minutes: 5, shards: 2 },
  marketDataStalePolled: { kind: "marketDataStale", minutes: 35, shards: 0 },
  marketDataRecovered: { kind: "marketDataRecovered", downMinutes: 7 },
  restBan: { kind: "restBan", until: T0 + 2 * HOUR },
  telegramConflict: { kind: "telegramConflict" },
  storageFailing: { kind: "storageFailing", reason: "diskFull", since: T0 + HOUR, waiting: 3 },
  storageRecovered: { kind: "storageRecovered", downMinutes: 12 },
  started: { kind: "started", symbols: 30, version: "0.1.0" },
  stopping: { kind: "stopping", reason: "SIGTERM" },
  error: { kind: "error", message: "database is locked <sqlite> & retrying" },
};

const cases: Readonly<Record<string, Exclude<Notification, { _tag: "Reply" }>>> = {
  "signal-long": { _tag: "NewSignal", signal: longSignal, info: BTC },
  "signal-short": { _tag: "NewSignal", signal: shortSignal, info: PEPE },
  "trade-opened": {
    _tag: "TradeUpdate",
    trade,
    info: BTC,
    event: { _tag: "Opened", tradeId: trade.id, time: T0 + HOUR / 2, price: 67_234.56 },
  },
  "trade-tp1": {
    _tag: "TradeUpdate",
    trade,
    info: BTC,
    event: {
      _tag: "TargetHit",
      tradeId: trade.id,
      time: T0 + 3 * HOUR,
      target: 1,
      price: 68_289.08,
      stop: 67_234.56,
    },
  },
  "trade-tp2": {
    _tag: "TradeUpdate",
    trade,
    info: BTC,
    event: {
      _tag: "TargetHit",
      tradeId: trade.id,
      time: T0 + 5 * HOUR,
      target: 2,
      price: 69_343.6,
      stop: 67_234.56,
    },
  },
  "trade-closed-win": {
    _tag: "TradeUpdate",
    trade,
    info: BTC,
    event: {
      _tag: "Closed",
      tradeId: trade.id,
      time: T0 + 27 * HOUR,
      reason: "tp3",
      price: 70_398.12,
      rMultiple: 1.94,
      pnl: 192.3,
      pnlPercent: 1.923,
      durationMs: 26.5 * HOUR,
    },
  },
  "trade-closed-legacy": {
    _tag: "TradeUpdate",
    // Stored by a version that did not keep the account: its % is of the position's value.
    trade: legacyTrade,
    info: BTC,
    event: {
      _tag: "Closed",
      tradeId: trade.id,
      time: T0 + 27 * HOUR,
      reason: "tp3",
      price: 70_398.12,
      rMultiple: 1.94,
      pnl: 192.3,
      pnlPercent: 3.04,
      durationMs: 26.5 * HOUR,
    },
  },
  "trade-closed-funding": {
    _tag: "TradeUpdate",
    // Held 26.5 h: three settlements paid on the long's notional are inside its R and pnl.
    trade: { ...trade, status: "closed", funding: 0.0003 * 67_234.56 * 0.094 },
    info: BTC,
    event: {
      _tag: "Closed",
      tradeId: trade.id,
      time: T0 + 27 * HOUR,
      reason: "timeout",
      price: 67_900,
      rMultiple: 0.61,
      pnl: 60.46,
      pnlPercent: 0.6046,
      durationMs: 26.5 * HOUR,
    },
  },
  "trade-closed-loss": {
    _tag: "TradeUpdate",
    trade,
    info: BTC,
    event: {
      _tag: "Closed",
      tradeId: trade.id,
      time: T0 + 2 * HOUR,
      reason: "stop",
      price: 66_180.04,
      rMultiple: -1.04,
      pnl: -103.1,
      pnlPercent: -1.031,
      durationMs: 90 * 60_000,
    },
  },
  "trade-closed-breakeven": {
    _tag: "TradeUpdate",
    trade,
    info: BTC,
    event: {
      _tag: "Closed",
      tradeId: trade.id,
      time: T0 + 50 * HOUR,
      reason: "breakeven",
      price: 67_234.56,
      rMultiple: 0.03,
      pnl: 2.1,
      pnlPercent: 0.021,
      durationMs: 49 * HOUR,
    },
  },
  status: { _tag: "Status", status, record: { trades: 42, totalR: 5.04, expectancyR: 0.12 } },
  "status-memory-unavailable": {
    _tag: "Status",
    status: { ...status, unavailable: { reason: "snapshot corrupt", since: T0 + 13 * HOUR } },
    record: { trades: 0, totalR: 0, expectancyR: null },
  },
  ...Object.fromEntries(
    Object.entries(memoryEvents).flatMap(([rule, [fired, relaxed]]) => [
      [`memory-${rule}-fired`, { _tag: "Alert", alert: { kind: "memory", event: fired }, time: fired.time }],
      [
        `memory-${rule}-relaxed`,
        { _tag: "Alert", alert: { kind: "memory", event: relaxed }, time: relaxed.time },
      ],
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(alerts).map(([k, a]) => [`alert-${k}`, { _tag: "Alert", alert: a, time: T0 }]),
  ),
};

describe("templates (golden)", () => {
  for (const [name, n] of Object.entries(cases)) {
    test(name, () => {
      const doc = render(n);
      golden(`${name}.html`, toHtml(doc));
      golden(`${name}.txt`, toPlain(doc));
    });
  }

  test("leverage as Binance means it: the least whole leverage whose margin fits in the account, and that margin", () => {
    const at = (leverage: number) =>
      toPlain(
        render({
          _tag: "NewSignal",
          signal: { ...longSignal, sizing: { ...longSignal.sizing, notional: leverage * 10_000, leverage } },
          info: BTC,
        }),
      )
        .split("\n")
        .find((l) => l.startsWith("Đòn bẩy"));
    expect(at(0.632005)).toBe("Đòn bẩy tối thiểu: x1 (ký quỹ 6,320.05 USDT = 63% vốn ảo)");
    expect(at(2.7)).toBe("Đòn bẩy tối thiểu: x3 (ký quỹ 9,000.00 USDT = 90% vốn ảo)");
    expect(at(3)).toBe("Đòn bẩy tối thiểu: x3 (ký quỹ 10,000.00 USDT = 100% vốn ảo)");
  });

  test("the status names the memory's window as configured (MEMORY_WINDOW_GLOBAL), 20 when an old status lacks it", () => {
    const text = (window?: number) =>
      toPlain(render({ _tag: "Status", status: { ...status, ...(window === undefined ? {} : { window }) } }));
    expect(text(30)).toContain("Tỉ lệ thắng 30 lệnh gần nhất: 55% (20 lệnh)");
    expect(text()).toContain("Tỉ lệ thắng 20 lệnh gần nhất");
  });

  test("the signal caption fits a photo caption and keeps the levels", () => {
    const caption = toHtml(newSignalCaption(longSignal, BTC));
    expect(caption.length).toBeLessThanOrEqual(1024);
    expect(caption).toContain("TP3");
    expect(caption).not.toContain("Lý do");
  });
});

describe("formats", () => {
  test("prices round to the tick with integer arithmetic", () => {
    expect(formatPrice(67_234.56, "0.10")).toBe("67,234.6");
    expect(formatPrice(0.1 + 0.2, "0.1")).toBe("0.3");
    expect(formatPrice(0.0123456, "0.0000001")).toBe("0.0123456");
    expect(formatPrice(1234.5, "1")).toBe("1,235");
    expect(formatPrice(2.5, "0.0010")).toBe("2.500");
    expect(formatPrice(0.00123456)).toBe("0.0012346");
  });

  test("times use the configured zone (default Asia/Ho_Chi_Minh)", () => {
    expect(formatTime(T0, undefined, true)).toBe("01/06/2025 07:00 (GMT+7)");
    expect(formatTime(T0, "UTC", true)).toBe("01/06/2025 00:00 (GMT+0)");
    expect(formatTime(T0, "Europe/Berlin")).toBe("01/06/2025 02:00");
  });

  test("an unknown reason code falls back to a Vietnamese phrase quoting the code", () => {
    expect(phraseReason({ code: "fundingTooHigh", data: { fundingRate: 0.12 } })).toBe(
      "Lý do khác (mã “fundingTooHigh”)",
    );
  });
});

describe("wording", () => {
  test("every template speaks Vietnamese: no English word outside symbols and trading abbreviations", () => {
    for (const [name, n] of Object.entries(cases))
      expect([name, foreignWordsInDoc(render(n))]).toEqual([name, []]);
  });

  test("the checker catches English and decomposed tone marks", () => {
    expect(foreignWords("Bot đang dừng: simulation over")).toEqual(["simulation", "over"]);
    expect(foreignWords("Giá vào".normalize("NFD")).map((w) => w.normalize("NFC"))).toEqual([
      "Giá (not NFC)",
      "vào (not NFC)",
    ]);
    expect(foreignWords("🟢 MUA / LONG BTCUSDT · khung 30m, TP1 +2R, gõ /help")).toEqual([]);
  });

  test("every reason code core emits has its own sentence (no generic fallback reaches the owner)", () => {
    const modelCodes: Record<NoSetupCode | SetupReasonCode, true> = {
      warmup: true,
      staleTimeframe: true,
      betweenTrendCloses: true,
      noBias: true,
      trendNotAligned: true,
      trendWeak: true,
      noPullback: true,
      noTrigger: true,
      momentumWeak: true,
      overextended: true,
      noBandPierce: true,
      noReentry: true,
      rsiNotExtreme: true,
      rsiNotTurning: true,
      higherTimeframeOpposing: true,
      invalidSetup: true,
      invalidAtr: true,
      stopTooWide: true,
      rrBelowMin: true,
      dailyBias: true,
      trendAligned: true,
      pullbackResumed: true,
      momentum: true,
      bandPierced: true,
      closedBackInside: true,
      rsiTurn: true,
      volumeAboveAverage: true,
      targetAtStructure: true,
    };
    const gateCodes = [
      "scoreBelowThreshold",
      "costAboveRisk",
      "leverageAboveCap",
      "dailyCap",
      "openTrade",
      "duplicate",
      "zeroStopDistance",
      "invalidSizingInput",
      "belowMinNotional",
      "memoryUnavailable",
      "preferContinuation",
      "preferReversal",
      "slotReservedForContinuation",
      "slotReservedForReversal",
    ];
    for (const code of [...Object.keys(modelCodes), ...gateCodes, ...MEMORY_RULE_NAMES]) {
      const phrase = phraseReason({ code, data: {} });
      expect([code, phrase.startsWith("Lý do khác")]).toEqual([code, false]);
      expect([code, foreignWords(phrase)]).toEqual([code, []]);
    }
  });
});

describe("any model by name", () => {
  const donchian = aQuietModel("donchian", {
    label: { vi: "Phá vỡ kênh Donchian", en: "Donchian breakout" },
    phrases: { insideChannel: (d, language) => (language === "vi" ? `Trong kênh ${d?.period}` : "inside") },
  });
  const models = [...DEFAULT_MODELS, donchian];

  test("model preference phrases name the preferred model by its label, a model no longer registered by its name", () => {
    expect(phraseReason({ code: "preferDonchian", data: { model: "reversal" } }, { models })).toBe(
      "Đang ưu tiên mô hình Phá vỡ kênh Donchian",
    );
    expect(phraseReason({ code: "slotReservedForDonchian", data: { slotsLeft: 1 } }, { models })).toBe(
      "Suất tín hiệu còn lại (1) dành cho mô hình Phá vỡ kênh Donchian",
    );
    expect(phraseReason({ code: "preferContinuation", data: { model: "reversal" } })).toBe(
      "Đang ưu tiên mô hình Tiếp diễn xu hướng",
    );
    expect(phraseReason({ code: "preferTurtle", data: { model: "reversal" } })).toBe(
      "Đang ưu tiên mô hình turtle",
    );
    expect(preferenceOf("preferred")).toBeUndefined();
    expect(preferenceOf("slotReservedForDonchian", models)).toEqual({
      kind: "slotReserved",
      model: "donchian",
    });
  });

  test("a custom model's signal and trade updates: its Vietnamese label, its own reasons in its words, still Vietnamese", () => {
    const signal = aSignal({
      symbol: "BTCUSDT",
      model: "donchian",
      reasons: [
        { code: "insideChannel", data: { period: 20 } },
        { code: "dailyBias", data: { timeframe: "1d", ema: 50, distanceAtr: 1.2 } },
      ],
    });
    const text = toPlain(render({ _tag: "NewSignal", signal, info: BTC }, { models }));
    expect(text).toContain("Mô hình: Phá vỡ kênh Donchian · khung 4h");
    expect(text).toContain("• Trong kênh 20");
    expect(text).toContain("• Khung 1d: giá đóng cửa trên EMA50 (cách 1.2 ATR)");
    expect(text).not.toContain("insideChannel");
    expect(foreignWords(text.replace("Donchian", ""))).toEqual([]);
    expect(toPlain(newSignalCaption(signal, BTC, { models }))).toContain("Phá vỡ kênh Donchian");
    // Not registered (any more): named by its name, its reasons quoted by code, nothing lost.
    const unregistered = toPlain(render({ _tag: "NewSignal", signal, info: BTC }));
    expect(unregistered).toContain("Mô hình: donchian · khung 4h");
    expect(unregistered).toContain("Lý do khác (mã “insideChannel”)");
    const trade = anOpenTrade({ model: "donchian" });
    const update = toPlain(
      render(
        {
          _tag: "TradeUpdate",
          trade,
          event: { _tag: "TargetHit", tradeId: trade.id, target: 1, price: 105, stop: 100, time: T0 },
        },
        { models },
      ),
    );
    expect(update.split("\n")[0]).toContain("LONG · Phá vỡ kênh Donchian");
  });

  test("a model's own reason codes read in its words; the locks and status name it by its label", () => {
    expect(phraseReason({ code: "insideChannel", data: { period: 20 } }, { models })).toBe("Trong kênh 20");
    expect(phraseReason({ code: "insideChannel", data: { period: 20 } })).toStartWith("Lý do khác");
    expect(
      phraseReason({ code: "modelDisable", data: { target: "donchian", until: T0 } }, { models }),
    ).toStartWith("Mô hình Phá vỡ kênh Donchian đang tạm tắt");
    const st: MemoryStatus = {
      time: T0,
      trades20: 3,
      winRate20: 0.5,
      models: {
        continuation: { trades: 1, winRate: 1 },
        reversal: { trades: 0, winRate: null },
        donchian: { trades: 2, winRate: 0.5 },
      },
      equity: 1000,
      peakEquity: 1000,
      drawdownPct: 0,
      lossStreak: 0,
      threshold: 75,
      maxSignalsPerDay: 5,
      signalsToday: 0,
      riskPercent: 1,
      cooldowns: [],
      disabledModels: [{ model: "donchian", until: T0 + 3_600_000 }],
      preferredModel: "donchian",
    };
    const text = toPlain(statusDoc(st, { models }));
    expect(text).toContain("• Phá vỡ kênh Donchian: 50% (2 lệnh)");
    expect(text).toContain("Mô hình tạm tắt: Phá vỡ kênh Donchian (đến");
    expect(text).toContain("Mô hình ưu tiên: Phá vỡ kênh Donchian");
  });
});
