/**
 * On the project's own data (every committed fixture, 2025, Binance's fee and slippage), every trade the
 * backtest takes is one a trader could take: its round trip cost at most MAX_COST_R (0.2 R) and its position
 * needed at most MAX_LEVERAGE (10×) — measured on the trades' own fills, not on the gate's estimate; and when
 * the daily cap binds on a close, the setups that got the slots outrank those it blocked.
 */
import { describe, expect, test } from "bun:test";
import {
  compareSetups,
  DEFAULT_COSTS,
  DEFAULT_MAX_COST_R,
  DEFAULT_MAX_LEVERAGE,
  MODEL_PREFERENCE,
  type Signal,
} from "@signalbot/core";
import { Effect } from "effect";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
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

describe("the committed fixtures, 2025, through the backtest", async () => {
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

  test("every trade costs ≤ 0.2 R in fees and slippage and needs ≤ 10× leverage", () => {
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
  });

  test("when the daily cap binds on a close, the setups that got the slots outrank the ones it blocked", () => {
    const byClose = new Map<number, Signal[]>();
    for (const s of report.signals) byClose.set(s.createdAt, [...(byClose.get(s.createdAt) ?? []), s]);
    // Ahead: the preferred model while preferred (memory rule 5b), else compareSetups (score, R:R, A→Z).
    const ahead = (a: Signal, b: Signal) =>
      (a.setup.model === MODEL_PREFERENCE.model && b.setup.model !== MODEL_PREFERENCE.model) ||
      compareSetups(a.setup, b.setup) < 0;
    let contested = 0;
    const wrong: string[] = [];
    for (const signals of byClose.values()) {
      const capped = signals.filter((s) => s.blockedBy?.code === "dailyCap");
      const taken = signals.filter((s) => s.status === "emitted");
      if (capped.length === 0 || taken.length === 0) continue;
      contested++;
      for (const t of taken)
        for (const c of capped)
          if (!ahead(t, c)) wrong.push(`${t.key} ${t.setup.score} over ${c.key} ${c.setup.score}`);
    }
    // On main before #12 this was 12 closes, 8 of them won by a lower score (the alphabetically earlier symbol).
    expect(contested).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });
});
