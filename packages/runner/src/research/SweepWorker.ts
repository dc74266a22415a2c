/**
 * A sweep worker (a `bun` process started by `workerPool`, messages over IPC): loads the market once, then runs
 * the jobs it is sent, one at a time, with the same `runJob` as the main thread. It exits when its parent goes.
 */
import { Cause, Effect, Exit } from "effect";
import { type Job, type JobResult, runJob } from "./Jobs.ts";
import { loadMarket, type Market, type MarketSource } from "./Market.ts";

export type ToWorker =
  | { readonly _tag: "Init"; readonly source: MarketSource }
  | { readonly _tag: "Job"; readonly id: number; readonly job: Job };

export type FromWorker =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "InitFailed"; readonly message: string }
  | { readonly _tag: "Done"; readonly id: number; readonly result: JobResult }
  | { readonly _tag: "Failed"; readonly id: number; readonly message: string };

const reply = (message: FromWorker) => void process.send?.(message);

const why = (cause: Cause.Cause<unknown>): string => {
  const failure = cause.reasons.find(Cause.isFailReason);
  const error = failure?.error as { message?: string } | undefined;
  return error?.message ?? Cause.pretty(cause).split("\n")[0] ?? "unknown error";
};

let market: Market | undefined;

process.on("disconnect", () => process.exit(0));

process.on("message", async (m: ToWorker) => {
  if (m._tag === "Init") {
    const exit = await Effect.runPromiseExit(loadMarket(m.source));
    if (Exit.isSuccess(exit)) {
      market = exit.value;
      reply({ _tag: "Ready" });
    } else reply({ _tag: "InitFailed", message: why(exit.cause) });
    return;
  }
  if (market === undefined)
    return reply({ _tag: "Failed", id: m.id, message: "job before the data was loaded" });
  const exit = await Effect.runPromiseExit(runJob(market, m.job));
  if (Exit.isSuccess(exit)) reply({ _tag: "Done", id: m.id, result: exit.value });
  else reply({ _tag: "Failed", id: m.id, message: why(exit.cause) });
});
