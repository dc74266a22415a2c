/**
 * Bench section `sweep`: the walk-forward's search throughput on 1 and on 2 workers — the same training
 * runs (8 configurations over half a year of every symbol) through `workerPool`, alternating the worker
 * counts so a busy machine slows both alike; median of the repetitions. Worker start-up (loading the data
 * once per worker, then the sweep once untimed, so the JIT has tiered up) is timed apart: a sweep pays it once.
 */
import { availableParallelism, loadavg } from "node:os";
import { defaultKlineCacheDir } from "@signalbot/adapters/csv";
import { DEFAULT_FUNDING_RATE } from "@signalbot/core";
import { Effect } from "effect";
import type { BenchFigure, BenchSection } from "../cli/bench.ts";
import { candlesIn } from "../research/EngineAdapter.ts";
import { gridSearch } from "../research/Grid.ts";
import type { Job } from "../research/Jobs.ts";
import { loadMarket, type MarketSource } from "../research/Market.ts";
import { workerPool } from "../research/Pool.ts";
import { DEFAULT_RUN_CONFIG } from "../research/RunConfig.ts";
import { benchKlinesDir, fmt, shownPath } from "./Data.ts";
import { median } from "./Stats.ts";

const REPEATS = 3;

export const sweepSection: BenchSection = {
  name: "sweep",
  description: "walk-forward search throughput: the same 8 training runs on 1 and on 2 worker processes",
  run: async () => {
    const dataDir = benchKlinesDir();
    const source: MarketSource = {
      dataDir,
      symbols: [],
      costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
      fundingRate: DEFAULT_FUNDING_RATE,
      cacheDir: defaultKlineCacheDir(),
    };
    const market = await Effect.runPromise(loadMarket(source));
    const window = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 6, 1) };
    const search = gridSearch(
      {
        parameters: [
          { path: "memory.baseThreshold", values: [70, 75, 80, 85] },
          { path: "strategy.adxMin", values: [15, 22] },
        ],
        fixed: {},
      },
      DEFAULT_RUN_CONFIG,
    );
    const jobs: Job[] = search.candidates.map((c) => ({ _tag: "Train", window, config: c.config }));
    const candles = jobs.length * candlesIn(market, window);
    const seconds: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const startup: Record<1 | 2, number[]> = { 1: [], 2: [] };
    for (let i = 0; i < REPEATS; i++) {
      for (const n of [1, 2] as const) {
        const t0 = performance.now();
        await Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const pool = yield* workerPool(source, n);
              // The sweep once untimed: each worker's JIT tiers its code up over several runs (after one run
              // per worker, two workers would still be compiling the same code twice on two cores). A real
              // search is hundreds of runs: its steady state is what counts.
              yield* pool.run(jobs);
              const t1 = performance.now();
              yield* pool.run(jobs);
              startup[n].push((t1 - t0) / 1000);
              seconds[n].push((performance.now() - t1) / 1000);
            }),
          ),
        );
      }
    }
    const one = median(seconds[1]);
    const two = median(seconds[2]);
    const figures: BenchFigure[] = [
      { label: "data", value: shownPath(dataDir) },
      {
        label: "sweep",
        value: `${jobs.length} runs × ${fmt(candles / jobs.length)} candles (2025-01-01 → 2025-07-01, warm-up included)`,
      },
      {
        label: "1 worker",
        value: `${fmt(candles / one)} candles/s (${fmt(one * 1000)} ms; runs ${seconds[1].map((s) => fmt(s * 1000)).join(", ")} ms)`,
      },
      {
        label: "2 workers",
        value: `${fmt(candles / two)} candles/s (${fmt(two * 1000)} ms; runs ${seconds[2].map((s) => fmt(s * 1000)).join(", ")} ms)`,
      },
      {
        label: "speed-up",
        value: `× ${fmt(one / two, 2)} (median of ${REPEATS}, alternating 1 and 2 workers)`,
      },
      {
        label: "start-up",
        value: `${fmt(median(startup[1]) * 1000)} ms (1 worker), ${fmt(median(startup[2]) * 1000)} ms (2 workers): loading the data in each, then the sweep once untimed (JIT warm-up)`,
      },
      { label: "load average", value: `${loadavg()[0]!.toFixed(2)} (1 min, ${availableParallelism()} CPUs)` },
    ];
    return figures;
  },
};
