/**
 * The `walkforward` command line: flags, defaults and meaning in one place (`--help` is this text). Parsing
 * is pure — the number of cores is passed in — and reports every problem, one line each.
 */
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
import { DEFAULT_DATA_DIR } from "../download/Args.ts";
import { parseSpan, type Span } from "./Folds.ts";
import type { MarketSource } from "./Market.ts";
import {
  DEFAULT_OBJECTIVE,
  isObjectiveName,
  OBJECTIVE_NAMES,
  OBJECTIVES,
  type Objective,
} from "./Objective.ts";

export interface WalkForwardArgs {
  readonly source: MarketSource;
  /** First UTC day (midnight, ms). */
  readonly from?: number;
  /** End of the last UTC day (the next midnight, ms). */
  readonly to?: number;
  readonly train: Span;
  readonly test: Span;
  readonly gridFile?: string;
  readonly random?: { readonly samples: number; readonly seed: number };
  readonly objective: Objective;
  readonly workers: number;
  readonly ablate: boolean;
  readonly setups: boolean;
  /** The fit step between selection and test: "weights" (score weights fitted on the training setups) or "none". */
  readonly fit: FitName;
  readonly jsonFile?: string;
  readonly progress: ProgressMode;
}

export type ParsedWalkForwardArgs = ParsedCommand<WalkForwardArgs>;

export const FIT_NAMES = ["weights", "none"] as const;
export type FitName = (typeof FIT_NAMES)[number];
const isFitName = (s: string): s is FitName => (FIT_NAMES as readonly string[]).includes(s);

export const WALKFORWARD_USAGE = `Usage: bun run walkforward -- [options]

Walk-forward test: on each rolling training window, every candidate configuration (from --grid) is
backtested and one is chosen by a robust objective; the chosen one is then traded on the following test
window. Only the test windows are reported — per fold and pooled — in R, with 95 % confidence intervals.

Options:
  --data DIR           kline files DIR/<SYMBOL>-<30m|4h|1d>.csv[.gz] (default ${DEFAULT_DATA_DIR})
  --symbols A,B,...    symbols to replay (default: every symbol in DIR)
  --from YYYY-MM-DD    first day of the first training window, UTC (default: the data's first midnight)
  --to YYYY-MM-DD      last day, UTC, inclusive (default: end of the data)
  --train LENGTH       training window: Nd, Nw, Nm (calendar months) or Ny (default 6m)
  --test LENGTH        test window, also the step between folds (default 1m)
  --grid FILE          JSON: {"parameters": {"path": [values...]}, "fixed": {"path": value}} — paths
                       into the configuration, e.g. memory.baseThreshold, strategy.adxMin,
                       pipeline.timeoutCandles (docs/backtest.md); default: the defaults only
  --samples N          random search: N distinct combinations of the grid instead of all of them
  --seed S             seed of the random search (default 1)
  --objective NAME     ${OBJECTIVE_NAMES.map((n) => `${n} (${OBJECTIVES[n].describe})`).join(",\n                       ")};
                       default ${DEFAULT_OBJECTIVE.name}
  --min-trades N       a candidate with fewer closed training trades is not eligible (default ${DEFAULT_OBJECTIVE.minTrades});
                       a fold without an eligible candidate trades nothing
  --fit NAME           between selection and test: weights (each model's score weights fitted on the
                       training window's setups, as bun run calibrate fits the shipped ones) or none
                       (default weights)
  --ablate             also: each memory rule's marginal effect (all rules vs all but one, memory off)
  --setups             also: every setup traded alone (no memory, caps or threshold) — the raw edge
  --workers N          worker processes for the runs (default: the cores available); results do not depend on it
${MODELS_USAGE}
${COST_USAGE}
  --json FILE          write the full report as JSON (schema in docs/backtest.md)
  --progress MODE      auto (stderr is a terminal), always (periodic lines) or never (default auto)
${CACHE_USAGE}
  -h, --help           this help

Exit codes: 0 done, 2 bad arguments, grid or data (one line per problem), 1 unexpected error.`;

const FLAGS_WITH_VALUE = new Set([
  "--data",
  "--symbols",
  "--from",
  "--to",
  "--train",
  "--test",
  "--grid",
  "--samples",
  "--seed",
  "--objective",
  "--min-trades",
  "--fit",
  "--workers",
  ...COST_FLAGS,
  "--json",
  "--progress",
  "--models",
]);

const SWITCHES = new Set(["--ablate", "--setups", NO_CACHE]);

const positiveInteger = (flag: string, raw: string, problems: string[], min = 1): number | undefined => {
  const v = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min) {
    problems.push(`${flag}: expected a whole number ≥ ${min}, got "${raw}"`);
    return undefined;
  }
  return v;
};

const span = (flag: string, raw: string | undefined, fallback: string, problems: string[]): Span => {
  const s = parseSpan(raw ?? fallback);
  if (s !== undefined) return s;
  problems.push(`${flag}: expected a length like 90d, 2w, 6m or 1y, got "${raw}"`);
  return parseSpan(fallback)!;
};

/** Parses `argv` (without the runtime and script); `cores` is the default worker count. */
export const parseWalkForwardArgs = (argv: readonly string[], cores: number): ParsedWalkForwardArgs => {
  const read = readFlags(argv, FLAGS_WITH_VALUE, SWITCHES);
  if (read.help) return { _tag: "Help" };
  const { values, problems } = read;

  const dataDir = values.get("--data") ?? DEFAULT_DATA_DIR;
  if (dataDir === "") problems.push("--data: expected a directory");
  const symbols = parseSymbols("--symbols", values.get("--symbols") ?? "", problems);
  const { from, to } = parsePeriod(values, problems);

  const train = span("--train", values.get("--train"), "6m", problems);
  const test = span("--test", values.get("--test"), "1m", problems);

  const gridFile = values.get("--grid");
  const samplesRaw = values.get("--samples");
  const seedRaw = values.get("--seed");
  const samples = samplesRaw === undefined ? undefined : positiveInteger("--samples", samplesRaw, problems);
  const seed = seedRaw === undefined ? 1 : positiveInteger("--seed", seedRaw, problems, 0);
  if (samplesRaw !== undefined && gridFile === undefined)
    problems.push("--samples draws from a grid: give --grid FILE");
  if (seedRaw !== undefined && samplesRaw === undefined)
    problems.push("--seed seeds the random search: give --samples N");

  const objectiveRaw = values.get("--objective") ?? DEFAULT_OBJECTIVE.name;
  if (!isObjectiveName(objectiveRaw))
    problems.push(`--objective: expected one of ${OBJECTIVE_NAMES.join(", ")}, got "${objectiveRaw}"`);
  const minRaw = values.get("--min-trades");
  const minTrades =
    minRaw === undefined ? DEFAULT_OBJECTIVE.minTrades : positiveInteger("--min-trades", minRaw, problems, 2);

  const fitRaw = values.get("--fit") ?? "weights";
  if (!isFitName(fitRaw)) problems.push(`--fit: expected one of ${FIT_NAMES.join(", ")}, got "${fitRaw}"`);

  const workersRaw = values.get("--workers");
  const workers =
    workersRaw === undefined ? Math.max(1, cores) : positiveInteger("--workers", workersRaw, problems);

  const { costs, fundingRate } = parseCosts(values, problems);
  const progress = parseProgress(values.get("--progress"), problems);
  const models = parseModels(values, problems);
  if (problems.length > 0 || !isObjectiveName(objectiveRaw) || !isFitName(fitRaw))
    return { _tag: "Invalid", problems };
  const jsonFile = values.get("--json");
  return {
    _tag: "Run",
    args: {
      source: {
        dataDir,
        symbols,
        costs,
        fundingRate,
        ...(models === undefined ? {} : { models }),
        ...parseCache(read.switches),
      },
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      train,
      test,
      ...(gridFile === undefined ? {} : { gridFile }),
      ...(samples === undefined ? {} : { random: { samples, seed: seed ?? 1 } }),
      objective: { name: objectiveRaw, minTrades: minTrades ?? DEFAULT_OBJECTIVE.minTrades },
      workers: workers ?? 1,
      ablate: read.switches.has("--ablate"),
      setups: read.switches.has("--setups"),
      fit: fitRaw,
      ...(jsonFile === undefined ? {} : { jsonFile }),
      progress,
    },
  };
};
