import { describe, expect, test } from "bun:test";
import {
  advanceTrade,
  type Candle,
  type CostModel,
  candleTick,
  flatFunding,
  type MemoryEvent,
  openTrade,
  type Setup,
  type Signal,
  type VirtualTrade,
} from "@signalbot/core";
import {
  aBlockedSignal,
  aBreakevenTrade,
  aLosingTrade,
  aSignal,
  aWinningTrade,
} from "@signalbot/core/testing";
import { markedEquity, type PriceSeries, type ReportMarket } from "./Equity.ts";
import { renderHtml } from "./Html.ts";
import {
  type BacktestConfig,
  buildReport,
  closedInOrder,
  equityCurveOf,
  type ReplayRecord,
  reportJson,
  statsOf,
} from "./Report.ts";
import { renderSummary } from "./Summary.ts";

const H = 3_600_000;
const M30 = 30 * 60_000;
const T = Date.UTC(2025, 5, 1);
const COSTS: CostModel = { takerFeeRate: 0.0005, slippageRate: 0.0002, funding: flatFunding(0.0001) };

const config: BacktestConfig = {
  dataDir: "d",
  symbols: ["BTCUSDT", "ETHUSDT"],
  from: null,
  to: null,
  memory: true,
  costs: { takerFeeRate: COSTS.takerFeeRate, slippageRate: COSTS.slippageRate },
  gates: { maxCostR: 0.2, maxLeverage: 10 },
  startingEquity: 1000,
  warmupCandles: 500,
  timeoutCandles: 48,
  rotation: null,
};

/** 30m candles from `T`: each opens at the previous close and moves to the given close; wicks 0.1 beyond. */
const candlesOf = (closes: readonly number[], first = 100): Candle[] =>
  closes.map((close, i) => {
    const open = i === 0 ? first : closes[i - 1]!;
    return {
      openTime: T + i * M30,
      open,
      high: Math.max(open, close) + 0.1,
      low: Math.min(open, close) - 0.1,
      close,
      volume: 1,
      closeTime: T + (i + 1) * M30 - 1,
    };
  });

const seriesOf = (candles: readonly Candle[]): PriceSeries => ({
  length: candles.length,
  openTime: candles.map((c) => c.openTime),
  open: candles.map((c) => c.open),
  high: candles.map((c) => c.high),
  low: candles.map((c) => c.low),
  close: candles.map((c) => c.close),
  closeTime: candles.map((c) => c.closeTime),
});

/** The signal at the close of candle `at` and its trade followed through the later candles, as the engine does. */
const traded = (candles: readonly Candle[], at: number, over: Partial<Setup>, quantity = 2) => {
  const trigger = candles[at]!;
  const signal = aSignal(
    { candleOpenTime: trigger.openTime, time: trigger.closeTime + 1, entry: trigger.close, ...over },
    quantity,
  );
  let trade: VirtualTrade = openTrade(signal, COSTS);
  for (const c of candles.slice(at + 1))
    trade = advanceTrade(trade, candleTick(c, true), { costs: COSTS, timeoutCandles: 48 }).trade;
  return { signal, trade };
};

// BTCUSDT: 100 for an hour, dips to 96 (the open trade loses 8 unrealised), then climbs to 116 (TP3 115).
const btcCloses = [100, 100, 98, 96, 97, 100, 103, 106, 109, 112, 116, ...Array(37).fill(116)];
// ETHUSDT: 50, rises slowly; its trade is still open at the end.
const ethCloses = Array.from({ length: 48 }, (_, i) => 50 + i * 0.05);
const btc = candlesOf(btcCloses);
const eth = candlesOf(ethCloses, 50);
const win = traded(btc, 1, { symbol: "BTCUSDT", stop: 95, targets: [105, 110, 115], score: 86.5 });
const open = traded(eth, 10, { symbol: "ETHUSDT", stop: 48, targets: [53, 56, 59], score: 78 });

const market: ReportMarket = {
  candles: new Map([
    ["BTCUSDT", seriesOf(btc)],
    ["ETHUSDT", seriesOf(eth)],
  ]),
  funding: COSTS.funding!,
};

const memoryEvents: MemoryEvent[] = [
  { rule: "lossStreakPause", action: "fired", time: T, until: T + 12 * H, data: { losses: 3, tradeId: "a" } },
  { rule: "lossStreakPause", action: "relaxed", time: T + 12 * H, until: T + 12 * H },
  {
    rule: "symbolCooldown",
    action: "fired",
    time: T,
    scope: "ETHUSDT",
    until: T + 24 * H,
    data: { losses: 2, tradeId: "b" },
  },
];
const signals: Signal[] = [
  win.signal,
  open.signal,
  aBlockedSignal("lossStreakPause"),
  aBlockedSignal("lossStreakPause"),
  aBlockedSignal("dailyCap"),
];
const record: ReplayRecord = {
  config,
  symbols: ["BTCUSDT", "ETHUSDT"],
  candles: {
    total: 96,
    warmup: 0,
    bySymbol: { BTCUSDT: { "30m": 48 }, ETHUSDT: { "30m": 48 } },
    missing: {},
    analysed: { BTCUSDT: 48, ETHUSDT: 48 },
  },
  period: { start: T, end: T + 48 * M30 },
  signals,
  trades: [win.trade, open.trade],
  tradeEvents: [],
  memoryEvents,
  universe: { filter: null, skipped: [] },
  warnings: [],
};
const report = buildReport(record, market);

describe("statsOf", () => {
  test("in R: win rate without break-evens, expectancy with its interval, profit factor and drawdown of cumulative R", () => {
    // +2R, −1R, 0R, −1R, +1R: cumulative R 2, 1, 1, 0, 1 → max drawdown 2 R.
    const trades = closedInOrder([
      aWinningTrade({ r: 2, closedAt: T + 1 * H }),
      aLosingTrade({ r: -1, closedAt: T + 2 * H }),
      aBreakevenTrade({ closedAt: T + 3 * H }),
      aLosingTrade({ r: -1, closedAt: T + 4 * H, id: "second loss" }),
      aWinningTrade({ r: 1, closedAt: T + 5 * H }),
    ]);
    const s = statsOf(trades);
    expect(s.trades).toBe(5);
    expect([s.wins, s.losses, s.breakevens]).toEqual([2, 2, 1]);
    expect(s.winRate).toBe(0.5);
    expect(s.totalR).toBeCloseTo(1, 12);
    expect(s.expectancyR).toBeCloseTo(0.2, 12);
    expect(s.profitFactor).toBeCloseTo(3 / 2, 12);
    expect(s.maxDrawdownR).toBeCloseTo(2, 12);
    // sample sd of [2, −1, 0, −1, 1] = √(6.8 / 4); t(0.975, 4) = 2.776
    const se = Math.sqrt(6.8 / 4) / Math.sqrt(5);
    expect(s.expectancyStdErr!).toBeCloseTo(se, 12);
    expect(s.expectancyCi95![0]).toBeCloseTo(0.2 - 2.776445 * se, 5);
    expect(s.expectancyCi95![1]).toBeCloseTo(0.2 + 2.776445 * se, 5);
    expect(s.tStat!).toBeCloseTo(0.2 / se, 12);
    expect(s.pnl).toBeCloseTo(10, 9);
  });

  test("profit factor is in R, not in money: a big-risk loss does not hide two small-risk wins", () => {
    // +1R on 5 USDT risk twice, −1R on 20 USDT: PF in R 2, in money 0.5.
    const s = statsOf([
      aWinningTrade({ r: 1, riskAmount: 5, closedAt: T }),
      aWinningTrade({ r: 1, riskAmount: 5, closedAt: T + H, id: "b" }),
      aLosingTrade({ r: -1, riskAmount: 20, closedAt: T + 2 * H }),
    ]);
    expect(s.profitFactor).toBe(2);
    expect(s.profitFactorPnl).toBe(0.5);
  });

  test("no trades: ratios are null, not NaN (JSON has no NaN)", () => {
    const s = statsOf([]);
    expect([s.winRate, s.profitFactor, s.expectancyR, s.expectancyCi95, s.tStat]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(s.maxDrawdownR).toBe(0);
  });

  test("the closed-trade equity curve starts at the starting equity and steps at each close", () => {
    const trades = closedInOrder([
      aLosingTrade({ r: -1, closedAt: T + 2 * H }),
      aWinningTrade({ r: 3, closedAt: T + H }),
    ]);
    expect(equityCurveOf(trades, 1000, T).map((p) => [p.time, p.equity])).toEqual([
      [T, 1000],
      [T + H, 1030],
      [T + 2 * H, 1020],
    ]);
  });
});

describe("buildReport", () => {
  test("the setup: one BTCUSDT winner (TP3 after a dip to 96) and one ETHUSDT trade still open", () => {
    expect(win.trade).toMatchObject({ status: "closed", exitReason: "tp3" });
    expect(open.trade.status).toBe("open");
  });

  test("max drawdown is mark-to-market: the winner's dip to 96 shows, which closed trades alone hide", () => {
    const s = report.summary;
    expect(s.maxDrawdownClosedPct).toBe(0);
    // At the 96 close the open trade is worth (96 − entry fill) × 2 − entry fee − nothing else yet.
    const entry = win.trade.fills[0]!;
    const low = 1000 + (96 - entry.price) * 2 - entry.fee;
    expect(s.maxDrawdownPct).toBeCloseTo(((1000 - low) / 1000) * 100, 9);
    expect(s.maxDrawdownPct).toBeGreaterThan(s.maxDrawdownClosedPct + 0.5);
    expect(s.maxDrawdownFrom).toBe(T);
    expect(s.maxDrawdownTo).toBe(T + 4 * M30);
  });

  test("marked equity in R: closed trades' R plus the open ones' R so far, the same dip in units of risk", () => {
    const r = markedEquity([win.trade, open.trade], market, 0, T, T + 48 * M30, "R");
    const money = markedEquity([win.trade, open.trade], market, 1000, T, T + 48 * M30);
    const entry = win.trade.fills[0]!;
    // At the 96 close: (96 − entry fill) × 2 − entry fee, over the 5 × 2 at risk.
    expect(Math.min(...r.equity)).toBeCloseTo(((96 - entry.price) * 2 - entry.fee) / win.trade.riskAmount, 9);
    expect(Math.min(...money.equity)).toBeCloseTo(1000 + (96 - entry.price) * 2 - entry.fee, 9);
    const o = report.openAtEnd[0]!;
    expect(r.equity.at(-1)!).toBeCloseTo(win.trade.rMultiple! + o.rMultiple, 9);
  });

  test("a trade open at the end is valued at its symbol's last close, listed, and in the marked equity", () => {
    const s = report.summary;
    expect(s.trades).toBe(1);
    expect(s.openTrades).toBe(1);
    const [o] = report.openAtEnd;
    const entry = open.trade.fills[0]!;
    const last = ethCloses.at(-1)!;
    // Opened at 05:30, still held at the end (24:00): the 08:00, 16:00 and 00:00 settlements on 2 × entry price.
    const funding = 3 * 0.0001 * entry.price * 2;
    expect(o).toMatchObject({
      id: open.trade.id,
      symbol: "ETHUSDT",
      markPrice: last,
      markTime: T + 48 * M30,
    });
    expect(o!.funding).toBeCloseTo(funding, 12);
    expect(o!.pnl).toBeCloseTo((last - entry.price) * 2 - entry.fee - funding, 12);
    expect(o!.rMultiple).toBeCloseTo(o!.pnl / open.trade.riskAmount, 12);
    expect(s.openPnl).toBeCloseTo(o!.pnl, 12);
    expect(s.markedEquity).toBeCloseTo(s.finalEquity + o!.pnl, 9);
    expect(report.equityDaily.at(-1)!.equity).toBeCloseTo(s.markedEquity, 9);
    expect(s.fundingPaid).toBeCloseTo(win.trade.funding! + funding, 12);
  });

  test("groups add up: by model, symbol, month, exit reason and score band", () => {
    const s = report.summary;
    for (const groups of [
      report.byModel,
      report.bySymbol,
      report.byMonth,
      report.byExitReason,
      report.byScoreBand,
    ]) {
      const all = Object.values(groups);
      expect(all.reduce((n, g) => n + g.trades, 0)).toBe(s.trades);
      expect(all.reduce((n, g) => n + g.totalR, 0)).toBeCloseTo(s.totalR, 12);
    }
    expect(Object.keys(report.byScoreBand)).toEqual(["85-90"]);
    expect(report.byScoreBand["85-90"]).toMatchObject({ from: 85, to: 90, trades: 1 });
    expect(Object.keys(report.byExitReason)).toEqual(["tp3"]);
    expect(Object.keys(report.byMonth)).toEqual(["2025-06"]);
    expect(report.byMonth["2025-06"]!.returnPct!).toBeCloseTo((s.markedEquity / 1000 - 1) * 100, 9);
    expect(report.trades.map((t) => t.score)).toEqual([86.5, 78]);
  });

  test("buy and hold per symbol: first open to last close of the period", () => {
    expect(report.buyAndHold.BTCUSDT).toMatchObject({ from: T, to: T + 48 * M30, open: 100, close: 116 });
    expect(report.buyAndHold.BTCUSDT!.returnPct).toBeCloseTo(16, 12);
    expect(report.buyAndHold.ETHUSDT!.returnPct).toBeCloseTo((ethCloses.at(-1)! / 50 - 1) * 100, 9);
  });

  test("daily figures: one point per UTC day; Sharpe needs two days, CAGR and Calmar from the marked equity", () => {
    expect(report.equityDaily.map((d) => d.time)).toEqual([T]);
    expect(report.summary.sharpe).toBeNull();
    expect(report.summary.days).toBe(1);
    expect(report.summary.cagrPct!).toBeCloseTo(
      ((report.summary.markedEquity / 1000) ** 365.25 - 1) * 100,
      6,
    );
    expect(report.summary.calmar!).toBeCloseTo(report.summary.cagrPct! / report.summary.maxDrawdownPct, 9);
  });

  test("memory activity counts rules and blocked reasons", () => {
    expect(report.memory.pauses).toBe(1);
    expect(report.memory.cooldowns).toBe(1);
    expect(report.memory.byRule.lossStreakPause).toEqual({ fired: 1, relaxed: 1 });
    expect(report.memory.blockedSignals).toBe(3);
    expect(report.memory.blockedByReason).toEqual({ dailyCap: 1, lossStreakPause: 2 });
  });

  test("JSON: schema version 2, the documented fields, no NaN/Infinity, byte-stable", () => {
    const json = reportJson(report);
    const parsed = JSON.parse(json);
    expect(parsed.schemaVersion).toBe(2);
    for (const key of ["expectancyR", "expectancyCi95", "trades", "maxDrawdownPct", "fundingPaid"])
      expect(parsed.summary).toHaveProperty(key);
    for (const key of ["byScoreBand", "byMonth", "byExitReason", "buyAndHold", "openAtEnd", "equityDaily"])
      expect(parsed).toHaveProperty(key);
    expect(parsed.config.funding).toBe("flat 0.0100 %/8h");
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(reportJson(buildReport(record, market))).toBe(json);
  });

  test("a record without a period (no candles in the window) still reports", () => {
    const empty = buildReport(
      { ...record, period: { start: null, end: null }, trades: [], signals: [] },
      market,
    );
    expect(empty.summary).toMatchObject({ trades: 0, markedEquity: 1000, maxDrawdownPct: 0, openTrades: 0 });
    expect(reportJson(empty)).not.toMatch(/NaN|Infinity/);
  });
});

describe("rendering", () => {
  test("the summary leads with R and its interval, then money and mark-to-market risk", () => {
    const text = renderSummary(report);
    expect(text).toContain("Trades 1 (1 won, 0 lost, 0 break-even, 1 still open)");
    expect(text).toMatch(/expectancy \+\d\.\d\d R \(95% CI –, t –\)/);
    expect(text).toContain(`max drawdown ${report.summary.maxDrawdownPct.toFixed(2)}% mark-to-market`);
    expect(text).toContain("Open at the end: 1 trade(s)");
    expect(text).toContain("funding flat 0.0100 %/8h");
    expect(text).toContain("Memory: 1 pauses, 1 symbol cooldowns");
  });

  test("HTML: self-contained, a sortable trade list, one candle chart per trade with its levels", () => {
    const html = renderHtml(report, market);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<link|<img|src=|https?:\/\//);
    expect(html).toContain('<table class="trades">');
    expect(html).toContain("<script>");
    expect(html.match(/<figure id="trade-\d+">/g)?.length).toBe(2);
    expect(html.match(/<svg /g)?.length).toBe(2 + 2);
    const chart = html.slice(html.indexOf('<figure id="trade-1">'), html.indexOf('<figure id="trade-2">'));
    for (const label of ["SL 95.0000", "TP1 105.0000", "TP2 110.0000", "TP3 115.0000", "entry 100.0000"])
      expect(chart).toContain(label);
    expect(chart.match(/<circle /g)?.length).toBe(win.trade.fills.length);
    expect(html.match(/<tr><td data-v="\d+"><a href="#trade-\d+">/g)?.length).toBe(2);
  });
});
