import { describe, expect, test } from "bun:test";
import { bollinger, continuationModel, ema, type Model, reversalModel, sma } from "@signalbot/core";
import { loadKlines } from "@signalbot/core/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { foreignWords } from "../testing/Wording.ts";
import { type ChartInput, modelLines, renderChartPng, renderChartSvg } from "./CandleChart.ts";

// 200 candles, as the live bot sends: 120 warm the lines up, the last 80 are drawn.
const candles = loadKlines("BTCUSDT", "30m", FIXTURE_KLINES_DIR).slice(100, 300);
const last = candles[candles.length - 1]!;
const entry = last.close;
const risk = entry * 0.012;
const closes = candles.map((c) => c.close);

const long: ChartInput = {
  symbol: "BTCUSDT",
  timeframe: "30m",
  side: "LONG",
  candles,
  entry,
  stop: entry - risk,
  targets: [entry + risk, entry + 2 * risk, entry + 3 * risk],
  lines: modelLines(continuationModel, candles),
  subtitle: "Tiếp diễn xu hướng",
  tickSize: "0.10",
};
const reversal: ChartInput = {
  ...long,
  side: "SHORT",
  lines: modelLines(reversalModel, candles),
  subtitle: "Đảo chiều Bollinger",
  stop: entry + risk,
  targets: [entry - risk, entry - 2 * risk, entry - 3 * risk],
};

const levelY = (svg: string, kind: string): number => {
  const m = new RegExp(`class="level level-${kind}" data-price="([-\\d.e]+)"[^>]*\\sy1="([\\d.]+)"`).exec(
    svg,
  );
  if (!m) throw new Error(`no level ${kind}`);
  return Number(m[2]);
};

/** Price → y on the price pane, recovered from two level lines (the chart maps prices linearly). */
const priceToY = (svg: string) => {
  const at = (kind: string) => {
    const m = new RegExp(`class="level level-${kind}" data-price="([-\\d.e]+)"[^>]*\\sy1="([\\d.]+)"`).exec(
      svg,
    )!;
    return { price: Number(m[1]), y: Number(m[2]) };
  };
  const a = at("stop");
  const b = at("tp3");
  return (p: number) => a.y + ((p - a.price) * (b.y - a.y)) / (b.price - a.price);
};

/** Largest distance between drawn ys and the expected ones. */
const maxGap = (points: readonly { y: number }[], expected: readonly number[]): number =>
  Math.max(...points.map((p, i) => Math.abs(p.y - expected[i]!)));

/** The points of an indicator path, by its data-name. */
const pathPoints = (svg: string, name: string): { x: number; y: number }[] => {
  const m = new RegExp(`class="indicator" data-name="${name.replace(/[()]/g, "\\$&")}" d="([^"]*)"`).exec(
    svg,
  );
  if (!m) throw new Error(`no path ${name}`);
  return [...m[1]!.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((p) => ({ x: Number(p[1]), y: Number(p[2]) }));
};

const texts = (svg: string): string[] =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&"),
  );

/** Width and height from the PNG signature + IHDR chunk. */
const pngSize = (png: Uint8Array): { width: number; height: number } => {
  expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(new TextDecoder().decode(png.slice(12, 16))).toBe("IHDR");
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
};

describe("CandleChart", () => {
  test("the SVG draws the last 80 candles, in order, with one volume bar each", () => {
    const svg = renderChartSvg(long);
    const times = [...svg.matchAll(/class="candle" data-open-time="(\d+)"/g)].map((m) => Number(m[1]));
    expect(times).toEqual(candles.slice(-80).map((c) => c.openTime));
    const volumes = [...svg.matchAll(/class="volume" data-volume="([\d.e+-]+)"/g)].map((m) => Number(m[1]));
    expect(volumes).toEqual(candles.slice(-80).map((c) => c.volume));
  });

  test("a continuation shows the model's pullback EMA, point for point, and no bands", () => {
    const svg = renderChartSvg(long);
    const toY = priceToY(svg);
    const points = pathPoints(svg, "EMA20 (đường hồi về)");
    const expected = ema(closes, 20).slice(-80);
    expect(points).toHaveLength(80);
    expect(maxGap(points, expected.map(toY))).toBeLessThan(0.15);
    expect(svg).not.toContain("Bollinger");
  });

  test("a reversal shows the Bollinger bands (upper, middle, lower) the model reads", () => {
    const svg = renderChartSvg(reversal);
    const toY = priceToY(svg);
    const b = bollinger(closes, 20, 2);
    const upper = pathPoints(svg, "Dải Bollinger (20, 2)");
    expect(upper).toHaveLength(80);
    expect(maxGap(upper, b.upper.slice(-80).map(toY))).toBeLessThan(0.15);
    const middle = pathPoints(svg, "band-middle");
    expect(maxGap(middle, b.middle.slice(-80).map(toY))).toBeLessThan(0.15);
    expect(svg.match(/class="indicator" data-name="(Dải Bollinger|band-middle)/g)).toHaveLength(3);
    expect(svg).not.toContain("EMA20");
  });

  test("a custom model's own lines are drawn, each in a palette colour when it names none; no lines, none drawn", () => {
    const channel: Model = {
      name: "channel",
      create: () => ({
        warmup: {},
        evaluate: () => ({ _tag: "NoSetup", model: "channel", reason: { code: "x" } }),
      }),
      chartLines: (cs) => [
        { name: { vi: "Kênh trên", en: "Upper" }, values: cs.map((c) => c.high) },
        { name: "Kênh dưới", values: cs.map((c) => c.low), dashed: true },
      ],
    };
    const lines = modelLines(channel, candles);
    expect(lines.map((l) => [l.name, l.color, l.dashed === true])).toEqual([
      ["Kênh trên", "#ffb74d", false],
      ["Kênh dưới", "#ba68c8", true],
    ]);
    expect(modelLines(channel, candles, "en")[0]!.name).toBe("Upper");
    const svg = renderChartSvg({ ...long, lines });
    const toY = priceToY(svg);
    const upper = pathPoints(svg, "Kênh trên");
    expect(upper).toHaveLength(80);
    expect(
      maxGap(
        upper,
        candles.slice(-80).map((c) => toY(c.high)),
      ),
    ).toBeLessThan(0.15);
    expect(svg).toContain('data-name="Kênh dưới"');
    expect(svg).not.toContain("EMA20");
    const { chartLines: _, ...plain } = channel;
    expect(modelLines(plain, candles)).toEqual([]);
    expect(modelLines(undefined, candles)).toEqual([]);
  });

  test("volume bars share one scale, and the 20-candle average the model compares with is on it", () => {
    const svg = renderChartSvg(long);
    const bars = [
      ...svg.matchAll(
        /class="volume" data-volume="([\d.e+-]+)" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g,
      ),
    ].map((m) => ({ volume: Number(m[1]), top: Number(m[2]), height: Number(m[3]) }));
    const bottom = bars[0]!.top + bars[0]!.height;
    const tallest = bars.reduce((a, b) => (b.volume > a.volume ? b : a));
    const scale = tallest.height / tallest.volume;
    for (const b of bars) {
      expect(Math.abs(b.top + b.height - bottom)).toBeLessThan(0.11);
      if (b.height > 1) expect(Math.abs(b.height - b.volume * scale)).toBeLessThan(0.15);
    }
    const average = sma(
      candles.map((c) => c.volume),
      20,
    ).slice(-80);
    const points = pathPoints(svg, "volume-average");
    expect(points).toHaveLength(80);
    expect(
      maxGap(
        points,
        average.map((v) => bottom - v * scale),
      ),
    ).toBeLessThan(0.15);
  });

  test("the price axis shows round prices inside the picture, top to bottom in descending order", () => {
    const svg = renderChartSvg(long);
    const axis = [...svg.matchAll(/class="axis-price" x="[\d.]+" y="([\d.]+)"[^>]*>([\d,.]+)</g)].map(
      (m) => ({
        y: Number(m[1]),
        price: Number(m[2]!.replaceAll(",", "")),
      }),
    );
    axis.sort((a, b) => a.y - b.y);
    expect(axis.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < axis.length; i++) {
      expect(axis[i]!.y).toBeGreaterThan(axis[i - 1]!.y);
      expect(axis[i]!.price).toBeLessThan(axis[i - 1]!.price);
    }
    for (const a of axis) expect(a.price % 250).toBe(0);
  });

  test("level lines are ordered by price: a LONG has TP3 on top and the stop at the bottom", () => {
    const svg = renderChartSvg(long);
    const ys = ["tp3", "tp2", "tp1", "entry", "stop"].map((k) => levelY(svg, k));
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThan(ys[i - 1]!);
    expect(texts(svg)).toContain(
      `Giá vào ${new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(entry)}`,
    );
  });

  test("a SHORT puts the stop on top and TP3 at the bottom; every level stays inside the picture", () => {
    const svg = renderChartSvg(reversal);
    const ys = ["stop", "entry", "tp1", "tp2", "tp3"].map((k) => levelY(svg, k));
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThan(ys[i - 1]!);
    for (const y of ys) {
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(540);
    }
  });

  test("every word on the chart is Vietnamese (or an abbreviation), in precomposed form", () => {
    for (const input of [long, reversal]) {
      const words = texts(renderChartSvg(input)).join("\n");
      expect(foreignWords(words)).toEqual([]);
      expect(words).toBe(words.normalize("NFC"));
    }
  });

  test("text is escaped in the SVG", () => {
    expect(renderChartSvg({ ...long, subtitle: "<a & b>" })).toContain("&lt;a &amp; b&gt;");
  });

  test("the PNG decodes with the expected size (bundled font, no system fonts)", () => {
    expect(pngSize(renderChartPng(long))).toEqual({ width: 960, height: 540 });
    expect(pngSize(renderChartPng(reversal, { width: 640, height: 360, maxCandles: 40 }))).toEqual({
      width: 640,
      height: 360,
    });
  });

  test("no candles: a clear error (the notifier then sends text only)", () => {
    expect(() => renderChartPng({ ...long, candles: [] })).toThrow(/no candles for "BTCUSDT"/);
  });
});
