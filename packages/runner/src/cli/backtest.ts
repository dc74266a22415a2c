/**
 * `bun run backtest -- --data DIR [...]`: replays kline files through the bot's core and prints a summary
 * (see `--help` and docs/backtest.md). Exit codes: 0 done, 2 bad arguments or data, 1 bug.
 */
import { Cause, Effect, Exit } from "effect";
import { parseBacktestArgs, USAGE } from "../backtest/Args.ts";
import { runBacktest } from "../backtest/Backtest.ts";
import { renderSummary } from "../backtest/Summary.ts";
import { makeProgress, type Progress } from "../observability/Progress.ts";
import { progressStyle } from "./Flags.ts";

const main = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseBacktestArgs(argv);
  if (parsed._tag === "Help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed._tag === "Invalid") {
    for (const p of parsed.problems) process.stderr.write(`backtest: ${p}\n`);
    process.stderr.write("backtest: see --help\n");
    return 2;
  }
  const { args } = parsed;
  const style = progressStyle(args.progress, process.stderr.isTTY === true);
  let progress: Progress | undefined;
  const exit = await Effect.runPromiseExit(
    runBacktest(args, {
      onLoaded: (total) => {
        progress = makeProgress({
          total,
          style,
          write: (text) => process.stderr.write(text),
          now: () => performance.now(),
        });
      },
      onProgress: (done) => progress?.update(done),
    }),
  );
  progress?.finish();
  if (Exit.isSuccess(exit)) {
    process.stdout.write(renderSummary(exit.value.report));
    if (args.jsonFile !== undefined) process.stdout.write(`JSON report: ${args.jsonFile}\n`);
    if (args.htmlFile !== undefined) process.stdout.write(`HTML report: ${args.htmlFile}\n`);
    return 0;
  }
  const failure = exit.cause.reasons.find(Cause.isFailReason);
  if (failure !== undefined) {
    for (const line of failure.error.message.split("\n")) process.stderr.write(`backtest: ${line}\n`);
    return 2;
  }
  process.stderr.write(`backtest: unexpected error: ${Cause.pretty(exit.cause).split("\n")[0]}\n`);
  return 1;
};

process.exitCode = await main(process.argv.slice(2));
