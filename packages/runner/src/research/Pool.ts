/**
 * Where a sweep's jobs run: in this thread, or on N worker processes (`bun SweepWorker.ts`) that each load the
 * market once and then take one job at a time from a shared queue. Results come back in job order whatever finished first, and
 * every job is a pure function of its input, so 1 and N workers give identical results.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Subprocess } from "bun";
import { Data, Effect, type Scope } from "effect";
import { type Job, type JobResult, runJob } from "./Jobs.ts";
import type { Market, MarketSource } from "./Market.ts";
import type { FromWorker, ToWorker } from "./SweepWorker.ts";

/** A worker could not load the data, or a job failed in it (its message says why). */
export class SweepError extends Data.TaggedError("SweepError")<{ readonly message: string }> {}

export interface Evaluator {
  /** Processes (or this thread) running jobs. */
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

const WORKER_PATH = fileURLToPath(new URL("./SweepWorker.ts", import.meta.url));

/**
 * The worker processes' environment: the parent's, and — when the workers fill every core — JavaScriptCore's JIT
 * compiling on each worker's own thread (`BUN_JSC_useConcurrentJIT=0`). By default each Bun process compiles on
 * helper threads beside its JavaScript thread; a lone backtest gains from that on a free core, but N workers on N
 * cores only compete with those threads (a grid walk-forward on 2 CPUs: 15.1–15.5 s with them, 13.1–14.2 s
 * without). A value the user set is kept.
 */
export const workerEnv = (
  workers: number,
  cores: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string | undefined> =>
  workers >= cores && env.BUN_JSC_useConcurrentJIT === undefined
    ? { ...env, BUN_JSC_useConcurrentJIT: "0" }
    : { ...env };

/** Where a worker's messages and its end currently go (the loading phase, then each run). */
interface Handlers {
  onMessage: (m: FromWorker) => void;
  onExit: (why: string) => void;
}

/** One worker process and its handlers. */
type WorkerProcess = Handlers & { readonly child: Subprocess };

const ignore = () => {};

const spawnWorker = (env: Record<string, string | undefined>): WorkerProcess => {
  const handlers: Handlers = { onMessage: ignore, onExit: ignore };
  const child = Bun.spawn([process.execPath, WORKER_PATH], {
    env,
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
    serialization: "advanced",
    ipc: (message: FromWorker) => handlers.onMessage(message),
    onExit: (_child, code, signal) =>
      handlers.onExit(signal === null ? `exit code ${code}` : `signal ${String(signal)}`),
  });
  return Object.assign(handlers, { child });
};

const send = (w: WorkerProcess, message: ToWorker) => w.child.send(message);

/**
 * Starts `n` worker processes (`bun SweepWorker.ts`, messages over IPC with structured clone), each loading
 * `source`; ready once all have loaded it. Killed with the scope; a worker whose parent dies exits too.
 */
export const workerPool = (
  source: MarketSource,
  n: number,
  cores: number = availableParallelism(),
): Effect.Effect<Evaluator, SweepError, Scope.Scope> =>
  Effect.gen(function* () {
    const env = workerEnv(n, cores);
    const workers = yield* Effect.acquireRelease(
      Effect.sync(() => Array.from({ length: n }, () => spawnWorker(env))),
      (ws) =>
        Effect.sync(() => {
          for (const w of ws) {
            w.onExit = ignore; // an end we asked for is not a crash
            w.child.kill();
          }
        }),
    );
    yield* Effect.forEach(
      workers,
      (w) =>
        Effect.callback<void, SweepError>((resume) => {
          w.onMessage = (m) => {
            if (m._tag === "Ready") resume(Effect.void);
            else if (m._tag === "InitFailed") resume(Effect.fail(new SweepError({ message: m.message })));
          };
          w.onExit = (why) =>
            resume(
              Effect.fail(new SweepError({ message: `a worker ended while loading the data (${why})` })),
            );
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
        const feed = (w: WorkerProcess) => {
          if (failed || next >= jobs.length) return;
          const id = next++;
          send(w, { _tag: "Job", id, job: jobs[id]! });
        };
        if (jobs.length === 0) return resume(Effect.succeed(results));
        for (const w of workers) {
          w.onMessage = (m) => {
            if (m._tag === "Failed") return fail(`job ${m.id} failed: ${m.message}`);
            if (m._tag !== "Done") return;
            results[m.id] = m.result;
            done++;
            onDone?.(m.id);
            if (done === jobs.length) resume(Effect.succeed(results));
            else feed(w);
          };
          w.onExit = (why) => fail(`a worker crashed (${why})`);
          feed(w);
        }
      });
    return { workers: n, run } satisfies Evaluator;
  });
