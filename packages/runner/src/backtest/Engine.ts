/**
 * The replay engine: drives the live bot's core — `SymbolAnalyzer`, `processEvaluations`,
 * `advanceOpenTrades`, the `Memory` service — with the chronological candle stream, the Effect clock set to
 * each candle's close. The per-candle path is plain code (indicator updates, one evaluation per 30m candle);
 * Effect runs only when a setup appears, a symbol has an open trade, or a memory lock is due to expire.
 */

import { candleAt } from "@signalbot/adapters/csv";
import {
  advanceOpenTrades,
  type CostModel,
  candleTick,
  DEFAULT_COSTS,
  DEFAULT_TIMEOUT_CANDLES,
  defaultMemoryConfig,
  type Evaluation,
  Memory,
  type MemoryConfig,
  type MemoryEvent,
  MemoryStore,
  openedEvent,
  Pipeline,
  processEvaluations,
  type Signal,
  SymbolAnalyzer,
  type Timeframe,
  TimeframeAggregator,
  type TradeEvent,
} from "@signalbot/core";
import { SignalStoreMemory } from "@signalbot/core/testing";
import { Clock, Context, Effect, Layer, References } from "effect";
import { ReplayCursor, type ReplayData } from "./Replay.ts";
import type { BacktestConfig, CandleCounts, ReplayRecord } from "./Report.ts";

export interface EngineOptions {
  readonly dataDir: string;
  readonly from?: number;
  readonly to?: number;
  readonly memory: boolean;
  readonly costs?: CostModel;
  /** Memory configuration over core's defaults (threshold 75, 5 signals/day, 1 % risk, 1000 USDT). */
  readonly memoryConfig?: Partial<Omit<MemoryConfig, "enabled">>;
  readonly timeoutCandles?: number;
  readonly warmupCandles: number;
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

const hasSetup = (evaluations: readonly Evaluation[]): boolean => {
  for (let i = 0; i < evaluations.length; i++) if (evaluations[i]!._tag === "Setup") return true;
  return false;
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
        Pipeline.layer({ costs, timeoutCandles, recordBelowThreshold: false }),
        SignalStoreMemory.layer(storeState),
        Memory.layer(memoryConfig).pipe(Layer.provide(transientMemoryStore)),
      );
      const services = yield* Layer.build(layer).pipe(
        Effect.provideService(Clock.Clock, clock),
        Effect.orDie,
      );
      const context = Context.add(
        Context.add(Context.add(services, Clock.Clock, clock), References.TracerEnabled, false),
        References.TracerTimingEnabled,
        false,
      );
      const { book } = Context.get(services, Pipeline);
      const memory = Context.get(services, Memory);
      const memoryLocks = () => Effect.runSync(memory.snapshot).locks;

      const analyzers = data.symbols.map((s) => new SymbolAnalyzer(s));
      // A symbol with 30m data but no 4h or 1d file gets those built from its 30m candles, as live does.
      const aggregators = data.symbols.map((symbol) => {
        const has = (tf: Timeframe) => data.series.some((s) => s.symbol === symbol && s.timeframe === tf);
        if (!has("30m")) return undefined;
        const built = (["4h", "1d"] as const)
          .filter((tf) => !has(tf))
          .map((tf) => new TimeframeAggregator(tf));
        return built.length === 0 ? undefined : built;
      });
      const signals: Signal[] = [];
      const memoryEvents: MemoryEvent[] = [];
      /** Earliest expiry of a memory lock still in force (Infinity when none). */
      let nextExpiry = Number.POSITIVE_INFINITY;
      const refreshExpiry = () => {
        nextExpiry = Number.POSITIVE_INFINITY;
        for (const l of memoryLocks()) if (l.until > clock.now && l.until < nextExpiry) nextExpiry = l.until;
      };
      const learned = (events: readonly MemoryEvent[]) => {
        if (events.length === 0) return;
        for (const e of events) memoryEvents.push(e);
        refreshExpiry();
      };

      const series = data.series;
      const cursor = new ReplayCursor(series);
      let delivered = 0;
      let periodStart = Number.POSITIVE_INFINITY;
      let periodEnd = Number.NEGATIVE_INFINITY;
      const counts = series.map(() => 0);

      const replay = Effect.gen(function* () {
        while (cursor.next()) {
          const s = series[cursor.series]!;
          const i = cursor.row;
          const candle = candleAt(s.columns, i);
          const time = candle.closeTime + 1;
          clock.now = time;
          const analyzer = analyzers[s.symbolIndex]!;
          if (s.timeframe === "30m") {
            const built = aggregators[s.symbolIndex];
            if (built !== undefined) {
              for (const a of built) {
                const higher = a.add(candle);
                if (higher !== undefined) analyzer.push(a.target, higher.candle);
              }
            }
          }
          if ((++delivered & (PROGRESS_EVERY - 1)) === 0) options.onProgress?.(delivered);
          if (i < s.start) {
            analyzer.push(s.timeframe, candle); // warm-up history: indicators only
            continue;
          }
          counts[cursor.series]!++;
          if (s.timeframe !== "30m") {
            analyzer.push(s.timeframe, candle);
            continue;
          }
          if (candle.openTime < periodStart) periodStart = candle.openTime;
          periodEnd = time;
          // 1. Locks whose time has come are lifted (live does this on every closed candle).
          if (time >= nextExpiry) learned(yield* memory.expire);
          // 2. Open trades see this candle (after their entry candle), as live sees its ticks before the close.
          if (book.count(s.symbol) > 0) {
            const result = yield* advanceOpenTrades(s.symbol, candleTick(candle, true));
            learned(result.memoryEvents);
          }
          // 3. The closed trigger candle is analysed; setups go through the gates.
          analyzer.push("30m", candle);
          const evaluations = analyzer.evaluate();
          if (hasSetup(evaluations)) {
            for (const signal of yield* processEvaluations(evaluations)) signals.push(signal);
          }
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
      const candles: CandleCounts = { total, warmup, bySymbol, missing };
      const config: BacktestConfig = {
        dataDir: options.dataDir,
        symbols: data.symbols,
        from: options.from ?? null,
        to: options.to ?? null,
        memory: options.memory,
        costs: { takerFeeRate: costs.takerFeeRate, slippageRate: costs.slippageRate },
        startingEquity: memoryConfig.startingBalance,
        warmupCandles: options.warmupCandles,
        timeoutCandles,
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
        warnings: data.warnings,
      } satisfies ReplayRecord;
    }),
  );
