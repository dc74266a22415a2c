/**
 * Per-symbol sequencing of a kline stream, so downstream sees every closed candle exactly once and in order:
 * a duplicate is dropped; a gap — seen from a later closed candle, or from a forming one once a late closed
 * message had its grace — is backfilled by REST before newer candles go on; a failed backfill is retried on
 * the `backfillRetry` schedule. Time and timers go through Effect (the stream's Clock), so tests drive them.
 */
import {
  type Candle,
  type MarketDataError,
  type StreamEvent,
  TIMEFRAME_MS,
  type Timeframe,
} from "@signalbot/core";
import { Effect, type Schedule } from "effect";
import { type RetryHint, retryTelling } from "./Schedules.ts";

/** Closed candles with open time in [from, to]; `BinanceRest.klinesRange` bound to the client. */
export type Backfill = (
  symbol: string,
  timeframe: Timeframe,
  from: number,
  to: number,
) => Effect.Effect<readonly Candle[], MarketDataError>;

export interface SequencerConfig {
  readonly timeframe: Timeframe;
  readonly backfill: Backfill;
  /** How long a late closed-candle message is awaited before it is fetched over REST. */
  readonly closedGraceMs: number;
  /** Waits between failed backfills (`backfillRetry`). */
  readonly retry: Schedule.Schedule<unknown, RetryHint>;
  readonly emit: (event: StreamEvent) => void;
  /** Forks a timer or a backfill into the stream's scope (interrupted when it closes). */
  readonly run: (effect: Effect.Effect<void>) => void;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

interface SymbolSequence {
  readonly symbol: string;
  /** Open time of the last closed candle delivered. */
  last: number | undefined;
  /** Newest forming candle seen (open time). */
  latestForming: number;
  backfilling: boolean;
  /** Closed candles that arrived while a backfill was running. */
  buffer: Candle[];
  /** The pending grace wait, if any (a token: a newer wait or a backfill replaces it). */
  grace: object | undefined;
  /** Set on (re)connect: a gap seen in the first frames is final, no grace wait. */
  fresh: boolean;
}

export interface SequencerCounters {
  closedDelivered: number;
  duplicatesDropped: number;
  backfilledCandles: number;
}

export const makeSequencer = (config: SequencerConfig) => {
  const step = TIMEFRAME_MS[config.timeframe];
  const sequences = new Map<string, SymbolSequence>();
  const counters: SequencerCounters = { closedDelivered: 0, duplicatesDropped: 0, backfilledCandles: 0 };
  let stopped = false;

  const current = (s: SymbolSequence) => !stopped && sequences.get(s.symbol) === s;

  const deliverClosed = (s: SymbolSequence, candle: Candle) => {
    s.last = candle.openTime;
    counters.closedDelivered++;
    config.emit({
      _tag: "Candle",
      event: { symbol: s.symbol, timeframe: config.timeframe, candle, closed: true },
    });
  };

  const onClosed = (s: SymbolSequence, candle: Candle): void => {
    const t = candle.openTime;
    if (s.last !== undefined && t <= s.last) {
      counters.duplicatesDropped++;
      return;
    }
    if (s.backfilling) {
      if (!s.buffer.some((c) => c.openTime === t)) s.buffer.push(candle);
      return;
    }
    if (s.last === undefined || t === s.last + step) {
      deliverClosed(s, candle);
      return;
    }
    s.buffer.push(candle);
    startBackfill(s, s.last + step, t - step);
  };

  const onForming = (s: SymbolSequence, candle: Candle): void => {
    const t = candle.openTime;
    if (t > s.latestForming) s.latestForming = t;
    if (s.backfilling || (s.last !== undefined && t <= s.last)) return;
    if (s.last === undefined || t === s.last + step) {
      config.emit({
        _tag: "Candle",
        event: { symbol: s.symbol, timeframe: config.timeframe, candle, closed: false },
      });
      return;
    }
    // Closed candles before `t` are missing: after a reconnect they are gone for good; otherwise the closed
    // message may just be late (Binance sends it up to ~2 s after the close).
    if (s.fresh) startBackfill(s, s.last + step, t - step, t - 2 * step);
    else if (s.grace === undefined) {
      const token = {};
      s.grace = token;
      config.run(
        Effect.sleep(config.closedGraceMs).pipe(
          Effect.andThen(
            Effect.sync(() => {
              if (s.grace !== token || !current(s)) return;
              s.grace = undefined;
              if (s.backfilling || s.last === undefined) return;
              if (s.latestForming > s.last + step)
                startBackfill(s, s.last + step, s.latestForming - step, s.latestForming - 2 * step);
            }),
          ),
        ),
      );
    }
  };

  /**
   * Fetches [from, to] and delivers it, retrying on the schedule; newer closed candles wait in the buffer.
   * `settledTo`: up to there REST must have every candle that exists (a later candle has closed since), so what
   * it does not return is a hole in the exchange's data, passed over; after it (the candle that closed moments
   * ago) REST may lag and the stream's closed message is waited for.
   */
  const startBackfill = (s: SymbolSequence, from: number, to: number, settledTo = to): void => {
    s.grace = undefined;
    s.backfilling = true;
    let range = { from, to, settledTo };
    let attempts = 0;
    // A retry asks up to the newest candle known missing by then; an untracked symbol stops retrying.
    const attempt = Effect.suspend(() => {
      if (!current(s) || s.last === undefined) return Effect.succeed(undefined);
      if (attempts++ > 0) {
        const newest = Math.max(range.to, s.latestForming - step, ...s.buffer.map((c) => c.openTime - step));
        range = { from: s.last + step, to: newest, settledTo: newest - step };
      }
      return config.backfill(s.symbol, config.timeframe, range.from, range.to);
    });
    config.run(
      retryTelling(attempt, config.retry, (error, retryInMs) =>
        Effect.sync(() => {
          if (!current(s)) return;
          config.emit({ _tag: "BackfillFailed", symbol: s.symbol, message: error.message, retryInMs });
          config.log(
            `binance backfill "${s.symbol}" ${range.from}..${range.to} failed: ${error.message}; retry in ${retryInMs} ms`,
          );
        }),
      ).pipe(
        Effect.flatMap((candles) =>
          Effect.sync(() => {
            if (candles !== undefined && current(s)) finishBackfill(s, range, candles);
          }),
        ),
        Effect.ignore,
      ),
    );
  };

  const finishBackfill = (
    s: SymbolSequence,
    range: { readonly from: number; readonly to: number; readonly settledTo: number },
    candles: readonly Candle[],
  ) => {
    let count = 0;
    for (const c of candles) {
      if (c.openTime > range.to || (s.last !== undefined && c.openTime <= s.last)) continue;
      deliverClosed(s, c);
      count++;
    }
    counters.backfilledCandles += count;
    // What the exchange did not return up to `settledTo` it does not have (a hole in its data, an incident):
    // move past it, or the candle after the hole would start the same empty backfill forever.
    if (s.last !== undefined && s.last < range.settledTo) s.last = range.settledTo;
    config.emit({
      _tag: "Backfilled",
      symbol: s.symbol,
      timeframe: config.timeframe,
      from: range.from,
      to: range.to,
      candles: count,
    });
    s.backfilling = false;
    // Replay what arrived meanwhile; a new gap among it starts the next backfill and re-buffers the rest.
    const pending = s.buffer.sort((a, b) => a.openTime - b.openTime);
    s.buffer = [];
    for (const c of pending) onClosed(s, c);
  };

  return {
    counters,
    /** Starts sequencing `symbol` after `lastClosed` (the caller's last closed candle), or from its first. */
    track: (symbol: string, lastClosed: number | undefined): void => {
      sequences.set(symbol, {
        symbol,
        last: lastClosed,
        latestForming: Number.NEGATIVE_INFINITY,
        backfilling: false,
        buffer: [],
        grace: undefined,
        fresh: true,
      });
    },
    untrack: (symbol: string): void => void sequences.delete(symbol),
    has: (symbol: string): boolean => sequences.has(symbol),
    /** Open time of the last closed candle delivered for `symbol` (undefined: none yet, or not tracked). */
    lastClosed: (symbol: string): number | undefined => sequences.get(symbol)?.last,
    get size(): number {
      return sequences.size;
    },
    /** The symbols' connection (re)opened: a gap in their first frames is final. */
    connected: (symbols: Iterable<string>): void => {
      for (const symbol of symbols) {
        const s = sequences.get(symbol);
        if (s !== undefined) s.fresh = true;
      }
    },
    /** A kline frame of `symbol`. */
    kline: (symbol: string, candle: Candle, closed: boolean): void => {
      const s = sequences.get(symbol);
      if (s === undefined) return;
      if (closed) onClosed(s, candle);
      else onForming(s, candle);
      s.fresh = false;
    },
    stop: (): void => {
      stopped = true;
    },
  };
};

export type Sequencer = ReturnType<typeof makeSequencer>;
