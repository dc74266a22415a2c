/**
 * Which symbols the loop watches, kept in step with core's rotation (`activeSet`: fixed + pinned + rotating
 * window): the top-volume universe is fetched (and refetched), entering symbols are warmed up by REST BEFORE
 * they are subscribed and analysed (one that rotates back in fetches only the candles it lacks: WarmupCache),
 * leaving ones are unsubscribed and their candles kept for their return. A symbol with an open virtual trade is
 * pinned and never leaves. At a slot boundary no candle is lost (core's timing rule, `slotCloses`): a leaving
 * symbol stays subscribed until it has stepped the candle closing at the boundary (`drainClose`), and an entering
 * one has the candles of its slot that its warm-up fetched analysed (`analysedOnEntry`) — handed to the dispatcher
 * like streamed candles, so the late-candle rule applies.
 */

import { retryTelling, universeRetry } from "@signalbot/adapters/binance";
import {
  activeSet,
  analysedOnEntry,
  type Candle,
  type CandleCache,
  type CandleEvent,
  type ClosedCandleOutcome,
  catchUpOpenTrades,
  closedAt,
  closedBetween,
  diffActive,
  drainClose,
  MarketData,
  type MarketDataError,
  type MarketStream,
  type Model,
  makeParams,
  Pipeline,
  type SymbolInfo,
  SymbolState,
  TIMEFRAME_MS,
  TIMEFRAMES,
  type Timeframe,
  type UniverseEntry,
  type UniverseFilterConfig,
  warmupCandles,
} from "@signalbot/core";
import { Clock, Deferred, Effect, Semaphore } from "effect";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { isoMinute } from "./Describe.ts";
import { makePersistentWarmupCache } from "./PersistentWarmupCache.ts";
import { makeUniverseScreen } from "./UniverseScreen.ts";
import { resumeWindow } from "./WarmupCache.ts";

/**
 * Candles fetched per timeframe at warm-up. The series hold 500; `limit` < 500 costs request weight 2 instead
 * of 5 (GET /fapi/v1/klines), so 40 symbols × 3 timeframes warm up for 240 weight instead of 600.
 */
export const WARMUP_CANDLES = 499;

export interface ActiveSymbolsConfig {
  readonly fixedSymbols: readonly string[];
  readonly maxSymbolsSubscribed: number;
  readonly topVolumeFetchLimit: number;
  readonly rotationSlotSeconds: number;
  /** RR_MIN: setups below this reward/risk to TP2 are rejected by the models. */
  readonly rrMin: number;
  /** The universe filter (UNIVERSE_*): what the ranked list leaves out before the rotation walks it. */
  readonly universePeggedAssets: readonly string[];
  readonly universeMinRangePercent: number;
  readonly universeRangeDays: number;
  /** Undefined: the models' daily warm-up. */
  readonly universeMinAgeDays: number | undefined;
  /** The models analysed on every symbol (MODELS; default core's `DEFAULT_MODELS`). */
  readonly models?: readonly Model[];
  /** WARMUP_CACHE_SYMBOLS: rotated-out symbols whose candles are kept for their return. */
  readonly warmupCacheSymbols: number;
}

/** The universe filter of a configuration (its age defaults to the models' daily warm-up). */
export const universeFilterOf = (config: ActiveSymbolsConfig): UniverseFilterConfig => ({
  peggedAssets: config.universePeggedAssets,
  minRangePercent: config.universeMinRangePercent,
  rangeDays: config.universeRangeDays,
  minAgeDays: config.universeMinAgeDays ?? warmupCandles(makeParams({ rrMin: config.rrMin }))["1d"],
});

export interface ActiveSymbolsDeps {
  readonly config: ActiveSymbolsConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly stream: MarketStream["Service"];
  /**
   * Hands a closed candle to the loop as if the stream had delivered it (the dispatcher): how an entering symbol
   * has the candles of its slot that its warm-up fetched analysed. Without it they stay warm-up history.
   */
  readonly replay?: (event: CandleEvent) => void;
  /**
   * Where the warm-up cache is kept across restarts (the bot's database); undefined: in memory only.
   */
  readonly candleCache?: CandleCache["Service"];
  /** How long a leaving symbol may take to step its boundary candle before it is fetched by REST (default 20 s). */
  readonly drainWaitMs?: number;
}

/** See `ActiveSymbolsDeps.drainWaitMs`. */
export const DRAIN_WAIT_MS = 20_000;

/** Symbols warmed up at once (each is 3 REST calls through the weight governor). */
const WARMUP_CONCURRENCY = 4;

const describeError = (e: MarketDataError): string =>
  e.reason === "network"
    ? `cannot reach the exchange (${e.source}): ${e.message}`
    : `${e.reason}: ${e.message}`;

export const makeActiveSymbols = (deps: ActiveSymbolsDeps) => {
  const { config, log, metrics } = deps;
  const tracked = new Map<string, SymbolState>();
  const infos = new Map<string, SymbolInfo>();
  let ranked: readonly string[] = [];
  /** FIXED_SYMBOLS the exchange lists as trading USDT perpetuals (the others are warned about and skipped). */
  let fixed: readonly string[] = config.fixedSymbols;
  let active: readonly string[] = [];
  let pinned: readonly string[] = [];
  let rotating: readonly string[] = [];
  let universeAt = 0;
  /** A rotation (warm-up, subscription) is in progress. */
  let busy = false;
  const lock = Semaphore.makeUnsafe(1);
  const screening = makeUniverseScreen({ filter: universeFilterOf(config), log, metrics });
  const cache = makePersistentWarmupCache({
    capacity: config.warmupCacheSymbols,
    store: deps.candleCache,
    log,
    window: WARMUP_CANDLES,
  });
  let skipped = 0;
  /** Symbols being warmed up to enter: a close's round waits for them too. */
  const warming = new Set<string>();
  /** Leaving symbols that must still step the candle closing at `until` (ms), and who waits for them. */
  let draining:
    | { readonly symbols: Set<string>; readonly until: number; readonly done: Deferred.Deferred<void> }
    | undefined;

  /**
   * `listed`: every trading USDT perpetual, ranked. Its first TOP_VOLUME_FETCH_LIMIT and the fixed symbols are
   * screened (UniverseScreen); the rotation walks the ranked ones kept.
   */
  const setUniverse = (listed: readonly UniverseEntry[]) =>
    Effect.gen(function* () {
      const known = new Set(listed.map((e) => e.symbol));
      const unknown = config.fixedSymbols.filter((s) => !known.has(s));
      if (unknown.length > 0)
        log.warn(
          `FIXED_SYMBOLS: ${unknown.map((s) => `"${s}"`).join(", ")} not listed by the exchange as a trading USDT perpetual, skipped`,
        );
      fixed = config.fixedSymbols.filter((s) => known.has(s));
      const fixedSet = new Set(fixed);
      const head = listed.slice(0, config.topVolumeFetchLimit);
      const inHead = new Set(head.map((e) => e.symbol));
      const entries = [...head, ...listed.filter((e) => fixedSet.has(e.symbol) && !inHead.has(e.symbol))];
      const screened = yield* screening.screen(entries, fixedSet);
      const keep = new Set(screened.kept.map((e) => e.symbol));
      ranked = head.filter((e) => keep.has(e.symbol)).map((e) => e.symbol);
      skipped = screened.skipped.length;
      for (const e of entries) infos.set(e.symbol, e.info);
      for (const t of tracked.values()) t.info ??= infos.get(t.symbol);
      yield* cache.retain(new Set([...ranked, ...fixed]));
      universeAt = yield* Clock.currentTimeMillis;
      metrics.set("signalbot_universe_size", "Symbols in the top-volume list.", ranked.length);
      log.info(
        `universe: ${ranked.length} symbols ranked by 24h quote volume${skipped > 0 ? `, ${skipped} left out` : ""}`,
        { top: ranked.slice(0, 5).join(","), dailyRequests: screened.requests },
      );
    });

  /** One universe fetch; false (logged) when it failed. */
  const refreshUniverse = Effect.gen(function* () {
    const md = yield* MarketData;
    const result = yield* Effect.result(md.universe(Number.MAX_SAFE_INTEGER));
    if (result._tag === "Failure") {
      log.warn(`universe refresh failed, keeping ${ranked.length} symbols: ${describeError(result.failure)}`);
      return false;
    }
    yield* setUniverse(result.success);
    return true;
  });

  /**
   * The first universe: retried on `universeRetry` (5 s → 5 min) until the exchange answers. One line per failure.
   * The warm-up cache kept on disk is read first, so the universe's screening can drop what left the list.
   */
  const loadUniverse = Effect.gen(function* () {
    yield* cache.restore;
    const md = yield* MarketData;
    const entries = yield* retryTelling(md.universe(Number.MAX_SAFE_INTEGER), universeRetry(), (e, waitMs) =>
      Effect.sync(() => log.warn(`${describeError(e)}; retrying in ${Math.round(waitMs / 1000)} s`)),
    ).pipe(Effect.orDie);
    yield* setUniverse(entries);
  });

  const fetchHistory = (symbol: string, timeframe: Timeframe) =>
    Effect.flatMap(Effect.service(MarketData), (md) =>
      md.klines({ symbol, timeframe, limit: WARMUP_CANDLES }),
    );

  /**
   * Restored open trades of `symbol` follow the candles that closed since their last event (`catchUpOpenTrades`):
   * a stop or target hit while the bot was down is announced now, not lost. A store failure is logged; the
   * trades then go on from the next candle.
   */
  const catchUp = (symbol: string, candles: readonly Candle[]) =>
    Effect.gen(function* () {
      const { book } = yield* Pipeline;
      const open = book.count(symbol);
      if (open === 0) return;
      const r = yield* catchUpOpenTrades(symbol, candles, infos.get(symbol));
      if (r.steps.length > 0 || r.closed.length > 0)
        log.info(
          `caught up ${open} restored trade${open === 1 ? "" : "s"} on "${symbol}": ${r.steps.length} updates while the bot was away, ${r.closed.length} closed`,
          { closed: r.closed.map((x) => `${x.id} ${x.exitReason} ${x.rMultiple?.toFixed(2)} R`).join(", ") },
        );
    }).pipe(
      Effect.catchTag("StoreError", (e) =>
        Effect.sync(() => log.error(`could not catch up the restored trades of "${symbol}": ${e.message}`)),
      ),
    );

  /**
   * The closed candles × 3 timeframes a symbol enters with: what the cache kept of it plus the candles closed
   * since (the same window as a fresh warm-up), else 499 per timeframe by REST.
   */
  const warmupHistory = (symbol: string) =>
    Effect.gen(function* () {
      const kept = cache.get(symbol);
      const now = yield* Clock.currentTimeMillis;
      const md = yield* MarketData;
      const history = {} as Record<Timeframe, Candle[]>;
      let resumed = kept !== undefined;
      for (const tf of TIMEFRAMES) {
        const resume = kept === undefined ? undefined : resumeWindow(kept[tf], tf, now, WARMUP_CANDLES);
        if (resume === undefined) {
          resumed = false;
          history[tf] = [...(yield* fetchHistory(symbol, tf))];
        } else
          history[tf] =
            resume.from > resume.to
              ? [...resume.kept]
              : [...resume.kept, ...(yield* closedBetween(md, symbol, tf, resume.from, resume.to))];
      }
      yield* cache.forget(symbol);
      return { history, resumed };
    });

  /**
   * Closed candles × 3 timeframes (`warmupHistory`), then a fresh SymbolState; undefined (logged) on failure.
   * Entering at a slot boundary (`slotStart`), the 30m candles that closed in the slot are left out of the history
   * and returned, to be analysed.
   */
  const warmUp = (symbol: string, slotStart: number | undefined) =>
    Effect.gen(function* () {
      const { history, resumed } = yield* warmupHistory(symbol);
      const inSlot: Candle[] = [];
      if (slotStart !== undefined && deps.replay !== undefined)
        while (history["30m"].length > 0 && analysedOnEntry(closedAt(history["30m"].at(-1)!), slotStart))
          inSlot.unshift(history["30m"].pop()!);
      const t = new SymbolState(symbol, infos.get(symbol), {
        params: { rrMin: config.rrMin },
        ...(config.models === undefined ? {} : { models: config.models }),
      });
      t.warm(history);
      if (resumed)
        metrics.inc(
          "signalbot_warmups_resumed_total",
          "Symbols that rotated back in from the warm-up cache (only the candles they lacked fetched).",
        );
      else metrics.inc("signalbot_warmups_total", "Symbols warmed up by REST.");
      yield* catchUp(symbol, history["30m"]);
      return { state: t, inSlot };
    }).pipe(
      Effect.catchTag("MarketDataError", (e) =>
        Effect.sync(() => {
          log.warn(`warm-up failed, "${symbol}" skipped until the next rotation: ${describeError(e)}`);
          return undefined;
        }),
      ),
    );

  /** `handed`: per symbol, the open time of the last candle handed to the loop (the stream need not backfill it). */
  const subscription = (
    what: "subscribe" | "unsubscribe",
    symbols: readonly string[],
    handed: Readonly<Record<string, number>> = {},
  ) => {
    if (symbols.length === 0) return Effect.void;
    if (what === "unsubscribe") return deps.stream.unsubscribe(symbols);
    const lastClosed: Record<string, number> = {};
    for (const s of symbols) {
      const t = handed[s] ?? tracked.get(s)?.lastClosedOpenTime;
      if (t !== undefined) lastClosed[s] = t;
    }
    return deps.stream.subscribe(symbols, lastClosed);
  };

  /** A leaving symbol's candles go to the warm-up cache (the last 499 per timeframe, what a warm-up fetches). */
  const keepForReturn = (symbol: string) =>
    Effect.suspend(() => {
      const t = tracked.get(symbol);
      if (t === undefined) return Effect.void;
      const candles = {} as Record<Timeframe, readonly Candle[]>;
      for (const tf of TIMEFRAMES) candles[tf] = t.analyzer.series(tf).tail(WARMUP_CANDLES);
      return cache.keep(symbol, candles);
    });

  /** Leaving symbols are no longer tracked; their candles are kept for their return. */
  const untrack = (symbols: readonly string[]) =>
    Effect.forEach(symbols, (s) => Effect.tap(keepForReturn(s), () => Effect.sync(() => tracked.delete(s))), {
      discard: true,
    });

  /** Whether `symbol` has stepped the candle closing at `until`. */
  const hasStepped = (symbol: string, until: number): boolean => {
    const last = tracked.get(symbol)?.lastClosedOpenTime;
    return last !== undefined && last + TIMEFRAME_MS["30m"] >= until;
  };

  /**
   * Leaving symbols stay subscribed until each has stepped the candle closing at `until` (the stream delivers it
   * about 2 s after the close); whatever has not come after `drainWaitMs` is fetched by REST and handed to the
   * loop. Then they are unsubscribed — but one whose boundary candle opened a trade is pinned and stays.
   */
  const drain = (leaving: readonly string[], until: number) =>
    Effect.gen(function* () {
      // The waiter is in place before anything can yield, so no step between the check and the wait is missed.
      const waitFor = (symbols: readonly string[], ms: number) =>
        Effect.suspend(() => {
          const pending = new Set(symbols.filter((s) => tracked.has(s) && !hasStepped(s, until)));
          if (pending.size === 0) return Effect.void;
          const done = Deferred.makeUnsafe<void>();
          draining = { symbols: pending, until, done };
          return Effect.raceFirst(Deferred.await(done), Effect.sleep(ms)).pipe(
            Effect.ensuring(Effect.sync(() => (draining = undefined))),
          );
        });
      yield* waitFor(leaving, deps.drainWaitMs ?? DRAIN_WAIT_MS);
      const late = leaving.filter((s) => tracked.has(s) && !hasStepped(s, until));
      if (late.length > 0 && deps.replay !== undefined) {
        const md = yield* MarketData;
        for (const s of late) {
          const from = (tracked.get(s)?.lastClosedOpenTime ?? until - 2 * TIMEFRAME_MS["30m"]) + 1;
          const got = yield* Effect.orElseSucceed(
            md.klines({ symbol: s, timeframe: "30m", startTime: from, endTime: until - 1, limit: 99 }),
            () => [] as readonly Candle[],
          );
          for (const candle of got) deps.replay({ symbol: s, timeframe: "30m", candle, closed: true });
        }
        yield* waitFor(late, 5_000);
        const lost = late.filter((s) => tracked.has(s) && !hasStepped(s, until));
        if (lost.length > 0)
          log.warn(`rotation: ${lost.length} leaving symbols without their ${isoMinute(until)} candle`, {
            symbols: lost.join(","),
          });
      }
      const { book } = yield* Pipeline;
      const gone = leaving.filter((s) => book.count(s) === 0);
      yield* subscription("unsubscribe", gone);
      yield* untrack(gone);
      return leaving.filter((s) => book.count(s) > 0);
    });

  /**
   * Recomputes the active set and applies the difference. `boundary`: the slot boundary a scheduled rotation
   * runs for (the window is the slot's; leaving symbols are drained, entering ones analyse their slot's
   * candles); without it (at start) the set is the current slot's and the warm-up is only history.
   */
  const rotate = (boundary?: number) =>
    lock.withPermits(1)(
      Effect.gen(function* () {
        busy = true;
        const now = yield* Clock.currentTimeMillis;
        const { book } = yield* Pipeline;
        const slotMs = config.rotationSlotSeconds * 1000;
        const set = activeSet({
          fixed,
          ranked,
          maxSymbols: config.maxSymbolsSubscribed,
          slotMs,
          time: boundary ?? now,
          pinned: [...book.symbols()],
        });
        const { entering, leaving } = diffActive(active, set.symbols);
        if (boundary === undefined && leaving.length > 0) {
          yield* subscription("unsubscribe", leaving);
          yield* untrack(leaving);
        }
        const started = yield* Clock.currentTimeMillis;
        for (const s of entering) warming.add(s);
        const warmed = yield* Effect.forEach(entering, (s) => warmUp(s, boundary), {
          concurrency: WARMUP_CONCURRENCY,
        }).pipe(Effect.ensuring(Effect.sync(() => warming.clear())));
        const ready: string[] = [];
        const replays: CandleEvent[] = [];
        for (const w of warmed)
          if (w !== undefined) {
            tracked.set(w.state.symbol, w.state);
            ready.push(w.state.symbol);
            for (const candle of w.inSlot)
              replays.push({ symbol: w.state.symbol, timeframe: "30m", candle, closed: true });
          }
        const handed: Record<string, number> = {};
        for (const e of replays) handed[e.symbol] = e.candle.openTime;
        yield* subscription("subscribe", ready, handed);
        for (const e of replays) deps.replay?.(e);
        const kept =
          boundary === undefined || leaving.length === 0 ? [] : yield* drain(leaving, drainClose(boundary));
        const failed = new Set(entering.filter((s) => !ready.includes(s)));
        active = [...set.symbols.filter((s) => !failed.has(s)), ...kept];
        // Held by an open trade beyond the rotation (a fixed symbol is watched anyway): as of this rotation.
        pinned = [...book.symbols()].filter((s) => !fixed.includes(s));
        rotating = set.rotating.filter((s) => !failed.has(s));
        metrics.set("signalbot_active_symbols", "Symbols subscribed and analysed.", active.length);
        metrics.set(
          "signalbot_warmup_cache_symbols",
          "Rotated-out symbols whose candles are kept.",
          cache.size,
        );
        metrics.set("signalbot_warmup_cache_bytes", "Bytes of candles the warm-up cache holds.", cache.bytes);
        if (entering.length > 0 || leaving.length > 0)
          log.info(`rotation slot ${set.slot}: ${active.length} symbols active`, {
            entering: ready.join(","),
            leaving: leaving.join(","),
            pinned: pinned.join(","),
            warmupMs: (yield* Clock.currentTimeMillis) - started,
          });
        return { entering: ready, leaving };
      }).pipe(Effect.ensuring(Effect.sync(() => (busy = false)))),
    );

  /** Told of every closed-candle step: a leaving symbol that has its boundary candle may go. */
  const stepped = (symbol: string, outcome: ClosedCandleOutcome): void => {
    const d = draining;
    if (d === undefined || outcome._tag !== "Stepped" || !d.symbols.has(symbol) || outcome.time < d.until)
      return;
    d.symbols.delete(symbol);
    if (d.symbols.size === 0) Deferred.doneUnsafe(d.done, Effect.void);
  };

  /**
   * At shutdown, once the last closes are decided: every tracked symbol's candles go to the warm-up cache too, so
   * the next start resumes them instead of fetching 3 × 499 each (the cache's capacity still bounds it).
   */
  const keepTracked = lock.withPermits(1)(
    Effect.suspend(() => Effect.forEach([...tracked.keys()], keepForReturn, { discard: true })),
  );

  return {
    tracked: (symbol: string) => tracked.get(symbol),
    keepTracked,
    loadUniverse,
    refreshUniverse,
    rotate,
    stepped,
    /** The symbols a close waits for: every tracked one (leaving ones until drained) and those warming up. */
    expected: (): string[] => [...tracked.keys(), ...warming],
    /** For /healthz, /universe and the tests. */
    view: () => ({
      active,
      fixed,
      pinned,
      rotating,
      ranked: ranked.length,
      skipped,
      universeAt,
      busy,
      /** Rotated-out symbols kept for their return, and the bytes of candles that costs. */
      warmupCache: { symbols: cache.size, bytes: cache.bytes },
    }),
    all: () => tracked.values(),
  };
};

export type ActiveSymbols = ReturnType<typeof makeActiveSymbols>;
