/**
 * The backtest's text summary for stdout: the verdict in R with its confidence interval, money and risk
 * beside it, then the same per model, symbol, exit reason, score band and month, and what the memory layer
 * did. Plain aligned columns so it reads in a terminal and pastes into an issue.
 */
import { dayMinute, describeSkip, isoDay } from "../live/Describe.ts";
import type { BacktestReport, Stats } from "./Report.ts";

export const pct = (v: number | null): string => (v === null ? "–" : `${(v * 100).toFixed(1)}%`);
export const num = (v: number | null, digits = 2): string => (v === null ? "–" : v.toFixed(digits));
export const signed = (v: number | null, digits = 2): string =>
  v === null ? "–" : v > 0 ? `+${v.toFixed(digits)}` : v.toFixed(digits);
export const interval = (ci: readonly [number, number] | null): string =>
  ci === null ? "–" : `${signed(ci[0])} … ${signed(ci[1])}`;

/** The columns of a `Stats` row (the first names the row). */
export const HEADER = ["", "trades", "win rate", "exp. R", "95% CI", "PF (R)", "total R", "max DD R", "pnl"];

export const row = (name: string, s: Stats): string[] => [
  name,
  String(s.trades),
  pct(s.winRate),
  signed(s.expectancyR),
  interval(s.expectancyCi95),
  num(s.profitFactor),
  signed(s.totalR),
  s.maxDrawdownR.toFixed(2),
  signed(s.pnl),
];

/** Right-aligned columns except the first (and those in `left`). */
export const table = (rows: readonly (readonly string[])[], left: readonly number[] = [0]): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
};

export const renderSummary = (report: BacktestReport): string => {
  const s = report.summary;
  const m = report.memory;
  const c = report.config;
  const lines: string[] = [];
  lines.push(
    `Backtest ${dayMinute(report.period.start)} → ${dayMinute(report.period.end)} UTC · ${report.symbols.length} symbols · ` +
      `${report.candles.total.toLocaleString("en-US")} candles · memory ${m.enabled ? "on" : "off"} · ` +
      `fee ${(c.costs.takerFeeRate * 100).toFixed(3)}%/fill + slippage ${(c.costs.slippageRate * 100).toFixed(3)}%/fill · ` +
      `funding ${c.funding} · gates: cost ≤ ${c.gates.maxCostR} R, leverage ≤ ${c.gates.maxLeverage}×`,
  );
  const rot = c.rotation;
  if (rot !== null) {
    const share = Object.entries(report.candles.analysed)
      .map(([sym, n]) => {
        const all = report.candles.bySymbol[sym]?.["30m"] ?? 0;
        return all > 0 ? `${sym} ${((n / all) * 100).toFixed(0)}%` : undefined;
      })
      .filter((x) => x !== undefined);
    lines.push(
      `Rotation as live: at most ${rot.maxSymbols} symbols watched (fixed ${rot.fixed.join(",") || "none"}, pinned while a trade is open, ` +
        `the rest a window of the 24 h quote-volume ranking moving every ${rot.slotSeconds / 60} min, re-ranked every ${rot.refreshSeconds / 3600} h); ` +
        `30m candles analysed: ${share.join(", ")}`,
    );
  }
  lines.push("");
  lines.push(
    `Trades ${s.trades} (${s.wins} won, ${s.losses} lost, ${s.breakevens} break-even${s.openTrades > 0 ? `, ${s.openTrades} still open` : ""}) · ` +
      `win rate ${pct(s.winRate)} · expectancy ${signed(s.expectancyR)} R (95% CI ${interval(s.expectancyCi95)}, t ${num(s.tStat)}) · ` +
      `total ${signed(s.totalR)} R · profit factor ${num(s.profitFactor)} (R)`,
  );
  lines.push(
    `Money: equity ${s.startingEquity.toFixed(2)} → ${s.finalEquity.toFixed(2)} closed, ${s.markedEquity.toFixed(2)} marked · ` +
      `pnl ${signed(s.pnl)} · fees ${s.fees.toFixed(2)} · funding ${s.fundingPaid >= 0 ? `paid ${s.fundingPaid.toFixed(2)}` : `received ${(-s.fundingPaid).toFixed(2)}`} · ` +
      `profit factor ${num(s.profitFactorPnl)}`,
  );
  lines.push(
    `Risk: max drawdown ${s.maxDrawdownPct.toFixed(2)}% mark-to-market` +
      (s.maxDrawdownFrom === null
        ? ""
        : ` (${dayMinute(s.maxDrawdownFrom)} → ${dayMinute(s.maxDrawdownTo)})`) +
      `, ${s.maxDrawdownClosedPct.toFixed(2)}% on closed trades · Sharpe ${num(s.sharpe)} · Sortino ${num(s.sortino)} · ` +
      `CAGR ${signed(s.cagrPct, 1)}% · Calmar ${num(s.calmar)}`,
  );
  if (s.openTrades > 0)
    lines.push(
      `Open at the end: ${s.openTrades} trade(s) valued at the last close, ${signed(s.openR)} R (${signed(s.openPnl)})`,
    );
  if (s.gapFills.open + s.gapFills.data > 0)
    lines.push(
      `Gap fills: ${s.gapFills.open} stop(s) filled at a gapped open, ${s.gapFills.data} trade(s) closed at the last price before a data gap`,
    );
  lines.push("");
  lines.push(
    table([HEADER, row("all", s), ...Object.entries(report.byModel).map(([name, st]) => row(name, st))]),
  );
  lines.push("");
  lines.push(
    table([
      ["symbol", ...HEADER.slice(1), "buy & hold"],
      ...Object.entries(report.bySymbol).map(([name, st]) => {
        const hold = report.buyAndHold[name];
        return [...row(name, st), hold === undefined ? "–" : `${signed(hold.returnPct, 1)}%`];
      }),
    ]),
  );
  const reasons = Object.entries(report.byExitReason);
  if (reasons.length > 0) {
    lines.push("");
    lines.push(table([["exit", ...HEADER.slice(1)], ...reasons.map(([name, st]) => row(name, st))]));
  }
  const bands = Object.entries(report.byScoreBand);
  if (bands.length > 0) {
    lines.push("");
    lines.push(table([["score", ...HEADER.slice(1)], ...bands.map(([name, st]) => row(name, st))]));
  }
  const months = Object.entries(report.byMonth);
  if (months.length > 0) {
    lines.push("");
    lines.push(
      table([
        ["month", ...HEADER.slice(1), "equity"],
        ...months.map(([name, st]) => [
          ...row(name, st),
          st.returnPct === null ? "–" : `${signed(st.returnPct, 1)}%`,
        ]),
      ]),
    );
  }
  lines.push("");
  const signals = report.signals.length;
  const emitted = signals - m.blockedSignals;
  lines.push(`Signals ${signals}: ${emitted} emitted, ${m.blockedSignals} blocked`);
  const blocked = Object.entries(m.blockedByReason);
  if (blocked.length > 0)
    lines.push(`  blocked by: ${blocked.map(([code, n]) => `${code} ${n}`).join(", ")}`);
  lines.push(
    m.enabled
      ? `Memory: ${m.pauses} pauses, ${m.cooldowns} symbol cooldowns, ${m.modelDisables} model disables, ` +
          `${m.thresholdRaises} threshold raises, ${m.signalCaps} daily-cap cuts, ${m.riskCuts} risk cuts`
      : "Memory: off (--no-memory)",
  );
  for (const p of report.universe.skipped)
    lines.push(
      `universe: skipped "${p.symbol}" ${isoDay(p.from)} → ${isoDay(p.to - 1)}: ${describeSkip(p.skip)} (its first day)`,
    );
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
};
