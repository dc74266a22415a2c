/** `/profit`, `/daily`, `/performance`: what the owner reads about closed virtual trades, and how it is asked for. */
import { describe, expect, test } from "bun:test";
import { DEFAULT_MODELS, type MemoryStatus, type VirtualTrade } from "@signalbot/core";
import { aClosedTrade, anOpenTrade, aQuietModel, aSignal, runTest } from "@signalbot/core/testing";
import { Effect, Layer } from "effect";
import { foreignWordsInDoc } from "../testing/Wording.ts";
import { BotControl, parseCommand, runCommand, statsDoc } from "./Commands.ts";
import { toPlain } from "./Message.ts";
import { ALL_TIME_DAYS, dailyDoc, performanceDoc, profitDoc, summarize } from "./Reports.ts";

const HOUR = 3_600_000;
/** 2025-06-10 09:00 in Asia/Ho_Chi_Minh (02:00 UTC). */
const NOW = Date.UTC(2025, 5, 10, 2);

const status: MemoryStatus = {
  time: NOW,
  trades20: 5,
  winRate20: 0.6,
  models: { continuation: { trades: 3, winRate: 2 / 3 }, reversal: { trades: 2, winRate: 0.5 } },
  equity: 1_032.5,
  peakEquity: 1_040,
  drawdownPct: 0.72,
  lossStreak: 0,
  threshold: 75,
  maxSignalsPerDay: 5,
  signalsToday: 1,
  riskPercent: 1,
  cooldowns: [],
  disabledModels: [],
};

// Risk 10 USDT per trade, so pnl = 10 × R.
const trades: readonly VirtualTrade[] = [
  aClosedTrade({ symbol: "BTCUSDT", r: 2, closedAt: NOW - 1 * HOUR }), // 10/06 local
  aClosedTrade({ symbol: "ETHUSDT", r: -1, closedAt: NOW - 8 * HOUR }), // 10/06 01:00 local
  aClosedTrade({ symbol: "SOLUSDT", model: "reversal", r: 1.5, closedAt: NOW - 10 * HOUR }), // 09/06 23:00
  aClosedTrade({ symbol: "BTCUSDT", model: "reversal", r: -1, closedAt: NOW - 30 * HOUR }), // 09/06 03:00
  aClosedTrade({ symbol: "BTCUSDT", r: 0.02, closedAt: NOW - 50 * HOUR }), // 08/06 07:00
];

describe("summarize", () => {
  test("counts break-evens apart, sums R and money, and finds the best and worst trade", () => {
    const s = summarize(trades);
    expect(s).toMatchObject({ trades: 5, wins: 2, losses: 2, breakevens: 1, winRate: 0.5 });
    expect(s.totalR).toBeCloseTo(1.52, 10);
    expect(s.pnl).toBeCloseTo(15.2, 10);
    expect(s.profitFactor).toBeCloseTo(3.52 / 2, 10);
    expect([s.best?.symbol, s.best?.rMultiple, s.worst?.rMultiple]).toEqual(["BTCUSDT", 2, -1]);
  });

  test("no loss: no profit factor rather than a division by zero", () => {
    expect(summarize([aClosedTrade({ r: 1 })]).profitFactor).toBeNull();
    expect(summarize([])).toMatchObject({ trades: 0, winRate: null, totalR: 0, best: undefined });
  });
});

describe("reports", () => {
  test("/profit: totals, averages, best and worst, and the virtual equity", () => {
    expect(toPlain(profitDoc(ALL_TIME_DAYS, trades, status))).toBe(
      [
        "💰 Lãi/lỗ từ đầu",
        "Lệnh đã đóng: 5 (2 thắng, 2 thua, 1 hòa vốn)",
        "Tỉ lệ thắng: 50%",
        "Tổng: +1.52R · +15.20 USDT",
        "Trung bình mỗi lệnh: +0.30R",
        "Hệ số lợi nhuận (tổng R thắng / tổng R thua): 1.76",
        "Tốt nhất: BTCUSDT +2.00R · kém nhất: ETHUSDT -1.00R",
        "Vốn ảo hiện tại: 1,032.50 USDT (đỉnh 1,040.00, sụt giảm 0.72%)",
      ].join("\n"),
    );
    expect(
      toPlain(profitDoc(7, [], status))
        .split("\n")
        .slice(0, 2),
    ).toEqual(["💰 Lãi/lỗ 7 ngày qua", "Chưa có lệnh ảo nào đóng."]);
  });

  test("/daily: calendar days in the owner's zone, today first, empty days shown", () => {
    expect(toPlain(dailyDoc(4, trades, NOW, "Asia/Ho_Chi_Minh"))).toBe(
      [
        "📅 Lãi/lỗ từng ngày, 4 ngày qua",
        "10/06/2025: 2 lệnh, +1.00R, +10.00 USDT",
        "09/06/2025: 2 lệnh, +0.50R, +5.00 USDT",
        "08/06/2025: 1 lệnh, +0.02R, +0.20 USDT",
        "07/06/2025: không có lệnh đóng",
        "Tổng: 5 lệnh, thắng 50%, +1.52R, +15.20 USDT",
      ].join("\n"),
    );
    // In UTC the 01:00 local (18:00 UTC) loss moves to the 9th.
    const utc = toPlain(dailyDoc(2, trades, NOW, "UTC")).split("\n");
    expect(utc.slice(1, 3)).toEqual([
      "10/06/2025: 1 lệnh, +2.00R, +20.00 USDT",
      "09/06/2025: 2 lệnh, +0.50R, +5.00 USDT",
    ]);
  });

  test("/performance: by model, then symbols by total R", () => {
    expect(toPlain(performanceDoc(ALL_TIME_DAYS, trades))).toBe(
      [
        "🏆 Kết quả theo mô hình và theo mã, từ đầu",
        "Theo mô hình",
        "• Tiếp diễn xu hướng: 3 lệnh, thắng 50%, +1.02R, +10.20 USDT",
        "• Đảo chiều Bollinger: 2 lệnh, thắng 50%, +0.50R, +5.00 USDT",
        "Theo mã",
        "1. SOLUSDT: 1 lệnh, thắng 100%, +1.50R, +15.00 USDT",
        "2. BTCUSDT: 3 lệnh, thắng 50%, +1.02R, +10.20 USDT",
        "3. ETHUSDT: 1 lệnh, thắng 0%, -1.00R, -10.00 USDT",
      ].join("\n"),
    );
  });

  test("/performance and /stats: every registered model by its label, even without trades; an unregistered one by name", () => {
    const donchian = aQuietModel("donchian", {
      label: { vi: "Phá vỡ kênh Donchian", en: "Donchian breakout" },
    });
    const rsi2 = aQuietModel("rsi2", { label: "RSI-2" });
    const models = [...DEFAULT_MODELS, donchian, rsi2];
    const withCustom = [
      ...trades,
      aClosedTrade({ symbol: "ETHUSDT", model: "donchian", r: 2, closedAt: NOW - 2 * HOUR }),
      aClosedTrade({ symbol: "ETHUSDT", model: "donchian", r: -1, closedAt: NOW - 3 * HOUR }),
      aClosedTrade({ symbol: "XRPUSDT", model: "turtle", r: 0.5, closedAt: NOW - 4 * HOUR }),
    ];
    const byModel = toPlain(performanceDoc(ALL_TIME_DAYS, withCustom, models))
      .split("\n")
      .slice(1, 7);
    expect(byModel).toEqual([
      "Theo mô hình",
      "• Tiếp diễn xu hướng: 3 lệnh, thắng 50%, +1.02R, +10.20 USDT",
      "• Đảo chiều Bollinger: 2 lệnh, thắng 50%, +0.50R, +5.00 USDT",
      "• Phá vỡ kênh Donchian: 2 lệnh, thắng 50%, +1.00R, +10.00 USDT",
      "• RSI-2: chưa có lệnh",
      "• turtle: 1 lệnh, thắng 100%, +0.50R, +5.00 USDT",
    ]);
    const stats = toPlain(statsDoc(30, withCustom, models)).split("\n");
    expect(stats.filter((l) => l.startsWith("• "))).toEqual([
      "• Tiếp diễn xu hướng: 3 lệnh, thắng 50%, +1.02R",
      "• Đảo chiều Bollinger: 2 lệnh, thắng 50%, +0.50R",
      "• Phá vỡ kênh Donchian: 2 lệnh, thắng 50%, +1.00R",
      "• RSI-2: 0 lệnh, thắng —, 0.00R",
      "• turtle: 1 lệnh, thắng 100%, +0.50R",
    ]);
  });

  test("/performance lists 15 symbols and counts the rest", () => {
    const many = Array.from({ length: 18 }, (_, i) => aClosedTrade({ symbol: `C${i}USDT`, r: i / 10 }));
    const lines = toPlain(performanceDoc(30, many)).split("\n");
    expect(lines.filter((l) => /^\d+\. /.test(l))).toHaveLength(15);
    expect(lines.at(-1)).toBe("… và 3 mã khác");
  });
});

describe("the commands", () => {
  const control = (asked: number[]) =>
    Layer.succeed(
      BotControl,
      BotControl.of({
        status: Effect.succeed(status),
        recentSignals: () => Effect.succeed([aSignal()]),
        openTrades: Effect.succeed([anOpenTrade()]),
        closedTrades: (days) => Effect.sync(() => void asked.push(days)).pipe(Effect.as(trades)),
        pause: (hours) => Effect.succeed({ until: NOW + hours * HOUR }),
        resume: Effect.void,
        universe: Effect.succeed(["BTCUSDT"]),
      }),
    );
  const reply = async (text: string) => {
    const asked: number[] = [];
    const doc = await runTest(runCommand(parseCommand(text)!), control(asked), { at: NOW });
    return { doc, text: toPlain(doc), asked };
  };

  test("/profit and /performance default to every closed trade; a number of days narrows them", async () => {
    expect((await reply("/profit")).asked).toEqual([ALL_TIME_DAYS]);
    expect((await reply("/profit 30")).text).toContain("💰 Lãi/lỗ 30 ngày qua");
    expect((await reply("/performance")).asked).toEqual([ALL_TIME_DAYS]);
    expect((await reply("/performance 7")).asked).toEqual([7]);
  });

  test("/daily asks for one day more than it shows, so the oldest day is complete", async () => {
    const r = await reply("/daily 3");
    expect(r.asked).toEqual([4]);
    expect(r.text.split("\n")[1]).toBe("10/06/2025: 2 lệnh, +1.00R, +10.00 USDT");
    expect((await reply("/daily")).text).toContain("7 ngày qua");
  });

  test("bad arguments are explained and nothing is read", async () => {
    const bad = await reply("/daily 500");
    expect(bad.asked).toEqual([]);
    expect(bad.text).toBe("❓ Cách dùng: /daily [ngày] — số ngày phải là số nguyên từ 1 đến 90.");
    expect((await reply("/profit -2")).text).toBe(
      "❓ Cách dùng: /profit [ngày] — số ngày phải là số nguyên dương.",
    );
  });

  test("every command reply speaks Vietnamese", async () => {
    for (const c of [
      "/help",
      "/status",
      "/signals",
      "/trades",
      "/profit",
      "/daily",
      "/performance",
      "/stats",
      "/pause 6",
      "/resume",
      "/universe",
      "/daily x",
      "/nope",
    ])
      expect([c, foreignWordsInDoc((await reply(c)).doc)]).toEqual([c, []]);
  });
});
