/**
 * The `MarketStream` port without a WebSocket (MARKET_DATA=poll): a few seconds after each trigger-timeframe
 * close, the just-closed candle of every tracked symbol is fetched by REST — one klines request of weight 1
 * per symbol, through the process's weight governor — and handed to the same per-symbol sequencer as the
 * stream's (KlineSequencer.ts), so the loop sees every closed candle exactly once and in order: duplicates
 * dropped, gaps (an outage, a restart, a missed round) backfilled first. No forming candles: open virtual trades
 * advance on closed candles, as in a backtest. Rounds run on Effect's Clock (the runner's: wall time live, market
 * time in simulations, the TestClock in tests). Built in a Scope: its fibers end with it.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Kline-Candlestick-Data
 */
import {
  MarketDataError,
  MarketStream,
  type StreamEvent,
  TIMEFRAME_MS,
  type Timeframe,
} from "@signalbot/core";
import { Clock, Effect, FiberSet, Layer, Queue, type Scope } from "effect";
import { type Backfill, makeSequencer } from "./KlineSequencer.ts";
import { BACKFILL_RETRY, type BackoffConfig, backfillRetry, retryTelling } from "./Schedules.ts";

export interface KlinePollConfig {
  /** Closed candles with open time in [from, to]; share the process's `BinanceRest` (`backfillFrom`). */
  readonly fetch: Backfill;
  /** The polled timeframe (default "30m"; 4h and 1d are built from it). */
  readonly timeframe?: Timeframe;
  /** `POLL_DELAY_SECONDS` in ms: how long after each close the round starts (default 5 000). */
  readonly delayMs?: number;
  /**
   * Waits before asking again for a candle the exchange did not have yet or a request that failed (`backfillRetry`,
   * default 1 s doubling to 60 s, never before a 429/418 ends), until the next round takes over. Also the gap
   * backfill's.
   */
  readonly retry?: BackoffConfig;
  /** Log lines (retries); default none. */
  readonly log?: (line: string) => void;
}

/** The port plus the adapter's own counters (tests, diagnostics). */
export type KlinePoll = MarketStream["Service"] & {
  readonly stats: () => {
    readonly symbols: number;
    readonly rounds: number;
    readonly requests: number;
    readonly closedDelivered: number;
    readonly duplicatesDropped: number;
    readonly backfilledCandles: number;
  };
};

export const DEFAULT_POLL_DELAY_MS = 5_000;

/**
 * How long after its round a candle the exchange answers it does not have is asked for again: Binance publishes a
 * closed candle within seconds; one still missing after two minutes is a hole, which the next round passes over.
 */
export const MISSING_PATIENCE_MS = 120_000;

const iso = (t: number) => `${new Date(t).toISOString().slice(0, 16)}Z`;

/** The poller, alive until the enclosing Scope closes (then no request starts and no event follows). */
export const make = (config: KlinePollConfig): Effect.Effect<KlinePoll, never, Scope.Scope> =>
  Effect.gen(function* () {
    const run = yield* FiberSet.makeRuntime<never, void, never>();
    const clock = yield* Clock.Clock;
    const events = yield* Queue.unbounded<StreamEvent>();
    const timeframe = config.timeframe ?? "30m";
    const step = TIMEFRAME_MS[timeframe];
    const delayMs = config.delayMs ?? DEFAULT_POLL_DELAY_MS;
    const retry = config.retry ?? BACKFILL_RETRY;
    const log = config.log ?? (() => {});
    let closed = false;
    let rounds = 0;
    let requests = 0;
    const emit = (event: StreamEvent) => {
      if (!closed) Queue.offerUnsafe(events, event);
    };
    const fork = (effect: Effect.Effect<void>) => void run(effect);
    const fetch: Backfill = (symbol, tf, from, to) =>
      Effect.suspend(() => {
        requests++;
        return config.fetch(symbol, tf, from, to);
      });

    const sequencer = makeSequencer({
      timeframe,
      backfill: fetch,
      // Only closed candles are fed: the grace for late closed messages after a forming one never starts.
      closedGraceMs: step,
      retry: backfillRetry(retry),
      emit,
      run: fork,
      now: () => clock.currentTimeMillisUnsafe(),
      log,
    });
    /** Per tracked symbol, the open time of the candle being asked for (a newer round supersedes an older one). */
    const wanted = new Map<string, number>();

    /** Open time of the newest candle whose round time (close + delay) has come by `now`. */
    const dueOpenTime = (now: number) => Math.floor((now - delayMs) / step) * step - step;

    /** Still worth asking for `openTime`: tracked, not superseded, not delivered, and its round not over. */
    const stillWanted = (symbol: string, openTime: number, now: number) =>
      !closed &&
      wanted.get(symbol) === openTime &&
      (sequencer.lastClosed(symbol) ?? Number.NEGATIVE_INFINITY) < openTime &&
      now < openTime + 2 * step + delayMs;

    /** One request for the candle opening at `openTime`: true once delivered (or no longer wanted). */
    const attempt = (symbol: string, openTime: number) =>
      Effect.suspend(() => {
        if (!stillWanted(symbol, openTime, clock.currentTimeMillisUnsafe())) return Effect.succeed(true);
        return Effect.flatMap(fetch(symbol, timeframe, openTime, openTime), (candles) => {
          for (const c of candles) sequencer.kline(symbol, c, true);
          return candles.some((c) => c.openTime === openTime)
            ? Effect.succeed(true)
            : Effect.fail(
                new MarketDataError({
                  reason: "notFound",
                  source: "GET /fapi/v1/klines",
                  message: `the ${timeframe} candle of ${iso(openTime)} is not closed on the exchange yet`,
                }),
              );
        });
      });

    /**
     * Asks again on the retry schedule after the round's failed ask (`failure`), until delivered, superseded or the
     * next round is due; each wait is told (`BackfillFailed`). A request that failed (network, 5xx, a ban) is retried
     * all that time, so the candle is analysed as soon as the exchange is back; a candle the exchange answers it does
     * not have only for `MISSING_PATIENCE_MS` after its round — past that it is a hole in the exchange's data (or a
     * symbol without trades), and the next round's gap backfill passes over it.
     */
    const retryLater = (symbol: string, openTime: number, failure: MarketDataError) => {
      let pending: MarketDataError | undefined = failure;
      const patience = openTime + step + delayMs + MISSING_PATIENCE_MS;
      let missing = failure.reason === "notFound";
      // The round's failure comes first, so the schedule's first wait follows it.
      const again = Effect.suspend(() => {
        const e = pending;
        pending = undefined;
        if (e !== undefined) return Effect.fail(e);
        if (missing && clock.currentTimeMillisUnsafe() >= patience) return Effect.succeed(true);
        return Effect.tapError(attempt(symbol, openTime), (error) =>
          Effect.sync(() => {
            missing = error.reason === "notFound";
          }),
        );
      });
      return Effect.ignore(
        retryTelling(again, backfillRetry(retry), (e, retryInMs) =>
          Effect.sync(() => {
            if (!stillWanted(symbol, openTime, clock.currentTimeMillisUnsafe())) return;
            emit({ _tag: "BackfillFailed", symbol, message: e.message, retryInMs });
            log(`binance poll "${symbol}": ${e.message}; retry in ${retryInMs} ms`);
          }),
        ),
      );
    };

    /** One ask for the candle opening at `openTime`; the failure when it did not come. */
    const ask = (symbol: string, openTime: number) =>
      Effect.gen(function* () {
        if (!sequencer.has(symbol)) return undefined; // unsubscribed meanwhile
        wanted.set(symbol, openTime);
        const first = yield* Effect.result(attempt(symbol, openTime));
        return first._tag === "Success" ? undefined : first.failure;
      });

    /** Every tracked symbol's candle opening at `openTime`; the round is told, then the late ones are retried. */
    const round = (openTime: number) =>
      Effect.gen(function* () {
        rounds++;
        const symbols = [...wanted.keys()];
        const failures = yield* Effect.forEach(symbols, (s) => ask(s, openTime), {
          concurrency: "unbounded",
        });
        emit({
          _tag: "Polled",
          openTime,
          symbols: symbols.length,
          late: symbols.filter((_, i) => failures[i] !== undefined),
        });
        symbols.forEach((s, i) => {
          const failure = failures[i];
          if (failure !== undefined) fork(retryLater(s, openTime, failure));
        });
      });

    // Rounds follow the closes, not the moment the previous round ended: one that ran long (or a clock that moved
    // on meanwhile) never makes the next one skip its candle.
    let lastRound = dueOpenTime(clock.currentTimeMillisUnsafe());
    fork(
      Effect.forever(
        Effect.gen(function* () {
          const at = lastRound + 2 * step + delayMs;
          const now = yield* Clock.currentTimeMillis;
          if (at > now) yield* Effect.sleep(at - now);
          // Woken late (a suspended machine, a simulation that jumped): the newest due candle; the sequencer
          // backfills the ones before it.
          lastRound = Math.max(lastRound + step, dueOpenTime(yield* Clock.currentTimeMillis));
          yield* round(lastRound);
        }),
      ),
    );
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closed = true;
        sequencer.stop();
      }),
    );

    const subscribe = (symbols: readonly string[], lastClosed: Readonly<Record<string, number>>) =>
      Effect.sync(() => {
        const due = dueOpenTime(clock.currentTimeMillisUnsafe());
        for (const symbol of symbols) {
          if (sequencer.has(symbol)) continue;
          const last = lastClosed[symbol];
          sequencer.track(symbol, last);
          wanted.set(symbol, due);
          // Warmed up before the last round's candle and subscribed after that round: fetch it now.
          if (last !== undefined && last < due)
            fork(
              Effect.flatMap(ask(symbol, due), (failure) =>
                failure === undefined ? Effect.void : retryLater(symbol, due, failure),
              ),
            );
        }
      });

    const unsubscribe = (symbols: readonly string[]) =>
      Effect.sync(() => {
        for (const symbol of symbols) {
          sequencer.untrack(symbol);
          wanted.delete(symbol);
        }
      });

    return {
      subscribe,
      unsubscribe,
      shards: () => [],
      events,
      stats: () => ({
        symbols: sequencer.size,
        rounds,
        requests,
        ...sequencer.counters,
      }),
    };
  });

/** `MarketStream` over Binance REST polled after each close, configured by `config`. */
export const layer = (config: KlinePollConfig): Layer.Layer<MarketStream> =>
  Layer.effect(
    MarketStream,
    Effect.map(make(config), (poll) => MarketStream.of(poll)),
  );
