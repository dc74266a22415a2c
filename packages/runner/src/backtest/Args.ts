/**
 * The `backtest` command line: flags, their defaults and their meaning in one place (`--help` is generated
 * from it). Parsing is pure and reports every problem, one line each.
 */

import { DEFAULT_MAX_COST_R, DEFAULT_MAX_LEVERAGE } from "@signalbot/core";
import { VARIABLES } from "../Config.ts";
import {
  CACHE_USAGE,
  COST_FLAGS,
  COST_USAGE,
  MODELS_USAGE,
  NO_CACHE,
  type ParsedCommand,
  type ProgressMode,
  parseCache,
  parseCosts,
  parseModels,
  parsePeriod,
  parseProgress,
  parseSymbols,
  readFlags,
} from "../cli/Flags.ts";
import type { RotationOptions } from "./Rotation.ts";

export interface BacktestArgs {
  readonly dataDir: string;
  /** Empty = every symbol found in `dataDir`. */
  readonly symbols: readonly string[];
  /** First day of the period (UTC midnight, ms), inclusive. */
  readonly from?: number;
  /** Last day of the period, inclusive: candles closing up to the next UTC midnight (ms). */
  readonly to?: number;
  readonly memory: boolean;
  /** Simulate the live rotation (`--max-symbols`); absent: every symbol is analysed. */
  readonly rotation?: RotationOptions;
  /** The universe filter (pegged assets, narrow range, young listings), as live; false: every symbol is watched. */
  readonly universeFilter?: boolean;
  /** Fee and slippage per fill (funding is chosen by `fundingRate` and the data directory). */
  readonly costs: { readonly takerFeeRate: number; readonly slippageRate: number };
  /** Flat funding rate per 8 h for symbols without a `<SYMBOL>-funding.csv[.gz]` file (0.0001 = 0.01 %). */
  readonly fundingRate: number;
  /** The tradeability gates: most R a round trip may cost, most leverage a position may need (as live). */
  readonly gates?: { readonly maxCostR: number; readonly maxLeverage: number };
  readonly jsonFile?: string;
  readonly htmlFile?: string;
  /** Progress on stderr: "auto" = only when stderr is a terminal. */
  readonly progress: ProgressMode;
  /** `--models`: built-in model names and module paths, loaded before the replay (absent: the built-in models). */
  readonly models?: readonly string[];
  /** Binary copies of the validated files are kept and read here (absent with `--no-cache`: CSV every time). */
  readonly cacheDir?: string;
}

export type ParsedArgs = ParsedCommand<BacktestArgs>;

/** The live bot's defaults (the configuration's FIXED_SYMBOLS, ROTATION_SLOT_SECONDS, UNIVERSE_REFRESH_SECONDS). */
const defaultOf = <A>(v: {
  readonly parse: (raw: undefined) => { ok: true; value: A } | { ok: false };
}): A => {
  const p = v.parse(undefined);
  if (!p.ok) throw new Error("a configuration default does not parse");
  return p.value;
};
export const ROTATION_DEFAULTS = {
  fixed: defaultOf(VARIABLES.fixedSymbols),
  slotSeconds: defaultOf(VARIABLES.rotationSlotSeconds),
  refreshSeconds: defaultOf(VARIABLES.universeRefreshSeconds),
};

/** `--max-symbols`, `--fixed-symbols`, `--rotation-slot`: the rotation to simulate, or none. */
const parseRotation = (
  values: ReadonlyMap<string, string>,
  problems: string[],
): RotationOptions | undefined => {
  const maxRaw = values.get("--max-symbols");
  const fixedRaw = values.get("--fixed-symbols");
  const slotRaw = values.get("--rotation-slot");
  if (maxRaw === undefined) {
    for (const [flag, raw] of [
      ["--fixed-symbols", fixedRaw],
      ["--rotation-slot", slotRaw],
    ] as const)
      if (raw !== undefined) problems.push(`${flag} shapes the rotation: give --max-symbols N`);
    return undefined;
  }
  const max = Number(maxRaw);
  if (!/^\d+$/.test(maxRaw.trim()) || max < 1 || max > 1024)
    problems.push(`--max-symbols: expected a whole number from 1 to 1024, got "${maxRaw}"`);
  const fixed =
    fixedRaw === undefined ? ROTATION_DEFAULTS.fixed : parseSymbols("--fixed-symbols", fixedRaw, problems);
  if (fixed.length > max)
    problems.push(`--fixed-symbols: ${fixed.length} fixed symbols exceed --max-symbols ${max}`);
  const slot = slotRaw === undefined ? ROTATION_DEFAULTS.slotSeconds : Number(slotRaw);
  if (!(Number.isInteger(slot) && slot >= 60 && slot <= 86_400))
    problems.push(`--rotation-slot: expected whole seconds from 60 to 86400, got "${slotRaw}"`);
  return {
    maxSymbols: max,
    fixed,
    slotMs: slot * 1000,
    refreshMs: ROTATION_DEFAULTS.refreshSeconds * 1000,
  };
};

export const USAGE = `Usage: bun run backtest -- --data DIR [options]

Replays Binance kline files DIR/<SYMBOL>-<30m|4h|1d>.csv[.gz] through the bot's core (models, gates,
adaptive memory, virtual trades) and prints a summary.

Options:
  --data DIR           directory of kline files (12-column Binance archive layout or its 7-column subset)
  --symbols A,B,...    symbols to replay (default: every symbol in DIR)
  --from YYYY-MM-DD    first day of the period, UTC (default: start of the data; earlier data warms up)
  --to YYYY-MM-DD      last day of the period, UTC, inclusive (default: end of the data)
  --no-memory          replay with the adaptive memory layer switched off, to compare
${MODELS_USAGE}
  --max-symbols N      simulate the live rotation: watch at most N symbols at once (MAX_SYMBOLS_SUBSCRIBED):
                       the fixed ones, those with an open trade, and a window of the top 24 h quote volume
                       that moves every rotation slot; the others' candles are history only
  --fixed-symbols A,B  with --max-symbols: always watched (FIXED_SYMBOLS, default ${ROTATION_DEFAULTS.fixed.join(",")})
  --rotation-slot S    with --max-symbols: seconds one window stays (ROTATION_SLOT_SECONDS, default ${ROTATION_DEFAULTS.slotSeconds})
  --no-universe-filter analyse every symbol: no leaving out of pegged, too quiet or too young ones (live
                       leaves them out with UNIVERSE_PEGGED_ASSETS, UNIVERSE_MIN_RANGE_PERCENT, …)
${COST_USAGE}
  --max-cost-r R       reject setups whose fee + slippage round trip costs more than R of their risk
                       (default ${DEFAULT_MAX_COST_R}, as MAX_COST_R live)
  --max-leverage X     reject setups whose position would need more than X× leverage (notional ÷ equity;
                       default ${DEFAULT_MAX_LEVERAGE}, as MAX_LEVERAGE live)
  --json FILE          write the full report as JSON (schema in docs/backtest.md)
  --html FILE          write a self-contained HTML report (charts, tables, trade list)
  --progress MODE      auto (stderr is a terminal), always (periodic lines) or never (default auto)
${CACHE_USAGE}
  -h, --help           this help

Exit codes: 0 done, 2 bad arguments or bad data (the message names the file and line), 1 unexpected error.`;

const parsePositive = (flag: string, raw: string, max: number, problems: string[]): number | undefined => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v <= 0 || v > max) {
    problems.push(`${flag}: expected a number above 0 and at most ${max}, got "${raw}"`);
    return undefined;
  }
  return v;
};

const FLAGS_WITH_VALUE = new Set([
  "--data",
  "--symbols",
  "--from",
  "--to",
  "--max-symbols",
  "--fixed-symbols",
  "--rotation-slot",
  ...COST_FLAGS,
  "--max-cost-r",
  "--max-leverage",
  "--json",
  "--html",
  "--progress",
  "--models",
]);

const SWITCHES = new Set(["--no-memory", "--no-universe-filter", NO_CACHE]);

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

  const rotation = parseRotation(values, problems);
  const { costs, fundingRate } = parseCosts(values, problems);
  const costRaw = values.get("--max-cost-r");
  const leverageRaw = values.get("--max-leverage");
  const maxCostR =
    costRaw === undefined ? DEFAULT_MAX_COST_R : parsePositive("--max-cost-r", costRaw, 1000, problems);
  const maxLeverage =
    leverageRaw === undefined
      ? DEFAULT_MAX_LEVERAGE
      : parsePositive("--max-leverage", leverageRaw, 1e6, problems);
  const progress = parseProgress(values.get("--progress"), problems);
  const models = parseModels(values, problems);

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
      ...(rotation === undefined ? {} : { rotation }),
      ...(read.switches.has("--no-universe-filter") ? { universeFilter: false } : {}),
      costs,
      fundingRate,
      gates: {
        maxCostR: maxCostR ?? DEFAULT_MAX_COST_R,
        maxLeverage: maxLeverage ?? DEFAULT_MAX_LEVERAGE,
      },
      ...(jsonFile === undefined ? {} : { jsonFile }),
      ...(htmlFile === undefined ? {} : { htmlFile }),
      progress,
      ...(models === undefined ? {} : { models }),
      ...parseCache(read.switches),
    },
  };
};
