/**
 * One backtest from arguments to report: load and validate the data, replay it through the core, build
 * the report and write the files asked for. Shared by the `backtest` CLI, `bench` and the tests.
 */

import { readFundingFiles } from "@signalbot/adapters/csv";
import {
  DEFAULT_SERIES_CAPACITY,
  FUNDING_INTERVAL_MS,
  type FundingRates,
  type FundingSettlement,
  flatFunding,
  type MarketDataError,
  recordedFunding,
} from "@signalbot/core";
import { Data, Effect } from "effect";
import { isoDay } from "../live/Describe.ts";
import { loadModelsOrFail, type ModelLoadError } from "../plugins/ModelModules.ts";
import type { BacktestArgs } from "./Args.ts";
import { runEngine } from "./Engine.ts";
import type { ReportMarket } from "./Equity.ts";
import { renderHtml } from "./Html.ts";
import { loadReplay, ReplayCursor } from "./Replay.ts";
import { type BacktestReport, buildReport, reportJson } from "./Report.ts";

/** Live warms each timeframe up with this many candles; the replay keeps as much history before `--from`. */
export const WARMUP_CANDLES = DEFAULT_SERIES_CAPACITY;

/** A report file could not be written. */
export class ReportWriteError extends Data.TaggedError("ReportWriteError")<{
  readonly path: string;
  readonly message: string;
}> {}

export interface BacktestHooks {
  /** Called once the data is loaded, with the number of candles the replay will deliver. */
  readonly onLoaded?: (candles: number) => void;
  readonly onProgress?: (done: number) => void;
}

export interface BacktestOutcome {
  readonly report: BacktestReport;
  /** Candles delivered to the core, warm-up history included (the throughput figure counts these). */
  readonly candlesReplayed: number;
}

const write = (path: string, text: string) =>
  Effect.tryPromise({
    try: () => Bun.write(path, text),
    catch: (cause) =>
      new ReportWriteError({
        path,
        message: `cannot write ${path}: ${(cause as Error).message ?? String(cause)}`,
      }),
  });

/** A funding file that does not span the period: say where the flat rate stands in. */
const fundingCoverage = (
  recorded: ReadonlyMap<string, readonly FundingSettlement[]>,
  period: { readonly start: number | null; readonly end: number | null },
  fallback: string,
): string[] => {
  const { start, end } = period;
  if (start === null || end === null) return [];
  const out: string[] = [];
  for (const [symbol, rows] of recorded) {
    const first = rows[0]?.time;
    const last = rows[rows.length - 1]?.time;
    if (first === undefined || last === undefined)
      out.push(`${symbol}: the funding file is empty; funding is ${fallback}`);
    else if (first > start + FUNDING_INTERVAL_MS || last < end - FUNDING_INTERVAL_MS)
      out.push(
        `${symbol}: recorded funding covers ${isoDay(first)} → ${isoDay(last)} only; ${fallback} for the rest of ${isoDay(start)} → ${isoDay(end - 1)}`,
      );
  }
  return out;
};

/** Loads the models asked for, replays and reports; writes `--json`/`--html` when given. */
export const runBacktest = (
  args: BacktestArgs,
  hooks: BacktestHooks = {},
): Effect.Effect<BacktestOutcome, MarketDataError | ReportWriteError | ModelLoadError> =>
  Effect.gen(function* () {
    const models = args.models === undefined ? undefined : yield* loadModelsOrFail(args.models);
    const data = yield* loadReplay(
      args.dataDir,
      args.symbols,
      {
        ...(args.from === undefined ? {} : { from: args.from }),
        ...(args.to === undefined ? {} : { to: args.to }),
        warmupCandles: WARMUP_CANDLES,
      },
      args.cacheDir === undefined ? {} : { cacheDir: args.cacheDir },
    );
    const recorded = yield* readFundingFiles(args.dataDir, data.symbols);
    const flat = flatFunding(args.fundingRate);
    const funding: FundingRates = recordedFunding(recorded, flat);
    const candlesReplayed = ReplayCursor.count(data.series);
    hooks.onLoaded?.(candlesReplayed);
    const record = yield* runEngine(data, {
      dataDir: args.dataDir,
      ...(args.from === undefined ? {} : { from: args.from }),
      ...(args.to === undefined ? {} : { to: args.to }),
      memory: args.memory,
      ...(models === undefined ? {} : { models }),
      ...(args.rotation === undefined ? {} : { rotation: args.rotation }),
      ...(args.universeFilter === false ? { universe: null } : {}),
      costs: { ...args.costs, funding },
      ...(args.gates === undefined ? {} : { gates: args.gates }),
      warmupCandles: WARMUP_CANDLES,
      ...(hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress }),
    });
    const candles = new Map(
      data.series.filter((s) => s.timeframe === "30m").map((s) => [s.symbol, s.columns]),
    );
    const market: ReportMarket = { candles, funding };
    const warnings = [...record.warnings, ...fundingCoverage(recorded, record.period, flat.describe)];
    const report = buildReport({ ...record, warnings }, market);
    if (args.jsonFile !== undefined) yield* write(args.jsonFile, reportJson(report));
    if (args.htmlFile !== undefined) yield* write(args.htmlFile, renderHtml(report, market));
    return { report, candlesReplayed };
  });
