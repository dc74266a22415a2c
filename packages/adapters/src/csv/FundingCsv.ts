/**
 * Funding-rate files `DIR/<SYMBOL>-funding.csv[.gz]`, written by `bun run download` and read by the backtest:
 * one settlement per row in the layout of Binance's `GET /fapi/v1/fundingRate` — `fundingTime` (ms UTC),
 * `fundingRate` (0.0001 = 0.01 %), `markPrice` (empty when Binance sent none). The data.binance.vision
 * monthly archives (`calc_time,funding_interval_hours,last_funding_rate`) are read too.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Get-Funding-Rate-History
 */
import { type FundingSettlement, MarketDataError } from "@signalbot/core";
import { Effect } from "effect";
import { readDataFile } from "./KlineFiles.ts";

export const FUNDING_CSV_HEADER = "fundingTime,fundingRate,markPrice";

export type FundingCsvResult =
  | { readonly _tag: "Parsed"; readonly rows: readonly FundingSettlement[] }
  | { readonly _tag: "Malformed"; readonly line: number; readonly message: string };

/**
 * Parses a funding file. Rules (each violation names the 1-based line): an optional header; three columns;
 * an integer millisecond time (microseconds converted), strictly increasing; a finite rate; a mark price
 * that is empty or positive. In the archive layout the mark price is unknown.
 */
export const parseFundingCsv = (text: string): FundingCsvResult => {
  const lines = text.split("\n");
  const rows: FundingSettlement[] = [];
  let archive = false;
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "").trim();
    if (line === "") continue;
    if (rows.length === 0 && !/^\d/.test(line)) {
      archive = line.startsWith("calc_time");
      continue;
    }
    const malformed = (message: string): FundingCsvResult => ({ _tag: "Malformed", line: i + 1, message });
    const cells = line.split(",");
    if (cells.length !== 3) return malformed(`expected 3 columns, found ${cells.length}`);
    let time = Number(cells[0]);
    if (time > 1e14) time = Math.floor(time / 1000);
    if (!Number.isInteger(time) || time < 0)
      return malformed(`time is not a millisecond timestamp: "${cells[0]}"`);
    if (time <= prev) return malformed(`time ${time} is not after the previous row's ${prev}`);
    const rateCell = archive ? cells[2]! : cells[1]!;
    const rate = rateCell.trim() === "" ? Number.NaN : Number(rateCell);
    if (!Number.isFinite(rate)) return malformed(`funding rate is not a number: "${rateCell}"`);
    const markCell = archive ? "" : cells[2]!.trim();
    const markPrice = markCell === "" ? undefined : Number(markCell);
    if (markPrice !== undefined && !(markPrice > 0))
      return malformed(`mark price must be empty or positive, got "${markCell}"`);
    rows.push(markPrice === undefined ? { time, rate } : { time, rate, markPrice });
    prev = time;
  }
  return { _tag: "Parsed", rows };
};

/** The file's text for `rows` (ascending), header first. */
export const formatFundingCsv = (rows: readonly FundingSettlement[]): string => {
  let out = `${FUNDING_CSV_HEADER}\n`;
  for (const r of rows) out += `${r.time},${r.rate},${r.markPrice ?? ""}\n`;
  return out;
};

const joinPath = (dir: string, name: string): string => (dir.endsWith("/") ? dir + name : `${dir}/${name}`);

/** `DIR/<SYMBOL>-funding.csv.gz` or `.csv`, whichever exists (`.csv.gz` when neither: the one to write). */
export const fundingFilePath = async (
  dir: string,
  symbol: string,
): Promise<{ path: string; exists: boolean }> => {
  for (const name of [`${symbol}-funding.csv.gz`, `${symbol}-funding.csv`]) {
    const path = joinPath(dir, name);
    if (await Bun.file(path).exists()) return { path, exists: true };
  }
  return { path: joinPath(dir, `${symbol}-funding.csv.gz`), exists: false };
};

/** Reads and validates a funding file; a failure names the file and line. */
export const readFundingFile = (path: string): Effect.Effect<readonly FundingSettlement[], MarketDataError> =>
  Effect.flatMap(readDataFile(path), (bytes) => {
    const parsed = parseFundingCsv(new TextDecoder().decode(bytes));
    return parsed._tag === "Parsed"
      ? Effect.succeed(parsed.rows)
      : Effect.fail(
          new MarketDataError({
            reason: "badResponse",
            source: `${path}:${parsed.line}`,
            message: `${path}:${parsed.line}: ${parsed.message}`,
          }),
        );
  });

/** The recorded funding of each of `symbols` that has a file in `dir` (symbols without one are left out). */
export const readFundingFiles = (
  dir: string,
  symbols: readonly string[],
): Effect.Effect<ReadonlyMap<string, readonly FundingSettlement[]>, MarketDataError> =>
  Effect.gen(function* () {
    const out = new Map<string, readonly FundingSettlement[]>();
    for (const symbol of symbols) {
      const file = yield* Effect.promise(() => fundingFilePath(dir, symbol));
      if (file.exists) out.set(symbol, yield* readFundingFile(file.path));
    }
    return out;
  });
