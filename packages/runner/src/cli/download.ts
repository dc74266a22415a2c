/**
 * `bun run download -- --symbols A,B --from YYYY-MM-DD [...]`: fetches klines and funding rates from Binance
 * REST into the backtest's data layout, resumably (see `--help` and docs/backtest.md). Exit codes: 0 done,
 * 2 bad arguments or an incomplete series, 1 bug.
 */
import { BinanceRest, type RestEvent } from "@signalbot/adapters/binance";
import { loadConfig } from "../Config.ts";
import { DOWNLOAD_USAGE, parseDownloadArgs } from "../download/Args.ts";
import { type FileOutcome, runDownload } from "../download/Download.ts";
import { dayMinute } from "../live/Describe.ts";
import { makeProgress, type Progress } from "../observability/Progress.ts";
import { progressStyle } from "./Flags.ts";
import { readEnvironment } from "./start.ts";

const DAY = 86_400_000;

/** The variables of the bot's configuration that reach Binance REST (the rest of `.env` is not this CLI's). */
const REST_VARIABLES = ["BINANCE_REST_URL", "BINANCE_TESTNET", "REST_WEIGHT_BUDGET"] as const;

const describe = (o: FileOutcome): string =>
  `${o.symbol.padEnd(14)} ${o.series.padEnd(7)} +${o.added.toLocaleString("en-US").padStart(6)} ` +
  `(had ${o.had.toLocaleString("en-US")}) ${dayMinute(o.first)} → ${dayMinute(o.last)}  ${o.path}`;

const restEvent = (e: RestEvent): string => {
  switch (e._tag) {
    case "Retrying":
      return `${e.source} failed (${e.message}); retry ${e.attempt} in ${Math.round(e.retryInMs)} ms`;
    case "RateLimited":
      return `rate limited (429): pausing ${Math.round(e.retryAfterMs / 1000)} s`;
    case "Banned":
      return `IP banned by Binance (418) until ${new Date(e.until).toISOString()}`;
    case "BanLifted":
      return "ban lifted";
    case "BudgetLimited":
      return `weight budget lowered to ${e.budget}/min: the exchange allows this IP ${e.advertised}/min`;
    case "RejectedCandles":
      return `${e.count} impossible candle(s) of ${e.symbol} ${e.timeframe} dropped, e.g. ${e.example}`;
  }
};

const main = async (argv: readonly string[]): Promise<number> => {
  const now = Date.now();
  const parsed = parseDownloadArgs(argv, Math.floor(now / DAY) * DAY);
  if (parsed._tag === "Help") {
    process.stdout.write(`${DOWNLOAD_USAGE}\n`);
    return 0;
  }
  if (parsed._tag === "Invalid") {
    for (const p of parsed.problems) process.stderr.write(`download: ${p}\n`);
    process.stderr.write("download: see --help\n");
    return 2;
  }
  const env = readEnvironment(process.env);
  const loaded = loadConfig(Object.fromEntries(REST_VARIABLES.map((name) => [name, env[name]])));
  if (loaded._tag === "Invalid") {
    for (const p of loaded.problems) process.stderr.write(`download: ${p}\n`);
    return 2;
  }
  const { args } = parsed;
  const style = progressStyle(args.progress, process.stderr.isTTY === true);
  let progress: Progress | undefined;
  let current = "";
  const say = (line: string) => {
    if (style === "tty") process.stderr.write("\r\x1b[2K");
    process.stderr.write(`download: ${line}\n`);
  };
  const rest = new BinanceRest({
    restUrl: loaded.config.restUrl,
    weightBudget: loaded.config.restWeightBudget,
    onEvent: (e) => say(restEvent(e)),
  });
  say(
    `${args.symbols.join(", ")} · ${[...args.intervals, ...(args.funding ? ["funding"] : [])].join(", ")} · ` +
      `${dayMinute(args.from).slice(0, 10)} → ${dayMinute(args.to - DAY).slice(0, 10)} from ${loaded.config.restUrl} into ${args.dataDir}`,
  );
  const outcomes = await runDownload(rest, args, {
    onProgress: (done, total, label) => {
      current = label;
      progress ??= makeProgress({
        total,
        style,
        write: (text) => process.stderr.write(text),
        now: () => performance.now(),
        label: "download",
        unit: "rows",
        barWidth: 24,
        detail: () => current,
      });
      progress.update(done);
    },
  });
  progress?.finish();
  for (const o of outcomes) process.stdout.write(`${describe(o)}\n`);
  const failed = outcomes.filter((o) => o.error !== undefined);
  for (const o of failed) process.stderr.write(`download: ${o.symbol} ${o.series}: ${o.error}\n`);
  if (failed.length > 0) {
    process.stderr.write(
      `download: ${failed.length} series incomplete; what was fetched is saved, run again to resume\n`,
    );
    return 2;
  }
  const added = outcomes.reduce((n, o) => n + o.added, 0);
  process.stdout.write(
    `${added.toLocaleString("en-US")} rows added, ${rest.sent} requests · backtest with: bun run backtest -- --data ${args.dataDir}\n`,
  );
  return 0;
};

process.exitCode = await main(process.argv.slice(2));
