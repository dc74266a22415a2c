/**
 * The data a walk-forward replays, loaded once per process (the main thread and every worker): all kline
 * series of the chosen symbols, uncut, the funding rates and the costs. Windows are cut from it without
 * copying (`windowOf`).
 */
import { readFundingFiles } from "@signalbot/adapters/csv";
import {
  type CostModel,
  DEFAULT_MODELS,
  type FundingRates,
  flatFunding,
  type MarketDataError,
  type Model,
  recordedFunding,
} from "@signalbot/core";
import { Effect } from "effect";
import { WARMUP_CANDLES } from "../backtest/Backtest.ts";
import type { ReportMarket } from "../backtest/Equity.ts";
import { loadReplay, type ReplayData } from "../backtest/Replay.ts";
import { loadModelsOrFail, type ModelLoadError } from "../plugins/ModelModules.ts";

/** Where the data comes from and what trading costs: everything a worker needs to load the same market. */
export interface MarketSource {
  readonly dataDir: string;
  /** Empty = every symbol in `dataDir`. */
  readonly symbols: readonly string[];
  readonly costs: { readonly takerFeeRate: number; readonly slippageRate: number };
  /** Flat funding per 8 h for symbols without a funding file. */
  readonly fundingRate: number;
  /** `--models`: built-in model names and module paths, loaded by every process (absent: the built-in models). */
  readonly models?: readonly string[];
  /** Binary copies of the validated files are kept and read here (absent: the CSV files are parsed). */
  readonly cacheDir?: string;
}

export interface Market {
  readonly source: MarketSource;
  /** Every row of every series (cut per run with `windowOf`). */
  readonly data: ReplayData;
  readonly funding: FundingRates;
  /** Fees, slippage and funding as the engine takes them. */
  readonly costs: CostModel;
  /** 30m candles per symbol and the funding: what mark-to-market valuations read. */
  readonly report: ReportMarket;
  /** The models every run analyses, in order. */
  readonly models: readonly Model[];
  /** First 30m open and last 30m close over all symbols (ms), null without 30m data. */
  readonly start: number | null;
  readonly end: number | null;
}

export const loadMarket = (source: MarketSource): Effect.Effect<Market, MarketDataError | ModelLoadError> =>
  Effect.gen(function* () {
    const models = source.models === undefined ? DEFAULT_MODELS : yield* loadModelsOrFail(source.models);
    const data = yield* loadReplay(
      source.dataDir,
      source.symbols,
      { warmupCandles: WARMUP_CANDLES },
      source.cacheDir === undefined ? {} : { cacheDir: source.cacheDir },
    );
    const recorded = yield* readFundingFiles(source.dataDir, data.symbols);
    const funding = recordedFunding(recorded, flatFunding(source.fundingRate));
    const trigger = data.series.filter((s) => s.timeframe === "30m" && s.columns.length > 0);
    const start = trigger.length === 0 ? null : Math.min(...trigger.map((s) => s.columns.openTime[0]!));
    const end =
      trigger.length === 0
        ? null
        : Math.max(...trigger.map((s) => s.columns.closeTime[s.columns.length - 1]! + 1));
    return {
      source,
      data,
      funding,
      costs: { ...source.costs, funding },
      report: { candles: new Map(trigger.map((s) => [s.symbol, s.columns])), funding },
      models,
      start,
      end,
    };
  });
