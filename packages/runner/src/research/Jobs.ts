/**
 * The units of work of a walk-forward, small enough to send to a worker and back (structured clone): a
 * configuration and a window in, figures or trades out. `runJob` is the same function in a worker and in
 * the main thread, so where a job runs never changes its result.
 */
import type { VirtualTrade } from "@signalbot/core";
import { Effect } from "effect";
import { closedInOrder, type ReplayRecord, type Stats, statsOf } from "../backtest/Report.ts";
import { type RunWindow, replay, windowData } from "./EngineAdapter.ts";
import type { Market } from "./Market.ts";
import type { RunConfig } from "./RunConfig.ts";
import { replaySetups } from "./Setups.ts";

export type Job =
  /** A candidate on a training window: the statistics of its closed trades. */
  | { readonly _tag: "Train"; readonly window: RunWindow; readonly config: RunConfig }
  /** The chosen configuration on a training window, whole (for a fit step). */
  | { readonly _tag: "Record"; readonly window: RunWindow; readonly config: RunConfig }
  /**
   * A configuration run continuously over `window` (training start → test end and the time its last trades
   * need to resolve); only the trades opened (their trigger closing) in (countFrom, countTo] are returned.
   */
  | {
      readonly _tag: "Test";
      readonly window: RunWindow;
      readonly countFrom: number;
      readonly countTo: number;
      readonly config: RunConfig;
    }
  /** Every setup traded alone over `window`, those triggered in (countFrom, countTo] returned. */
  | {
      readonly _tag: "Setups";
      readonly window: RunWindow;
      readonly countFrom: number;
      readonly countTo: number;
      readonly config: RunConfig;
    };

export type JobResult =
  | { readonly _tag: "Train"; readonly stats: Stats }
  | { readonly _tag: "Record"; readonly record: ReplayRecord }
  | {
      readonly _tag: "Trades";
      readonly trades: readonly VirtualTrade[];
      /** The setup's score of each trade, same order (null when unknown). */
      readonly scores: readonly (number | null)[];
      /** Setups jobs: each trade's score components' values (see Setups.ts). */
      readonly values?: readonly Readonly<Record<string, number>>[];
    };

const inCount = (job: { readonly countFrom: number; readonly countTo: number }, t: VirtualTrade): boolean =>
  t.openedAt > job.countFrom && t.openedAt <= job.countTo;

export const runJob = (market: Market, job: Job): Effect.Effect<JobResult> => {
  switch (job._tag) {
    case "Train":
      return Effect.map(replay(market, job.window, job.config), (record) => ({
        _tag: "Train",
        stats: statsOf(closedInOrder(record.trades)),
      }));
    case "Record":
      return Effect.map(replay(market, job.window, job.config), (record) => ({ _tag: "Record", record }));
    case "Test":
      return Effect.map(replay(market, job.window, job.config), (record) => {
        const score = new Map(record.signals.map((s) => [s.key, s.setup.score]));
        const trades = record.trades.filter((t) => inCount(job, t));
        return { _tag: "Trades", trades, scores: trades.map((t) => score.get(t.id) ?? null) };
      });
    case "Setups":
      return Effect.sync(() => {
        const r = replaySetups(
          windowData(market, job.window),
          job.config,
          market.costs,
          job.countFrom,
          job.countTo,
          market.models,
        );
        return { _tag: "Trades", trades: r.trades, scores: r.scores, values: r.values };
      });
  }
};
