/**
 * Test-only kline loader: reads Binance kline CSV(.gz) files (the committed `fixtures/klines/` or any
 * directory in the same layout) into `Candle`s. Kept out of the core index because it does file I/O.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Candle, Timeframe } from "../model/Candle.ts";

/** The committed fixture directory, resolved from this file (never from the cwd). */
export const FIXTURE_KLINES_DIR: string = new URL("../../../../fixtures/klines/", import.meta.url).pathname;

/**
 * Parses Binance kline CSV text: `open_time,open,high,low,close,volume,close_time[,...]`, with or without a
 * header row (the data.binance.vision layout has 5 more columns, ignored). Throws on a malformed row,
 * naming the source and line.
 */
export const parseKlinesCsv = (text: string, source = "csv"): Candle[] => {
  const out: Candle[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const f = line.split(",");
    if (i === 0 && Number.isNaN(Number(f[0]))) continue; // header
    const c: Candle = {
      openTime: Number(f[0]),
      open: Number(f[1]),
      high: Number(f[2]),
      low: Number(f[3]),
      close: Number(f[4]),
      volume: Number(f[5]),
      closeTime: Number(f[6]),
    };
    if (f.length < 7 || Object.values(c).some((v) => !Number.isFinite(v))) {
      throw new Error(`${source}:${i + 1}: malformed kline row "${line}"`);
    }
    out.push(c);
  }
  return out;
};

/** Reads one kline file (`.csv` or `.csv.gz`). */
export const loadKlinesFile = (path: string): Candle[] => {
  const raw = readFileSync(path);
  const text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return parseKlinesCsv(text, path);
};

/** Reads `<dir>/<SYMBOL>-<timeframe>.csv.gz`, by default from the committed fixtures. */
export const loadKlines = (
  symbol: string,
  timeframe: Timeframe,
  dir: string = FIXTURE_KLINES_DIR,
): Candle[] => loadKlinesFile(`${dir.endsWith("/") ? dir : `${dir}/`}${symbol}-${timeframe}.csv.gz`);
