/**
 * The four retry and backoff policies of the Binance adapters, in one place, as named Effect `Schedule`s: how
 * long to wait before the next attempt after a failure. Time comes from Effect's Clock and jitter from its
 * Random, so Schedules.test.ts pins every delay down with TestClock and a seeded Random.
 */
import { Clock, Duration, Effect, Random, Schedule } from "effect";

const atMost =
  (maxMs: number) =>
  <O, I, E, R>(self: Schedule.Schedule<O, I, E, R>): Schedule.Schedule<O, I, E, R> =>
    Schedule.modifyDelay(self, ({ duration }) =>
      Effect.succeed(Duration.millis(Math.min(maxMs, Duration.toMillis(duration)))),
    );

/** A random part of each delay: `factor(r, d)` with r uniform in [0, 1). */
const randomized =
  (factor: (r: number) => number) =>
  <O, I, E, R>(self: Schedule.Schedule<O, I, E, R>): Schedule.Schedule<O, I, E, R> =>
    Schedule.modifyDelay(self, ({ duration }) =>
      Effect.map(Random.next, (r) => Duration.millis(Math.floor(factor(r) * Duration.toMillis(duration)))),
    );

export interface BackoffConfig {
  /** Delay before the first retry (the cap grows from here). */
  readonly baseMs: number;
  /** Longest delay. */
  readonly maxMs: number;
}

/** WS_RECONNECT: 1 s doubling to WS_RECONNECT_MAX_MS (60 s). */
export const WS_RECONNECT: BackoffConfig = { baseMs: 1_000, maxMs: 60_000 };

/**
 * WebSocket reconnect after a connection failed: "full jitter", a random delay in [0, min(max, base·2^n)) before
 * the n-th consecutive attempt (n from 0), so shards that dropped together do not come back together.
 * Forever: a shard never gives up. The connection loop starts a fresh schedule once a connection was stable.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export const wsReconnect = (config: BackoffConfig = WS_RECONNECT): Schedule.Schedule<Duration.Duration> =>
  Schedule.exponential(Duration.millis(config.baseMs), 2).pipe(
    atMost(config.maxMs),
    randomized((r) => r),
  );

/** What a failed REST call may say about when to come back (429/418: `MarketDataError.retryAt`). */
export interface RetryHint {
  readonly retryAt?: number | undefined;
}

/** BACKFILL: 1 s doubling to 60 s. */
export const BACKFILL_RETRY: BackoffConfig = { baseMs: 1_000, maxMs: 60_000 };

/**
 * The stream's gap backfill by REST after a failure: base doubling to max, and never before the exchange
 * said requests may resume (`retryAt` of a 429/418). Forever: a gap is never given up on while subscribed.
 */
export const backfillRetry = (
  config: BackoffConfig = BACKFILL_RETRY,
): Schedule.Schedule<Duration.Duration, RetryHint> =>
  Schedule.exponential(Duration.millis(config.baseMs), 2).pipe(
    atMost(config.maxMs),
    Schedule.setInputType<RetryHint>(),
    Schedule.modifyDelay(({ duration, input, now }) =>
      Effect.succeed(Duration.millis(Math.max(Duration.toMillis(duration), (input.retryAt ?? 0) - now))),
    ),
  );

export interface RestRetryConfig extends BackoffConfig {
  /** Retries after the first attempt. */
  readonly retries: number;
}

/** REST: 5 retries, 500 ms doubling, randomized ×[1, 2), at most 30 s. */
export const REST_RETRY: RestRetryConfig = { retries: 5, baseMs: 500, maxMs: 30_000 };

/**
 * A REST request after a network error, a timeout or a 5xx: `retries` more attempts, the n-th after
 * min(max, base·2^n·(1 + r)) with r uniform in [0, 1) (n from 0). 429 and 418 are not retries: the weight
 * governor pauses every request for the exchange's Retry-After instead.
 */
export const restRetry = (config: RestRetryConfig = REST_RETRY): Schedule.Schedule<Duration.Duration> =>
  Schedule.exponential(Duration.millis(config.baseMs), 2).pipe(
    randomized((r) => 1 + r),
    atMost(config.maxMs),
    Schedule.upTo({ times: config.retries }),
  );

/**
 * `restRetry`'s parameters as p-retry options: `BinanceRest` (Promise code over ky) retries with p-retry,
 * whose delay is the same formula (`min(maxTimeout, minTimeout·factor^n·random[1, 2))`).
 */
export const restRetryOptions = (config: RestRetryConfig = REST_RETRY) => ({
  retries: config.retries,
  factor: 2,
  minTimeout: config.baseMs,
  maxTimeout: config.maxMs,
  randomize: true,
});

/** UNIVERSE: 5 s doubling to 5 min. */
export const UNIVERSE_RETRY: BackoffConfig = { baseMs: 5_000, maxMs: 300_000 };

/**
 * The first universe fetch at start (exchangeInfo + 24 h tickers): base doubling to max, forever — the bot
 * cannot choose symbols without it, and an unreachable exchange is told once per round, not crash-looped.
 */
export const universeRetry = (config: BackoffConfig = UNIVERSE_RETRY): Schedule.Schedule<Duration.Duration> =>
  Schedule.exponential(Duration.millis(config.baseMs), 2).pipe(atMost(config.maxMs));

/**
 * Runs `effect` until it succeeds, waiting on `schedule` after each failure; `tell(error, delayMs)` runs
 * before each wait (a log line, an event that says when the next attempt comes). When the schedule ends,
 * the last failure is returned.
 */
export const retryTelling = <A, E, R, R2>(
  effect: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<unknown, E>,
  tell: (error: E, delayMs: number) => Effect.Effect<void, never, R2>,
): Effect.Effect<A, E, R | R2> =>
  Effect.gen(function* () {
    const next = yield* Schedule.toStep(schedule);
    for (;;) {
      const result = yield* Effect.result(effect);
      if (result._tag === "Success") return result.success;
      const step = yield* Effect.result(next(yield* Clock.currentTimeMillis, result.failure));
      if (step._tag === "Failure") return yield* Effect.fail(result.failure);
      const delayMs = Duration.toMillis(step.success[1]);
      yield* tell(result.failure, delayMs);
      yield* Effect.sleep(delayMs);
    }
  });
