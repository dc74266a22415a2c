/**
 * The backtest's text summary for stdout: totals, the same per model and per symbol, and what the memory
 * layer did. Plain aligned columns so it reads in a terminal and pastes into an issue.
 */
import type { BacktestReport, Stats } from "./Report.ts";

const pct = (v: number | null): string => (v === null ? "–" : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 2): string => (v === null ? "–" : v.toFixed(digits));
const signed = (v: number, digits = 2): string => (v > 0 ? `+${v.toFixed(digits)}` : v.toFixed(digits));

const HEADER = ["", "trades", "win rate", "PF", "exp. R", "total R", "pnl", "max DD"];

const row = (name: string, s: Stats): string[] => [
  name,
  String(s.trades),
  pct(s.winRate),
  num(s.profitFactor),
  s.expectancyR === null ? "–" : signed(s.expectancyR),
  signed(s.totalR),
  signed(s.pnl),
  `${s.maxDrawdownPct.toFixed(1)}%`,
];

/** Right-aligned columns except the first. */
export const table = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "),
    )
    .join("\n");
};

const day = (t: number | null): string =>
  t === null ? "–" : new Date(t).toISOString().slice(0, 16).replace("T", " ");

export const renderSummary = (report: BacktestReport): string => {
  const s = report.summary;
  const m = report.memory;
  const lines: string[] = [];
  lines.push(
    `Backtest ${day(report.period.start)} → ${day(report.period.end)} UTC · ${report.symbols.length} symbols · ` +
      `${report.candles.total.toLocaleString("en-US")} candles · memory ${m.enabled ? "on" : "off"} · ` +
      `fee ${(report.config.costs.takerFeeRate * 100).toFixed(3)}%/fill` +
      (report.config.costs.slippageRate > 0
        ? ` + slippage ${(report.config.costs.slippageRate * 100).toFixed(3)}%`
        : ""),
  );
  lines.push("");
  lines.push(
    `Trades ${s.trades} (${s.wins} won, ${s.losses} lost, ${s.breakevens} break-even${s.openTrades > 0 ? `, ${s.openTrades} still open` : ""}) · ` +
      `win rate ${pct(s.winRate)} · profit factor ${num(s.profitFactor)} · expectancy ${s.expectancyR === null ? "–" : signed(s.expectancyR)} R · ` +
      `total ${signed(s.totalR)} R`,
  );
  lines.push(
    `Equity ${s.startingEquity.toFixed(2)} → ${s.finalEquity.toFixed(2)} (${signed(s.pnl)}, fees ${s.fees.toFixed(2)}) · ` +
      `max drawdown ${s.maxDrawdownPct.toFixed(2)}%`,
  );
  lines.push("");
  lines.push(
    table([HEADER, row("all", s), ...Object.entries(report.byModel).map(([name, st]) => row(name, st))]),
  );
  lines.push("");
  lines.push(
    table([
      ["symbol", ...HEADER.slice(1)],
      ...Object.entries(report.bySymbol).map(([name, st]) => row(name, st)),
    ]),
  );
  lines.push("");
  const signals = report.signals.length;
  const emitted = signals - m.blockedSignals;
  lines.push(`Signals ${signals}: ${emitted} emitted, ${m.blockedSignals} blocked`);
  const reasons = Object.entries(m.blockedByReason);
  if (reasons.length > 0)
    lines.push(`  blocked by: ${reasons.map(([code, n]) => `${code} ${n}`).join(", ")}`);
  lines.push(
    m.enabled
      ? `Memory: ${m.pauses} pauses, ${m.cooldowns} symbol cooldowns, ${m.modelDisables} model disables, ` +
          `${m.thresholdRaises} threshold raises, ${m.signalCaps} daily-cap cuts, ${m.riskCuts} risk cuts`
      : "Memory: off (--no-memory)",
  );
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
};
