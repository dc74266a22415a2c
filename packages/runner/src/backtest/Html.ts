/**
 * The backtest report as ONE self-contained HTML file: inline CSS and SVG charts (equity, drawdown), the
 * per-model and per-symbol tables, memory activity and the trade list. No scripts, no network: it opens
 * from a mail attachment or a CI artifact the same way.
 */
import type { BacktestReport, EquityPoint, Stats, TradeRecord } from "./Report.ts";

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const pct = (v: number | null): string => (v === null ? "–" : `${(v * 100).toFixed(1)}%`);
const fix = (v: number | null | undefined, d = 2): string =>
  v === null || v === undefined ? "–" : v.toFixed(d);
const signed = (v: number | null | undefined, d = 2): string =>
  v === null || v === undefined ? "–" : v > 0 ? `+${v.toFixed(d)}` : v.toFixed(d);
const when = (t: number | null | undefined): string =>
  t === null || t === undefined ? "–" : new Date(t).toISOString().slice(0, 16).replace("T", " ");
const tone = (v: number | null | undefined): string =>
  v === null || v === undefined || Math.abs(v) < 1e-12 ? "" : v > 0 ? "pos" : "neg";

/** A price such as 0.00001234 or 87608.2 with enough significant digits. */
const price = (v: number): string => (v >= 1000 ? v.toFixed(1) : v >= 1 ? v.toFixed(4) : v.toPrecision(5));

interface Series {
  readonly xs: readonly number[];
  readonly ys: readonly number[];
}

const niceTicks = (min: number, max: number, count: number): number[] => {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(v);
  return ticks;
};

/**
 * A time-series chart as inline SVG: step line (value changes at each trade close), optional fill down to
 * the baseline, y grid with labels, first/middle/last date on x.
 */
const chart = (
  data: Series,
  options: {
    readonly title: string;
    readonly color: string;
    readonly fill: string;
    readonly format: (v: number) => string;
    readonly baseline?: number;
  },
): string => {
  const W = 960;
  const H = 260;
  const L = 70;
  const R = 16;
  const T = 28;
  const B = 30;
  const { xs, ys } = data;
  if (xs.length < 2) {
    return `<svg viewBox="0 0 ${W} 80" role="img" aria-label="${esc(options.title)}"><text x="${L}" y="45" class="muted">${esc(options.title)}: no closed trades</text></svg>`;
  }
  const x0 = xs[0]!;
  const x1 = Math.max(xs[xs.length - 1]!, x0 + 1);
  let y0 = Math.min(...ys, options.baseline ?? Number.POSITIVE_INFINITY);
  let y1 = Math.max(...ys, options.baseline ?? Number.NEGATIVE_INFINITY);
  if (y1 - y0 < 1e-9) {
    y0 -= 1;
    y1 += 1;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  let d = `M${sx(xs[0]!).toFixed(1)},${sy(ys[0]!).toFixed(1)}`;
  for (let i = 1; i < xs.length; i++) {
    d += `H${sx(xs[i]!).toFixed(1)}V${sy(ys[i]!).toFixed(1)}`;
  }
  const base = sy(options.baseline ?? y0);
  const area = `${d}V${base.toFixed(1)}H${sx(xs[0]!).toFixed(1)}Z`;
  const grid = niceTicks(y0, y1, 5)
    .map((v) => {
      const y = sy(v).toFixed(1);
      return `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" class="grid"/><text x="${L - 6}" y="${y}" dy="4" text-anchor="end" class="axis">${esc(options.format(v))}</text>`;
    })
    .join("");
  const xLabels = [x0, (x0 + x1) / 2, x1]
    .map((x, i) => {
      const anchor = i === 0 ? "start" : i === 1 ? "middle" : "end";
      return `<text x="${sx(x).toFixed(1)}" y="${H - 8}" text-anchor="${anchor}" class="axis">${when(x).slice(0, 10)}</text>`;
    })
    .join("");
  return (
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(options.title)}">` +
    `<text x="${L}" y="18" class="title">${esc(options.title)}</text>${grid}` +
    `<path d="${area}" fill="${options.fill}" stroke="none"/>` +
    `<path d="${d}" fill="none" stroke="${options.color}" stroke-width="1.6"/>${xLabels}</svg>`
  );
};

const statsHead = `<tr><th></th><th>trades</th><th>won</th><th>lost</th><th>b/e</th><th>win rate</th><th>profit factor</th><th>expectancy R</th><th>total R</th><th>pnl</th><th>fees</th><th>max DD</th></tr>`;

const statsRow = (name: string, s: Stats): string =>
  `<tr><th>${esc(name)}</th><td>${s.trades}</td><td>${s.wins}</td><td>${s.losses}</td><td>${s.breakevens}</td>` +
  `<td>${pct(s.winRate)}</td><td>${fix(s.profitFactor)}</td><td class="${tone(s.expectancyR)}">${signed(s.expectancyR)}</td>` +
  `<td class="${tone(s.totalR)}">${signed(s.totalR)}</td><td class="${tone(s.pnl)}">${signed(s.pnl)}</td>` +
  `<td>${fix(s.fees)}</td><td>${fix(s.maxDrawdownPct, 1)}%</td></tr>`;

const tradeRow = (t: TradeRecord, i: number): string =>
  `<tr><td>${i + 1}</td><td>${esc(t.symbol)}</td><td>${esc(t.model)}</td><td>${esc(t.side)}</td>` +
  `<td>${when(t.openedAt)}</td><td>${when(t.closedAt)}</td><td>${price(t.entry)}</td><td>${price(t.initialStop)}</td>` +
  `<td>${t.targets.map(price).join(" / ")}</td><td>${t.targetsHit}</td><td>${esc(t.exitReason ?? "open")}</td>` +
  `<td class="${tone(t.rMultiple)}">${signed(t.rMultiple)}</td><td class="${tone(t.pnl)}">${signed(t.pnl)}</td></tr>`;

const CSS = `
:root{--fg:#1d2330;--muted:#6b7385;--line:#e3e6ee;--pos:#0f8a4b;--neg:#c0392b;--bg:#fff;--alt:#f7f8fb}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px 32px;max-width:1280px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.muted,.axis{color:var(--muted);fill:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:16px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px}.card b{display:block;font-size:20px}.card span{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{position:sticky;top:0;background:var(--bg);font-weight:600}tbody tr:nth-child(even){background:var(--alt)}
.pos{color:var(--pos)}.neg{color:var(--neg)}table.trades{font-size:12px}table.trades td,table.trades th{padding:3px 6px}
svg{width:100%;height:auto;display:block;margin:8px 0}.grid{stroke:var(--line)}.title{font-weight:600;fill:var(--fg)}.axis{font-size:11px}
.scroll{max-height:640px;overflow:auto;border:1px solid var(--line);border-radius:8px}ul{margin:4px 0;padding-left:20px}code{font-size:12px}
`;

/** The whole report as one HTML document. */
export const renderHtml = (report: BacktestReport): string => {
  const s = report.summary;
  const m = report.memory;
  const curve: readonly EquityPoint[] = report.equityCurve;
  const xs = curve.map((p) => p.time);
  const equity = chart(
    { xs, ys: curve.map((p) => p.equity) },
    {
      title: "Equity (quote currency, realised, fees included)",
      color: "#2563eb",
      fill: "rgba(37,99,235,0.10)",
      format: (v) => v.toFixed(0),
      baseline: s.startingEquity,
    },
  );
  const drawdown = chart(
    { xs, ys: curve.map((p) => -p.drawdownPct) },
    {
      title: "Drawdown from peak (%)",
      color: "#c0392b",
      fill: "rgba(192,57,43,0.15)",
      format: (v) => `${v.toFixed(1)}%`,
      baseline: 0,
    },
  );
  const card = (label: string, value: string, cls = "") =>
    `<div class="card"><span>${esc(label)}</span><b class="${cls}">${esc(value)}</b></div>`;
  const c = report.config;
  const period = `${when(report.period.start)} → ${when(report.period.end)} UTC`;
  const reasons = Object.entries(m.blockedByReason);
  const rules = Object.entries(m.byRule);
  const closedFirst = [...report.trades].sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>signalbot backtest · ${esc(period)}</title><style>${CSS}</style></head>
<body>
<h1>signalbot backtest</h1>
<div class="muted">${esc(period)} · ${report.symbols.length} symbols · ${report.candles.total.toLocaleString("en-US")} candles · memory ${m.enabled ? "on" : "off"} · fee ${(c.costs.takerFeeRate * 100).toFixed(3)}% per fill${c.costs.slippageRate > 0 ? ` · slippage ${(c.costs.slippageRate * 100).toFixed(3)}%` : ""} · starting equity ${fix(c.startingEquity)}</div>
<div class="cards">
${card("Trades", String(s.trades))}
${card("Win rate", pct(s.winRate))}
${card("Profit factor", fix(s.profitFactor))}
${card("Expectancy", `${signed(s.expectancyR)} R`, tone(s.expectancyR))}
${card("Total", `${signed(s.totalR)} R`, tone(s.totalR))}
${card("Max drawdown", `${fix(s.maxDrawdownPct, 2)}%`)}
${card("Final equity", fix(s.finalEquity), tone(s.finalEquity - s.startingEquity))}
${card("Signals emitted / blocked", `${report.signals.length - m.blockedSignals} / ${m.blockedSignals}`)}
</div>
<h2>Equity and drawdown</h2>
${equity}
${drawdown}
<h2>By model</h2>
<table><thead>${statsHead}</thead><tbody>${statsRow("all", s)}${Object.entries(report.byModel)
    .map(([k, v]) => statsRow(k, v))
    .join("")}</tbody></table>
<h2>By symbol</h2>
<table><thead>${statsHead}</thead><tbody>${Object.entries(report.bySymbol)
    .map(([k, v]) => statsRow(k, v))
    .join("")}</tbody></table>
<h2>Adaptive memory</h2>
${
  m.enabled
    ? `<p>${m.pauses} pauses · ${m.cooldowns} symbol cooldowns · ${m.modelDisables} model disables · ${m.thresholdRaises} threshold raises · ${m.signalCaps} daily-cap cuts · ${m.riskCuts} risk cuts</p>` +
      (
        rules.length > 0
          ? `<table><thead><tr><th>rule</th><th>fired</th><th>relaxed</th></tr></thead><tbody>${rules
              .map(
                ([rule, n]) =>
                  `<tr><td>${esc(rule)}</td><td>${n?.fired ?? 0}</td><td>${n?.relaxed ?? 0}</td></tr>`,
              )
              .join("")}</tbody></table>`
          : ""
      )
    : "<p>Off for this run (<code>--no-memory</code>).</p>"
}
<p>${m.blockedSignals} signals blocked${reasons.length > 0 ? ":" : "."}</p>
${reasons.length > 0 ? `<ul>${reasons.map(([code, n]) => `<li><code>${esc(code)}</code> ${n}</li>`).join("")}</ul>` : ""}
<h2>Trades (${report.trades.length})</h2>
<div class="scroll"><table class="trades"><thead><tr><th>#</th><th>symbol</th><th>model</th><th>side</th><th>opened</th><th>closed</th><th>entry</th><th>stop</th><th>targets</th><th>TP hit</th><th>exit</th><th>R</th><th>pnl</th></tr></thead>
<tbody>${closedFirst.map(tradeRow).join("\n")}</tbody></table></div>
${report.warnings.length > 0 ? `<h2>Data warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
<p class="muted">Report schema v${report.schemaVersion}. Virtual trades: entry at the trigger close, thirds at TP1/TP2/TP3, stop to entry after TP1, stop counted first when a candle touches both.</p>
</body></html>
`;
};
