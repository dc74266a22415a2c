/**
 * On the project's own data (every committed fixture, 2025, Binance's fee and slippage), every trade the
 * backtest takes is one a trader could take: its round trip cost at most MAX_COST_R (0.2 R) and its position
 * needed at most MAX_LEVERAGE (10×) — measured on the trades' own fills, not on the gate's estimate.
 */
import { expect, test } from "bun:test";
import { DEFAULT_COSTS, DEFAULT_MAX_COST_R, DEFAULT_MAX_LEVERAGE } from "@signalbot/core";
import { FIXTURE_KLINES_DIR } from "@signalbot/core/testing";
import { Effect } from "effect";
import { runBacktest } from "./Backtest.ts";
import type { BacktestReport } from "./Report.ts";

/**
 * What a trade paid in fees and slippage, in R. A fill's notional is its fee ÷ the fee rate; its slippage is at
 * most slippage ÷ (1 − slippage) of that notional (the fill moved from the level by the slippage rate).
 */
const frictionR = (t: BacktestReport["trades"][number]): number => {
  const { takerFeeRate: fee, slippageRate: slip } = DEFAULT_COSTS;
  let paid = 0;
  for (const f of t.fills) paid += f.fee + (f.fee / fee) * (slip / (1 - slip));
  return paid / t.riskAmount;
};

test("every backtest trade on the committed fixtures costs ≤ 0.2 R and needs ≤ 10× leverage", async () => {
  const { report } = await Effect.runPromise(
    runBacktest({
      dataDir: FIXTURE_KLINES_DIR,
      symbols: [],
      memory: true,
      costs: { takerFeeRate: DEFAULT_COSTS.takerFeeRate, slippageRate: DEFAULT_COSTS.slippageRate },
      fundingRate: 0.0001,
      progress: "never",
    }),
  );
  expect(report.config.gates).toEqual({ maxCostR: DEFAULT_MAX_COST_R, maxLeverage: DEFAULT_MAX_LEVERAGE });
  // Meaningful: a year of trades on many symbols.
  expect(report.trades.length).toBeGreaterThan(100);
  expect(new Set(report.trades.map((t) => t.symbol)).size).toBeGreaterThanOrEqual(8);
  const tooCostly = report.trades.filter((t) => frictionR(t) > DEFAULT_MAX_COST_R);
  expect(tooCostly.map((t) => `${t.id} ${frictionR(t).toFixed(3)} R`)).toEqual([]);
  const emitted = report.signals.filter((s) => s.status === "emitted");
  expect(emitted.length).toBe(report.trades.length);
  const tooLeveraged = emitted.filter((s) => (s.sizing?.leverage ?? Number.POSITIVE_INFINITY) > 10);
  expect(tooLeveraged.map((s) => `${s.key} ${s.sizing?.leverage}×`)).toEqual([]);
}, 60_000);
