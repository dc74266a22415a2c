/**
 * THE trading step for one closed trigger (30m) candle of one symbol. The live loop, the backtest and the
 * tests all call it; they differ only in where candles and higher-timeframe confirmations come from
 * (`HigherTimeframes`) and in the clock. The setups it finds are decided with those of every other symbol
 * that closed at the same instant (`decideSetups`), once all are stepped. Runner code around it does I/O,
 * logging and metrics, never decisions.
 */
import { Clock, Context, Effect, Exit, type Result } from "effect";
import { Memory } from "../memory/Memory.ts";
import { bucketOpenTime, type Candle, closedAt, TIMEFRAME_MS } from "../model/Candle.ts";
import type { MemoryEvent } from "../model/MemoryEvent.ts";
import type { Evaluation } from "../model/Signal.ts";
import { HigherTimeframes, MAX_KLINES_PER_REQUEST } from "../port/HigherTimeframes.ts";
import type { MarketDataError } from "../port/MarketData.ts";
import { SignalStore } from "../port/SignalStore.ts";
import type { CandleSeries } from "../series/CandleSeries.ts";
import type { AggregatedCandle, AggregateTimeframe } from "../series/TimeframeAggregator.ts";
import { candleTick } from "../trade/VirtualTrade.ts";
import { type AdvanceResult, advanceBook, advanceOpenTrades, NO_ADVANCE } from "./advanceOpenTrades.ts";
import { type Candidate, candidatesOf } from "./decideSetups.ts";
import { Pipeline } from "./Pipeline.ts";
import type { FinishedBucket, SymbolState } from "./SymbolState.ts";

/**
 * The late-candle rule: a closed candle this old (or older) when it reaches the step — a long outage
 * backfilled, a gap filled by REST — still feeds the series and the open trades, but is not analysed: its
 * entry price is history, not an opportunity. One trigger period: by then the next candle has closed.
 */
export const MAX_SIGNAL_DELAY_MS = TIMEFRAME_MS["30m"];

export interface ClosedCandleOptions {
  /** Trigger candles a candidate carries for its NewSignal chart (0: none, as in a backtest). */
  readonly chartCandles: number;
}

/**
 * How the exchange's version of an aggregated 4h/1d candle compared with the bot's own: the same, replaced
 * by the exchange's, or unconfirmed (the exchange did not answer) — then a complete aggregate is used and an
 * incomplete one (its 30m candles had a gap) is `dropped`: a partial candle would distort the indicators
 * more than a missing one, which the next step's catch-up fills once the exchange has it.
 */
export type Confirmation = "same" | "replaced" | "unconfirmed" | "dropped";

export type HigherTimeframeStep =
  /** A bucket this candle finished, as pushed: the exchange's candle when it answered, else the aggregate. */
  | {
      readonly _tag: "Finished";
      readonly timeframe: AggregateTimeframe;
      readonly candle: Candle;
      /** Whether all its 30m sub-candles were aggregated. */
      readonly complete: boolean;
      readonly confirmation: Confirmation;
      /** Buckets before it that the series lacked, filled from the exchange first. */
      readonly backfilled: number;
      /** Why it could not be confirmed (the aggregate was used). */
      readonly error?: MarketDataError;
    }
  /**
   * Buckets that closed while the 30m candles skipped them (a data gap in a backtest, a failed backfill
   * live), fetched so the analysis is not stale; `candles` may be 0 when the source has none either.
   */
  | {
      readonly _tag: "CaughtUp";
      readonly timeframe: AggregateTimeframe;
      readonly candles: number;
      readonly error?: MarketDataError;
    };

export type Analysis =
  /** Closed `delayMs` before the step saw it: not analysed (the late-candle rule). */
  | { readonly _tag: "Late"; readonly delayMs: number }
  /**
   * The models' answers and the setups among them, ready for `decideSetups` with the other symbols' setups of
   * the same close (none, most of the time).
   */
  | {
      readonly _tag: "Analysed";
      readonly evaluations: readonly Evaluation[];
      readonly candidates: readonly Candidate[];
    };

export type ClosedCandleOutcome =
  /** The candle is not after the symbol's last closed one: a replay, a reconnect. Nothing changed. */
  | { readonly _tag: "Duplicate" }
  | {
      readonly _tag: "Stepped";
      /** Event time: the candle's close. */
      readonly time: number;
      /** Memory locks lifted because their time had come (queued as alerts). */
      readonly expired: readonly MemoryEvent[];
      /** What the candle did to the symbol's open virtual trades. */
      readonly trades: AdvanceResult;
      /** The 4h/1d candles this candle finished, in order. */
      readonly higher: readonly HigherTimeframeStep[];
      readonly analysis: Analysis;
    };

const DUPLICATE: ClosedCandleOutcome = Object.freeze({ _tag: "Duplicate" });
const NONE: readonly never[] = Object.freeze([]);

/**
 * One closed trigger candle of `state.symbol`, in this order:
 * 1. duplicate — a candle not after the last closed one changes nothing;
 * 2. memory locks whose expiry has come are lifted (`Memory.expire`); each lift is queued as an alert;
 * 3. the symbol's open virtual trades advance on the candle (`advanceOpenTrades`: targets, stop, timeout,
 *    memory learning on a close) — they entered at an earlier close, so this candle is after their entry;
 * 4. the 4h and 1d candles it finishes are built, confirmed or corrected by `HigherTimeframes`, skipped
 *    buckets filled first, and pushed; a series still behind (its 30m candles had a gap) catches up from
 *    `HigherTimeframes` — so the analysis sees exactly the higher timeframes closed at this instant;
 * 5. the candle itself is pushed;
 * 6. the late-candle rule (`MAX_SIGNAL_DELAY_MS` against the clock);
 * 7. the models evaluate; their setups come back as candidates. The caller collects the candidates of every
 *    symbol that closed at this instant and decides them together with `decideSetups` (ranking, score, cost,
 *    duplicate, open trade, memory locks, model preference, daily cap, sizing; emitted signals open their
 *    virtual trades) — after every symbol of the close has been stepped, so all trades of that instant have
 *    advanced and the order of the symbols never matters.
 * When nothing is due, no trade has something to persist and no bucket closes, the step is plain synchronous
 * code (the backtest's hot path).
 */
export const onClosedCandle = (
  state: SymbolState,
  candle: Candle,
  options: ClosedCandleOptions,
): Effect.Effect<ClosedCandleOutcome, StepError, StepServices> =>
  Effect.contextWith((ctx: Context.Context<StepContext>) =>
    lift(closedCandleStep(ctx, options)(state, candle)),
  );

/** What the step may fail with: the store failing to persist a trade. */
export type StepError = Effect.Error<ReturnType<typeof advanceOpenTrades>>;

export type StepServices = Pipeline | SignalStore | Memory | HigherTimeframes;

/** The services the step reads synchronously from its context. */
type StepContext = Pipeline | Memory | HigherTimeframes;

/** The outcome at once when the step needed no Effect, else the Effect that finishes it. */
export type StepResult = ClosedCandleOutcome | Effect.Effect<ClosedCandleOutcome, StepError, StepServices>;

/**
 * `onClosedCandle` for a caller that steps many candles in one context (the backtest): the same step, whose
 * result is the outcome itself when nothing needed an Effect, sparing the hot path a trip through the runtime.
 */
export const closedCandleStep = (
  ctx: Context.Context<StepContext>,
  options: ClosedCandleOptions,
): ((state: SymbolState, candle: Candle) => StepResult) => {
  const env: StepEnv = {
    clock: Context.get(ctx, Clock.Clock),
    book: Context.get(ctx, Pipeline).book,
    rules: Context.get(ctx, Pipeline).rules,
    memory: Context.get(ctx, Memory),
    higher: Context.get(ctx, HigherTimeframes),
    options,
  };
  return (state, candle) => {
    const last = state.lastClosedOpenTime;
    if (last !== undefined && candle.openTime <= last) return DUPLICATE;
    const time = closedAt(candle);
    const due = env.clock.currentTimeMillisUnsafe() >= env.memory.nextExpiry();
    const open = env.book.count(state.symbol) > 0;
    // 2–3 need Effect only when a lock is due or a trade has something to persist.
    if (!due && !open) return higherTimeframes(env, state, candle, time, NONE, NO_ADVANCE);
    if (!due) {
      const advanced = advanceBook(env.book, env.rules, state.symbol, candleTick(candle, true), state.info);
      if (Exit.isExit(advanced) && Exit.isSuccess(advanced))
        return higherTimeframes(env, state, candle, time, NONE, advanced.value as AdvanceResult);
      return Effect.flatMap(advanced, (trades) =>
        lift(higherTimeframes(env, state, candle, time, NONE, trades)),
      );
    }
    return Effect.flatMap(due ? expireDue : NO_EXPIRY, (expired) =>
      Effect.flatMap(
        open ? advanceOpenTrades(state.symbol, candleTick(candle, true), state.info) : NO_TRADES,
        (trades) => lift(higherTimeframes(env, state, candle, time, expired, trades)),
      ),
    );
  };
};

/** What the step reads synchronously, resolved once per context. */
interface StepEnv {
  readonly clock: Clock.Clock;
  readonly book: Pipeline["Service"]["book"];
  readonly rules: Pipeline["Service"]["rules"];
  readonly memory: Memory["Service"];
  readonly higher: HigherTimeframes["Service"];
  readonly options: ClosedCandleOptions;
}

const NO_EXPIRY = Effect.succeed(NONE as readonly MemoryEvent[]);
const NO_TRADES = Effect.succeed(NO_ADVANCE);

const lift = (r: StepResult): Effect.Effect<ClosedCandleOutcome, StepError, StepServices> =>
  Effect.isEffect(r) ? r : Effect.succeed(r);

/** Step 4, then 5–7: Effect only when a bucket closes or a series is behind and the source must be asked. */
const higherTimeframes = (
  env: StepEnv,
  state: SymbolState,
  candle: Candle,
  time: number,
  expired: readonly MemoryEvent[],
  trades: AdvanceResult,
): StepResult => {
  const buckets = state.aggregate(candle);
  if (buckets.length === 0 && upToDate(state, time))
    return analyse(env, state, candle, time, expired, trades, NONE);
  const higher = pushHigherTimeframes(env.higher, state, buckets, time);
  if (!Effect.isEffect(higher)) return analyse(env, state, candle, time, expired, trades, higher);
  return Effect.flatMap(higher, (h) => lift(analyse(env, state, candle, time, expired, trades, h)));
};

/** Steps 5–7: plain code. */
const analyse = (
  env: StepEnv,
  state: SymbolState,
  candle: Candle,
  time: number,
  expired: readonly MemoryEvent[],
  trades: AdvanceResult,
  higher: readonly HigherTimeframeStep[],
): StepResult => {
  state.analyzer.push("30m", candle);
  const delayMs = env.clock.currentTimeMillisUnsafe() - time;
  if (delayMs >= MAX_SIGNAL_DELAY_MS)
    return stepped(time, expired, trades, higher, { _tag: "Late", delayMs });
  const evaluations = state.analyzer.evaluate();
  if (!hasSetup(evaluations))
    return stepped(time, expired, trades, higher, { _tag: "Analysed", evaluations, candidates: NONE });
  const context = {
    ...(state.info === undefined ? {} : { info: state.info }),
    ...(env.options.chartCandles > 0 ? { candles: state.recent(env.options.chartCandles) } : {}),
  };
  const candidates = candidatesOf(evaluations, context);
  return stepped(time, expired, trades, higher, { _tag: "Analysed", evaluations, candidates });
};

type Higher = readonly HigherTimeframeStep[];

/**
 * Step 4's I/O: every finished bucket confirmed and pushed in order, then any catch-up. An answer that is
 * already complete (a backtest's data lookup returns an `Exit`) is used at once, so the data path stays a
 * plain loop; a real request (REST live) continues as an Effect from where it stopped. `k` walks the finished
 * buckets, then the catch-up of each higher timeframe (`AGGREGATED`), in that order.
 */
const pushHigherTimeframes = (
  higher: HigherTimeframes["Service"],
  state: SymbolState,
  buckets: readonly FinishedBucket[],
  time: number,
  steps: HigherTimeframeStep[] = [],
  from = 0,
): Higher | Effect.Effect<Higher> => {
  for (let k = from; k < buckets.length + AGGREGATED.length; k++) {
    if (k < buckets.length) {
      const { timeframe, aggregated } = buckets[k]!;
      const from = fetchFrom(state, timeframe, aggregated);
      const closed = higher.closed(state.symbol, timeframe, from, aggregated.candle.openTime);
      if (Exit.isExit(closed) && Exit.isSuccess(closed)) {
        steps.push(confirm(state, timeframe, aggregated, closed.value as readonly Candle[], undefined));
        continue;
      }
      return Effect.flatMap(Effect.result(closed), (answer) => {
        steps.push(confirm(state, timeframe, aggregated, ...answerParts(answer)));
        return liftHigher(pushHigherTimeframes(higher, state, buckets, time, steps, k + 1));
      });
    }
    const timeframe = AGGREGATED[k - buckets.length]!;
    const missing = behind(state, timeframe, time);
    if (missing === undefined) continue;
    const closed = higher.closed(state.symbol, timeframe, missing.from, missing.to);
    if (Exit.isExit(closed) && Exit.isSuccess(closed)) {
      steps.push(caughtUp(state, timeframe, closed.value as readonly Candle[], undefined));
      continue;
    }
    return Effect.flatMap(Effect.result(closed), (answer) => {
      steps.push(caughtUp(state, timeframe, ...answerParts(answer)));
      return liftHigher(pushHigherTimeframes(higher, state, buckets, time, steps, k + 1));
    });
  }
  return steps;
};

const liftHigher = (h: Higher | Effect.Effect<Higher>): Effect.Effect<Higher> =>
  Effect.isEffect(h) ? h : Effect.succeed(h);

/** An answer as what `confirm` and `caughtUp` read: the candles (none on a failure) and the failure. */
const answerParts = (answer: Answer): [readonly Candle[], MarketDataError | undefined] =>
  answer._tag === "Success" ? [answer.success, undefined] : [NONE, answer.failure];

const stepped = (
  time: number,
  expired: readonly MemoryEvent[],
  trades: AdvanceResult,
  higher: readonly HigherTimeframeStep[],
  analysis: Analysis,
): ClosedCandleOutcome => ({
  _tag: "Stepped",
  time,
  expired,
  trades,
  higher: higher.length === 0 ? NONE : higher,
  analysis,
});

const hasSetup = (evaluations: readonly Evaluation[]): boolean => {
  for (let i = 0; i < evaluations.length; i++) if (evaluations[i]!._tag === "Setup") return true;
  return false;
};

/** Step 2: locks whose time has come are lifted; every lift becomes a memory alert in the outbox. */
const expireDue = Effect.flatMap(Effect.service(Memory), (memory) =>
  Effect.flatMap(memory.expire, (events) =>
    events.length === 0
      ? Effect.succeed(events)
      : Effect.flatMap(Effect.service(SignalStore), (store) =>
          Effect.as(
            Effect.forEach(
              events,
              (event) => store.enqueue({ _tag: "Alert", alert: { kind: "memory", event }, time: event.time }),
              { discard: true },
            ),
            events,
          ),
        ),
  ),
);

const AGGREGATED: readonly AggregateTimeframe[] = ["4h", "1d"];

/**
 * The first open time the series lacks before `openTime`: right after its last candle, or a full series'
 * worth back when it has none yet (a symbol whose 30m history starts later than its 4h/1d history).
 */
const missingFrom = (series: CandleSeries, openTime: number): number => {
  const step = TIMEFRAME_MS[series.timeframe];
  const oldest = openTime - (Math.min(series.capacity, MAX_KLINES_PER_REQUEST) - 1) * step;
  const last = series.lastOpenTime;
  return last === undefined ? oldest : Math.max(last + step, oldest);
};

/** Whether both higher timeframes have every bucket closed by `time` (the cheap test of the hot path). */
const upToDate = (state: SymbolState, time: number): boolean => {
  const h4 = state.analyzer.series("4h").lastOpenTime;
  const d1 = state.analyzer.series("1d").lastOpenTime;
  return h4 !== undefined && d1 !== undefined && time < h4 + 2 * H4_MS && time < d1 + 2 * D1_MS;
};
const H4_MS = TIMEFRAME_MS["4h"];
const D1_MS = TIMEFRAME_MS["1d"];

/** The open times [from, to] of buckets closed by `time` that the series lacks, if any (see `upToDate`). */
const behind = (state: SymbolState, timeframe: AggregateTimeframe, time: number) => {
  const series = state.analyzer.series(timeframe);
  const due = bucketOpenTime(time, timeframe) - TIMEFRAME_MS[timeframe];
  const last = series.lastOpenTime;
  return last !== undefined && last >= due ? undefined : { from: missingFrom(series, due), to: due };
};

type Answer = Result.Result<readonly Candle[], MarketDataError>;

/** Pushes the candles a catch-up fetched. */
const caughtUp = (
  state: SymbolState,
  timeframe: AggregateTimeframe,
  got: readonly Candle[],
  error: MarketDataError | undefined,
): HigherTimeframeStep => {
  let candles = 0;
  for (const c of got) if (state.analyzer.push(timeframe, c)._tag !== "Rejected") candles++;
  return error === undefined
    ? { _tag: "CaughtUp", timeframe, candles }
    : { _tag: "CaughtUp", timeframe, candles, error };
};

/** What to ask for a finished bucket: from the first bucket the series lacks up to the bucket itself. */
const fetchFrom = (state: SymbolState, timeframe: AggregateTimeframe, aggregated: AggregatedCandle): number =>
  Math.min(
    aggregated.candle.openTime,
    missingFrom(state.analyzer.series(timeframe), aggregated.candle.openTime),
  );

/** Confirms (or corrects) one aggregated 4h/1d candle, fills skipped buckets before it, and pushes them. */
const confirm = (
  state: SymbolState,
  timeframe: AggregateTimeframe,
  aggregated: AggregatedCandle,
  got: readonly Candle[],
  error: MarketDataError | undefined,
): HigherTimeframeStep => {
  const a = aggregated.candle;
  let backfilled = 0;
  let exchange: Candle | undefined;
  for (const c of got) {
    if (c.openTime === a.openTime) exchange = c;
    else if (c.openTime < a.openTime && state.analyzer.push(timeframe, c)._tag !== "Rejected") backfilled++;
  }
  const confirmation: Confirmation =
    exchange === undefined
      ? aggregated.complete
        ? "unconfirmed"
        : "dropped"
      : exchange.open === a.open &&
          exchange.high === a.high &&
          exchange.low === a.low &&
          exchange.close === a.close
        ? "same"
        : "replaced";
  const candle = exchange ?? a;
  if (confirmation !== "dropped") state.analyzer.push(timeframe, candle);
  const complete = aggregated.complete;
  // Built without a conditional spread: this runs at every 4h/1d close of the replay.
  return error === undefined
    ? { _tag: "Finished", timeframe, candle, complete, confirmation, backfilled }
    : { _tag: "Finished", timeframe, candle, complete, confirmation, backfilled, error };
};
