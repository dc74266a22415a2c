/**
 * The chart sent with each new signal, showing why it fired: candlesticks of the setup timeframe with the
 * model's own lines (`Model.chartLines`: the pullback EMA for a continuation, the Bollinger bands for a
 * reversal), volume with its average, a price axis, and the entry, stop and target levels. Drawn as SVG and
 * rasterised to PNG by resvg
 * with the bundled DejaVu Sans font only (precomposed Vietnamese glyphs; no system font is ever loaded, so the
 * picture is the same on every machine).
 */
import { fileURLToPath } from "node:url";
import { Resvg } from "@resvg/resvg-js";
import {
  type Candle,
  DEFAULT_PARAMS,
  type Language,
  labelText,
  type Model,
  type Side,
  sma,
  type Timeframe,
} from "@signalbot/core";
import { DEFAULT_TIME_ZONE, formatNumber, formatPrice, formatTime } from "../telegram/Format.ts";
import { escapeHtml } from "../telegram/Message.ts";
import { decimalsFor, niceTicks, spreadApart } from "./Scale.ts";

export interface ChartInput {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly side: Side;
  /**
   * Candles up to the trigger, oldest first. Only the last `maxCandles` are drawn; the ones before warm up the
   * lines (the live bot sends 200, so the EMA matches the model's to the pixel).
   */
  readonly candles: readonly Candle[];
  readonly entry: number;
  readonly stop: number;
  readonly targets: readonly number[];
  /** The lines of the model that fired, aligned with `candles` (`modelLines`); none when absent. */
  readonly lines?: readonly IndicatorLine[];
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

export const FONT_FILE = fileURLToPath(new URL("./fonts/DejaVuSans.ttf", import.meta.url));
const FONT_FAMILY = "DejaVu Sans";

/** The palette of the signal charts (the dashboard draws with the same colours). */
export const CHART_COLORS = {
  background: "#131722",
  grid: "#232734",
  axis: "#787b86",
  text: "#d1d4dc",
  up: "#26a69a",
  down: "#ef5350",
  entry: "#42a5f5",
  stop: "#ef5350",
  target: "#66bb6a",
  ema: "#ffb74d",
  band: "#ba68c8",
  volumeAverage: "#d1d4dc",
};
const COLORS = CHART_COLORS;

/** Level names on the chart: the same words as the message. */
const LEVEL_LABEL = { entry: "Giá vào", stop: "Cắt lỗ" } as const;

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

export interface IndicatorLine {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
  readonly dashed?: boolean;
}

/** Colours for a model's lines that name none, in order. */
const LINE_PALETTE = [COLORS.ema, COLORS.band, "#4dd0e1", "#f06292", "#aed581"];

/**
 * The model's own lines (`Model.chartLines`) over `candles`, aligned with them (NaN during warm-up), named in
 * `language`; a line without a colour takes the next of the palette. None for an absent model or one
 * without lines.
 */
export const modelLines = (
  model: Model | undefined,
  candles: readonly Candle[],
  language: Language = "vi",
): readonly IndicatorLine[] => {
  if (model?.chartLines === undefined || candles.length === 0) return [];
  let next = 0;
  return model.chartLines(candles).map((l) => ({
    name: labelText(l.name, language),
    color: l.color ?? LINE_PALETTE[next++ % LINE_PALETTE.length]!,
    values: l.values,
    ...(l.dashed === true ? { dashed: true } : {}),
  }));
};

/** An SVG polyline through the defined points (a NaN breaks the line). */
const path = (xs: (i: number) => number, y: (v: number) => number, values: readonly number[]): string => {
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${f1(xs(i))} ${f1(y(v))}`;
    pen = true;
  });
  return d;
};

/**
 * The SVG document. Candles are `<g class="candle">`, volume bars `<rect class="volume">`, the model's lines
 * `<path class="indicator" data-name=…>`, levels `<line class="level level-…" data-price=…>`, axis prices
 * `<text class="axis-price">`.
 */
export const renderChartSvg = (input: ChartInput, options: ChartOptions = {}): string => {
  const width = options.width ?? CHART_WIDTH;
  const height = options.height ?? CHART_HEIGHT;
  const shown = Math.min(input.candles.length, options.maxCandles ?? CHART_CANDLES);
  const from = input.candles.length - shown;
  const candles = input.candles.slice(from);
  const tz = input.timeZone ?? DEFAULT_TIME_ZONE;
  const price = (p: number) => formatPrice(p, input.tickSize);
  const axisWidth = Math.min(170, Math.round(width * 0.18));
  const plot = { left: 12, right: width - axisWidth, top: 58, bottom: Math.round(height * 0.74) };
  const volume = { top: plot.bottom + 14, bottom: height - 30 };

  const lines = (input.lines ?? []).map((l) => ({ ...l, values: l.values.slice(from) }));

  const levels = [
    { kind: "entry", label: LEVEL_LABEL.entry, price: input.entry, color: COLORS.entry },
    { kind: "stop", label: LEVEL_LABEL.stop, price: input.stop, color: COLORS.stop },
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
  for (const l of lines)
    for (const v of l.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  const pad = (hi - lo) * 0.04 || Math.abs(hi) * 0.01 || 1;
  lo -= pad;
  hi += pad;
  const y = (p: number) => plot.top + ((hi - p) / (hi - lo)) * (plot.bottom - plot.top);
  const n = Math.max(candles.length, 1);
  const step = (plot.right - plot.left) / n;
  const x = (i: number) => plot.left + step * (i + 0.5);
  const body = Math.max(1, step * 0.62);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`,
  );
  const title = `${input.symbol} · ${input.timeframe} · ${input.side === "LONG" ? "MUA / LONG" : "BÁN / SHORT"}${input.subtitle ? ` · ${input.subtitle}` : ""}`;
  out.push(
    `<text class="title" x="${plot.left}" y="28" font-size="20" fill="${COLORS.text}">${escapeHtml(title)}</text>`,
  );

  // Legend: the model's lines, then the volume average.
  let legendX = plot.left;
  const legend = (name: string, color: string, dashed = false) => {
    out.push(
      `<line x1="${legendX}" y1="44" x2="${legendX + 18}" y2="44" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="4 3"' : ""}/>`,
      `<text class="legend" x="${legendX + 24}" y="48" font-size="12" fill="${COLORS.text}">${escapeHtml(name)}</text>`,
    );
    legendX += 24 + name.length * 7 + 18;
  };
  for (const l of lines) if (l.name !== "") legend(l.name, l.color);

  // Price axis: round prices on the right, with a faint grid line each; hidden where a level tag sits.
  const { step: priceStep, ticks } = niceTicks(lo, hi, 6);
  const tagYs = spreadApart(
    levels.map((l) => y(l.price)),
    21,
    plot.top + 10,
    plot.bottom - 10,
  );
  const tickDecimals = Math.max(decimalsFor(priceStep), 0);
  for (const t of ticks) {
    const yy = y(t);
    out.push(
      `<line class="grid" x1="${plot.left}" y1="${f1(yy)}" x2="${plot.right}" y2="${f1(yy)}" stroke="${COLORS.grid}" stroke-width="1"/>`,
    );
    if (tagYs.every((ty) => Math.abs(ty - yy) > 14))
      out.push(
        `<text class="axis-price" x="${plot.right + 8}" y="${f1(yy + 4)}" font-size="12" fill="${COLORS.axis}">${formatNumber(t, tickDecimals)}</text>`,
      );
  }
  out.push(
    `<line x1="${plot.right}" y1="${plot.top}" x2="${plot.right}" y2="${volume.bottom}" stroke="${COLORS.grid}" stroke-width="1"/>`,
  );

  // Volume pane: bars in the candle's colour and the average the model compares the trigger with.
  const volumes = input.candles.map((c) => c.volume);
  const average = sma(volumes, DEFAULT_PARAMS.volumePeriod).slice(from);
  const maxVolume = Math.max(...candles.map((c) => c.volume), ...average.filter(Number.isFinite), 0) || 1;
  const vy = (v: number) => volume.bottom - (v / maxVolume) * (volume.bottom - volume.top);
  candles.forEach((c, i) => {
    const color = c.close >= c.open ? COLORS.up : COLORS.down;
    const top = vy(c.volume);
    out.push(
      `<rect class="volume" data-volume="${c.volume}" x="${f1(x(i) - body / 2)}" y="${f1(top)}" width="${f1(body)}" height="${f1(Math.max(1, volume.bottom - top))}" fill="${color}" fill-opacity="0.45"/>`,
    );
  });
  const volumeLabel = `Khối lượng giao dịch · trung bình ${DEFAULT_PARAMS.volumePeriod} nến`;
  out.push(
    `<path class="indicator" data-name="volume-average" d="${path(x, vy, average)}" fill="none" stroke="${COLORS.volumeAverage}" stroke-width="1" stroke-dasharray="3 3"/>`,
    `<rect x="${plot.left - 2}" y="${volume.top - 2}" width="${volumeLabel.length * 6.6 + 6}" height="17" fill="${COLORS.background}" fill-opacity="0.75"/>`,
    `<text class="legend" x="${plot.left}" y="${volume.top + 10}" font-size="12" fill="${COLORS.axis}">${escapeHtml(volumeLabel)}</text>`,
  );

  // Candles, then the model's lines over them.
  candles.forEach((c, i) => {
    const color = c.close >= c.open ? COLORS.up : COLORS.down;
    const top = y(Math.max(c.open, c.close));
    const bottom = y(Math.min(c.open, c.close));
    out.push(
      `<g class="candle" data-open-time="${c.openTime}" fill="${color}" stroke="${color}">` +
        `<line x1="${f1(x(i))}" y1="${f1(y(c.high))}" x2="${f1(x(i))}" y2="${f1(y(c.low))}" stroke-width="1"/>` +
        `<rect x="${f1(x(i) - body / 2)}" y="${f1(top)}" width="${f1(body)}" height="${f1(Math.max(1, bottom - top))}"/>` +
        `</g>`,
    );
  });
  for (const l of lines)
    out.push(
      `<path class="indicator" data-name="${escapeHtml(l.name || "band-middle")}" d="${path(x, y, l.values)}" fill="none" stroke="${l.color}" stroke-width="1.6"${l.dashed ? ' stroke-dasharray="5 4"' : ""}/>`,
    );

  // The trigger candle: a marker on the side of the trade.
  const last = candles.at(-1);
  if (last !== undefined) {
    const cx = f1(x(candles.length - 1));
    const tip = input.side === "LONG" ? y(last.low) + 6 : y(last.high) - 6;
    const base = input.side === "LONG" ? tip + 10 : tip - 10;
    out.push(
      `<path class="trigger" d="M${cx} ${f1(tip)}L${f1(x(candles.length - 1) - 6)} ${f1(base)}L${f1(x(candles.length - 1) + 6)} ${f1(base)}Z" fill="${input.side === "LONG" ? COLORS.up : COLORS.down}"/>`,
    );
  }

  // Time labels: first, middle and last candle.
  if (candles.length > 0) {
    for (const i of [...new Set([0, Math.floor((candles.length - 1) / 2), candles.length - 1])]) {
      const c = candles[i]!;
      const anchor = i === 0 ? "start" : i === candles.length - 1 ? "end" : "middle";
      out.push(
        `<text class="time" x="${f1(x(i))}" y="${height - 10}" font-size="12" fill="${COLORS.axis}" text-anchor="${anchor}">${escapeHtml(formatTime(c.openTime, tz))}</text>`,
      );
    }
  }

  levels.forEach((l, k) => {
    const yy = f1(y(l.price));
    const ty = tagYs[k]!;
    out.push(
      `<line class="level level-${l.kind}" data-price="${l.price}" x1="${plot.left}" y1="${yy}" x2="${plot.right}" y2="${yy}" stroke="${l.color}" stroke-width="1.5"${l.kind === "entry" ? "" : ' stroke-dasharray="6 4"'}/>`,
      `<rect x="${plot.right + 4}" y="${f1(ty - 10)}" width="${axisWidth - 8}" height="20" rx="3" fill="${l.color}"/>`,
      `<text class="label label-${l.kind}" x="${plot.right + 9}" y="${f1(ty + 4.5)}" font-size="12" fill="#0b0e14">${escapeHtml(`${l.label} ${price(l.price)}`)}</text>`,
    );
  });
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
      sansSerifFamily: FONT_FAMILY,
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
