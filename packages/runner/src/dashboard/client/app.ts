/**
 * The dashboard in the browser: keeps the server-rendered sections current from the live feed (server-sent
 * events, no reload), draws the charts with TradingView's lightweight-charts (bundled into this script) from
 * /api/chart, ticks the countdowns every second. Charts survive section updates: their element is moved into the
 * new HTML and only redrawn when the data version changed. No inline code anywhere (the CSP forbids it).
 */
import {
  AreaSeries,
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineSeries,
  LineStyle,
  type SeriesMarker,
  TickMarkType,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import type { ChartData } from "../ChartData.ts";
import { countdown } from "../Countdown.ts";

const body = document.body;
const timeZone = body.dataset.timeZone ?? "UTC";
const dayWord = body.dataset.dayWord ?? "d";
/** Bot time minus wall time: the demo's market clock runs fast, the countdowns follow the bot's. */
let offset = Number(body.dataset.now ?? Date.now()) - Date.now();

const COLORS = {
  background: "#131722",
  grid: "#232734",
  text: "#d1d4dc",
  up: "#26a69a",
  down: "#ef5350",
  equity: "#42a5f5",
  drawdown: "#ef5350",
};

const zoned = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", ...options });
const full = zoned({ day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });
const dayMonth = zoned({ day: "2-digit", month: "2-digit" });
const hourMinute = zoned({ hour: "2-digit", minute: "2-digit" });
const ms = (t: Time) => (typeof t === "number" ? t * 1000 : Date.parse(String(t)));

/** Decimals that show a price like the exchange does: 87,608.2 → 2, 0.00001234 → 8. */
const decimalsFor = (values: readonly number[]): number => {
  const v = values.find((x) => x > 0) ?? 1;
  return Math.min(10, Math.max(2, 4 - Math.floor(Math.log10(v))));
};

const baseOptions = {
  autoSize: true,
  // The logo would add an inline <style> (the CSP refuses it): the page footer links TradingView instead.
  layout: { background: { color: COLORS.background }, textColor: COLORS.text, attributionLogo: false },
  grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
  timeScale: {
    timeVisible: true,
    rightOffset: 6,
    secondsVisible: false,
    borderColor: COLORS.grid,
    tickMarkFormatter: (t: Time, type: TickMarkType) =>
      (type === TickMarkType.Time ? hourMinute : dayMonth).format(ms(t)),
  },
  rightPriceScale: { borderColor: COLORS.grid },
  localization: { timeFormatter: (t: Time) => full.format(ms(t)) },
};

const ts = (t: number) => t as UTCTimestamp;

interface Mounted {
  readonly el: HTMLElement;
  readonly url: string;
  version: string;
  readonly chart: IChartApi;
  readonly draw: (data: ChartData) => void;
}

/** A candle chart: candles, volume below them, the model's lines, levels, markers. */
const candleChart = (el: HTMLElement): Pick<Mounted, "chart" | "draw"> => {
  const chart = createChart(el, baseOptions);
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: COLORS.up,
    downColor: COLORS.down,
    borderVisible: false,
    wickUpColor: COLORS.up,
    wickDownColor: COLORS.down,
  });
  const volume = chart.addSeries(HistogramSeries, { priceScaleId: "", priceFormat: { type: "volume" } });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
  let lines: ISeriesApi<"Line">[] = [];
  let levels: IPriceLine[] = [];
  let markers: ISeriesMarkersPluginApi<Time> | undefined;
  const draw = (d: ChartData) => {
    const decimals = decimalsFor(d.candles.map((c) => c.close));
    candles.applyOptions({ priceFormat: { type: "price", precision: decimals, minMove: 10 ** -decimals } });
    candles.setData(d.candles.map((c) => ({ ...c, time: ts(c.time) })));
    volume.setData(d.volumes.map((v) => ({ time: ts(v.time), value: v.value, color: v.color })));
    for (const l of lines) chart.removeSeries(l);
    lines = d.lines.map((l) => {
      const s = chart.addSeries(LineSeries, {
        color: l.color,
        lineWidth: 1,
        lineStyle: l.dashed ? LineStyle.Dashed : LineStyle.Solid,
        title: l.name,
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerVisible: false,
      });
      s.setData(l.points.map((p) => ({ time: ts(p.time), value: p.value })));
      return s;
    });
    for (const p of levels) candles.removePriceLine(p);
    levels = d.levels.map((l) =>
      candles.createPriceLine({
        price: l.price,
        color: l.color,
        lineWidth: 1,
        lineStyle: l.dashed ? LineStyle.Dotted : LineStyle.Dashed,
        axisLabelVisible: true,
        title: l.label,
      }),
    );
    const marks: SeriesMarker<Time>[] = d.markers.map((m) => ({ ...m, time: ts(m.time) }));
    if (markers === undefined) {
      markers = createSeriesMarkers(candles, marks);
      chart.timeScale().fitContent();
    } else markers.setMarkers(marks);
  };
  return { chart, draw };
};

/** Equity above, drawdown (%) in a pane below. */
const equityChart = (el: HTMLElement): Pick<Mounted, "chart" | "draw"> => {
  const chart = createChart(el, baseOptions);
  const equity = chart.addSeries(LineSeries, { color: COLORS.equity, lineWidth: 2 });
  const drawdown = chart.addSeries(
    AreaSeries,
    {
      lineColor: COLORS.drawdown,
      topColor: "rgba(239, 83, 80, 0.05)",
      bottomColor: "rgba(239, 83, 80, 0.4)",
      lineWidth: 1,
      invertFilledArea: true,
    },
    1,
  );
  const draw = (d: ChartData) => {
    equity.applyOptions({ title: d.labels?.equity ?? "" });
    drawdown.applyOptions({ title: d.labels?.drawdown ?? "" });
    equity.setData((d.equity ?? []).map((p) => ({ time: ts(p.time), value: p.value })));
    drawdown.setData((d.drawdown ?? []).map((p) => ({ time: ts(p.time), value: p.value })));
    chart.timeScale().fitContent();
  };
  return { chart, draw };
};

const charts = new Map<string, Mounted>();

const load = async (m: Mounted) => {
  const version = m.version;
  const response = await fetch(m.url, { credentials: "same-origin" });
  if (!response.ok) {
    m.el.dataset.state = "missing";
    return;
  }
  const data = (await response.json()) as ChartData;
  if (m.version !== version || !m.el.isConnected) return;
  m.draw(data);
  m.el.dataset.state = "drawn";
  m.el.dataset.candles = String(data.candles.length || (data.equity?.length ?? 0));
};

const isHidden = (el: HTMLElement) => {
  const details = el.closest("details");
  return details !== null && !details.open;
};

/** Puts every chart of `root` in place: the existing one moved in (redrawn if its data changed) or a new one. */
const mountCharts = (root: ParentNode) => {
  for (const holder of root.querySelectorAll<HTMLElement>(".chart[data-chart]")) {
    const url = holder.dataset.chart ?? "";
    const version = holder.dataset.version ?? "";
    const existing = charts.get(url);
    if (existing !== undefined) {
      if (existing.el !== holder) holder.replaceWith(existing.el);
      if (existing.version !== version) {
        existing.version = version;
        void load(existing);
      }
      continue;
    }
    if (isHidden(holder)) continue;
    const made = url.includes("equity=") ? equityChart(holder) : candleChart(holder);
    const m: Mounted = { el: holder, url, version, ...made };
    charts.set(url, m);
    void load(m);
  }
};

const dropDetached = () => {
  for (const [url, m] of charts)
    if (!m.el.isConnected) {
      m.chart.remove();
      charts.delete(url);
    }
};

const tickCountdowns = () => {
  const now = Date.now() + offset;
  for (const el of document.querySelectorAll<HTMLElement>("time.countdown"))
    el.textContent = countdown(Number(el.dataset.until) - now, dayWord);
};

/** Replaces one section's HTML, keeping which signals were opened and the charts in them. */
const replaceSection = (id: string, html: string) => {
  const el = document.getElementById(id);
  if (el === null) return;
  const opened = new Map<string, boolean>();
  for (const d of el.querySelectorAll<HTMLDetailsElement>("details[data-signal]"))
    opened.set(d.dataset.signal ?? "", d.open);
  el.innerHTML = html;
  for (const d of el.querySelectorAll<HTMLDetailsElement>("details[data-signal]")) {
    const was = opened.get(d.dataset.signal ?? "");
    if (was !== undefined) d.open = was;
  }
  mountCharts(el);
};

const feed = document.querySelector<HTMLElement>(".feed");
const setFeed = (live: boolean) => {
  if (feed === null) return;
  feed.classList.toggle("is-live", live);
  feed.classList.toggle("is-offline", !live);
  feed.textContent = (live ? feed.dataset.live : feed.dataset.offline) ?? "";
};

let updates = 0;
const listen = () => {
  const url = body.dataset.events;
  if (url === undefined) return;
  const source = new EventSource(url);
  source.addEventListener("open", () => setFeed(true));
  source.addEventListener("error", () => setFeed(false));
  source.addEventListener("sections", (e) => {
    const message = JSON.parse((e as MessageEvent<string>).data) as {
      readonly time: number;
      readonly sections: Readonly<Record<string, string>>;
    };
    offset = message.time - Date.now();
    body.dataset.now = String(message.time);
    for (const [id, html] of Object.entries(message.sections)) replaceSection(id, html);
    dropDetached();
    tickCountdowns();
    setFeed(true);
    body.dataset.updates = String(++updates);
  });
};

document.addEventListener(
  "toggle",
  (e) => {
    const t = e.target;
    if (t instanceof HTMLDetailsElement && t.open) mountCharts(t);
  },
  true,
);

mountCharts(document);
setInterval(tickCountdowns, 1000);
listen();
