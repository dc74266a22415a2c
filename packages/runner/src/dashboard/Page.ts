/**
 * The dashboard page, rendered on the server from a `DashboardView` in one language: a shell with one element
 * per section, and each section's inner HTML on its own so the live feed can resend only what changed. No
 * inline script or style (the CSP forbids them): behaviour is in /assets/app.js, looks in /assets/app.css,
 * and charts are placeholders the script fills from /api/chart.
 */
import { formatNumber, formatRate, formatSigned, formatTime, formatTrim } from "@signalbot/adapters/telegram";
import { DEFAULT_MODELS, type Model, type Reason, type Side, type Signal } from "@signalbot/core";
import { countdown } from "./Countdown.ts";
import type { DashboardView, OpenTradeView, SummaryView } from "./DashboardView.ts";
import {
  fill,
  LANGS,
  type Lang,
  lockReason,
  modelLabel,
  phrase,
  sideText,
  WORDS,
  type Words,
} from "./Dictionary.ts";
import { Html, html } from "./Html.ts";
import type { ReportFile } from "./Reports.ts";

export interface PageContext {
  readonly lang: Lang;
  /** The models the bot runs (default `DEFAULT_MODELS`): their labels name them. */
  readonly models?: readonly Model[];
  readonly reports: readonly ReportFile[];
  /** REPORTS_DIR as configured, for the "no report yet" hint. */
  readonly reportsDir: string;
  /** Asset URLs with their content hash (cache busting). */
  readonly assets: { readonly script: string; readonly style: string };
}

export const SECTION_IDS = [
  "head",
  "overview",
  "symbols",
  "trades",
  "signals",
  "locks",
  "equity",
  "stats",
  "blocked",
  "outbox",
  "exchange",
  "reports",
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

interface Ctx {
  readonly w: Words;
  readonly lang: Lang;
  readonly models: readonly Model[];
  readonly tz: string;
  readonly now: number;
}

const at = (c: Ctx, t: number, zone = false) => formatTime(t, c.tz, zone);
/** Prices of one trade or signal share the decimals of its entry (5 significant digits, at least 2). */
const pricer = (reference: number) => {
  const a = Math.abs(reference);
  const decimals = a === 0 ? 2 : Math.min(10, Math.max(2, 4 - Math.floor(Math.log10(a))));
  return (v: number) => formatNumber(v, decimals);
};
const tone = (v: number | null | undefined): string =>
  v === null || v === undefined || Math.abs(v) < 1e-9 ? "" : v > 0 ? "pos" : "neg";
const sideClass = (s: Side) => (s === "LONG" ? "long" : "short");
const r = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${formatSigned(v)}R`);

const countdownTo = (c: Ctx, until: number) =>
  html`<time class="countdown" data-until="${until}" datetime="${new Date(until).toISOString()}">${countdown(until - c.now, c.w.day)}</time>`;

const card = (label: string, value: Html | string, detail?: Html | string, cls = "") =>
  html`<div class="card ${cls}"><div class="label">${label}</div><div class="value">${value}</div>${detail === undefined ? "" : html`<div class="detail">${detail}</div>`}</div>`;

const reasonList = (c: Ctx, reasons: readonly Reason[], side: Side) =>
  reasons.length === 0
    ? ""
    : html`<ul class="reasons">${reasons.map((x) => html`<li>${phrase(c.lang, x, { side, timeZone: c.tz, models: c.models })}</li>`)}</ul>`;

const chart = (url: string, version: string | number, cls = "") =>
  html`<div class="chart ${cls}" data-chart="${url}" data-version="${version}"></div>`;

// ---- sections -----------------------------------------------------------------------------------------------

const head = (v: DashboardView, c: Ctx) =>
  html`<span class="badge ${v.ok ? "ok" : "bad"}">${v.ok ? c.w.healthy : c.w.unhealthy}</span>
<span class="clock">${c.w.botTime}: <strong>${at(c, v.time, true)}</strong></span>${v.version === null ? "" : html` <span class="version">v${v.version}</span>`}`;

const overview = (v: DashboardView, c: Ctx) => {
  const m = v.memory;
  const cards = [
    card(
      c.w.equity,
      `${formatNumber(m.equity)} USDT`,
      `${c.w.peak} ${formatNumber(m.peakEquity)} · ${c.w.drawdown} ${formatNumber(m.drawdownPct)}%`,
    ),
    card(
      c.w.winRate20.replace("{n}", String(m.window ?? 20)),
      formatRate(m.winRate20),
      `${m.trades20} ${c.w.trades.toLowerCase()}`,
    ),
    card(c.w.threshold, formatNumber(m.threshold, 0)),
    card(c.w.signalsToday, `${m.signalsToday}/${m.maxSignalsPerDay}`),
    card(c.w.riskPerTrade, `${formatTrim(m.riskPercent)}%`),
    card(c.w.openTradesCount, String(v.trades.length)),
    card(c.w.lossStreak, String(m.lossStreak), undefined, m.lossStreak >= 2 ? "warn" : ""),
  ];
  return html`<h2>${c.w.overview}</h2><div class="cards">${cards}</div>${
    m.unavailable === undefined
      ? ""
      : html`<p class="alert">⚠️ ${c.w.memoryUnavailable} (${m.unavailable.reason}, ${at(c, m.unavailable.since)})</p>`
  }`;
};

const chips = (list: readonly string[], c: Ctx, cls: string) =>
  list.length === 0
    ? html`<span class="muted">${c.w.none}</span>`
    : list.map((s) => html`<span class="chip ${cls}">${s}</span>`);

const symbols = (v: DashboardView, c: Ctx) => {
  const s = v.symbols;
  return html`<h2>${c.w.symbols} <span class="count">${s.active.length}</span></h2>
<dl class="groups">
<dt>${c.w.fixed}</dt><dd>${chips(s.fixed, c, "fixed")}</dd>
<dt>${c.w.pinned}</dt><dd>${chips(s.pinned, c, "pinned")}</dd>
<dt>${c.w.rotating}</dt><dd>${chips(s.rotating, c, "rotating")}</dd>
<dt>${c.w.nextRotation}</dt><dd><span>${at(c, s.nextRotationAt)} (${countdownTo(c, s.nextRotationAt)})</span></dd>
</dl>`;
};

const levelsTable = (
  c: Ctx,
  x: { entry: number; stop: number; targets: readonly number[]; hit?: number; initialStop?: number },
) => {
  const price = pricer(x.entry);
  return html`<table class="levels"><tbody>
<tr><th>${c.w.entry}</th><td class="num">${price(x.entry)}</td></tr>
<tr><th>${c.w.stop}</th><td class="num">${price(x.stop)}${
    x.initialStop !== undefined && x.initialStop !== x.stop
      ? html` <span class="muted">(${c.w.initialStop} ${price(x.initialStop)})</span>`
      : ""
  }</td></tr>
${x.targets.map(
  (t, i) =>
    html`<tr class="${x.hit !== undefined && i < x.hit ? "done" : ""}"><th>TP${i + 1}</th><td class="num">${price(t)}${
      x.hit !== undefined && i < x.hit ? html` <span class="tick">✓ ${c.w.hit}</span>` : ""
    }</td></tr>`,
)}
</tbody></table>`;
};

const tradeCard = (t: OpenTradeView, c: Ctx) => {
  const x = t.trade;
  const version = `${x.lastPrice}|${x.targetsHit}|${x.stop}|${x.candlesSeen}`;
  return html`<article class="trade ${sideClass(x.side)}" data-trade="${x.id}">
<header><span class="side">${sideText(c.lang, x.side)}</span> <strong class="sym">${x.symbol}</strong> <span class="muted">${modelLabel(c.lang, x.model, c.models)}</span></header>
<div class="trade-body">
<div class="trade-figures">
<div class="live ${tone(t.liveR)}"><span class="label">${c.w.livePnl}</span> <strong class="live-r">${r(t.liveR)}</strong> <span class="muted">${formatSigned(t.livePnl)} USDT</span></div>
<div><span class="label">${c.w.lastPrice}</span> <strong class="num">${pricer(x.entry)(x.lastPrice)}</strong></div>
${levelsTable(c, { entry: x.entry, stop: x.stop, targets: x.targets, hit: x.targetsHit, initialStop: x.initialStop })}
<div class="muted">${c.w.openedAt} ${at(c, x.openedAt)} · ${c.w.remaining} ${formatTrim(x.remaining * 100, 0)}%</div>
</div>
${chart(`/api/chart?trade=${encodeURIComponent(x.id)}&lang=${c.lang}`, version)}
</div>
</article>`;
};

const trades = (v: DashboardView, c: Ctx) =>
  html`<h2>${c.w.openTrades} <span class="count">${v.trades.length}</span></h2>${
    v.trades.length === 0
      ? html`<p class="muted">${c.w.noOpenTrades}</p>`
      : v.trades.map((t) => tradeCard(t, c))
  }`;

const signalItem = (s: Signal, c: Ctx, open: boolean) => {
  const st = s.setup;
  const z = s.sizing;
  return html`<details class="signal ${sideClass(st.side)}" data-signal="${s.key}"${open ? html` open` : ""}>
<summary><time>${at(c, st.time)}</time> <span class="side">${sideText(c.lang, st.side)}</span> <strong class="sym">${st.symbol}</strong> <span class="muted">${modelLabel(c.lang, st.model, c.models)}</span> <span class="score">${c.w.score} ${formatNumber(st.score, 0)}/${formatNumber(s.threshold, 0)}</span></summary>
<div class="signal-body">
<div class="signal-figures">
${levelsTable(c, { entry: st.entry, stop: st.stop, targets: st.targets })}
<div>${c.w.rr}: ${formatNumber(st.rr)}</div>
${z === undefined ? "" : html`<div>${c.w.risk}: ${formatNumber(z.riskAmount)} USDT (${formatTrim(z.riskPercent)}%) · ${c.w.size}: ${formatTrim(z.quantity, 6)}</div>`}
<h4>${c.w.reasons}</h4>${reasonList(c, st.reasons, st.side)}
${s.adjustments.length === 0 ? "" : html`<h4>${c.w.adjustments}</h4>${reasonList(c, s.adjustments, st.side)}`}
</div>
${chart(`/api/chart?signal=${encodeURIComponent(s.key)}&lang=${c.lang}`, s.key, "lazy")}
</div>
</details>`;
};

/** The newest signal is shown unfolded, unless its trade (and chart) is already in "open trades" above. */
const signals = (v: DashboardView, c: Ctx, open = new Set(v.trades.map((t) => t.trade.id))) =>
  html`<h2>${c.w.signals}</h2>${
    v.signals.emitted.length === 0
      ? html`<p class="muted">${c.w.noSignals}</p>`
      : v.signals.emitted.map((s, i) => signalItem(s, c, i === 0 && !open.has(s.key)))
  }`;

const blocked = (v: DashboardView, c: Ctx) =>
  html`<h2>${c.w.blocked}</h2>${
    v.signals.blocked.length === 0
      ? html`<p class="muted">${c.w.noBlocked}</p>`
      : html`<table class="list"><thead><tr><th>${c.w.time}</th><th>${c.w.symbol}</th><th>${c.w.side}</th><th>${c.w.model}</th><th>${c.w.score}</th><th>${c.w.blockedBy}</th></tr></thead><tbody>${v.signals.blocked.map(
          (s) =>
            html`<tr><td>${at(c, s.setup.time)}</td><td><strong>${s.setup.symbol}</strong></td><td class="${sideClass(s.setup.side)}">${s.setup.side}</td><td>${modelLabel(c.lang, s.setup.model, c.models)}</td><td class="num">${formatNumber(s.setup.score, 0)}</td><td>${
              s.blockedBy === undefined
                ? "—"
                : phrase(c.lang, s.blockedBy, { side: s.setup.side, timeZone: c.tz, models: c.models })
            }</td></tr>`,
        )}</tbody></table>`
  }`;

const locks = (v: DashboardView, c: Ctx) =>
  html`<h2>${c.w.locks}</h2>${
    v.locks.length === 0
      ? html`<p class="muted">${c.w.noLocks}</p>`
      : html`<table class="list"><thead><tr><th>${c.w.scope}</th><th>${c.w.reasons}</th><th>${c.w.until}</th><th>${c.w.remainingTime}</th></tr></thead><tbody>${v.locks.map(
          (l) =>
            html`<tr class="lock" data-rule="${l.rule}"><td>${l.scope === "global" ? c.w.scopeGlobal : l.scope === "model" ? modelLabel(c.lang, l.target ?? "", c.models) : (l.target ?? "")}</td><td>${lockReason(c.lang, l)}</td><td>${at(c, l.until)}</td><td>${countdownTo(c, l.until)}</td></tr>`,
        )}</tbody></table>`
  }`;

const equity = (v: DashboardView, c: Ctx) => {
  const last = v.equity.points.at(-1);
  return html`<h2>${c.w.equityCurve}</h2>
<div class="cards">${card(c.w.equity, last === undefined ? "—" : `${formatNumber(last.equity)} USDT`)}${card(c.w.maxDrawdown, `${formatNumber(v.equity.maxDrawdownPct)}%`, undefined, v.equity.maxDrawdownPct < -5 ? "warn" : "")}</div>
${chart(`/api/chart?equity=1&lang=${c.lang}`, `${v.equity.points.length}|${last?.time ?? 0}|${last?.equity ?? 0}`, "wide")}
<p class="muted small">${c.w.equityNote}</p>`;
};

const statsRow = (label: Html | string, s: SummaryView) =>
  html`<tr><th>${label}</th><td class="num">${s.trades}</td><td class="num">${s.wins}</td><td class="num">${s.losses}</td><td class="num">${s.breakevens}</td><td class="num">${formatRate(s.winRate)}</td><td class="num ${tone(s.totalR)}">${r(s.totalR)}</td><td class="num ${tone(s.meanR)}">${r(s.meanR)}</td><td class="num ${tone(s.pnl)}">${formatSigned(s.pnl)}</td><td class="num">${s.profitFactor === null ? "—" : formatNumber(s.profitFactor)}</td></tr>`;

const statsHead = (c: Ctx, first: string) =>
  html`<thead><tr><th>${first}</th><th>${c.w.trades}</th><th>${c.w.wins}</th><th>${c.w.losses}</th><th>${c.w.breakevens}</th><th>${c.w.winRate}</th><th>${c.w.totalR}</th><th>${c.w.meanR}</th><th>${c.w.pnl}</th><th>${c.w.profitFactor}</th></tr></thead>`;

const stats = (v: DashboardView, c: Ctx) =>
  html`<h2>${c.w.stats}</h2>${
    v.stats.total.trades === 0
      ? html`<p class="muted">${c.w.noClosed}</p>`
      : html`<h3>${c.w.byModel}</h3><table class="list stats">${statsHead(c, c.w.model)}<tbody>${Object.entries(
          v.stats.byModel,
        ).map(([m, s]) =>
          statsRow(modelLabel(c.lang, m, c.models), s),
        )}${statsRow(html`<em>${c.w.all}</em>`, v.stats.total)}</tbody></table>
<h3>${c.w.bySymbol}</h3><table class="list stats">${statsHead(c, c.w.symbol)}<tbody>${v.stats.bySymbol.map(
          (s) => statsRow(s.symbol, s),
        )}</tbody></table>`
  }`;

const outbox = (v: DashboardView, c: Ctx) =>
  html`<h2>${c.w.outbox}</h2><div class="cards">${card(c.w.outboxDepth, String(v.outbox.depth), undefined, v.outbox.depth > 20 ? "warn" : "")}</div>${
    v.outbox.pending.length === 0
      ? html`<p class="muted">${c.w.outboxEmpty}</p>`
      : html`<ul class="plain">${v.outbox.pending.map(
          (p) =>
            html`<li><code>${p.kind}</code> · ${c.w.queuedAt} ${at(c, p.createdAt)} · ${p.attempts} ${c.w.attempts}</li>`,
        )}</ul>`
  }`;

/** A /healthz value as shown: times (ISO strings) in TIMEZONE, the rest as it is. */
const field = (c: Ctx, v: string | number | boolean | null) =>
  v === null
    ? "—"
    : typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) && !Number.isNaN(Date.parse(v))
      ? at(c, Date.parse(v))
      : String(v);

const sectionName = (c: Ctx, name: string) =>
  name === "rest"
    ? c.w.healthRest
    : name === "storage"
      ? c.w.healthStorage
      : name === "outbox.halted"
        ? c.w.healthHalted
        : name;

const exchange = (v: DashboardView, c: Ctx) => {
  const m = v.market;
  const closed = (["30m", "4h", "1d"] as const)
    .filter((tf) => m.lastClosed[tf] !== undefined)
    .map((tf) => html`<span class="chip">${tf} ${at(c, m.lastClosed[tf] ?? 0)}</span>`);
  return html`<h2>${c.w.exchange}</h2>
<dl class="groups">
<dt>${c.w.marketData}</dt><dd><span class="badge ${m.fresh === false ? "bad" : "ok"}">${m.fresh === false ? c.w.stale : c.w.fresh}</span>${m.lastDataAt === null ? "" : html` ${c.w.lastData} ${at(c, m.lastDataAt)}`}</dd>
<dt>${c.w.lastClosed}</dt><dd class="last-closed">${closed}</dd>
<dt>${c.w.reconnects}</dt><dd>${field(c, m.reconnects)}</dd>
<dt>${c.w.restWeight}</dt><dd>${field(c, m.restWeightUsed)}</dd>
<dt>${c.w.shards}</dt><dd>${m.shards.map(
    (s) =>
      html`<span class="chip ${s.state === "open" ? "" : "warn"}">#${s.id} ${s.state}${s.streams === null ? "" : ` · ${s.streams} ${c.w.streams}`}${s.silentSeconds === null || s.silentSeconds < 5 ? "" : ` · ${c.w.silent} ${s.silentSeconds} ${c.w.seconds}`}</span>`,
  )}</dd>
</dl>${
    v.sections.length === 0
      ? ""
      : html`<h3>${c.w.otherHealth}</h3>${v.sections.map(
          (s) =>
            html`<div class="section-health" data-section="${s.name}"><strong>${sectionName(c, s.name)}</strong>${s.ok === undefined ? "" : html` <span class="badge ${s.ok ? "ok" : "bad"}">${s.ok ? c.w.ok : c.w.notOk}</span>`}<dl class="fields">${s.fields.map(
              ([k, x]) => html`<dt>${k}</dt><dd>${field(c, x)}</dd>`,
            )}</dl></div>`,
        )}`
  }`;
};

const reports = (c: Ctx, list: readonly ReportFile[], dir: string) =>
  html`<h2>${c.w.reports}</h2>${
    list.length === 0
      ? html`<p class="muted">${fill(c.w.noReports, { dir })}</p>`
      : html`<ul class="plain reports">${list.map(
          (f) =>
            html`<li><a href="/reports/${f.name.split("/").map(encodeURIComponent).join("/")}" target="_blank" rel="noopener">${f.title}</a> <span class="chip">${f.kind.toUpperCase()}</span> <span class="muted">${f.name} · ${formatNumber(f.size / 1024, 0)} KB · ${c.w.modified} ${at(c, f.modifiedAt)}</span></li>`,
        )}</ul>`
  }`;

// ---- the page -----------------------------------------------------------------------------------------------

const ctxOf = (v: DashboardView, page: PageContext): Ctx => ({
  w: WORDS[page.lang],
  lang: page.lang,
  models: page.models ?? DEFAULT_MODELS,
  tz: v.timeZone,
  now: v.time,
});

/** Each section's inner HTML: what the live feed sends (only the ones that changed). */
export const renderSections = (v: DashboardView, page: PageContext): Readonly<Record<SectionId, string>> => {
  const c = ctxOf(v, page);
  return {
    head: head(v, c).text,
    overview: overview(v, c).text,
    symbols: symbols(v, c).text,
    trades: trades(v, c).text,
    signals: signals(v, c).text,
    locks: locks(v, c).text,
    equity: equity(v, c).text,
    stats: stats(v, c).text,
    blocked: blocked(v, c).text,
    outbox: outbox(v, c).text,
    exchange: exchange(v, c).text,
    reports: reports(c, page.reports, page.reportsDir).text,
  };
};

export const renderPage = (v: DashboardView, page: PageContext): string => {
  const c = ctxOf(v, page);
  const sections = renderSections(v, page);
  const box = (id: SectionId, cls = "") =>
    html`<section id="${id}" class="${cls}">${new Html(sections[id])}</section>`;
  return html`<!doctype html>
<html lang="${c.w.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>signalbot · ${c.w.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${page.assets.style}">
<script src="${page.assets.script}" defer></script>
</head>
<body data-lang="${page.lang}" data-events="/events?lang=${page.lang}" data-now="${v.time}" data-time-zone="${v.timeZone}" data-day-word="${c.w.day}">
<header class="top">
<h1>signalbot <span class="muted">· ${c.w.title}</span></h1>
<div id="head" class="head">${new Html(sections.head)}</div>
<span class="feed" data-live="${c.w.live}" data-offline="${c.w.offline}">…</span>
<nav class="langs">${LANGS.map((l) =>
    l === page.lang
      ? html`<strong>${WORDS[l].languageName}</strong>`
      : html`<a href="/?lang=${l}">${WORDS[l].languageName}</a>`,
  )}</nav>
</header>
<main>
${box("overview")}
<div class="columns">${box("symbols")}${box("locks")}</div>
${box("trades")}
${box("signals")}
${box("equity")}
${box("stats")}
${box("blocked")}
<div class="columns">${box("outbox")}${box("exchange")}</div>
${box("reports")}
</main>
<footer><span>${c.w.readOnly}</span> · <a href="https://www.tradingview.com/" rel="noopener noreferrer" target="_blank">${c.w.attribution}</a></footer>
</body>
</html>
`.text;
};
