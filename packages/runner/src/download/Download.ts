/**
 * `download`: klines (30m/4h/1d) and funding rates of chosen symbols and dates from Binance REST, through
 * the bot's own client (`BinanceRest`: the same weight governor, retries and decoding), into the layout the
 * backtest reads — `DIR/<SYMBOL>-<interval>.csv.gz` and `DIR/<SYMBOL>-funding.csv.gz`, header row first.
 * Resumable: what a file already holds is kept and only the missing head or tail is fetched; every page is
 * saved as it arrives (write to a temporary file, then rename), so an interrupted run loses at most the
 * page in flight and the next run picks up from there.
 */
import { mkdir, rename } from "node:fs/promises";
import type { BinanceRest } from "@signalbot/adapters/binance";
import {
  candleAt,
  formatFundingCsv,
  formatKlineCsv,
  fundingFilePath,
  parseFundingCsv,
  parseKlineCsv,
  readDataFile,
} from "@signalbot/adapters/csv";
import {
  type Candle,
  FUNDING_INTERVAL_MS,
  type FundingSettlement,
  TIMEFRAME_MS,
  type Timeframe,
} from "@signalbot/core";
import { Effect } from "effect";

export interface DownloadPlan {
  readonly dataDir: string;
  readonly symbols: readonly string[];
  readonly intervals: readonly Timeframe[];
  /** Also the funding-rate history (`<SYMBOL>-funding.csv.gz`). */
  readonly funding: boolean;
  /** First open time wanted (ms UTC, inclusive). */
  readonly from: number;
  /** Candles opening before this instant, settlements up to it (exclusive). */
  readonly to: number;
}

/** What happened to one file. */
export interface FileOutcome {
  readonly symbol: string;
  /** "30m", "4h", "1d" or "funding". */
  readonly series: Timeframe | "funding";
  readonly path: string;
  /** Rows the file held before, and rows added by this run. */
  readonly had: number;
  readonly added: number;
  /** Open time (or settlement time) of the file's first and last row after the run; null when empty. */
  readonly first: number | null;
  readonly last: number | null;
  /** Why the series could not be completed (what was fetched before is saved). */
  readonly error?: string;
}

export interface DownloadHooks {
  /** Rows fetched so far out of an upper estimate of the rows missing (listing dates make it smaller). */
  readonly onProgress?: (done: number, total: number, current: string) => void;
}

const HOUR = 3_600_000;
const FUNDING_GUARD_MS = 59 * 60_000;

const joinPath = (dir: string, name: string): string => (dir.endsWith("/") ? dir + name : `${dir}/${name}`);

/** `[from, to]` inclusive bounds of what to fetch. */
type Range = readonly [number, number];

/** The parts of `[from, to]` outside `[first, last]` (what a file holding first..last lacks), `step` apart. */
export const missingRanges = (
  from: number,
  to: number,
  held: { readonly first: number; readonly last: number } | undefined,
  step: number,
): Range[] => {
  if (to < from) return [];
  if (held === undefined) return [[from, to]];
  const out: Range[] = [];
  if (from < held.first) out.push([from, Math.min(to, held.first - step)]);
  if (to > held.last) out.push([Math.max(from, held.last + step), to]);
  return out.filter(([a, b]) => a <= b);
};

/** A file already in the directory that cannot be trusted: it is left as it is and the series is skipped. */
export class UnreadableFile extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "UnreadableFile";
  }
}

/** Reads an existing file (undefined when absent); a malformed one is an `UnreadableFile`, left untouched. */
const readExisting = async <A>(
  path: string,
  parse: (bytes: Uint8Array) => { ok: true; rows: A[] } | { ok: false; line: number; message: string },
): Promise<A[] | undefined> => {
  if (!(await Bun.file(path).exists())) return undefined;
  const read = await Effect.runPromiseExit(readDataFile(path));
  if (read._tag === "Failure") throw new UnreadableFile(path, `${path}: cannot be read (not touched)`);
  const parsed = parse(read.value);
  if (!parsed.ok) throw new UnreadableFile(path, `${path}:${parsed.line}: ${parsed.message} (not touched)`);
  return parsed.rows;
};

/** Replaces `path` with `text` (gzipped for `.gz`) atomically: a crash leaves the old file or the new one. */
const save = async (path: string, text: string): Promise<void> => {
  const part = `${path}.part`;
  await Bun.write(part, path.endsWith(".gz") ? Bun.gzipSync(new TextEncoder().encode(text)) : text);
  await rename(part, path);
};

const klinePath = async (dir: string, symbol: string, tf: Timeframe): Promise<string> => {
  const plain = joinPath(dir, `${symbol}-${tf}.csv`);
  return (await Bun.file(plain).exists()) ? plain : `${plain}.gz`;
};

/** One series to bring up to date: its file, what it holds and what it lacks. */
interface Job<A> {
  readonly symbol: string;
  readonly series: Timeframe | "funding";
  readonly path: string;
  readonly rows: A[];
  readonly ranges: readonly Range[];
  readonly estimate: number;
  readonly fetch: (range: Range, onPage: (page: readonly A[]) => Promise<void>) => Promise<unknown>;
  readonly timeOf: (row: A) => number;
  readonly format: (rows: readonly A[]) => string;
}

const klineJob = async (
  rest: BinanceRest,
  plan: DownloadPlan,
  symbol: string,
  tf: Timeframe,
): Promise<Job<Candle>> => {
  const step = TIMEFRAME_MS[tf];
  const path = await klinePath(plan.dataDir, symbol, tf);
  const rows =
    (await readExisting(path, (bytes) => {
      const r = parseKlineCsv(bytes, path, tf);
      return r._tag === "Parsed"
        ? { ok: true, rows: Array.from({ length: r.columns.length }, (_, i) => candleAt(r.columns, i)) }
        : { ok: false, line: r.problem.line, message: r.problem.message };
    })) ?? [];
  const from = Math.ceil(plan.from / step) * step;
  const to = Math.ceil(plan.to / step) * step - step;
  const held =
    rows.length === 0 ? undefined : { first: rows[0]!.openTime, last: rows[rows.length - 1]!.openTime };
  const ranges = missingRanges(from, to, held, step);
  return {
    symbol,
    series: tf,
    path,
    rows,
    ranges,
    estimate: ranges.reduce((n, [a, b]) => n + (b - a) / step + 1, 0),
    fetch: ([a, b], onPage) => rest.klinesRange(symbol, tf, a, b, onPage),
    timeOf: (c) => c.openTime,
    format: formatKlineCsv,
  };
};

const fundingJob = async (
  rest: BinanceRest,
  plan: DownloadPlan,
  symbol: string,
): Promise<Job<FundingSettlement>> => {
  const { path } = await fundingFilePath(plan.dataDir, symbol);
  const rows =
    (await readExisting(path, (bytes) => {
      const r = parseFundingCsv(new TextDecoder().decode(bytes));
      return r._tag === "Parsed"
        ? { ok: true, rows: [...r.rows] }
        : { ok: false, line: r.line, message: r.message };
    })) ?? [];
  const held = rows.length === 0 ? undefined : { first: rows[0]!.time, last: rows[rows.length - 1]!.time };
  // Settlements are at least an hour apart (Binance's shortest funding interval) and stamped up to a few ms
  // late (never early), so nothing is missing within 59 minutes of a held one; and a tail ending before the
  // next one is due (the last interval on from the last held, on the whole minute) cannot hold one yet.
  const interval =
    rows.length < 2
      ? HOUR
      : Math.max(HOUR, Math.round((rows[rows.length - 1]!.time - rows[rows.length - 2]!.time) / HOUR) * HOUR);
  const nextDue = held === undefined ? 0 : Math.floor(held.last / 60_000) * 60_000 + interval;
  const ranges = missingRanges(plan.from, plan.to - 1, held, FUNDING_GUARD_MS).filter(
    ([, b]) => held === undefined || b < held.first || b >= nextDue,
  );
  return {
    symbol,
    series: "funding",
    path,
    rows,
    ranges,
    estimate: ranges.reduce((n, [a, b]) => n + Math.ceil((b - a) / FUNDING_INTERVAL_MS), 0),
    fetch: ([a, b], onPage) => rest.fundingRatesRange(symbol, a, b, onPage),
    timeOf: (s) => s.time,
    format: formatFundingCsv,
  };
};

/** Fetches what `job` lacks, saving after every page; `progress` hears the rows fetched so far. */
const runJob = async <A>(job: Job<A>, progress: (fetched: number) => void): Promise<FileOutcome> => {
  let rows = job.rows;
  let fetched = 0;
  let error: string | undefined;
  try {
    for (const range of job.ranges) {
      // Head pages go before what the file holds, tail pages after it; nothing is ever fetched twice.
      const head = rows.length > 0 && range[1] < job.timeOf(rows[0]!);
      const before: A[] = [];
      await job.fetch(range, async (page) => {
        if (head) before.push(...page);
        else {
          const last = rows.length === 0 ? Number.NEGATIVE_INFINITY : job.timeOf(rows[rows.length - 1]!);
          rows = rows.concat(page.filter((r) => job.timeOf(r) > last));
        }
        await save(job.path, job.format(head ? [...before, ...rows] : rows));
        fetched += page.length;
        progress(fetched);
      });
      if (head) rows = [...before, ...rows];
    }
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  }
  return {
    symbol: job.symbol,
    series: job.series,
    path: job.path,
    had: job.rows.length,
    added: rows.length - job.rows.length,
    first: rows.length === 0 ? null : job.timeOf(rows[0]!),
    last: rows.length === 0 ? null : job.timeOf(rows[rows.length - 1]!),
    ...(error === undefined ? {} : { error }),
  };
};

/** A job ready to run, its row type forgotten. */
interface Planned {
  readonly label: string;
  readonly estimate: number;
  readonly run: (progress: (fetched: number) => void) => Promise<FileOutcome>;
}

const planned = <A>(job: Job<A>): Planned => ({
  label: `${job.symbol} ${job.series}`,
  estimate: job.estimate,
  run: (progress) => runJob(job, progress),
});

/** Plans a series; one whose existing file cannot be read is reported instead, its file left as it is. */
const planSafely = async (
  symbol: string,
  series: Timeframe | "funding",
  make: () => Promise<Planned>,
): Promise<Planned> => {
  try {
    return await make();
  } catch (cause) {
    if (!(cause instanceof UnreadableFile)) throw cause;
    const outcome: FileOutcome = {
      symbol,
      series,
      path: cause.path,
      had: 0,
      added: 0,
      first: null,
      last: null,
      error: cause.message,
    };
    return { label: `${symbol} ${series}`, estimate: 0, run: async () => outcome };
  }
};

/**
 * Runs the plan: first exchangeInfo, whose REQUEST_WEIGHT limit caps the governor's budget (a download is heavy
 * work: an IP allowed less than the configured budget must not be driven into 429s and a ban); then every
 * symbol × interval, then its funding, one series after the other (the governor keeps the pace). A series that fails (an unreadable file, an unknown symbol, the exchange down after the
 * client's retries) is reported with its error; what it fetched before is saved and the others carry on.
 */
export const runDownload = async (
  rest: BinanceRest,
  plan: DownloadPlan,
  hooks: DownloadHooks = {},
): Promise<readonly FileOutcome[]> => {
  await mkdir(plan.dataDir, { recursive: true });
  // Unreachable now: the series below report the failure each (delisted symbols still have history to fetch).
  await rest.exchangeInfo().catch(() => undefined);
  const jobs: Planned[] = [];
  for (const symbol of plan.symbols) {
    for (const tf of plan.intervals)
      jobs.push(await planSafely(symbol, tf, async () => planned(await klineJob(rest, plan, symbol, tf))));
    if (plan.funding)
      jobs.push(
        await planSafely(symbol, "funding", async () => planned(await fundingJob(rest, plan, symbol))),
      );
  }
  const total = jobs.reduce((n, j) => n + j.estimate, 0);
  let done = 0;
  const outcomes: FileOutcome[] = [];
  for (const job of jobs) {
    hooks.onProgress?.(done, total, job.label);
    outcomes.push(
      await job.run((fetched) =>
        hooks.onProgress?.(done + Math.min(fetched, job.estimate), total, job.label),
      ),
    );
    done += job.estimate;
    hooks.onProgress?.(done, total, job.label);
  }
  return outcomes;
};
