/**
 * Test-only kline loader: reads Binance kline CSV(.gz) files from a directory in the `<SYMBOL>-<interval>.csv.gz`
 * layout (what `bun run download` writes; this repository's `fixtures/klines/`) into `Candle`s, and replays
 * them in event-time order. Kept out of the core index because it does file I/O.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Candle, Timeframe } from "../model/Candle.ts";

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

/** Reads `<dir>/<SYMBOL>-<timeframe>.csv.gz`. */
export const loadKlines = (symbol: string, timeframe: Timeframe, dir: string): Candle[] =>
  loadKlinesFile(`${dir.endsWith("/") ? dir : `${dir}/`}${symbol}-${timeframe}.csv.gz`);

/** The three timeframes of one symbol, each in ascending open time. */
export interface SymbolKlines {
  readonly "30m": readonly Candle[];
  readonly "4h": readonly Candle[];
  readonly "1d": readonly Candle[];
}

/** Anything that takes closed candles per timeframe (e.g. `SymbolAnalyzer`). */
export interface CandleSink {
  push(timeframe: Timeframe, candle: Candle): unknown;
}

/**
 * Replays one symbol in event-time order: before each 30m candle, every 1d then 4h candle that has closed by
 * that candle's close is pushed (a higher-timeframe candle is visible only once closed); then the 30m candle,
 * then `onTrigger(i)` with its index. Stops after `limit` 30m candles.
 */
export const replay = (
  sink: CandleSink,
  k: SymbolKlines,
  onTrigger: (i: number) => void,
  limit: number = k["30m"].length,
): void => {
  const c30 = k["30m"];
  const c4 = k["4h"];
  const c1 = k["1d"];
  let i4 = 0;
  let i1 = 0;
  for (let i = 0; i < Math.min(limit, c30.length); i++) {
    const c = c30[i]!;
    while (i1 < c1.length && c1[i1]!.closeTime <= c.closeTime) sink.push("1d", c1[i1++]!);
    while (i4 < c4.length && c4[i4]!.closeTime <= c.closeTime) sink.push("4h", c4[i4++]!);
    sink.push("30m", c);
    onTrigger(i);
  }
};

/** All three timeframes of `symbol` from `dir`. */
export const loadSymbolKlines = (symbol: string, dir: string): SymbolKlines => ({
  "30m": loadKlines(symbol, "30m", dir),
  "4h": loadKlines(symbol, "4h", dir),
  "1d": loadKlines(symbol, "1d", dir),
});
