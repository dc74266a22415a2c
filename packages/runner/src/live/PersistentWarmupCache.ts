/**
 * The warm-up cache kept on disk too (the `CandleCache` port, SQLite in the bot): every entry the in-memory
 * `WarmupCache` keeps is saved as it is kept and dropped as it is dropped, so the file mirrors memory and stays
 * within WARMUP_CACHE_SYMBOLS × 72 KB. At start the newest entries come back (at most the capacity; a stale or
 * malformed one is dropped), so a restart does not fetch the top-volume list's candles again. Storage failures
 * (disk full, read-only, corrupt) never stop the bot: one line when they start, one when saving works again;
 * what could not be read or kept is warmed up afresh by REST.
 */
import type { Candle, CandleCache, StoreError, Timeframe } from "@signalbot/core";
import { Clock, Effect } from "effect";
import type { Logger } from "../observability/Log.ts";
import { type TimeframeCandles, usable, WarmupCache } from "./WarmupCache.ts";

export interface PersistentWarmupCacheDeps {
  /** WARMUP_CACHE_SYMBOLS (0: nothing is kept, and the stored entries are dropped at start). */
  readonly capacity: number;
  /** Undefined: memory only (tests of the rotation alone). */
  readonly store: CandleCache["Service"] | undefined;
  readonly log: Logger;
  /** Candles per timeframe a warm-up fetches: an entry with nothing inside that window is stale. */
  readonly window: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export const makePersistentWarmupCache = (deps: PersistentWarmupCacheDeps) => {
  const { store, log } = deps;
  const cache = new WarmupCache(deps.capacity);
  /** Set while storage fails: the episode is told once. */
  let failing = false;

  /** Runs a storage step; a failure is logged once per episode and the cache goes on in memory. */
  const guarded = (what: string, effect: Effect.Effect<void, StoreError>): Effect.Effect<void> =>
    effect.pipe(
      Effect.tap(() =>
        Effect.sync(() => {
          if (!failing) return;
          failing = false;
          log.info(`warm-up cache: storage works again (${what})`);
        }),
      ),
      Effect.catchTag("StoreError", (e) =>
        Effect.sync(() => {
          if (failing) return;
          failing = true;
          log.error(
            `warm-up cache: could not ${what} (${e.reason}); the bot goes on, symbols not kept warm up afresh by REST: ${e.message}`,
          );
        }),
      ),
    );

  /** Reads the stored entries back (newest first, at most the capacity) and drops the rest from storage. */
  const restore: Effect.Effect<void> = Effect.gen(function* () {
    if (store === undefined) return;
    const now = yield* Clock.currentTimeMillis;
    const loaded = yield* Effect.result(store.load(deps.capacity));
    if (loaded._tag === "Failure") {
      log.error(
        `warm-up cache: could not read the kept candles (${loaded.failure.reason}), every symbol warms up afresh by REST: ${loaded.failure.message}`,
      );
      return yield* guarded("drop the unreadable entries", store.keepOnly(new Set()));
    }
    let stale = 0;
    let malformed = 0;
    for (const entry of loaded.success) {
      if (!usable(entry.candles, now, deps.window)) stale++;
      else if (!cache.restore(entry.symbol, entry.candles)) malformed++;
    }
    yield* guarded("drop the entries not restored", store.keepOnly(cache.symbols()));
    if (loaded.success.length > 0)
      log.info(
        `warm-up cache: ${cache.size} symbols' candles restored (${mb(cache.bytes)}), only the candles closed since are fetched`,
        { stale, malformed },
      );
  });

  return {
    restore,
    /** Keeps `symbol`'s candles (memory, then storage) unless the cache is full. */
    keep: (symbol: string, candles: TimeframeCandles): Effect.Effect<void> =>
      Effect.gen(function* () {
        if (!cache.keep(symbol, candles) || store === undefined) return;
        const packed = cache.packed(symbol)!;
        const savedAt = yield* Clock.currentTimeMillis;
        yield* guarded(`save "${symbol}"`, store.save({ symbol, savedAt, candles: packed }));
      }),
    /** `symbol`'s kept candles (a copy). */
    get: (symbol: string): Record<Timeframe, Candle[]> | undefined => cache.get(symbol),
    /** Drops `symbol` (tracked again: its live candles are newer). */
    forget: (symbol: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        const had = cache.packed(symbol) !== undefined;
        cache.forget(symbol);
        return had && store !== undefined ? guarded(`drop "${symbol}"`, store.remove(symbol)) : Effect.void;
      }),
    /** Forgets every symbol not in `symbols` (no longer in the universe). */
    retain: (symbols: ReadonlySet<string>): Effect.Effect<void> =>
      Effect.suspend(() => {
        const before = cache.size;
        cache.retain(symbols);
        return store === undefined || cache.size === before
          ? Effect.void
          : guarded("drop the symbols that left the universe", store.keepOnly(cache.symbols()));
      }),
    get size() {
      return cache.size;
    },
    get bytes() {
      return cache.bytes;
    },
  };
};

export type PersistentWarmupCache = ReturnType<typeof makePersistentWarmupCache>;
