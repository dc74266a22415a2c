import { expect, test } from "bun:test";
import { Clock, Effect, Fiber, Random, Ref, type Schedule } from "effect";
import { TestClock } from "effect/testing";
import {
  backfillRetry,
  REST_RETRY,
  restRetry,
  restRetryOptions,
  retryTelling,
  universeRetry,
  wsReconnect,
} from "./Schedules.ts";

/** A Random that always draws `r` (so a jittered delay is exact). */
const fixedRandom = (r: number): Random.Random => ({
  nextDoubleUnsafe: () => r,
  nextIntUnsafe: () => Math.floor(r * Number.MAX_SAFE_INTEGER),
});

/**
 * Retries an always-failing call with `schedule` under the TestClock: the test clock is moved 100 ms at a time
 * and the times of the attempts are returned (the first at 0). Stops after `maxAttempts` or when the
 * schedule gives up; `failure(n)` is what the n-th failure says (e.g. a `retryAt`).
 */
const attemptTimes = <I>(
  schedule: Schedule.Schedule<unknown, I>,
  failure: (attempt: number) => I,
  options: { readonly maxAttempts: number; readonly random: number; readonly horizonMs: number },
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const times = yield* Ref.make<number[]>([]);
      const call = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis;
        const seen = yield* Ref.updateAndGet(times, (ts) => [...ts, now]);
        if (seen.length >= options.maxAttempts) return "stop" as const;
        return yield* Effect.fail(failure(seen.length));
      });
      const fiber = yield* Effect.forkChild(Effect.retry(call, schedule).pipe(Effect.ignore));
      for (let t = 0; t < options.horizonMs; t += 100) yield* TestClock.adjust(100);
      yield* Fiber.interrupt(fiber);
      return yield* Ref.get(times);
    }).pipe(
      Effect.provideService(Random.Random, fixedRandom(options.random)),
      Effect.provide(TestClock.layer()),
    ),
  );

test("WS reconnect: full jitter under a cap doubling from the base to the maximum, forever", async () => {
  // r = 0.5: half of 1, 2, 4, 8 s, then of the 10 s maximum.
  const times = await attemptTimes(wsReconnect({ baseMs: 1_000, maxMs: 10_000 }), () => "closed", {
    maxAttempts: 8,
    random: 0.5,
    horizonMs: 60_000,
  });
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  expect(gaps).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  // r → 0: reconnect at once (the jitter is "full": anywhere from zero up to the cap).
  const eager = await attemptTimes(wsReconnect(), () => "closed", {
    maxAttempts: 4,
    random: 0,
    horizonMs: 1_000,
  });
  expect(eager).toEqual([0, 0, 0, 0]);
});

test("backfill retry: doubling to the maximum, but never before the exchange's retryAt", async () => {
  const plain = await attemptTimes(backfillRetry({ baseMs: 1_000, maxMs: 4_000 }), () => ({}), {
    maxAttempts: 5,
    random: 0.5,
    horizonMs: 20_000,
  });
  expect(plain).toEqual([0, 1_000, 3_000, 7_000, 11_000]);
  // A 429 said "not before 9.5 s": the first retry waits for it, the next ones go back to the backoff.
  const hinted = await attemptTimes(
    backfillRetry({ baseMs: 1_000, maxMs: 4_000 }),
    (n) => (n === 1 ? { retryAt: 9_500 } : {}),
    { maxAttempts: 3, random: 0.5, horizonMs: 20_000 },
  );
  expect(hinted).toEqual([0, 9_500, 11_500]);
});

test("REST retry: five retries, base·2^n randomized ×[1, 2), capped; p-retry gets the same policy", async () => {
  const times = await attemptTimes(restRetry({ retries: 5, baseMs: 500, maxMs: 5_000 }), () => "503", {
    maxAttempts: 100,
    random: 0.5,
    horizonMs: 60_000,
  });
  // 750, 1 500, 3 000, 5 000 (capped), 5 000 ms after each failure; then it gives up: 6 attempts in all.
  expect(times).toEqual([0, 750, 2_250, 5_250, 10_250, 15_250]);
  expect(restRetryOptions(REST_RETRY)).toEqual({
    retries: 5,
    factor: 2,
    minTimeout: 500,
    maxTimeout: 30_000,
    randomize: true,
  });
});

test("universe retry: 5 s doubling to 5 min, forever", async () => {
  const times = await attemptTimes(universeRetry(), () => "unreachable", {
    maxAttempts: 9,
    random: 0.5,
    horizonMs: 30 * 60_000,
  });
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  expect(gaps).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test("retryTelling says each failure and its wait before waiting, and returns the first success", async () => {
  const told: string[] = [];
  const result = await Effect.runPromise(
    Effect.gen(function* () {
      let calls = 0;
      const flaky = Effect.suspend(() =>
        ++calls < 4 ? Effect.fail(`down ${calls}`) : Effect.succeed(calls),
      );
      const fiber = yield* Effect.forkChild(
        retryTelling(flaky, universeRetry(), (error, delayMs) =>
          Effect.map(
            Clock.currentTimeMillis,
            (now) => void told.push(`${now}: ${error}, next in ${delayMs}`),
          ),
        ),
      );
      yield* TestClock.adjust(35_000);
      return yield* Fiber.join(fiber);
    }).pipe(Effect.provide(TestClock.layer())),
  );
  expect(result).toBe(4);
  expect(told).toEqual([
    "0: down 1, next in 5000",
    "5000: down 2, next in 10000",
    "15000: down 3, next in 20000",
  ]);
});
