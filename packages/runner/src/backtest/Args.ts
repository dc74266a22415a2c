/**
 * The `backtest` command line: flags, their defaults and their meaning in one place (`--help` is generated
 * from it). Parsing is pure and reports every problem, one line each.
 */

import {
  COST_FLAGS,
  COST_USAGE,
  type ParsedCommand,
  type ProgressMode,
  parseCosts,
  parsePeriod,
  parseProgress,
  parseSymbols,
  readFlags,
} from "../cli/Flags.ts";

export interface BacktestArgs {
  readonly dataDir: string;
  /** Empty = every symbol found in `dataDir`. */
  readonly symbols: readonly string[];
  /** First day of the period (UTC midnight, ms), inclusive. */
  readonly from?: number;
  /** Last day of the period, inclusive: candles closing up to the next UTC midnight (ms). */
  readonly to?: number;
  readonly memory: boolean;
  /** Fee and slippage per fill (funding is chosen by `fundingRate` and the data directory). */
  readonly costs: { readonly takerFeeRate: number; readonly slippageRate: number };
  /** Flat funding rate per 8 h for symbols without a `<SYMBOL>-funding.csv[.gz]` file (0.0001 = 0.01 %). */
  readonly fundingRate: number;
  readonly jsonFile?: string;
  readonly htmlFile?: string;
  /** Progress on stderr: "auto" = only when stderr is a terminal. */
  readonly progress: ProgressMode;
}

export type ParsedArgs = ParsedCommand<BacktestArgs>;

export const USAGE = `Usage: bun run backtest -- --data DIR [options]

Replays Binance kline files DIR/<SYMBOL>-<30m|4h|1d>.csv[.gz] through the bot's core (models, gates,
adaptive memory, virtual trades) and prints a summary.

Options:
  --data DIR           directory of kline files (12-column Binance archive layout or its 7-column subset)
  --symbols A,B,...    symbols to replay (default: every symbol in DIR)
  --from YYYY-MM-DD    first day of the period, UTC (default: start of the data; earlier data warms up)
  --to YYYY-MM-DD      last day of the period, UTC, inclusive (default: end of the data)
  --no-memory          replay with the adaptive memory layer switched off, to compare
${COST_USAGE}
  --json FILE          write the full report as JSON (schema in docs/backtest.md)
  --html FILE          write a self-contained HTML report (charts, tables, trade list)
  --progress MODE      auto (stderr is a terminal), always (periodic lines) or never (default auto)
  -h, --help           this help

Exit codes: 0 done, 2 bad arguments or bad data (the message names the file and line), 1 unexpected error.`;

const FLAGS_WITH_VALUE = new Set([
  "--data",
  "--symbols",
  "--from",
  "--to",
  ...COST_FLAGS,
  "--json",
  "--html",
  "--progress",
]);

const SWITCHES = new Set(["--no-memory"]);

/** Parses `argv` (without the runtime and script). `--flag=value` and `--flag value` are both accepted. */
export const parseBacktestArgs = (argv: readonly string[]): ParsedArgs => {
  const read = readFlags(argv, FLAGS_WITH_VALUE, SWITCHES);
  if (read.help) return { _tag: "Help" };
  const { values, problems } = read;
  const memory = !read.switches.has("--no-memory");

  const dataDir = values.get("--data");
  if (dataDir === undefined || dataDir === "") problems.push("--data DIR is required");

  const symbols = parseSymbols("--symbols", values.get("--symbols") ?? "", problems);

  const { from, to } = parsePeriod(values, problems);

  const { costs, fundingRate } = parseCosts(values, problems);
  const progress = parseProgress(values.get("--progress"), problems);

  if (problems.length > 0 || dataDir === undefined) return { _tag: "Invalid", problems };
  const jsonFile = values.get("--json");
  const htmlFile = values.get("--html");
  return {
    _tag: "Run",
    args: {
      dataDir,
      symbols,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      memory,
      costs,
      fundingRate,
      ...(jsonFile === undefined ? {} : { jsonFile }),
      ...(htmlFile === undefined ? {} : { htmlFile }),
      progress,
    },
  };
};
