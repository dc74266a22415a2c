/**
 * The worker processes of a sweep: the same results as this thread, a clear error when one cannot load the data
 * or dies mid-sweep, and the JIT setting they get when they fill every core.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { Effect } from "effect";
import type { Job } from "./Jobs.ts";
import { loadMarket, type MarketSource } from "./Market.ts";
import { inThisThread, SweepError, workerEnv, workerPool } from "./Pool.ts";
import { DEFAULT_RUN_CONFIG } from "./RunConfig.ts";

const FIXTURES = new URL("../../../../fixtures/klines/", import.meta.url).pathname;
const source: MarketSource = {
  dataDir: FIXTURES,
  symbols: ["BTCUSDT", "ETHUSDT"],
  costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
  fundingRate: 0.0001,
};
const month = (m: number) => ({ from: Date.UTC(2025, m, 1), to: Date.UTC(2025, m + 1, 1) });
const jobs = (n: number): Job[] =>
  Array.from({ length: n }, (_, i) => ({ _tag: "Train", window: month(i % 10), config: DEFAULT_RUN_CONFIG }));

/** Pids of this process's children running the sweep worker (read from /proc: no tool needed). */
const workerPids = (): number[] =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return ppid === process.pid && readFileSync(`/proc/${d}/cmdline`, "utf8").includes("SweepWorker.ts");
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);

describe("sweep worker processes", () => {
  test("two processes give this thread's results, in job order", async () => {
    const market = await Effect.runPromise(loadMarket(source));
    const list = jobs(6);
    const here = await Effect.runPromise(inThisThread(market).run(list));
    const done: number[] = [];
    const there = await Effect.runPromise(
      Effect.scoped(Effect.flatMap(workerPool(source, 2, 2), (pool) => pool.run(list, (i) => done.push(i)))),
    );
    expect(there).toEqual(here);
    expect([...done].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  }, 60_000);

  test("a worker that cannot load the data fails the pool with the loader's message", async () => {
    const error = await Effect.runPromise(
      Effect.flip(Effect.scoped(workerPool({ ...source, dataDir: "/nonexistent/klines" }, 1, 2))),
    );
    expect(error).toBeInstanceOf(SweepError);
    expect(error.message).toContain("/nonexistent/klines");
  }, 60_000);

  test("a worker killed in the middle of a sweep fails it, naming the signal, instead of hanging", async () => {
    const error = await Effect.runPromise(
      Effect.flip(
        Effect.scoped(
          Effect.flatMap(workerPool(source, 2, 2), (pool) => {
            let killed = false;
            return pool.run(jobs(40), () => {
              if (killed) return;
              killed = true;
              const [pid] = workerPids();
              if (pid !== undefined) process.kill(pid, "SIGKILL");
            });
          }),
        ),
      ),
    );
    expect(error.message).toMatch(/^a worker crashed \(signal SIGKILL\)/);
  }, 60_000);

  test("workers that fill every core compile on their own thread, unless the user chose", () => {
    expect(workerEnv(2, 2, { HOME: "/h" })).toEqual({ HOME: "/h", BUN_JSC_useConcurrentJIT: "0" });
    expect(workerEnv(4, 2, {})).toEqual({ BUN_JSC_useConcurrentJIT: "0" });
    expect(workerEnv(1, 2, { HOME: "/h" })).toEqual({ HOME: "/h" });
    expect(workerEnv(2, 2, { BUN_JSC_useConcurrentJIT: "1" })).toEqual({ BUN_JSC_useConcurrentJIT: "1" });
  });
});
