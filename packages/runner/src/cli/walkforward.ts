/**
 * `bun run walkforward -- [options]`: rolling training/test windows, a configuration chosen on each training
 * window by a robust objective, traded on the test window; prints the out-of-sample summary (see `--help`
 * and docs/backtest.md). Exit codes: 0 done, 2 bad arguments, grid or data, 1 bug.
 */
import { availableParallelism } from "node:os";
import { Cause, Effect, Exit } from "effect";
import { makeProgress, type Progress } from "../observability/Progress.ts";
import { parseWalkForwardArgs, WALKFORWARD_USAGE } from "../research/Args.ts";
import { EMPTY_GRID, type Grid, parseGrid } from "../research/Grid.ts";
import { loadMarket } from "../research/Market.ts";
import { workerPool } from "../research/Pool.ts";
import { DEFAULT_RUN_CONFIG } from "../research/RunConfig.ts";
import { renderWalkForward } from "../research/Summary.ts";
import { runWalkForward } from "../research/WalkForward.ts";
import { walkForwardJson } from "../research/WalkForwardReport.ts";
import { weightFit } from "../research/WeightFit.ts";
import { progressStyle } from "./Flags.ts";

const fail = (lines: readonly string[]): number => {
  for (const l of lines) process.stderr.write(`walkforward: ${l}\n`);
  return 2;
};

const readGrid = async (path: string | undefined): Promise<Grid | readonly string[]> => {
  if (path === undefined) return EMPTY_GRID;
  const file = Bun.file(path);
  if (!(await file.exists())) return [`--grid: no such file: ${path}`];
  const parsed = parseGrid(await file.text(), path, DEFAULT_RUN_CONFIG);
  return parsed._tag === "Ok" ? parsed.grid : parsed.problems;
};

const main = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseWalkForwardArgs(argv, availableParallelism());
  if (parsed._tag === "Help") {
    process.stdout.write(`${WALKFORWARD_USAGE}\n`);
    return 0;
  }
  if (parsed._tag === "Invalid") return fail([...parsed.problems, "see --help"]);
  const { args } = parsed;
  const grid = await readGrid(args.gridFile);
  if (Array.isArray(grid)) return fail(grid as readonly string[]);
  const style = progressStyle(args.progress, process.stderr.isTTY === true);
  let progress: Progress | undefined;
  const program = Effect.gen(function* () {
    const market = yield* loadMarket(args.source);
    const evaluator = yield* workerPool(args.source, args.workers);
    return yield* runWalkForward(
      {
        ...(args.from === undefined ? {} : { from: args.from }),
        ...(args.to === undefined ? {} : { to: args.to }),
        train: args.train,
        test: args.test,
        grid: grid as Grid,
        ...(args.random === undefined ? {} : { random: args.random }),
        objective: args.objective,
        ablate: args.ablate,
        setups: args.setups,
        ...(args.fit === "weights" ? { fit: weightFit } : {}),
      },
      market,
      evaluator,
      {
        onPhase: (phase, candles, runs) => {
          progress?.finish();
          if (style !== "off")
            process.stderr.write(
              `walkforward: ${phase}: ${runs} run(s), ${candles.toLocaleString("en-US")} candles on ${args.workers} worker(s)\n`,
            );
          progress = makeProgress({
            total: candles,
            style,
            label: `walkforward ${phase}`,
            barWidth: 20,
            write: (text) => process.stderr.write(text),
            now: () => performance.now(),
          });
        },
        onProgress: (done) => progress?.update(done),
      },
    );
  });
  const exit = await Effect.runPromiseExit(Effect.scoped(program));
  progress?.finish();
  if (Exit.isSuccess(exit)) {
    const report = exit.value;
    if (args.jsonFile !== undefined) await Bun.write(args.jsonFile, walkForwardJson(report));
    process.stdout.write(renderWalkForward(report));
    if (args.jsonFile !== undefined) process.stdout.write(`JSON report: ${args.jsonFile}\n`);
    return 0;
  }
  const failure = exit.cause.reasons.find(Cause.isFailReason);
  if (failure !== undefined) return fail(failure.error.message.split("\n"));
  process.stderr.write(`walkforward: unexpected error: ${Cause.pretty(exit.cause).split("\n")[0]}\n`);
  return 1;
};

process.exitCode = await main(process.argv.slice(2));
