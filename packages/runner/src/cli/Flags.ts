/**
 * Command-line flags shared by the CLIs (`backtest`, `download`, `walkforward`): `--flag value` and
 * `--flag=value`, switches, dates, symbol lists and trading costs — every problem collected, one line each, so
 * a user fixes them all at once.
 */

import { defaultKlineCacheDir } from "@signalbot/adapters/csv";
import { DAY_MS, DEFAULT_COSTS, DEFAULT_FUNDING_RATE } from "@signalbot/core";
import { parseModelEntries } from "../plugins/ModelModules.ts";

/** What a CLI's argument parser returns: arguments to run with, a request for help, or every problem. */
export type ParsedCommand<A> =
  | { readonly _tag: "Run"; readonly args: A }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Invalid"; readonly problems: readonly string[] };

export interface ReadFlags {
  readonly help: boolean;
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
  readonly problems: string[];
}

/** Splits `argv` into flag values and switches; unknown arguments, missing and repeated values are problems. */
export const readFlags = (
  argv: readonly string[],
  withValue: ReadonlySet<string>,
  switches: ReadonlySet<string>,
): ReadFlags => {
  const problems: string[] = [];
  const values = new Map<string, string>();
  const on = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return { help: true, values, switches: on, problems };
    if (switches.has(arg)) {
      on.add(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!withValue.has(flag)) {
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
  return { help: false, values, switches: on, problems };
};

/** A UTC day `YYYY-MM-DD` as its midnight (ms), or a problem. */
export const parseDay = (flag: string, raw: string, problems: string[]): number | undefined => {
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

/**
 * `--from` and `--to` days (optional both): `from` is the first day's midnight, `to` the midnight after the last
 * day (so `--to` is inclusive); `--to` before `--from` is a problem.
 */
export const parsePeriod = (
  values: ReadonlyMap<string, string>,
  problems: string[],
): { readonly from?: number; readonly to?: number } => {
  const fromRaw = values.get("--from");
  const toRaw = values.get("--to");
  const from = fromRaw === undefined ? undefined : parseDay("--from", fromRaw, problems);
  const toDay = toRaw === undefined ? undefined : parseDay("--to", toRaw, problems);
  const to = toDay === undefined ? undefined : toDay + DAY_MS;
  if (from !== undefined && to !== undefined && to <= from)
    problems.push(`--to (${toRaw}) is before --from (${fromRaw})`);
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
};

/** "btcusdt, ETHUSDT" → ["BTCUSDT", "ETHUSDT"] (sorted, unique); anything not a symbol is a problem. */
export const parseSymbols = (flag: string, raw: string, problems: string[]): string[] => {
  const symbols = raw
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== "");
  const wrong = symbols.filter((s) => !/^[A-Z0-9]{2,30}$/.test(s));
  if (wrong.length > 0) problems.push(`${flag}: not a symbol: ${wrong.map((s) => `"${s}"`).join(", ")}`);
  return [...new Set(symbols)].sort();
};

export type ProgressMode = "auto" | "always" | "never";

/** `--progress auto|always|never` (default auto). */
export const parseProgress = (raw: string | undefined, problems: string[]): ProgressMode => {
  const v = raw ?? "auto";
  if (v === "auto" || v === "always" || v === "never") return v;
  problems.push(`--progress: expected auto, always or never, got "${v}"`);
  return "auto";
};

/** How progress is shown: redrawn on a terminal, periodic lines when asked for on a pipe, else nothing. */
export const progressStyle = (mode: ProgressMode, isTTY: boolean): "tty" | "lines" | "off" =>
  mode === "never" ? "off" : isTTY ? "tty" : mode === "always" ? "lines" : "off";

const parseRate = (flag: string, raw: string, problems: string[]): number | undefined => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || v >= 0.1) {
    problems.push(`${flag}: expected a fraction between 0 and 0.1 (0.0005 = 0.05 %), got "${raw}"`);
    return undefined;
  }
  return v;
};

const parseFundingRate = (raw: string, problems: string[]): number | undefined => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || Math.abs(v) >= 0.01) {
    problems.push(
      `--funding-rate: expected a fraction between -0.01 and 0.01 (0.0001 = 0.01 %), got "${raw}"`,
    );
    return undefined;
  }
  return v;
};

/** The trading-cost flags of the replaying CLIs. */
export const COST_FLAGS = ["--fee", "--slippage", "--funding-rate"] as const;

export const COST_USAGE = `  --fee RATE           taker fee per fill as a fraction (default 0.0005 = 0.05 %, Binance USD-M)
  --slippage RATE      adverse slippage per fill as a fraction (default 0.0002 = 0.02 %)
  --funding-rate RATE  funding per 8 h on open trades, as a fraction, for symbols without a
                       DIR/<SYMBOL>-funding.csv[.gz] file (default 0.0001 = 0.01 %; longs pay, shorts
                       receive; negative reverses; 0 = none). Such files (bun run download) win.`;

/** `--fee`, `--slippage`, `--funding-rate` with their defaults (a bad value is a problem, the default stands in). */
export const parseCosts = (
  values: ReadonlyMap<string, string>,
  problems: string[],
): {
  readonly costs: { readonly takerFeeRate: number; readonly slippageRate: number };
  readonly fundingRate: number;
} => {
  const fee = values.get("--fee");
  const slip = values.get("--slippage");
  const funding = values.get("--funding-rate");
  return {
    costs: {
      takerFeeRate:
        (fee === undefined ? undefined : parseRate("--fee", fee, problems)) ?? DEFAULT_COSTS.takerFeeRate,
      slippageRate:
        (slip === undefined ? undefined : parseRate("--slippage", slip, problems)) ??
        DEFAULT_COSTS.slippageRate,
    },
    fundingRate:
      (funding === undefined ? undefined : parseFundingRate(funding, problems)) ?? DEFAULT_FUNDING_RATE,
  };
};

/** `--models` in a CLI's help. */
export const MODELS_USAGE = `  --models LIST        the models to run, in order (as MODELS): built-in names and paths of modules whose
                       default export is a model, e.g. continuation,reversal,./examples/donchian/Donchian.ts
                       (default continuation,reversal)`;

/** `--models`: the model entries to load (plugins/ModelModules), or undefined for the built-in models. */
export const parseModels = (
  values: ReadonlyMap<string, string>,
  problems: string[],
): readonly string[] | undefined => {
  const raw = values.get("--models");
  if (raw === undefined) return undefined;
  const parsed = parseModelEntries(raw);
  if ("problem" in parsed) {
    problems.push(`--models: ${parsed.problem}`);
    return undefined;
  }
  return parsed.entries;
};

/** Switch that turns the binary kline cache off (the data commands read it by default). */
export const NO_CACHE = "--no-cache";

export const CACHE_USAGE = `  --no-cache           parse every CSV file again; by default each validated file is also kept as a binary
                       copy (SIGNALBOT_CACHE_DIR, else ~/.cache/signalbot/klines) that later runs load ≈ 10×
                       faster, and re-read whenever the file changes`;

/** The cache folder the data is loaded through, unless `--no-cache` was given. */
export const parseCache = (switches: ReadonlySet<string>): { readonly cacheDir?: string } =>
  switches.has(NO_CACHE) ? {} : { cacheDir: defaultKlineCacheDir() };
