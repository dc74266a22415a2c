/**
 * The chart sent with each new signal: candlesticks of the trigger timeframe (last ~80 candles) with the entry,
 * stop and target lines, drawn as SVG and rasterised to PNG by resvg with the bundled DejaVu Sans Mono font
 * (no system font is ever loaded, so the picture is the same on every machine).
 */
import { fileURLToPath } from "node:url";
import { Resvg } from "@resvg/resvg-js";
import type { Candle, Side, Timeframe } from "@signalbot/core";
import { DEFAULT_TIME_ZONE, formatPrice, formatTime } from "../telegram/Format.ts";
import { escapeHtml } from "../telegram/Message.ts";

export interface ChartInput {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly side: Side;
  /** Candles up to the trigger, oldest first; only the last `maxCandles` are drawn. */
  readonly candles: readonly Candle[];
  readonly entry: number;
  readonly stop: number;
  readonly targets: readonly number[];
  /** Title suffix, e.g. the model name. */
  readonly subtitle?: string;
  readonly tickSize?: string;
  readonly timeZone?: string;
}

export interface ChartOptions {
  readonly width?: number;
  readonly height?: number;
  readonly maxCandles?: number;
}

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 540;
export const CHART_CANDLES = 80;

export const FONT_FILE = fileURLToPath(new URL("./fonts/DejaVuSansMono.ttf", import.meta.url));
const FONT_FAMILY = "DejaVu Sans Mono";

const COLORS = {
  background: "#131722",
  grid: "#2a2e39",
  text: "#d1d4dc",
  up: "#26a69a",
  down: "#ef5350",
  entry: "#42a5f5",
  stop: "#ef5350",
  target: "#66bb6a",
};

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

/** The SVG document. Candles are `<g class="candle">`, levels `<line class="level level-…" data-price=…>`. */
export const renderChartSvg = (input: ChartInput, options: ChartOptions = {}): string => {
  const width = options.width ?? CHART_WIDTH;
  const height = options.height ?? CHART_HEIGHT;
  const candles = input.candles.slice(-(options.maxCandles ?? CHART_CANDLES));
  const tz = input.timeZone ?? DEFAULT_TIME_ZONE;
  const price = (p: number) => formatPrice(p, input.tickSize);
  const plot = { left: 12, right: width - 150, top: 48, bottom: height - 34 };

  const levels = [
    { kind: "entry", label: "VÀO", price: input.entry, color: COLORS.entry },
    { kind: "stop", label: "SL", price: input.stop, color: COLORS.stop },
    ...input.targets.map((t, i) => ({
      kind: `tp${i + 1}`,
      label: `TP${i + 1}`,
      price: t,
      color: COLORS.target,
    })),
  ];
  let lo = Math.min(...levels.map((l) => l.price));
  let hi = Math.max(...levels.map((l) => l.price));
  for (const c of candles) {
    if (c.low < lo) lo = c.low;
    if (c.high > hi) hi = c.high;
  }
  const pad = (hi - lo) * 0.04 || Math.abs(hi) * 0.01 || 1;
  lo -= pad;
  hi += pad;
  const y = (p: number) => plot.top + ((hi - p) / (hi - lo)) * (plot.bottom - plot.top);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`,
  );
  const title = `${input.symbol} · ${input.timeframe} · ${input.side === "LONG" ? "MUA / LONG" : "BÁN / SHORT"}${input.subtitle ? ` · ${input.subtitle}` : ""}`;
  out.push(
    `<text class="title" x="${plot.left}" y="30" font-size="20" fill="${COLORS.text}">${escapeHtml(title)}</text>`,
  );

  // Horizontal grid with 5 price ticks.
  for (let i = 0; i <= 4; i++) {
    const p = lo + ((hi - lo) * i) / 4;
    const yy = f1(y(p));
    out.push(
      `<line class="grid" x1="${plot.left}" y1="${yy}" x2="${plot.right}" y2="${yy}" stroke="${COLORS.grid}" stroke-width="1"/>`,
    );
  }

  const n = Math.max(candles.length, 1);
  const step = (plot.right - plot.left) / n;
  const body = Math.max(1, step * 0.62);
  candles.forEach((c, i) => {
    const cx = plot.left + step * (i + 0.5);
    const up = c.close >= c.open;
    const color = up ? COLORS.up : COLORS.down;
    const top = y(Math.max(c.open, c.close));
    const bottom = y(Math.min(c.open, c.close));
    out.push(
      `<g class="candle" data-open-time="${c.openTime}" fill="${color}" stroke="${color}">` +
        `<line x1="${f1(cx)}" y1="${f1(y(c.high))}" x2="${f1(cx)}" y2="${f1(y(c.low))}" stroke-width="1"/>` +
        `<rect x="${f1(cx - body / 2)}" y="${f1(top)}" width="${f1(body)}" height="${f1(Math.max(1, bottom - top))}"/>` +
        `</g>`,
    );
  });

  // Time labels: first, middle and last candle.
  if (candles.length > 0) {
    for (const i of [...new Set([0, Math.floor((candles.length - 1) / 2), candles.length - 1])]) {
      const c = candles[i]!;
      const x = plot.left + step * (i + 0.5);
      const anchor = i === 0 ? "start" : i === candles.length - 1 ? "end" : "middle";
      out.push(
        `<text class="time" x="${f1(x)}" y="${height - 12}" font-size="13" fill="${COLORS.text}" text-anchor="${anchor}">${escapeHtml(formatTime(c.openTime, tz))}</text>`,
      );
    }
  }

  for (const l of levels) {
    const yy = f1(y(l.price));
    out.push(
      `<line class="level level-${l.kind}" data-price="${l.price}" x1="${plot.left}" y1="${yy}" x2="${plot.right}" y2="${yy}" stroke="${l.color}" stroke-width="1.5"${l.kind === "entry" ? "" : ' stroke-dasharray="6 4"'}/>`,
      `<rect x="${plot.right + 4}" y="${f1(y(l.price) - 10)}" width="${width - plot.right - 8}" height="20" rx="3" fill="${l.color}"/>`,
      `<text class="label label-${l.kind}" x="${plot.right + 9}" y="${f1(y(l.price) + 5)}" font-size="13" fill="#0b0e14">${escapeHtml(`${l.label} ${price(l.price)}`)}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
};

/** Rasterise an SVG with the bundled font only. */
export const svgToPng = (svg: string): Uint8Array => {
  const resvg = new Resvg(svg, {
    font: {
      fontFiles: [FONT_FILE],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
    fitTo: { mode: "original" },
  });
  return new Uint8Array(resvg.render().asPng());
};

/** The signal chart as PNG bytes. Throws on invalid input (no candles); callers fall back to text. */
export const renderChartPng = (input: ChartInput, options: ChartOptions = {}): Uint8Array => {
  if (input.candles.length === 0) throw new Error(`chart: no candles for "${input.symbol}"`);
  return svgToPng(renderChartSvg(input, options));
};
