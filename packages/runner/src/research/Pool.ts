/**
 * Where a sweep's jobs run: in this thread, or on N Bun workers that each load the market once and then
 * take one job at a time from a shared queue. Results come back in job order whatever finished first, and
 * every job is a pure function of its input, so 1 and N workers give identical results.
 */
import { Data, Effect, type Scope } from "effect";
import { type Job, type JobResult, runJob } from "./Jobs.ts";
import type { Market, MarketSource } from "./Market.ts";
import type { FromWorker, ToWorker } from "./SweepWorker.ts";

/** A worker could not load the data, or a job failed in it (its message says why). */
export class SweepError extends Data.TaggedError("SweepError")<{ readonly message: string }> {}

export interface Evaluator {
  /** Threads running jobs. */
  readonly workers: number;
  /** Runs `jobs`; `onDone(i)` as job i finishes; the results in job order. */
  readonly run: (
    jobs: readonly Job[],
    onDone?: (index: number) => void,
  ) => Effect.Effect<readonly JobResult[], SweepError>;
}

/** Jobs one after the other in this thread, on an already loaded market. */
export const inThisThread = (market: Market): Evaluator => ({
  workers: 1,
  run: (jobs, onDone) =>
    Effect.forEach(jobs, (job, i) => Effect.tap(runJob(market, job), () => Effect.sync(() => onDone?.(i)))),
});

const WORKER_URL = new URL("./SweepWorker.ts", import.meta.url).href;

const send = (w: Worker, message: ToWorker) => w.postMessage(message);

/** Starts `n` workers, each loading `source`; ready once all have loaded it. Terminated with the scope. */
export const workerPool = (
  source: MarketSource,
  n: number,
): Effect.Effect<Evaluator, SweepError, Scope.Scope> =>
  Effect.gen(function* () {
    const workers = yield* Effect.acquireRelease(
      Effect.sync(() => Array.from({ length: n }, () => new Worker(WORKER_URL))),
      (ws) =>
        Effect.sync(() => {
          for (const w of ws) w.terminate();
        }),
    );
    yield* Effect.forEach(
      workers,
      (w) =>
        Effect.callback<void, SweepError>((resume) => {
          w.onmessage = (e: MessageEvent<FromWorker>) => {
            if (e.data._tag === "Ready") resume(Effect.void);
            else if (e.data._tag === "InitFailed")
              resume(Effect.fail(new SweepError({ message: e.data.message })));
          };
          w.onerror = (e) =>
            resume(Effect.fail(new SweepError({ message: `worker failed to start: ${e.message}` })));
          send(w, { _tag: "Init", source });
        }),
      { concurrency: "unbounded" },
    );
    const run = (jobs: readonly Job[], onDone?: (index: number) => void) =>
      Effect.callback<readonly JobResult[], SweepError>((resume) => {
        const results = new Array<JobResult>(jobs.length);
        let next = 0;
        let done = 0;
        let failed = false;
        const fail = (message: string) => {
          if (failed) return;
          failed = true;
          resume(Effect.fail(new SweepError({ message })));
        };
        const feed = (w: Worker) => {
          if (failed || next >= jobs.length) return;
          const id = next++;
          send(w, { _tag: "Job", id, job: jobs[id]! });
        };
        if (jobs.length === 0) return resume(Effect.succeed(results));
        for (const w of workers) {
          w.onmessage = (e: MessageEvent<FromWorker>) => {
            const m = e.data;
            if (m._tag === "Failed") return fail(`job ${m.id} failed: ${m.message}`);
            if (m._tag !== "Done") return;
            results[m.id] = m.result;
            done++;
            onDone?.(m.id);
            if (done === jobs.length) resume(Effect.succeed(results));
            else feed(w);
          };
          w.onerror = (e) => fail(`a worker crashed: ${e.message}`);
          feed(w);
        }
      });
    return { workers: n, run } satisfies Evaluator;
  });
