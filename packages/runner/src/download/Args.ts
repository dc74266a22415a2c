/**
 * The `download` command line: flags, their defaults and their meaning in one place (`--help` is this
 * text). Parsing is pure — today's date is passed in — and reports every problem, one line each.
 */
import { isTimeframe, TIMEFRAMES, type Timeframe } from "@signalbot/core";
import { type ProgressMode, parseDay, parseProgress, parseSymbols, readFlags } from "../cli/Flags.ts";
import type { DownloadPlan } from "./Download.ts";

export interface DownloadArgs extends DownloadPlan {
  readonly progress: ProgressMode;
}

export type ParsedDownloadArgs =
  | { readonly _tag: "Run"; readonly args: DownloadArgs }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Invalid"; readonly problems: readonly string[] };

export const DEFAULT_DATA_DIR = "data/klines";

export const DOWNLOAD_USAGE = `Usage: bun run download -- --symbols A,B --from YYYY-MM-DD [options]

Fetches closed klines (30m, 4h, 1d) and funding rates from Binance USD-M futures REST, through the bot's
own client and request-weight governor, into the layout the backtest reads:
DIR/<SYMBOL>-<interval>.csv.gz and DIR/<SYMBOL>-funding.csv.gz (header row first). Resumable: rows a file
already holds are kept, only what is missing before or after them is fetched, and every page is saved as it
arrives — an interrupted download continues where it stopped.

Options:
  --symbols A,B,...    symbols to fetch (required)
  --from YYYY-MM-DD    first UTC day (required)
  --to YYYY-MM-DD      last UTC day, inclusive (default today: up to the last closed candle)
  --data DIR           where the files go (default ${DEFAULT_DATA_DIR}); then: bun run backtest -- --data DIR
  --intervals LIST     klines to fetch, any of 30m,4h,1d (default all three)
  --no-funding         klines only
  --progress MODE      auto (stderr is a terminal), always (periodic lines) or never (default auto)
  -h, --help           this help

Environment (as for the bot): BINANCE_REST_URL (default https://fapi.binance.com), BINANCE_TESTNET,
REST_WEIGHT_BUDGET (request weight per minute this process may use, default 1200 of Binance's 2400).

Exit codes: 0 done; 2 bad arguments, or a series that could not be completed (named on stderr; what was
fetched is saved, run again to resume); 1 unexpected error.`;

const DAY = 86_400_000;

const FLAGS_WITH_VALUE = new Set(["--symbols", "--from", "--to", "--data", "--intervals", "--progress"]);
const SWITCHES = new Set(["--no-funding"]);

/** Parses `argv`; `today` (UTC midnight, ms) is the default last day. */
export const parseDownloadArgs = (argv: readonly string[], today: number): ParsedDownloadArgs => {
  const read = readFlags(argv, FLAGS_WITH_VALUE, SWITCHES);
  if (read.help) return { _tag: "Help" };
  const { values, problems } = read;

  const symbolsRaw = values.get("--symbols");
  const symbols = symbolsRaw === undefined ? [] : parseSymbols("--symbols", symbolsRaw, problems);
  if (symbols.length === 0 && !problems.some((p) => p.startsWith("--symbols")))
    problems.push("--symbols A,B,... is required");

  const fromRaw = values.get("--from");
  const toRaw = values.get("--to");
  const from = fromRaw === undefined ? undefined : parseDay("--from", fromRaw, problems);
  if (fromRaw === undefined) problems.push("--from YYYY-MM-DD is required");
  const toDay = toRaw === undefined ? today : parseDay("--to", toRaw, problems);
  const to = toDay === undefined ? undefined : toDay + DAY;
  if (from !== undefined && to !== undefined && to <= from)
    problems.push(`--to (${toRaw ?? "today"}) is before --from (${fromRaw})`);

  const intervalsRaw = values.get("--intervals");
  const intervals: Timeframe[] = [];
  if (intervalsRaw === undefined) intervals.push(...TIMEFRAMES);
  else {
    for (const raw of intervalsRaw.split(",").map((s) => s.trim())) {
      if (raw === "") continue;
      if (!isTimeframe(raw)) problems.push(`--intervals: "${raw}" is not one of ${TIMEFRAMES.join(", ")}`);
      else if (!intervals.includes(raw)) intervals.push(raw);
    }
    if (intervals.length === 0 && !problems.some((p) => p.startsWith("--intervals")))
      problems.push("--intervals: give at least one of 30m, 4h, 1d");
  }

  const dataDir = values.get("--data") ?? DEFAULT_DATA_DIR;
  if (dataDir === "") problems.push("--data needs a directory");
  const progress = parseProgress(values.get("--progress"), problems);

  if (problems.length > 0 || from === undefined || to === undefined) return { _tag: "Invalid", problems };
  return {
    _tag: "Run",
    args: {
      dataDir,
      symbols,
      intervals: TIMEFRAMES.filter((tf) => intervals.includes(tf)),
      funding: !read.switches.has("--no-funding"),
      from,
      to,
      progress,
    },
  };
};
