import { describe, expect, test } from "bun:test";
import { loadKlines } from "@signalbot/core/testing";
import { type ChartInput, renderChartPng, renderChartSvg } from "./CandleChart.ts";

const candles = loadKlines("BTCUSDT", "30m").slice(0, 300);
const last = candles[candles.length - 1]!;
const entry = last.close;
const risk = entry * 0.012;

const long: ChartInput = {
  symbol: "BTCUSDT",
  timeframe: "30m",
  side: "LONG",
  candles,
  entry,
  stop: entry - risk,
  targets: [entry + risk, entry + 2 * risk, entry + 3 * risk],
  subtitle: "Tiếp diễn xu hướng",
  tickSize: "0.10",
};

const levelY = (svg: string, kind: string): number => {
  const m = new RegExp(`class="level level-${kind}"[^>]*\\sy1="([\\d.]+)"`).exec(svg);
  if (!m) throw new Error(`no level ${kind}`);
  return Number(m[1]);
};

/** Width and height from the PNG signature + IHDR chunk. */
const pngSize = (png: Uint8Array): { width: number; height: number } => {
  expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(new TextDecoder().decode(png.slice(12, 16))).toBe("IHDR");
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
};

describe("CandleChart", () => {
  test("the SVG draws the last 80 candles, in order", () => {
    const svg = renderChartSvg(long);
    const times = [...svg.matchAll(/class="candle" data-open-time="(\d+)"/g)].map((m) => Number(m[1]));
    expect(times).toHaveLength(80);
    expect(times).toEqual(candles.slice(-80).map((c) => c.openTime));
  });

  test("level lines are ordered by price: a LONG has TP3 on top and the stop at the bottom", () => {
    const svg = renderChartSvg(long);
    const ys = ["tp3", "tp2", "tp1", "entry", "stop"].map((k) => levelY(svg, k));
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThan(ys[i - 1]!);
    expect(svg).toContain(
      `VÀO ${new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(entry)}`,
    );
  });

  test("a SHORT puts the stop on top and TP3 at the bottom; every level stays inside the picture", () => {
    const short: ChartInput = {
      ...long,
      side: "SHORT",
      stop: entry + risk,
      targets: [entry - risk, entry - 2 * risk, entry - 3 * risk],
    };
    const svg = renderChartSvg(short);
    const ys = ["stop", "entry", "tp1", "tp2", "tp3"].map((k) => levelY(svg, k));
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThan(ys[i - 1]!);
    for (const y of ys) {
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(540);
    }
  });

  test("text is escaped in the SVG", () => {
    expect(renderChartSvg({ ...long, subtitle: "<a & b>" })).toContain("&lt;a &amp; b&gt;");
  });

  test("the PNG decodes with the expected size (bundled font, no system fonts)", () => {
    const png = renderChartPng(long);
    expect(pngSize(png)).toEqual({ width: 960, height: 540 });
    expect(pngSize(renderChartPng(long, { width: 640, height: 360, maxCandles: 40 }))).toEqual({
      width: 640,
      height: 360,
    });
  });

  test("no candles: a clear error (the notifier then sends text only)", () => {
    expect(() => renderChartPng({ ...long, candles: [] })).toThrow(/no candles for "BTCUSDT"/);
  });
});
