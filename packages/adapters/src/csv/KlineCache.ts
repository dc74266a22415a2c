/**
 * A binary copy of each validated kline file, so the next backtest, walk-forward or sweep process maps the
 * columns in (`mmap`, no copy) instead of gunzipping and parsing the CSV again (the 2025 data of 20 symbols:
 * ≈ 130 ms → ≈ 5 ms). A copy is never written in place — a new one is renamed over it —, so a mapping in
 * use keeps seeing the copy it opened. The CSV stays the
 * source of truth: a cache file is used only when it was written from the very same file (path, size and
 * modification time) by this format version, and anything unexpected in it — truncated, foreign, older —
 * means the CSV is read and validated again and the copy rewritten. Writing is best effort (a read-only or
 * full disk leaves the backtest reading CSV, slower, never failing).
 *
 * Layout, little-endian: "SBKL" · u32 header length · header JSON (version, source size and mtime, timeframe,
 * length, missing, gaps) padded to 8 bytes · the 7 columns (open time, open, high, low, close, volume, close
 * time) as float64, one after the other.
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { type MarketDataError, TIMEFRAME_MS, type Timeframe } from "@signalbot/core";
import { Effect } from "effect";
import type { KlineColumns } from "./KlineCsv.ts";
import { type KlineFile, readKlineFile } from "./KlineFiles.ts";

/** Bumped whenever the layout or the parser's output changes: older copies are then ignored and rewritten. */
export const KLINE_CACHE_VERSION = 1;

const MAGIC = 0x4c4b4253; // "SBKL" read as a little-endian u32
const COLUMNS = 7;

interface Header {
  readonly version: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly timeframe: Timeframe;
  readonly length: number;
  readonly missing: number;
  readonly gaps: KlineColumns["gaps"];
}

/**
 * Where the copies live unless told otherwise: `SIGNALBOT_CACHE_DIR`, else `$XDG_CACHE_HOME/signalbot/klines`,
 * else `~/.cache/signalbot/klines`. One copy per source file (named by symbol, timeframe and a hash of the
 * file's absolute path), replaced when the file changes, so the folder never grows beyond the data it mirrors.
 */
export const defaultKlineCacheDir = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): string =>
  env.SIGNALBOT_CACHE_DIR ?? `${env.XDG_CACHE_HOME ?? `${env.HOME ?? homedir()}/.cache`}/signalbot/klines`;

/** The copy of `file` in `cacheDir`. */
export const klineCachePath = (file: KlineFile, cacheDir: string): string =>
  `${cacheDir}/${file.symbol}-${file.timeframe}-${Bun.hash(resolve(file.path)).toString(16)}.bin`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The copy's bytes for `columns`, read from a file of `size` bytes modified at `mtimeMs`. */
export const encodeKlineCache = (columns: KlineColumns, size: number, mtimeMs: number): Uint8Array => {
  const header: Header = {
    version: KLINE_CACHE_VERSION,
    size,
    mtimeMs,
    timeframe: columns.timeframe,
    length: columns.length,
    missing: columns.missing,
    gaps: columns.gaps,
  };
  const json = encoder.encode(JSON.stringify(header));
  const dataStart = Math.ceil((8 + json.length) / 8) * 8;
  const bytes = new Uint8Array(dataStart + COLUMNS * 8 * columns.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  bytes.set(json, 8);
  const data = new Float64Array(bytes.buffer, dataStart, COLUMNS * columns.length);
  const { openTime, open, high, low, close, volume, closeTime } = columns;
  [openTime, open, high, low, close, volume, closeTime].forEach((c, k) => {
    data.set(c.subarray(0, columns.length), k * columns.length);
  });
  return bytes;
};

/**
 * The columns in `bytes` when they are a complete copy, by this version, of a file of `size` bytes modified at
 * `mtimeMs` holding `timeframe` candles; undefined for anything else. The columns are views on `bytes`.
 */
export const decodeKlineCache = (
  bytes: Uint8Array,
  expected: {
    readonly source: string;
    readonly timeframe: Timeframe;
    readonly size: number;
    readonly mtimeMs: number;
  },
): KlineColumns | undefined => {
  if (bytes.length < 8 || bytes.byteOffset % 8 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > bytes.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(8, 8 + jsonLength))) as Header;
  } catch {
    return undefined;
  }
  if (
    header === null ||
    typeof header !== "object" ||
    header.version !== KLINE_CACHE_VERSION ||
    header.size !== expected.size ||
    header.mtimeMs !== expected.mtimeMs ||
    header.timeframe !== expected.timeframe ||
    !Number.isInteger(header.length) ||
    header.length < 0 ||
    !Array.isArray(header.gaps) ||
    typeof header.missing !== "number"
  )
    return undefined;
  const n = header.length;
  const dataStart = Math.ceil((8 + jsonLength) / 8) * 8;
  if (bytes.length !== dataStart + COLUMNS * 8 * n) return undefined;
  const column = (k: number) => new Float64Array(bytes.buffer, bytes.byteOffset + dataStart + k * 8 * n, n);
  const closeTime = column(6);
  const openTime = column(0);
  // A cheap consistency check on what every consumer relies on (the layout's own invariant).
  const interval = TIMEFRAME_MS[header.timeframe];
  if (
    n > 0 &&
    (closeTime[0] !== openTime[0]! + interval - 1 || closeTime[n - 1] !== openTime[n - 1]! + interval - 1)
  )
    return undefined;
  return {
    source: expected.source,
    timeframe: header.timeframe,
    length: n,
    openTime,
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
    closeTime,
    missing: header.missing,
    gaps: header.gaps,
  };
};

const statOf = (path: string): { readonly size: number; readonly mtimeMs: number } | undefined => {
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
};

/** Writes the copy next to its final name and renames it into place: a reader never sees half a copy. */
const writeCopy = (path: string, bytes: Uint8Array, cacheDir: string): void => {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  } catch {
    // Best effort: without a copy the next run parses the CSV again.
  }
};

/**
 * `readKlineFile` through the cache in `cacheDir`: the copy when it matches the file, else the file read and
 * validated (failing exactly as `readKlineFile` does) and its copy written for the next run.
 */
export const readKlineFileCached = (
  file: KlineFile,
  cacheDir: string,
): Effect.Effect<KlineColumns, MarketDataError> =>
  Effect.gen(function* () {
    const before = statOf(file.path);
    if (before === undefined) return yield* readKlineFile(file);
    const path = klineCachePath(file, cacheDir);
    let cached: Uint8Array | undefined;
    try {
      cached = Bun.mmap(path, { shared: false });
    } catch {
      cached = undefined;
    }
    if (cached !== undefined) {
      const columns = decodeKlineCache(cached, { source: file.path, timeframe: file.timeframe, ...before });
      if (columns !== undefined) return columns;
    }
    const columns = yield* readKlineFile(file);
    // Only a file that did not change while it was read is worth a copy.
    const after = statOf(file.path);
    if (after !== undefined && after.size === before.size && after.mtimeMs === before.mtimeMs)
      writeCopy(path, encodeKlineCache(columns, before.size, before.mtimeMs), cacheDir);
    return columns;
  });
