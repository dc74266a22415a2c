/**
 * `bun run bench [-- NAME...]`: the project's performance figures, one named section each (all by default).
 * A section measures something several times and reports medians; peak RSS is the process's so far.
 * Add a section by appending to `SECTIONS`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { defaultKlineCacheDir, klineCachePath, listKlineFiles } from "@signalbot/adapters/csv";
import { DEFAULT_FUNDING_RATE } from "@signalbot/core";
import { Effect } from "effect";
import { runBacktest, WARMUP_CANDLES } from "../backtest/Backtest.ts";
import { loadReplay } from "../backtest/Replay.ts";
import { bandwidthSection } from "../bench/Bandwidth.ts";
import { benchKlinesDir, fmt, shownPath } from "../bench/Data.ts";
import { indicatorsSection } from "../bench/Indicators.ts";
import { burstSection, liveSection, warmupSection } from "../bench/LivePath.ts";
import { median } from "../bench/Stats.ts";
import { sweepSection } from "../bench/Sweep.ts";

/** One line of a section's result: a label and its value, already formatted. */
export interface BenchFigure {
  readonly label: string;
  readonly value: string;
}

export interface BenchSection {
  /** Short, unique: selects the section on the command line. */
  readonly name: string;
  /** What is measured, one line. */
  readonly description: string;
  readonly run: () => Promise<readonly BenchFigure[]>;
}

const RUNS = 9;
/**
 * Backtests run before the timed ones. JavaScriptCore keeps tiering the hot code up over the first dozen runs (on
 * the 2-CPU machine: ≈ 1,140 → 590 → 460 → 420 → 320 ms, then 210–400 from the tenth on), and a sweep — what
 * this figure is for — runs thousands of them in one process: the timed runs measure that steady state. The
 * first run (cold code) is reported beside it.
 */
const BACKTEST_WARMUP_RUNS = 15;

export { median } from "../bench/Stats.ts";

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/**
 * The whole backtest pipeline (read + validate the files, merge, analyse, gates, memory, virtual trades, build
 * the report; no file output) over `../shared/data/binance-um-klines` when present, else the committed
 * fixtures, as `bun run backtest` runs it: through the binary kline cache (`KlineCache`; the first run writes
 * it when it is missing or stale). `BACKTEST_WARMUP_RUNS` untimed runs, then the median of `RUNS`; the load
 * from CSV (`--no-cache`, or the first run on new data) is timed apart.
 */
const backtestThroughput: BenchSection = {
  name: "backtest",
  description: "backtest throughput: candles replayed per second through the full pipeline, one core",
  run: async () => {
    const dataDir = benchKlinesDir();
    const args = {
      dataDir,
      symbols: [],
      memory: true,
      costs: { takerFeeRate: 0.0005, slippageRate: 0 },
      fundingRate: DEFAULT_FUNDING_RATE,
      progress: "never" as const,
      cacheDir: defaultKlineCacheDir(),
    };
    const csvSeconds: number[] = [];
    for (let i = 0; i <= 3; i++) {
      Bun.gc(true);
      const started = performance.now();
      await Effect.runPromise(loadReplay(dataDir, [], { warmupCandles: WARMUP_CANDLES }));
      if (i > 0) csvSeconds.push((performance.now() - started) / 1000);
    }
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    const loadSeconds: number[] = [];
    let candles = 0;
    let firstSeconds = 0;
    for (let i = 0; i < BACKTEST_WARMUP_RUNS + RUNS; i++) {
      // No forced collection between runs: in a sweep each backtest pays for the garbage of the ones before.
      const cpu = process.cpuUsage();
      const started = performance.now();
      let loadedAt = started;
      const outcome = await Effect.runPromise(
        runBacktest(args, { onLoaded: () => void (loadedAt = performance.now()) }),
      );
      const ended = performance.now();
      const used = process.cpuUsage(cpu);
      candles = outcome.candlesReplayed;
      if (i === 0) firstSeconds = (ended - started) / 1000;
      if (i < BACKTEST_WARMUP_RUNS) continue; // warm-up (JIT)
      seconds.push((ended - started) / 1000);
      cpuSeconds.push((used.user + used.system) / 1e6);
      loadSeconds.push((loadedAt - started) / 1000);
    }
    // The warm-up run wrote the copies unless the folder is not writable: then every run read CSV, say so.
    const files = await Effect.runPromise(listKlineFiles(dataDir));
    const cached = files.filter((f) => existsSync(klineCachePath(f, args.cacheDir))).length;
    const cacheState =
      cached === files.length
        ? `${args.cacheDir} (every run maps the ${files.length} files' binary copies)`
        : `${cached} of ${files.length} files have a copy in ${args.cacheDir} (not writable?): the others were parsed from CSV in every run`;
    const total = median(seconds);
    const load = median(loadSeconds);
    return [
      { label: "data", value: shownPath(dataDir) },
      { label: "candles", value: fmt(candles) },
      {
        label: "throughput",
        value: `${fmt(candles / total)} candles/s (median of ${RUNS} runs after ${BACKTEST_WARMUP_RUNS} warm-up runs; best ${fmt(candles / Math.min(...seconds))})`,
      },
      {
        label: "time",
        value: `${fmt(total * 1000)} ms (load ${fmt(load * 1000)} ms, replay + report ${fmt((total - load) * 1000)} ms)`,
      },
      { label: "kline cache", value: cacheState },
      {
        label: "load from CSV",
        value: `${fmt(median(csvSeconds) * 1000)} ms (gunzip + parse + validate, as with --no-cache or on new data; median of 3)`,
      },
      { label: "runs", value: seconds.map((s) => `${fmt(s * 1000)} ms`).join(", ") },
      {
        label: "first run",
        value: `${fmt(firstSeconds * 1000)} ms = ${fmt(candles / firstSeconds)} candles/s (cold code: one backtest alone in its process; it also wrote the kline cache if a copy was missing)`,
      },
      {
        // CPU time is steadier than wall time on a busy machine (it includes the engine's GC/JIT threads).
        label: "per CPU second",
        value: `${fmt(candles / median(cpuSeconds))} candles (median CPU time ${fmt(median(cpuSeconds) * 1000)} ms per run)`,
      },
      { label: "peak RSS", value: `${fmt(peakRssMb())} MB` },
      // Other processes competing for the CPU slow wall-clock figures down: say how busy the machine was.
      { label: "load average", value: `${loadavg()[0]!.toFixed(2)} (1 min, ${availableParallelism()} CPUs)` },
    ];
  },
};

export const SECTIONS: readonly BenchSection[] = [
  backtestThroughput,
  sweepSection,
  indicatorsSection,
  liveSection,
  burstSection,
  warmupSection,
  bandwidthSection,
];

const main = async (args: readonly string[]): Promise<number> => {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(
      `Usage: bun run bench [-- NAME...] [--only NAME] [--json FILE]\n\nSections:\n${SECTIONS.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join("\n")}\n`,
    );
    return 0;
  }
  // `--json FILE` writes every figure as JSON; `--only NAME` is the same as naming the section.
  const jsonAt = args.indexOf("--json");
  const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const argv = args.filter((a, i) => a !== "--only" && a !== "--json" && (jsonAt < 0 || i !== jsonAt + 1));
  const results: Record<string, readonly BenchFigure[]> = {};
  const unknown = argv.filter((a) => !SECTIONS.some((s) => s.name === a));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown section(s) ${unknown.join(", ")}; known: ${SECTIONS.map((s) => s.name).join(", ")}\n`,
    );
    return 2;
  }
  const chosen = argv.length === 0 ? SECTIONS : SECTIONS.filter((s) => argv.includes(s.name));
  for (const section of chosen) {
    process.stdout.write(`== ${section.name}: ${section.description}\n`);
    const figures = await section.run();
    const width = Math.max(...figures.map((f) => f.label.length));
    for (const f of figures) process.stdout.write(`  ${f.label.padEnd(width)}  ${f.value}\n`);
    results[section.name] = figures;
  }
  if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  return 0;
};

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
