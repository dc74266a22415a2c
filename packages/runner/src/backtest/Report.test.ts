import { describe, expect, test } from "bun:test";
import type { MemoryEvent } from "@signalbot/core";
import {
  aBlockedSignal,
  aBreakevenTrade,
  aLosingTrade,
  anOpenTrade,
  aSignal,
  aWinningTrade,
} from "@signalbot/core/testing";
import { renderHtml } from "./Html.ts";
import {
  type BacktestConfig,
  buildReport,
  closedInOrder,
  equityCurveOf,
  reportJson,
  statsOf,
} from "./Report.ts";
import { renderSummary } from "./Summary.ts";

const H = 3_600_000;
const T = Date.UTC(2025, 5, 1);

const config: BacktestConfig = {
  dataDir: "d",
  symbols: ["BTCUSDT", "ETHUSDT"],
  from: null,
  to: null,
  memory: true,
  costs: { takerFeeRate: 0.0005, slippageRate: 0 },
  startingEquity: 1000,
  warmupCandles: 500,
  timeoutCandles: 48,
};

describe("statsOf", () => {
  test("win rate leaves break-evens out; profit factor, expectancy and drawdown from pnl", () => {
    // +2R, −1R, 0R, −1R, +1R with 10 USDT risk: equity 1000 → 1020 → 1010 → 1010 → 1000 → 1010.
    const trades = closedInOrder([
      aWinningTrade({ r: 2, closedAt: T + 1 * H }),
      aLosingTrade({ r: -1, closedAt: T + 2 * H }),
      aBreakevenTrade({ closedAt: T + 3 * H }),
      aLosingTrade({ r: -1, closedAt: T + 4 * H, id: "second loss" }),
      aWinningTrade({ r: 1, closedAt: T + 5 * H }),
    ]);
    const s = statsOf(trades, 1000);
    expect(s.trades).toBe(5);
    expect([s.wins, s.losses, s.breakevens]).toEqual([2, 2, 1]);
    expect(s.winRate).toBe(0.5);
    expect(s.totalR).toBeCloseTo(1, 12);
    expect(s.expectancyR).toBeCloseTo(0.2, 12);
    expect(s.pnl).toBeCloseTo(10, 9);
    expect(s.profitFactor).toBeCloseTo(30 / 20, 12);
    expect(s.maxDrawdownPct).toBeCloseTo((20 / 1020) * 100, 9);
  });

  test("no trades: ratios are null, not NaN (JSON has no NaN)", () => {
    const s = statsOf([], 1000);
    expect([s.winRate, s.profitFactor, s.expectancyR]).toEqual([null, null, null]);
    expect(s.maxDrawdownPct).toBe(0);
  });

  test("the equity curve starts at the starting equity and steps at each close", () => {
    const trades = closedInOrder([
      aLosingTrade({ r: -1, closedAt: T + 2 * H }),
      aWinningTrade({ r: 3, closedAt: T + H }),
    ]);
    const curve = equityCurveOf(trades, 1000, T);
    expect(curve.map((p) => [p.time, p.equity])).toEqual([
      [T, 1000],
      [T + H, 1030],
      [T + 2 * H, 1020],
    ]);
    expect(curve[2]!.drawdownPct).toBeCloseTo((10 / 1030) * 100, 9);
  });
});

describe("buildReport", () => {
  const closed = [
    aWinningTrade({ r: 2, closedAt: T + H, symbol: "BTCUSDT", model: "continuation" }),
    aLosingTrade({ r: -1, closedAt: T + 2 * H, symbol: "ETHUSDT", model: "reversal" }),
  ];
  const open = anOpenTrade({ symbol: "ETHUSDT" });
  const memoryEvents: MemoryEvent[] = [
    { rule: "lossStreakPause", action: "fired", time: T, until: T + 12 * H },
    { rule: "lossStreakPause", action: "relaxed", time: T + 12 * H },
    { rule: "symbolCooldown", action: "fired", time: T, scope: "ETHUSDT", until: T + 24 * H },
  ];
  const report = buildReport({
    config,
    symbols: ["BTCUSDT", "ETHUSDT"],
    candles: {
      total: 10,
      warmup: 0,
      bySymbol: { BTCUSDT: { "30m": 5 }, ETHUSDT: { "30m": 5 } },
      missing: {},
    },
    period: { start: T, end: T + 5 * H },
    signals: [
      aSignal(),
      aBlockedSignal("lossStreakPause"),
      aBlockedSignal("lossStreakPause"),
      aBlockedSignal("dailyCap"),
    ],
    trades: [...closed, open],
    tradeEvents: [],
    memoryEvents,
    warnings: [],
  });

  test("totals, per model and per symbol agree; open trades are counted apart", () => {
    expect(report.summary.trades).toBe(2);
    expect(report.summary.openTrades).toBe(1);
    expect(report.byModel.continuation.trades + report.byModel.reversal.trades).toBe(2);
    expect(report.bySymbol.BTCUSDT!.totalR + report.bySymbol.ETHUSDT!.totalR).toBeCloseTo(
      report.summary.totalR,
      12,
    );
    expect(report.summary.finalEquity).toBeCloseTo(1010, 9);
    expect(report.equityCurve.at(-1)!.equity).toBe(report.summary.finalEquity);
  });

  test("memory activity counts rules and blocked reasons", () => {
    expect(report.memory.pauses).toBe(1);
    expect(report.memory.cooldowns).toBe(1);
    expect(report.memory.byRule.lossStreakPause).toEqual({ fired: 1, relaxed: 1 });
    expect(report.memory.blockedSignals).toBe(3);
    expect(report.memory.blockedByReason).toEqual({ dailyCap: 1, lossStreakPause: 2 });
  });

  test("JSON carries the schema version and no NaN/Infinity", () => {
    const json = reportJson(report);
    expect(JSON.parse(json).schemaVersion).toBe(1);
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(reportJson(report)).toBe(json);
  });

  test("summary and HTML render the figures", () => {
    const text = renderSummary(report);
    expect(text).toContain("Trades 2 (1 won, 1 lost, 0 break-even, 1 still open)");
    expect(text).toContain("Memory: 1 pauses, 1 symbol cooldowns");
    const html = renderHtml(report);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
  });
});
