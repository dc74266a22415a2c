/**
 * The replay engine: the chronological candle stream through core's closed-candle step (`onClosedCandle`,
 * the very step the live loop runs), with the Effect clock set to each candle's close and the 4h/1d
 * confirmations answered from the data files (`HigherTimeframes`); the setups of every symbol that closed at
 * one instant are decided together (`decideSetups`) once all of them are stepped, as live. Warm-up history loads
 * the symbols' state as live warm-up does; the step is plain synchronous code until a trade is open, a lock is
 * due or a 4h/1d bucket closes.
 */

import { candleAt, type KlineColumns } from "@signalbot/adapters/csv";
import {
  type AggregateTimeframe,
  belowGlobalThreshold,
  type Candidate,
  type Candle,
  type ClosedCandleOutcome,
  type CostModel,
  closedCandleStep,
  DEFAULT_COSTS,
  DEFAULT_MODELS,
  DEFAULT_PIPELINE_CONFIG,
  DEFAULT_TIMEOUT_CANDLES,
  decideSetups,
  defaultMemoryConfig,
  HigherTimeframes,
  lowerBound,
  Memory,
  type MemoryConfig,
  type MemoryEvent,
  MemoryStore,
  type Model,
  openedEvent,
  Pipeline,
  type PipelineConfig,
  type Signal,
  type StepError,
  type StepServices,
  type StrategyParams,
  type SymbolInfo,
  SymbolState,
  type Timeframe,
  type TradeEvent,
  type UniverseFilterConfig,
} from "@signalbot/core";
import { SignalStoreMemory } from "@signalbot/core/testing";
import { Clock, Context, Effect, Layer, References, Scheduler } from "effect";
import { ReplayCursor, type ReplayData, type ReplaySeries } from "./Replay.ts";
import type { BacktestConfig, CandleCounts, ReplayRecord } from "./Report.ts";
import { ReplayRotation, type RotationOptions } from "./Rotation.ts";
import { defaultUniverseFilter, UniverseDays } from "./UniverseDays.ts";

export interface EngineOptions {
  readonly dataDir: string;
  readonly from?: number;
  readonly to?: number;
  readonly memory: boolean;
  readonly costs?: CostModel;
  /** The tradeability gates over core's defaults (0.2 R round-trip cost, 10× leverage). */
  readonly gates?: Partial<Pick<PipelineConfig, "maxCostR" | "maxLeverage">>;
  /** Memory configuration over core's defaults (threshold 75, 5 signals/day, 1 % risk, 1000 USDT). */
  readonly memoryConfig?: Partial<Omit<MemoryConfig, "enabled">>;
  readonly timeoutCandles?: number;
  /** Strategy parameters over core's defaults (`DEFAULT_PARAMS`). */
  readonly strategy?: Partial<StrategyParams>;
  /** The models analysed, in order (core's `DEFAULT_MODELS` when absent); the report has a row for each. */
  readonly models?: readonly Model[];
  /** Open virtual trades allowed per symbol (core's default 1). */
  readonly maxOpenTradesPerSymbol?: number;
  /** Simulate the live rotation (`--max-symbols`): only the active set is analysed; absent = every symbol. */
  readonly rotation?: RotationOptions;
  readonly warmupCandles: number;
  /** Exchange filters per symbol: sizing rounds to their step size and checks min notional, as live does. */
  readonly infos?: Readonly<Record<string, SymbolInfo>>;
  /**
   * The universe filter, applied to every symbol once per UTC day from its data (as live at each refresh):
   * default core's (pegged assets, 2 % over 7 days, the models' daily warm-up as the least age); `null` = off.
   */
  readonly universe?: UniverseFilterConfig | null;
  /** Called every few thousand candles with the number delivered so far. */
  readonly onProgress?: (done: number) => void;
}

/**
 * The Effect clock of a replay: "now" is the close of the candle being processed. Nothing may sleep in a
 * replay (time only moves with the data), so `sleep` returns at once.
 */
class DataClock implements Clock.Clock {
  now = 0;
  currentTimeMillisUnsafe(): number {
    return this.now;
  }
  readonly currentTimeMillis = Effect.sync(() => this.now);
  currentTimeNanosUnsafe(): bigint {
    return BigInt(this.now) * 1_000_000n;
  }
  readonly currentTimeNanos = Effect.sync(() => BigInt(this.now) * 1_000_000n);
  monotonicTimeNanosUnsafe(): bigint {
    return BigInt(this.now) * 1_000_000n;
  }
  readonly monotonicTimeNanos = Effect.sync(() => BigInt(this.now) * 1_000_000n);
  sleep(): Effect.Effect<void> {
    return Effect.void;
  }
}

/** The backtest keeps memory in memory: nothing to restore, nothing to persist. */
const transientMemoryStore = Layer.succeed(MemoryStore, {
  load: Effect.succeed(undefined),
  save: () => Effect.void,
});

/** A 4h/1d data file and the row after the last answer from it (the replay asks in time order). */
interface DataFile {
  readonly columns: KlineColumns;
  next: number;
}

/** The first row of `file` opening at or after `from`: where the last answer ended if so, else a search. */
const firstFrom = (file: DataFile, from: number): number => {
  const { openTime } = file.columns;
  const i = file.next;
  return (i === openTime.length || openTime[i]! >= from) && (i === 0 || openTime[i - 1]! < from)
    ? i
    : lowerBound(openTime, from);
};

/** The exchange's 4h/1d candles are the data files' (a symbol without a file keeps its own aggregates). */
const higherTimeframesOf = (series: readonly ReplaySeries[]) => {
  const files = new Map<string, Partial<Record<AggregateTimeframe, DataFile>>>();
  for (const s of series)
    if (s.timeframe !== "30m") {
      const bySymbol = files.get(s.symbol) ?? {};
      bySymbol[s.timeframe] = { columns: s.columns, next: 0 };
      files.set(s.symbol, bySymbol);
    }
  return Layer.succeed(
    HigherTimeframes,
    HigherTimeframes.of({
      // A lookup in memory: answered as a completed Effect, which the step uses without a runtime trip.
      closed: (symbol, timeframe, from, to) => {
        const file = files.get(symbol)?.[timeframe];
        const out: Candle[] = [];
        if (file !== undefined) {
          const { columns } = file;
          let i = firstFrom(file, from);
          for (; i < columns.length && columns.openTime[i]! <= to; i++) out.push(candleAt(columns, i));
          file.next = i;
        }
        return Effect.succeed(out);
      },
    }),
  );
};

const PROGRESS_EVERY = 8192;

/** Replays `data` through the core and returns what happened, in order. */
export const runEngine = (data: ReplayData, options: EngineOptions): Effect.Effect<ReplayRecord> =>
  Effect.scoped(
    Effect.gen(function* () {
      const costs = options.costs ?? DEFAULT_COSTS;
      const timeoutCandles = options.timeoutCandles ?? DEFAULT_TIMEOUT_CANDLES;
      const memoryConfig: MemoryConfig = {
        ...defaultMemoryConfig,
        ...options.memoryConfig,
        enabled: options.memory,
      };
      const clock = new DataClock();
      const storeState = new SignalStoreMemory.State();
      const layer = Layer.mergeAll(
        // Below-threshold setups are still returned (and reported); no candle is replayed twice here, so the
        // store need not remember them.
        Pipeline.layer({
          costs,
          timeoutCandles,
          recordBelowThreshold: false,
          ...options.gates,
          ...(options.maxOpenTradesPerSymbol === undefined
            ? {}
            : { maxOpenTradesPerSymbol: options.maxOpenTradesPerSymbol }),
        }),
        SignalStoreMemory.layer(storeState),
        Memory.layer(memoryConfig).pipe(Layer.provide(transientMemoryStore)),
        higherTimeframesOf(data.series),
      );
      const services = yield* Layer.build(layer).pipe(
        Effect.provideService(Clock.Clock, clock),
        Effect.orDie,
      );
      // One fiber, nothing to share the thread with: no tracing spans, no cooperative yields to the scheduler.
      const context = Context.add(
        Context.add(
          Context.add(Context.add(services, Clock.Clock, clock), References.TracerEnabled, false),
          References.TracerTimingEnabled,
          false,
        ),
        Scheduler.PreventSchedulerYield,
        true,
      );
      const { book, config: pipelineConfig } = Context.get(services, Pipeline);
      const memoryService = Context.get(services, Memory);

      const analysis = {
        ...(options.strategy === undefined ? {} : { params: options.strategy }),
        ...(options.models === undefined ? {} : { models: options.models }),
      };
      const states = data.symbols.map((s) => new SymbolState(s, options.infos?.[s], analysis));
      /** Per symbol, the higher timeframes that have a data file (the others are built from 30m candles). */
      const hasFile = data.symbols.map((symbol) => {
        const has = (tf: AggregateTimeframe) =>
          data.series.some((s) => s.symbol === symbol && s.timeframe === tf);
        return { "4h": has("4h"), "1d": has("1d") };
      });
      const filter =
        options.universe === undefined ? defaultUniverseFilter() : (options.universe ?? undefined);
      const listedAt = data.symbols.map((symbol) => {
        let first = Number.POSITIVE_INFINITY;
        for (const s of data.series)
          if (s.symbol === symbol && s.columns.length > 0) first = Math.min(first, s.columns.openTime[0]!);
        return first;
      });
      const universe = new UniverseDays(filter, data.symbols, listedAt);
      const signals: Signal[] = [];
      const memoryEvents: MemoryEvent[] = [];
      const stepCandle = closedCandleStep(context, { chartCandles: 0 });

      const rotation =
        options.rotation === undefined ? undefined : new ReplayRotation(data, options.rotation);
      const pinned = () => book.symbols();
      const series = data.series;
      // Without a rotation a 4h/1d candle of the period is only counted: the step reads it through
      // HigherTimeframes at the 30m close that finishes it. The cursor leaves those out (a third of the data).
      const countedOnly = series.map((s) => rotation === undefined && s.timeframe !== "30m");
      const cursor = new ReplayCursor(series, true, countedOnly);
      let delivered = 0;
      let periodStart = Number.POSITIVE_INFINITY;
      let periodEnd = Number.NEGATIVE_INFINITY;
      const counts = series.map((s, k) => (countedOnly[k] ? s.end - s.start : 0));
      /** The setups of the close being replayed, decided once every symbol closing then is stepped. */
      let round: Candidate[] = [];
      let roundTime = 0;
      // Most closes' setups are all below the global threshold: decided by gate 0 alone, without Effect
      // (undefined); the others through `decideSetups`.
      const decideRound = (): Effect.Effect<void, StepError, StepServices> | undefined => {
        const candidates = round;
        round = [];
        clock.now = roundTime;
        const params = memoryService.effectiveParametersUnsafe();
        const below = belowGlobalThreshold(candidates, params, pipelineConfig, roundTime);
        if (below !== undefined) {
          for (const signal of below) signals.push(signal);
          return undefined;
        }
        return Effect.map(decideSetups(candidates), (decided) => {
          for (const signal of decided) signals.push(signal);
        });
      };

      type Pending = Effect.Effect<void, StepError, StepServices>;
      /** What a stepped candle leaves for the close's decision and the record. */
      const afterStep = (
        symbolIndex: number,
        state: SymbolState,
        time: number,
        outcome: ClosedCandleOutcome,
      ) => {
        if (outcome._tag === "Duplicate") return;
        for (const e of outcome.expired) memoryEvents.push(e);
        for (const e of outcome.trades.memoryEvents) memoryEvents.push(e);
        const admitted = universe.admits(symbolIndex, time, state.analyzer.series("1d"));
        if (admitted && outcome.analysis._tag === "Analysed" && outcome.analysis.candidates.length > 0) {
          for (const c of outcome.analysis.candidates) round.push(c);
          roundTime = time;
        }
      };
      /** The cursor's candle, once the close before it is decided; an Effect only when the step needs one. */
      const deliver = (k: number, i: number, time: number): Pending | undefined => {
        const s = series[k]!;
        clock.now = time;
        const state = states[s.symbolIndex]!;
        if ((++delivered & (PROGRESS_EVERY - 1)) === 0) options.onProgress?.(delivered);
        const history = i < s.start;
        if (!history) rotation?.advance(time, pinned);
        const trigger = s.timeframe === "30m";
        if (history || (rotation !== undefined && !rotation.isWatched(s.symbolIndex))) {
          const candle = candleAt(s.columns, i);
          if (!history) {
            counts[k]!++;
            if (trigger) {
              if (candle.openTime < periodStart) periodStart = candle.openTime;
              periodEnd = time;
            }
          }
          // Warm-up history, as live warms up by REST (and a symbol the rotation does not watch, whose state
          // then equals a fresh 499-candle warm-up to ~1e-8): indicators only. 30m candles also feed the
          // 4h/1d aggregators, whose candles stand in for a missing file.
          state.analyzer.push(s.timeframe, candle);
          if (trigger)
            for (const { timeframe, aggregated } of state.aggregate(candle))
              if (!hasFile[s.symbolIndex]![timeframe]) state.analyzer.push(timeframe, aggregated.candle);
          return undefined;
        }
        counts[k]!++;
        // A 4h/1d candle of the period reaches the analysis through the step's HigherTimeframes, at the
        // 30m close that finishes it (no Candle is built for it here).
        if (!trigger) return undefined;
        const candle = candleAt(s.columns, i);
        if (candle.openTime < periodStart) periodStart = candle.openTime;
        periodEnd = time;
        if (rotation !== undefined) rotation.analysed[s.symbolIndex]!++;
        const result = stepCandle(state, candle);
        if (Effect.isEffect(result))
          return Effect.map(result, (outcome) => afterStep(s.symbolIndex, state, time, outcome));
        afterStep(s.symbolIndex, state, time, result);
        return undefined;
      };
      /**
       * Plain code over the candles until one needs the Effect runtime (a close's decision through
       * `decideSetups`, a step that persists a trade or lifts a lock): that Effect, or undefined at the end.
       */
      const pump = (): Pending | undefined => {
        while (cursor.next()) {
          const k = cursor.series;
          const i = cursor.row;
          const time = series[k]!.columns.closeTime[i]! + 1;
          if (round.length > 0 && time > roundTime) {
            const decided = decideRound();
            if (decided !== undefined)
              return Effect.flatMap(decided, () => deliver(k, i, time) ?? Effect.void);
          }
          const pending = deliver(k, i, time);
          if (pending !== undefined) return pending;
        }
        return undefined;
      };

      const replay = Effect.gen(function* () {
        for (let pending = pump(); pending !== undefined; pending = pump()) yield* pending;
        if (round.length > 0) {
          const decided = decideRound();
          if (decided !== undefined) yield* decided;
        }
      });
      // The core runs in this one fiber, without tracing spans or call-site stack captures (`Effect.fn` takes
      // one per call): a replay makes thousands of core calls and nothing reads those traces here.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      yield* replay.pipe(
        Effect.provideContext(context),
        Effect.orDie,
        Effect.ensuring(Effect.sync(() => (Error.stackTraceLimit = limit))),
      );
      for (let k = 0; k < series.length; k++) if (countedOnly[k]) delivered += counts[k]!;
      options.onProgress?.(delivered);

      // The store holds each trade as of its last event; still-open trades' latest state is in the book.
      const trades = [...storeState.trades.values()].map((t) =>
        t.status === "open" ? (book.get(t.symbol).find((b) => b.id === t.id) ?? t) : t,
      );
      const eventsOf = new Map<string, TradeEvent[]>();
      for (const t of trades) eventsOf.set(t.id, [openedEvent(t)]);
      for (const e of storeState.events) eventsOf.get(e.tradeId)?.push(e);
      const tradeEvents = trades.flatMap((t) => eventsOf.get(t.id) ?? []);

      const bySymbol: Record<string, Partial<Record<Timeframe, number>>> = {};
      const missing: Record<string, Partial<Record<Timeframe, number>>> = {};
      let total = 0;
      let warmup = 0;
      series.forEach((s, k) => {
        (bySymbol[s.symbol] ??= {})[s.timeframe] = counts[k]!;
        total += counts[k]!;
        warmup += s.start - s.warmupStart;
        if (s.columns.missing > 0) (missing[s.symbol] ??= {})[s.timeframe] = s.columns.missing;
      });
      const analysed: Record<string, number> = {};
      data.symbols.forEach((symbol, k) => {
        analysed[symbol] = rotation?.analysed[k] ?? bySymbol[symbol]?.["30m"] ?? 0;
      });
      const candles: CandleCounts = { total, warmup, bySymbol, missing, analysed };
      const config: BacktestConfig = {
        dataDir: options.dataDir,
        symbols: data.symbols,
        from: options.from ?? null,
        to: options.to ?? null,
        memory: options.memory,
        costs: { takerFeeRate: costs.takerFeeRate, slippageRate: costs.slippageRate },
        gates: {
          maxCostR: options.gates?.maxCostR ?? DEFAULT_PIPELINE_CONFIG.maxCostR,
          maxLeverage: options.gates?.maxLeverage ?? DEFAULT_PIPELINE_CONFIG.maxLeverage,
        },
        startingEquity: memoryConfig.startingBalance,
        warmupCandles: options.warmupCandles,
        timeoutCandles,
        rotation:
          options.rotation === undefined
            ? null
            : {
                maxSymbols: options.rotation.maxSymbols,
                fixed: options.rotation.fixed,
                slotSeconds: options.rotation.slotMs / 1000,
                refreshSeconds: options.rotation.refreshMs / 1000,
              },
      };
      return {
        config,
        symbols: data.symbols,
        candles,
        period: {
          start: Number.isFinite(periodStart) ? periodStart : null,
          end: Number.isFinite(periodEnd) ? periodEnd : null,
        },
        signals,
        trades,
        tradeEvents,
        memoryEvents,
        universe: {
          filter: filter ?? null,
          skipped: universe.periods(),
        },
        warnings: data.warnings,
        models: (options.models ?? DEFAULT_MODELS).map((m) => m.name),
      } satisfies ReplayRecord;
    }),
  );
