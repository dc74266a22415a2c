/**
 * The walk-forward's text summary for stdout: what was searched and how it chose, every fold's out-of-sample
 * result, the pooled verdict with its confidence interval beside the in-sample figure it came from, how
 * stable the choices were, and the ablation and raw-setup tables when asked for.
 */
import { HEADER, interval, num, pct, row, signed, table } from "../backtest/Summary.ts";
import { isoDay } from "../live/Describe.ts";
import { describePatch } from "./RunConfig.ts";
import type { OosStats, WalkForwardReport } from "./WalkForwardReport.ts";

const OOS_HEADER = ["trades", "exp. R", "95% CI", "PF (R)", "total R", "DD R (mtm)", "signals/day"];

const oosCells = (s: OosStats): string[] => [
  `${s.trades}${s.openAtEnd > 0 ? `+${s.openAtEnd}` : ""}`,
  signed(s.expectancyR),
  interval(s.expectancyCi95),
  num(s.profitFactor),
  signed(s.totalR),
  s.maxDrawdownMarkedR.toFixed(2),
  s.signalsPerDay.toFixed(2),
];

export const renderWalkForward = (r: WalkForwardReport): string => {
  const c = r.config;
  const lines: string[] = [];
  const searched = Object.keys(c.grid.parameters);
  lines.push(
    `Walk-forward ${isoDay(c.period.from)} → ${isoDay(c.period.to)} UTC · ${c.symbols.length} symbols · train ${c.train}, test ${c.test} · ${r.folds.length} folds`,
  );
  lines.push(
    `Search: ${c.search.kind === "grid" ? "grid" : `random (${c.search.samples} samples, seed ${c.search.seed})`} · ` +
      `${c.search.candidates} candidate(s) of ${c.search.space}${searched.length > 0 ? ` over ${searched.join(", ")}` : " (the defaults)"}` +
      `${Object.keys(c.grid.fixed).length > 0 ? ` · fixed ${describePatch(c.grid.fixed)}` : ""}`,
  );
  lines.push(
    `Objective: ${c.objective.describe} (${c.objective.name}), at least ${c.objective.minTrades} closed training trades` +
      `${c.fit === null ? "" : ` · fit step: ${c.fit}`}`,
  );
  lines.push(
    `Costs: fee ${(c.costs.takerFeeRate * 100).toFixed(3)}%/fill + slippage ${(c.costs.slippageRate * 100).toFixed(3)}%/fill · funding ${c.funding}`,
  );
  lines.push("");
  lines.push(
    "Out of sample (test windows only; trades+still open at the end; DD R = max drawdown of the marked cumulative R):",
  );
  lines.push(
    table(
      [
        ["fold", "test window", "train n", "train obj.", ...OOS_HEADER, "chosen"],
        ...r.folds.map((f) => [
          String(f.index),
          `${isoDay(f.test.from)} → ${isoDay(f.test.to)}${f.partial ? " (partial)" : ""}`,
          f.chosen === null ? "–" : String(f.chosen.training.trades),
          f.chosen === null ? "–" : signed(f.chosen.training.objective),
          ...oosCells(f),
          f.chosen === null ? "none eligible: no trades" : describePatch(f.chosen.patch),
        ]),
        ["pooled", `${r.pooled.days.toFixed(0)} days`, "", "", ...oosCells(r.pooled), ""],
      ],
      [0, 1, 11],
    ),
  );
  const p = r.pooled;
  const chosen = r.folds.flatMap((f) => (f.chosen === null ? [] : [f.chosen.training]));
  const inSample = chosen.flatMap((t) => (t.expectancyR === null ? [] : [t.expectancyR]));
  lines.push("");
  lines.push(
    `Pooled out of sample: ${p.trades} trades, expectancy ${signed(p.expectancyR)} R (95% CI ${interval(p.expectancyCi95)}, t ${num(p.tStat)}), ` +
      `win rate ${pct(p.winRate)}, PF ${num(p.profitFactor)} (R), total ${signed(p.totalR)} R, max drawdown ${p.maxDrawdownMarkedR.toFixed(2)} R mark-to-market, ` +
      `${p.signalsPerDay.toFixed(2)} signals/day` +
      (inSample.length > 0
        ? ` — in sample the chosen configurations averaged ${signed(inSample.reduce((a, b) => a + b, 0) / inSample.length)} R per trade`
        : ""),
  );
  const b = r.pooledBreakdown;
  if (p.trades > 0) {
    lines.push("");
    lines.push(
      table([
        ["out of sample", ...HEADER.slice(1)],
        ...Object.entries(b.byModel).map(([k, st]) => row(k, st)),
        ...Object.entries(b.bySide).map(([k, st]) => row(k, st)),
        ...Object.entries(b.byModelSide).map(([k, st]) => row(k, st)),
        ...b.byScoreTercile.map((st, i) =>
          row(`score ${["low", "mid", "high"][i]} ${st.from.toFixed(0)}–${st.to.toFixed(0)}`, st),
        ),
      ]),
    );
  }
  if (searched.length > 0) {
    lines.push("");
    lines.push(
      `Stability: ${r.stability.distinctChoices} distinct configuration(s) chosen in ${r.stability.folds - r.stability.abstained} fold(s)` +
        `${r.stability.abstained > 0 ? `, ${r.stability.abstained} abstained` : ""}; folds choosing each value:`,
    );
    for (const [path, counts] of Object.entries(r.stability.parameters))
      lines.push(
        `  ${path}: ${Object.entries(counts)
          .map(([v, n]) => `${v} ×${n}`)
          .join("  ")}`,
      );
  }
  if (r.ablation !== null) {
    lines.push("");
    lines.push(
      "Ablation (the chosen configurations with one change, out of sample; effect = all rules − variant):",
    );
    lines.push(
      table([
        ["variant", ...OOS_HEADER, "Δ exp. R", "Δ total R", "Δ DD R"],
        ...r.ablation.variants.map((v) => [
          v.name,
          ...oosCells(v.pooled),
          v.name === "all rules" ? "" : signed(v.effect.expectancyR),
          v.name === "all rules" ? "" : signed(v.effect.totalR),
          v.name === "all rules" ? "" : signed(v.effect.maxDrawdownMarkedR),
        ]),
      ]),
    );
  }
  if (r.setups !== null) {
    const s = r.setups;
    lines.push("");
    lines.push(
      `Setups traded alone (the raw edge: no memory, caps or threshold; overlapping trades allowed; 1 R = 10 USDT): ` +
        `${s.setups} setups, ${s.perDay.toFixed(2)} per day`,
    );
    lines.push(
      table([
        ["setups", ...HEADER.slice(1)],
        row("all", s.all),
        ...Object.entries(s.byModel).map(([k, st]) => row(k, st)),
        ...Object.entries(s.bySide).map(([k, st]) => row(k, st)),
        ...Object.entries(s.byModelSide).map(([k, st]) => row(k, st)),
      ]),
    );
    lines.push("");
    lines.push(
      table([
        ["score", ...HEADER.slice(1)],
        ...Object.entries(s.byScoreBand).map(([k, st]) => row(k, st)),
        ...s.byScoreTercile.map((st, i) =>
          row(`${["low", "mid", "high"][i]} third ${st.from.toFixed(0)}–${st.to.toFixed(0)}`, st),
        ),
      ]),
    );
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
};
