/**
 * The `backtest` command line: flags, their defaults and their meaning in one place (`--help` is generated
 * from it). Parsing is pure and reports every problem, one line each.
 */

import { type CostModel, DAY_MS, DEFAULT_COSTS } from "@signalbot/core";

export interface BacktestArgs {
  readonly dataDir: string;
  /** Empty = every symbol found in `dataDir`. */
  readonly symbols: readonly string[];
  /** First day of the period (UTC midnight, ms), inclusive. */
  readonly from?: number;
  /** Last day of the period, inclusive: candles closing up to the next UTC midnight (ms). */
  readonly to?: number;
  readonly memory: boolean;
  readonly costs: CostModel;
  readonly jsonFile?: string;
  readonly htmlFile?: string;
  /** Progress on stderr: "auto" = only when stderr is a terminal. */
  readonly progress: "auto" | "always" | "never";
}

export type ParsedArgs =
  | { readonly _tag: "Run"; readonly args: BacktestArgs }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Invalid"; readonly problems: readonly string[] };

export const USAGE = `Usage: bun run backtest -- --data DIR [options]

Replays Binance kline files DIR/<SYMBOL>-<30m|4h|1d>.csv[.gz] through the bot's core (models, gates,
adaptive memory, virtual trades) and prints a summary.

Options:
  --data DIR           directory of kline files (12-column Binance archive layout or its 7-column subset)
  --symbols A,B,...    symbols to replay (default: every symbol in DIR)
  --from YYYY-MM-DD    first day of the period, UTC (default: start of the data; earlier data warms up)
  --to YYYY-MM-DD      last day of the period, UTC, inclusive (default: end of the data)
  --no-memory          replay with the adaptive memory layer switched off, to compare
  --fee RATE           taker fee per fill as a fraction (default 0.0005 = 0.05 %, Binance USD-M)
  --slippage RATE      adverse slippage per fill as a fraction (default 0)
  --json FILE          write the full report as JSON (schema in docs/backtest.md)
  --html FILE          write a self-contained HTML report (charts, tables, trade list)
  --progress MODE      auto (stderr is a terminal), always (periodic lines) or never (default auto)
  -h, --help           this help

Exit codes: 0 done, 2 bad arguments or bad data (the message names the file and line), 1 unexpected error.`;

const parseDay = (flag: string, raw: string, problems: string[]): number | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (m === null) {
    problems.push(`${flag}: expected a date YYYY-MM-DD, got "${raw}"`);
    return undefined;
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const time = Date.UTC(y, mo - 1, d);
  const back = new Date(time);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    problems.push(`${flag}: not a calendar date: "${raw}"`);
    return undefined;
  }
  return time;
};

const parseRate = (flag: string, raw: string, problems: string[]): number | undefined => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || v >= 0.1) {
    problems.push(`${flag}: expected a fraction between 0 and 0.1 (0.0005 = 0.05 %), got "${raw}"`);
    return undefined;
  }
  return v;
};

const FLAGS_WITH_VALUE = new Set([
  "--data",
  "--symbols",
  "--from",
  "--to",
  "--fee",
  "--slippage",
  "--json",
  "--html",
  "--progress",
]);

/** Parses `argv` (without the runtime and script). `--flag=value` and `--flag value` are both accepted. */
export const parseBacktestArgs = (argv: readonly string[]): ParsedArgs => {
  const problems: string[] = [];
  const values = new Map<string, string>();
  let memory = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return { _tag: "Help" };
    if (arg === "--no-memory") {
      memory = false;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS_WITH_VALUE.has(flag)) {
      problems.push(`unknown argument "${arg}" (see --help)`);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) {
      problems.push(`${flag} needs a value`);
      if (value !== undefined) i--;
      continue;
    }
    if (values.has(flag)) problems.push(`${flag} given twice`);
    values.set(flag, value);
  }

  const dataDir = values.get("--data");
  if (dataDir === undefined || dataDir === "") problems.push("--data DIR is required");

  const symbols = (values.get("--symbols") ?? "")
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== "");
  const wrong = symbols.filter((s) => !/^[A-Z0-9]{2,30}$/.test(s));
  if (wrong.length > 0) problems.push(`--symbols: not a symbol: ${wrong.map((s) => `"${s}"`).join(", ")}`);

  const fromRaw = values.get("--from");
  const toRaw = values.get("--to");
  const from = fromRaw === undefined ? undefined : parseDay("--from", fromRaw, problems);
  const toDay = toRaw === undefined ? undefined : parseDay("--to", toRaw, problems);
  const to = toDay === undefined ? undefined : toDay + DAY_MS;
  if (from !== undefined && to !== undefined && to <= from) {
    problems.push(`--to (${toRaw}) is before --from (${fromRaw})`);
  }

  const feeRaw = values.get("--fee");
  const slipRaw = values.get("--slippage");
  const takerFeeRate =
    feeRaw === undefined ? DEFAULT_COSTS.takerFeeRate : parseRate("--fee", feeRaw, problems);
  const slippageRate =
    slipRaw === undefined ? DEFAULT_COSTS.slippageRate : parseRate("--slippage", slipRaw, problems);

  const progress = values.get("--progress") ?? "auto";
  if (progress !== "auto" && progress !== "always" && progress !== "never") {
    problems.push(`--progress: expected auto, always or never, got "${progress}"`);
  }

  if (problems.length > 0 || dataDir === undefined) return { _tag: "Invalid", problems };
  const jsonFile = values.get("--json");
  const htmlFile = values.get("--html");
  return {
    _tag: "Run",
    args: {
      dataDir,
      symbols: [...new Set(symbols)].sort(),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      memory,
      costs: {
        takerFeeRate: takerFeeRate ?? DEFAULT_COSTS.takerFeeRate,
        slippageRate: slippageRate ?? DEFAULT_COSTS.slippageRate,
      },
      ...(jsonFile === undefined ? {} : { jsonFile }),
      ...(htmlFile === undefined ? {} : { htmlFile }),
      progress: progress as BacktestArgs["progress"],
    },
  };
};
