/**
 * The kline directory layout `DIR/<SYMBOL>-<interval>.csv[.gz]`: finding the files and reading one into
 * validated columns. Every failure is a `MarketDataError` naming the file (and line).
 */
import { readdir } from "node:fs/promises";
import { isTimeframe, MarketDataError, type Timeframe } from "@signalbot/core";
import { Effect } from "effect";
import { type KlineColumns, parseKlineCsv } from "./KlineCsv.ts";

/** One kline file found in the data directory. */
export interface KlineFile {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly path: string;
}

const FILE_NAME = /^([A-Z0-9]{2,30})-(\w+)\.csv(\.gz)?$/;

const joinPath = (dir: string, name: string): string => (dir.endsWith("/") ? dir + name : `${dir}/${name}`);

/**
 * Lists the kline files of `dir` for the bot's timeframes (30m, 4h, 1d), sorted by symbol then timeframe.
 * Other files and intervals are ignored. Fails when the directory cannot be read, or when one series exists
 * both as `.csv` and `.csv.gz` (which one to trust would be a guess).
 */
export const listKlineFiles = (dir: string): Effect.Effect<readonly KlineFile[], MarketDataError> =>
  Effect.gen(function* () {
    const names = yield* Effect.tryPromise({
      try: () => readdir(dir),
      catch: (cause) =>
        new MarketDataError({
          reason: "notFound",
          source: dir,
          message: `cannot read the data directory "${dir}": ${(cause as Error).message ?? String(cause)}`,
          cause,
        }),
    });
    const byKey = new Map<string, KlineFile>();
    for (const name of [...names].sort()) {
      const m = FILE_NAME.exec(name);
      if (m === null) continue;
      const [, symbol, interval] = m;
      if (symbol === undefined || interval === undefined || !isTimeframe(interval)) continue;
      const key = `${symbol}-${interval}`;
      const existing = byKey.get(key);
      if (existing !== undefined) {
        return yield* new MarketDataError({
          reason: "badResponse",
          source: joinPath(dir, name),
          message: `both ${existing.path} and ${joinPath(dir, name)} exist: keep one of them`,
        });
      }
      byKey.set(key, { symbol, timeframe: interval, path: joinPath(dir, name) });
    }
    const order: Record<Timeframe, number> = { "30m": 0, "4h": 1, "1d": 2 };
    return [...byKey.values()].sort((a, b) =>
      a.symbol === b.symbol ? order[a.timeframe] - order[b.timeframe] : a.symbol < b.symbol ? -1 : 1,
    );
  });

/** The bytes of a data file, gunzipped when its name ends in `.gz`; a failure names the file. */
export const readDataFile = (path: string): Effect.Effect<Uint8Array, MarketDataError> =>
  Effect.gen(function* () {
    const raw = yield* Effect.tryPromise({
      try: () => Bun.file(path).bytes(),
      catch: (cause) =>
        new MarketDataError({
          reason: "notFound",
          source: path,
          message: `cannot read ${path}: ${(cause as Error).message ?? String(cause)}`,
          cause,
        }),
    });
    return path.endsWith(".gz")
      ? yield* Effect.try({
          try: (): Uint8Array => Bun.gunzipSync(raw),
          catch: (cause) =>
            new MarketDataError({
              reason: "badResponse",
              source: path,
              message: `${path}: not a valid gzip file (${(cause as Error).message ?? String(cause)})`,
              cause,
            }),
        })
      : raw;
  });

/** Reads and validates one file (gunzipped when it ends in `.gz`). */
export const readKlineFile = (file: KlineFile): Effect.Effect<KlineColumns, MarketDataError> =>
  Effect.gen(function* () {
    const bytes = yield* readDataFile(file.path);
    const result = parseKlineCsv(bytes, file.path, file.timeframe);
    if (result._tag === "Malformed") {
      const { line, message } = result.problem;
      return yield* new MarketDataError({
        reason: "badResponse",
        source: `${file.path}:${line}`,
        message: `${file.path}:${line}: ${message}`,
      });
    }
    return result.columns;
  });
