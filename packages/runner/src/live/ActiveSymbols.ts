/**
 * Which symbols the loop watches, kept in step with core's rotation (`activeSet`: fixed + pinned + rotating
 * window): the top-volume universe is fetched (and refetched), entering symbols are warmed up by REST BEFORE
 * they are subscribed and analysed, leaving ones are unsubscribed and their candles freed. A symbol with an
 * open virtual trade is pinned and never leaves.
 */

import { retryTelling, universeRetry } from "@signalbot/adapters/binance";
import {
  activeSet,
  type Candle,
  diffActive,
  MarketData,
  type MarketDataError,
  makeParams,
  type MarketStream,
  Pipeline,
  type SymbolInfo,
  SymbolState,
  TIMEFRAMES,
  type Timeframe,
  type UniverseEntry,
  type UniverseFilterConfig,
  warmupCandles,
} from "@signalbot/core";
import { Clock, Effect, Semaphore } from "effect";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { makeUniverseScreen } from "./UniverseScreen.ts";

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
}

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
  let skipped = 0;

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

  /** The first universe: retried on `universeRetry` (5 s → 5 min) until the exchange answers. One line per failure. */
  const loadUniverse = Effect.gen(function* () {
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

  /** 499 closed candles × 3 timeframes, then a fresh SymbolState; undefined (logged) on failure. */
  const warmUp = (symbol: string) =>
    Effect.gen(function* () {
      const history = {} as Record<Timeframe, readonly Candle[]>;
      for (const tf of TIMEFRAMES) history[tf] = yield* fetchHistory(symbol, tf);
      const t = new SymbolState(symbol, infos.get(symbol), { rrMin: config.rrMin });
      t.warm(history);
      metrics.inc("signalbot_warmups_total", "Symbols warmed up by REST.");
      return t;
    }).pipe(
      Effect.catchTag("MarketDataError", (e) =>
        Effect.sync(() => {
          log.warn(`warm-up failed, "${symbol}" skipped until the next rotation: ${describeError(e)}`);
          return undefined;
        }),
      ),
    );

  const subscription = (what: "subscribe" | "unsubscribe", symbols: readonly string[]) => {
    if (symbols.length === 0) return Effect.void;
    if (what === "unsubscribe") return deps.stream.unsubscribe(symbols);
    const lastClosed: Record<string, number> = {};
    for (const s of symbols) {
      const t = tracked.get(s)?.lastClosedOpenTime;
      if (t !== undefined) lastClosed[s] = t;
    }
    return deps.stream.subscribe(symbols, lastClosed);
  };

  /** Recomputes the active set for the current slot and applies the difference. */
  const rotate = lock.withPermits(1)(
    Effect.gen(function* () {
      busy = true;
      const now = yield* Clock.currentTimeMillis;
      const { book } = yield* Pipeline;
      const set = activeSet({
        fixed,
        ranked,
        maxSymbols: config.maxSymbolsSubscribed,
        slotMs: config.rotationSlotSeconds * 1000,
        time: now,
        pinned: [...book.symbols()],
      });
      const { entering, leaving } = diffActive(active, set.symbols);
      if (leaving.length > 0) {
        yield* subscription("unsubscribe", leaving);
        for (const s of leaving) tracked.delete(s);
      }
      const started = yield* Clock.currentTimeMillis;
      const warmed = yield* Effect.forEach(entering, warmUp, { concurrency: WARMUP_CONCURRENCY });
      const ready: string[] = [];
      for (const t of warmed)
        if (t !== undefined) {
          tracked.set(t.symbol, t);
          ready.push(t.symbol);
        }
      yield* subscription("subscribe", ready);
      const failed = new Set(entering.filter((s) => !ready.includes(s)));
      active = set.symbols.filter((s) => !failed.has(s));
      pinned = [...book.symbols()];
      rotating = set.rotating.filter((s) => !failed.has(s));
      metrics.set("signalbot_active_symbols", "Symbols subscribed and analysed.", active.length);
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

  return {
    tracked: (symbol: string) => tracked.get(symbol),
    loadUniverse,
    refreshUniverse,
    rotate,
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
    }),
    all: () => tracked.values(),
  };
};

export type ActiveSymbols = ReturnType<typeof makeActiveSymbols>;
