/**
 * The backtest report as ONE self-contained HTML file: inline CSS and SVG charts (mark-to-market equity,
 * drawdown, every trade on its candles), the statistics tables, memory activity and a sortable trade list
 * (a few lines of inline script). No network, no external file: it opens from a mail attachment or a CI
 * artifact the same way.
 */

import { dayMinute } from "../live/Describe.ts";
import type { DailyEquity, PriceSeries, ReportMarket } from "./Equity.ts";
import type { BacktestReport, Stats, TradeRecord } from "./Report.ts";

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const pct = (v: number | null): string => (v === null ? "–" : `${(v * 100).toFixed(1)}%`);
const fix = (v: number | null | undefined, d = 2): string =>
  v === null || v === undefined ? "–" : v.toFixed(d);
const signed = (v: number | null | undefined, d = 2): string =>
  v === null || v === undefined ? "–" : v > 0 ? `+${v.toFixed(d)}` : v.toFixed(d);
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
      return `<text x="${sx(x).toFixed(1)}" y="${H - 8}" text-anchor="${anchor}" class="axis">${dayMinute(x).slice(0, 10)}</text>`;
    })
    .join("");
  return (
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(options.title)}">` +
    `<text x="${L}" y="18" class="title">${esc(options.title)}</text>${grid}` +
    `<path d="${area}" fill="${options.fill}" stroke="none"/>` +
    `<path d="${d}" fill="none" stroke="${options.color}" stroke-width="1.6"/>${xLabels}</svg>`
  );
};

const statsHead = (first = "", extra = ""): string =>
  `<tr><th>${esc(first)}</th><th>trades</th><th>won</th><th>lost</th><th>b/e</th><th>win rate</th><th>expectancy R</th><th>95% CI</th><th>t</th><th>PF (R)</th><th>total R</th><th>max DD R</th><th>pnl</th><th>fees</th><th>funding</th>${extra}</tr>`;

const ci = (v: readonly [number, number] | null): string =>
  v === null ? "–" : `${signed(v[0])} … ${signed(v[1])}`;

const statsRow = (name: string, s: Stats, extra = ""): string =>
  `<tr><th>${esc(name)}</th><td>${s.trades}</td><td>${s.wins}</td><td>${s.losses}</td><td>${s.breakevens}</td>` +
  `<td>${pct(s.winRate)}</td><td class="${tone(s.expectancyR)}">${signed(s.expectancyR)}</td><td>${ci(s.expectancyCi95)}</td>` +
  `<td>${fix(s.tStat)}</td><td>${fix(s.profitFactor)}</td><td class="${tone(s.totalR)}">${signed(s.totalR)}</td>` +
  `<td>${fix(s.maxDrawdownR)}</td><td class="${tone(s.pnl)}">${signed(s.pnl)}</td><td>${fix(s.fees)}</td>` +
  `<td>${signed(s.funding)}</td>${extra}</tr>`;

const statsTable = (
  rows: readonly (readonly [string, Stats, string?])[],
  first = "",
  extraHead = "",
): string =>
  `<table><thead>${statsHead(first, extraHead)}</thead><tbody>${rows
    .map(([name, st, extra]) => statsRow(name, st, extra ?? ""))
    .join("")}</tbody></table>`;

/** A sortable cell: shown text, and the value the sort compares (a number when it parses as one). */
const cell = (text: string, value: string | number, cls = ""): string =>
  `<td data-v="${esc(String(value))}"${cls === "" ? "" : ` class="${cls}"`}>${text}</td>`;

const tradeRow = (t: TradeRecord, i: number): string => {
  const exit = t.exitReason ?? "open";
  const gap = t.fills.find((f) => f.gap !== undefined)?.gap;
  return (
    `<tr>${cell(`<a href="#trade-${i + 1}">${i + 1}</a>`, i + 1)}${cell(esc(t.symbol), t.symbol)}${cell(esc(t.model), t.model)}` +
    `${cell(esc(t.side), t.side)}${cell(t.score === null ? "–" : t.score.toFixed(1), t.score ?? "")}` +
    `${cell(dayMinute(t.openedAt), t.openedAt)}${cell(dayMinute(t.closedAt), t.closedAt ?? "")}${cell(price(t.entry), t.entry)}` +
    `${cell(price(t.initialStop), t.initialStop)}${cell(t.targets.map(price).join(" / "), t.targets[0])}${cell(String(t.targetsHit), t.targetsHit)}` +
    `${cell(esc(gap === undefined ? exit : `${exit} (gap: ${gap})`), exit)}` +
    `${cell(signed(t.rMultiple), t.rMultiple ?? "", tone(t.rMultiple))}${cell(signed(t.pnl), t.pnl ?? "", tone(t.pnl))}` +
    `${cell(signed(t.funding), t.funding ?? "")}</tr>`
  );
};

/** Candles shown around a trade: a few before the entry, through the exit, a few after. */
const CHART_BEFORE = 8;
const CHART_AFTER = 6;
const CHART_MAX = 90;

/**
 * One trade on its 30m candles: entry (blue), initial stop (red), targets (green, dashed), fills as dots
 * (entry, each exit), the entry and exit times as vertical rules. Inline SVG, two paths for the candles.
 */
export const tradeChart = (t: TradeRecord, series: PriceSeries | undefined, end: number | null): string => {
  const W = 720;
  const H = 240;
  const L = 92;
  const R = 12;
  const T = 24;
  const B = 22;
  const title = `${t.symbol} ${t.side} ${t.model} · ${dayMinute(t.openedAt)} → ${t.closedAt === undefined ? "open" : dayMinute(t.closedAt)} · ${t.exitReason ?? "open"} ${signed(t.rMultiple)} R`;
  if (series === undefined || series.length === 0)
    return `<svg viewBox="0 0 ${W} 40" role="img" aria-label="${esc(title)}"><text x="${L}" y="24" class="muted">${esc(title)}: no candles</text></svg>`;
  const lastTime = t.closedAt ?? end ?? t.openedAt;
  let first = 0;
  while (first < series.length && series.closeTime[first]! + 1 <= t.openedAt) first++;
  first = Math.max(0, first - CHART_BEFORE);
  let last = first;
  while (last + 1 < series.length && series.openTime[last + 1]! < lastTime) last++;
  last = Math.min(series.length - 1, last + CHART_AFTER);
  if (last - first + 1 > CHART_MAX) last = first + CHART_MAX - 1;
  const n = last - first + 1;
  const levels = [t.entry, t.initialStop, ...t.targets, ...t.fills.map((f) => f.price)];
  let lo = Math.min(...levels);
  let hi = Math.max(...levels);
  for (let i = first; i <= last; i++) {
    lo = Math.min(lo, series.low[i]!);
    hi = Math.max(hi, series.high[i]!);
  }
  const pad = (hi - lo) * 0.04 || hi * 0.01 || 1;
  lo -= pad;
  hi += pad;
  const slot = (W - L - R) / n;
  const x0 = series.openTime[first]!;
  const sx = (time: number) => L + ((time - x0) / 1_800_000) * slot;
  const sy = (p: number) => T + (1 - (p - lo) / (hi - lo)) * (H - T - B);
  let up = "";
  let down = "";
  let wicks = "";
  for (let i = first; i <= last; i++) {
    const cx = sx(series.openTime[i]!) + slot / 2;
    const o = series.open[i]!;
    const c = series.close[i]!;
    wicks += `M${cx.toFixed(1)},${sy(series.high[i]!).toFixed(1)}V${sy(series.low[i]!).toFixed(1)}`;
    const top = sy(Math.max(o, c));
    const h = Math.max(0.8, sy(Math.min(o, c)) - top);
    const w = Math.max(1, slot * 0.7);
    const body = `M${(cx - w / 2).toFixed(1)},${top.toFixed(1)}h${w.toFixed(1)}v${h.toFixed(1)}h${(-w).toFixed(1)}Z`;
    if (c >= o) up += body;
    else down += body;
  }
  const xEnd = sx(series.openTime[last]!) + slot;
  const level = (p: number, cls: string, label: string) =>
    `<line x1="${L}" x2="${xEnd.toFixed(1)}" y1="${sy(p).toFixed(1)}" y2="${sy(p).toFixed(1)}" class="${cls}"/>` +
    `<text x="${L - 4}" y="${sy(p).toFixed(1)}" dy="3" text-anchor="end" class="axis">${esc(label)} ${price(p)}</text>`;
  const rule = (time: number) =>
    `<line x1="${sx(time).toFixed(1)}" x2="${sx(time).toFixed(1)}" y1="${T}" y2="${H - B}" class="rule"/>`;
  const dots = t.fills
    .map(
      (f) =>
        `<circle cx="${sx(f.time).toFixed(1)}" cy="${sy(f.price).toFixed(1)}" r="3.5" class="${f.kind === "entry" ? "fill-entry" : "fill-exit"}"><title>${esc(`${f.kind} ${price(f.price)} ${dayMinute(f.time)}${f.gap === undefined ? "" : ` (gap: ${f.gap})`}`)}</title></circle>`,
    )
    .join("");
  return (
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">` +
    `<text x="${L}" y="15" class="title">${esc(title)}</text>` +
    rule(t.openedAt) +
    (t.closedAt === undefined ? "" : rule(t.closedAt)) +
    `<path d="${wicks}" class="wick"/><path d="${up}" class="up"/><path d="${down}" class="down"/>` +
    level(t.initialStop, "lvl-stop", "SL") +
    t.targets.map((p, i) => level(p, "lvl-target", `TP${i + 1}`)).join("") +
    level(t.entry, "lvl-entry", "entry") +
    dots +
    `<text x="${L}" y="${H - 6}" class="axis">${dayMinute(series.openTime[first]!)}</text>` +
    `<text x="${xEnd.toFixed(1)}" y="${H - 6}" text-anchor="end" class="axis">${dayMinute(series.closeTime[last]! + 1)}</text></svg>`
  );
};

const CSS = `
:root{--fg:#1d2330;--muted:#6b7385;--line:#e3e6ee;--pos:#0f8a4b;--neg:#c0392b;--bg:#fff;--alt:#f7f8fb}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px 32px;max-width:1280px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.muted,.axis{color:var(--muted);fill:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:16px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px}.card b{display:block;font-size:20px}.card span{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{position:sticky;top:0;background:var(--bg);font-weight:600}tbody tr:nth-child(even){background:var(--alt)}
.pos{color:var(--pos)}.neg{color:var(--neg)}table.trades{font-size:12px}table.trades td,table.trades th{padding:3px 6px}
table.trades th{cursor:pointer;user-select:none}table.trades th.asc::after{content:" ▲"}table.trades th.desc::after{content:" ▼"}
svg{width:100%;height:auto;display:block;margin:8px 0}.grid{stroke:var(--line)}.title{font-weight:600;fill:var(--fg);font-size:12px}.axis{font-size:10px}
.scroll{max-height:640px;overflow:auto;border:1px solid var(--line);border-radius:8px}ul{margin:4px 0;padding-left:20px}code{font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}.charts figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:4px 8px}
.charts figure:target{outline:2px solid #2563eb}.wick{stroke:#6b7385;stroke-width:1;fill:none}.up{fill:#0f8a4b}.down{fill:#c0392b}
.lvl-entry{stroke:#2563eb;stroke-width:1.2}.lvl-stop{stroke:#c0392b;stroke-width:1.2}.lvl-target{stroke:#0f8a4b;stroke-dasharray:4 3}
.rule{stroke:#9aa3b5;stroke-dasharray:2 3}.fill-entry{fill:#2563eb;stroke:#fff}.fill-exit{fill:#f59e0b;stroke:#1d2330}
`;

/** Click a column header of the trade list to sort by it (again to reverse). Inline: the file stays self-contained. */
const SORT_SCRIPT = `
document.querySelectorAll("table.trades").forEach(function (table) {
  var heads = table.querySelectorAll("thead th");
  var key = function (row, i) {
    var v = row.cells[i].getAttribute("data-v");
    var n = Number(v);
    return v === "" ? null : isNaN(n) ? v : n;
  };
  heads.forEach(function (head, i) {
    head.addEventListener("click", function () {
      var asc = !head.classList.contains("asc");
      heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
      head.classList.add(asc ? "asc" : "desc");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (x, y) {
        var a = key(x, i), b = key(y, i);
        if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
        var r = typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});`;

/** The whole report as one HTML document; `market` supplies the candles of the trade charts. */
export const renderHtml = (report: BacktestReport, market?: ReportMarket): string => {
  const s = report.summary;
  const m = report.memory;
  const daily: readonly DailyEquity[] = report.equityDaily;
  const xs = [report.period.start ?? 0, ...daily.map((d) => d.time + 86_400_000)];
  const equity = chart(
    { xs, ys: [s.startingEquity, ...daily.map((d) => d.equity)] },
    {
      title: "Equity, mark-to-market (open trades at each close; fees, slippage and funding included), daily",
      color: "#2563eb",
      fill: "rgba(37,99,235,0.10)",
      format: (v) => v.toFixed(0),
      baseline: s.startingEquity,
    },
  );
  const drawdown = chart(
    { xs, ys: [0, ...daily.map((d) => -d.drawdownPct)] },
    {
      title: "Drawdown from peak, mark-to-market (%, deepest of each day)",
      color: "#c0392b",
      fill: "rgba(192,57,43,0.15)",
      format: (v) => `${v.toFixed(1)}%`,
      baseline: 0,
    },
  );
  const card = (label: string, value: string, cls = "") =>
    `<div class="card"><span>${esc(label)}</span><b class="${cls}">${esc(value)}</b></div>`;
  const c = report.config;
  const period = `${dayMinute(report.period.start)} → ${dayMinute(report.period.end)} UTC`;
  const reasons = Object.entries(m.blockedByReason);
  const rules = Object.entries(m.byRule);
  const trades = [...report.trades].sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  const hold = (symbol: string) => {
    const h = report.buyAndHold[symbol];
    return `<td class="${tone(h?.returnPct)}">${h === undefined ? "–" : `${signed(h.returnPct, 1)}%`}</td>`;
  };
  const charts = trades
    .map(
      (t, i) =>
        `<figure id="trade-${i + 1}">${tradeChart(t, market?.candles.get(t.symbol), report.period.end)}<figcaption class="muted">#${i + 1} · fills: ${t.fills
          .map((f) => `${esc(f.kind)} ${price(f.price)}${f.gap === undefined ? "" : ` (gap: ${esc(f.gap)})`}`)
          .join(
            ", ",
          )}${t.funding === undefined ? "" : ` · funding ${signed(t.funding)}`}</figcaption></figure>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>signalbot backtest · ${esc(period)}</title><style>${CSS}</style></head>
<body>
<h1>signalbot backtest</h1>
<div class="muted">${esc(period)} · ${report.symbols.length} symbols · ${report.candles.total.toLocaleString("en-US")} candles · memory ${m.enabled ? "on" : "off"} · fee ${(c.costs.takerFeeRate * 100).toFixed(3)}% + slippage ${(c.costs.slippageRate * 100).toFixed(3)}% per fill · funding ${esc(c.funding)} · starting equity ${fix(c.startingEquity)}</div>
<div class="cards">
${card("Trades (closed)", String(s.trades))}
${card("Expectancy", `${signed(s.expectancyR)} R`, tone(s.expectancyR))}
${card("95% CI of expectancy", ci(s.expectancyCi95))}
${card("Total", `${signed(s.totalR)} R`, tone(s.totalR))}
${card("Profit factor (R)", fix(s.profitFactor))}
${card("Win rate", pct(s.winRate))}
${card("Max drawdown (mark-to-market)", `${fix(s.maxDrawdownPct, 2)}%`)}
${card("Max drawdown (closed trades)", `${fix(s.maxDrawdownClosedPct, 2)}%`)}
${card("Marked equity", fix(s.markedEquity), tone(s.markedEquity - s.startingEquity))}
${card("Sharpe / Sortino (daily)", `${fix(s.sharpe)} / ${fix(s.sortino)}`)}
${card("CAGR / Calmar", `${signed(s.cagrPct, 1)}% / ${fix(s.calmar)}`)}
${card("Funding paid (− = received)", signed(s.fundingPaid))}
${card("Open at the end", `${s.openTrades} · ${signed(s.openR)} R`)}
${card("Signals emitted / blocked", `${report.signals.length - m.blockedSignals} / ${m.blockedSignals}`)}
</div>
<h2>Equity and drawdown</h2>
${equity}
${drawdown}
<h2>By model</h2>
${statsTable([["all", s], ...Object.entries(report.byModel)])}
<h2>By symbol</h2>
${statsTable(
  Object.entries(report.bySymbol).map(([k, v]) => [k, v, hold(k)] as const),
  "",
  "<th>buy &amp; hold</th>",
)}
<h2>By exit reason</h2>
${statsTable(
  Object.entries(report.byExitReason).map(([k, v]) => [k, v, `<td>${v.gapFills}</td>`] as const),
  "",
  "<th>gap fills</th>",
)}
<h2>By score band</h2>
${statsTable(Object.entries(report.byScoreBand))}
<h2>By month (closed trades; equity change marked-to-market)</h2>
${statsTable(
  Object.entries(report.byMonth).map(
    ([k, v]) =>
      [
        k,
        v,
        `<td class="${tone(v.returnPct)}">${v.returnPct === null ? "–" : `${signed(v.returnPct, 1)}%`}</td>`,
      ] as const,
  ),
  "",
  "<th>equity</th>",
)}
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
${
  report.openAtEnd.length > 0
    ? `<h2>Open at the end (${report.openAtEnd.length}), valued at the last close</h2><table><thead><tr><th>symbol</th><th>side</th><th>opened</th><th>entry</th><th>stop</th><th>TP hit</th><th>mark</th><th>funding</th><th>pnl</th><th>R</th></tr></thead><tbody>${report.openAtEnd
        .map(
          (o) =>
            `<tr><td>${esc(o.symbol)}</td><td>${esc(o.side)}</td><td>${dayMinute(o.openedAt)}</td><td>${price(o.entry)}</td><td>${price(o.stop)}</td><td>${o.targetsHit}</td><td>${price(o.markPrice)}</td><td>${signed(o.funding)}</td><td class="${tone(o.pnl)}">${signed(o.pnl)}</td><td class="${tone(o.rMultiple)}">${signed(o.rMultiple)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : ""
}
<h2>Trades (${report.trades.length}) — click a column to sort, a number for its chart</h2>
<div class="scroll"><table class="trades"><thead><tr><th>#</th><th>symbol</th><th>model</th><th>side</th><th>score</th><th>opened</th><th>closed</th><th>entry</th><th>stop</th><th>targets</th><th>TP hit</th><th>exit</th><th>R</th><th>pnl</th><th>funding</th></tr></thead>
<tbody>${trades.map(tradeRow).join("\n")}</tbody></table></div>
<h2>Trade charts</h2>
<div class="charts">
${charts}
</div>
${report.warnings.length > 0 ? `<h2>Data warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
<p class="muted">Report schema v${report.schemaVersion}. Virtual trades: entry at the trigger close, thirds at TP1/TP2/TP3, stop to entry after TP1, stop counted first when a candle touches both; a candle opening beyond the stop fills at its open; a target fills at the target; a data gap longer than the timeout closes at the last price before it. See docs/backtest.md.</p>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
};
